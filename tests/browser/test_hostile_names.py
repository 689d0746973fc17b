"""A file name that is Markdown, uploaded in Chromium, shows as its literal text on the Recognize and
Batch pages: no link to example.com, no bold text, no KaTeX maths (what Streamlit really renders;
tests/pages/test_hostile_inputs.py checks the Markdown sent for every case in AppTest)."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.browser.test_browser import go, settle
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes

pytestmark = pytest.mark.browser

HOSTILE = "**bad** [x](http://example.com) $y$ :smile: www.example.com.png"
MEMBER = "**bad** [x](www.example.com) $y$ :smile:.png"  # a ZIP member: no "/" in its name
LIVE = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {
        links: main.querySelectorAll('a[href*="example.com"]').length,
        bold: [...main.querySelectorAll('strong, b')].filter(e => e.innerText.includes('bad')).length,
        maths: main.querySelectorAll('.katex, math').length,
        text: main.innerText,
    };
}"""


def upload(name: str, data: bytes, mime: str = "image/png") -> dict:
    """A file for Playwright's set_input_files, with any name."""
    return {"name": name, "mimeType": mime, "buffer": data}


def assert_literal(tab, name: str = HOSTILE) -> None:
    """The hostile name is shown as text, and nothing of it became a link, bold text or maths."""
    found = tab.evaluate(LIVE)
    assert (found["links"], found["bold"], found["maths"]) == (0, 0, 0), found
    assert name in found["text"].replace("\u200b", ""), found["text"][:2000]


@pytest.fixture(scope="module")
def tab(start_server, chromium):
    """One app session in Chromium."""
    with start_server("hostile_names_server.log") as url:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(url)
        page.get_by_test_id("stSidebar").wait_for()
        yield page
        context.close()


def test_recognize_shows_a_markdown_name_as_text(tab):
    go(tab, "Recognize VIN")
    boxes = [upload(name, encode_png(image)) for name, image in sample_boxes()[1:]]
    tab.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([upload(HOSTILE, b"junk"), *boxes])
    tab.get_by_test_id("stAlertContentError").first.wait_for()
    settle(tab, 800)
    assert_literal(tab)


def test_batch_shows_a_markdown_name_as_text_in_lists_and_zips(tab):
    go(tab, "Batch")
    tab.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([upload(HOSTILE, b"junk")])
    tab.get_by_text("Gallery (least confident first)").wait_for()
    settle(tab, 800)
    assert_literal(tab)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # 16 good boxes and one with a name without "/"
        for name, image in sample_boxes()[:16]:
            archive.writestr(f"car1/{name}", encode_png(image))
        archive.writestr(f"car1/{MEMBER}", b"junk")
    tab.get_by_text("Many VINs", exact=True).click()
    tab.get_by_text("One ZIP: a folder of 17 box images per VIN", exact=True).click()
    zip_input = tab.locator('input[data-testid="stFileUploaderDropzoneInput"][accept*=".zip"]')
    zip_input.set_input_files([upload("fleet.zip", buffer.getvalue(), "application/zip")])
    tab.get_by_test_id("stAlertContentError").first.wait_for()
    settle(tab, 800)
    assert_literal(tab, f"fleet.zip:car1/{MEMBER}: not a readable image")

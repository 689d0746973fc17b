"""Hostile and degenerate uploads in AppTest: file names that are Markdown (a link, bold, maths, a
line break) show as literal text on every page that prints a name, and degenerate images (1xN, Nx1,
1x1, all white, all black) give a message naming the file, never an exception."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from tests.markdown_view import live_markup, only_html, plain
from ui import safe_text
from ui.many_vins import KIND_ZIP
from ui.safe_text import visible
from vinocr.box.image_io import encode_png

HOSTILE = "**bad** [x](http://example.com) $y$.png"
BROKEN_LINE = "two\n\n**lines** $z$ www.example.com.png"
FIELD = "One image of the whole field"
MESSAGE_KINDS = ("error", "warning", "info", "success", "caption", "markdown", "toast")
DEGENERATE = {
    "row_1x3000.png": np.full((1, 3000), 255, np.uint8),
    "row_1x100000.png": np.full((1, 100000), 255, np.uint8),
    "column_3000x1.png": np.zeros((3000, 1), np.uint8),
    "dot_1x1.png": np.zeros((1, 1), np.uint8),
    "white.png": np.full((300, 900), 255, np.uint8),
    "black.png": np.zeros((300, 900), np.uint8),
}


def shown_messages(at) -> list:
    """Every element whose text is rendered as Markdown: messages, captions, Markdown blocks."""
    return [element for kind in MESSAGE_KINDS for element in at.get(kind)]


def image_captions(at) -> list[str]:
    """The captions of the images shown with st.image (rendered as Markdown too)."""
    return [image.caption for element in at.get("imgs") for image in element.proto.imgs if image.caption]


def assert_names_literal(at, name: str) -> None:
    """The name is shown, and every message that shows a hostile name shows it as literal text: no
    link, emphasis, maths or bare URL in Markdown; an HTML card stays one HTML block (no Markdown)."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [(str(e.value), bool(getattr(e.proto, "allow_html", False))) for e in shown_messages(at)]
    texts += [(caption, False) for caption in image_captions(at)]
    shown = 0
    for value, allow_html in texts:
        if "example" not in value:  # shows no hostile name
            continue
        if allow_html:
            assert only_html(value), value
            shown += safe_text.in_html(name) in value
        else:
            assert live_markup(value) == [], value
            shown += visible(name) in plain(value)
    assert shown, f"{name!r} is shown nowhere"


def hostile_zip() -> bytes:
    """A ZIP holding one folder with a member whose name is Markdown and not an image inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("car1/**bad** $y$ www.example.com.png", b"not an image")
        archive.writestr("car2/notes [x](http:example.com).txt", b"text")
    return buffer.getvalue()


@pytest.mark.parametrize("name", [HOSTILE, BROKEN_LINE])
def test_recognize_box_names_are_literal(open_page, sample_files, uploader, name):
    at = open_page("pages/recognize.py")
    files = sample_files()
    files[4] = (name, b"not an image", "image/png")  # unreadable: named in the page's error and its box
    files.insert(0, (name, encode_png(np.zeros((64, 64), np.uint8)), "image/png"))  # same name, replaced
    uploader(at).set_value(files).run()
    assert_names_literal(at, name)
    assert any(visible(name) in plain(e.value) for e in at.error)
    assert any("uploaded more than once" in w.value for w in at.warning)


@pytest.mark.parametrize("name", [HOSTILE, BROKEN_LINE])
def test_recognize_field_names_are_literal(open_page, uploader, name):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value(FIELD).run()
    uploader(at).set_value((name, b"garbage", "image/png")).run()
    assert_names_literal(at, name)
    blank = encode_png(np.full((200, 900), 255, np.uint8))  # decodes, but no field: caption + error
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value(FIELD).run()
    uploader(at).set_value((name, blank, "image/png")).run()
    assert_names_literal(at, name)


def test_batch_box_names_are_literal(open_page, sample_files, uploader):
    at = open_page("pages/batch.py")
    files = sample_files()[:3] + [(HOSTILE, b"junk", "image/png")]
    files.append((BROKEN_LINE, encode_png(np.zeros((64, 64), np.uint8)), "image/png"))  # empty box
    uploader(at).set_value(files).run()
    assert_names_literal(at, HOSTILE)
    assert any(visible(BROKEN_LINE) in plain(w.value) for w in at.warning)  # "No character found in"


def test_batch_zip_member_names_are_literal(open_page):
    at = open_page("pages/batch.py")
    at.radio(key="batch_view").set_value("Many VINs").run()
    at.radio(key="many_vins_kind").set_value(KIND_ZIP).run()
    at.file_uploader[0].set_value((f"fleet {HOSTILE}.zip", hostile_zip(), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors and all(live_markup(value) == [] for value in errors), errors
    assert "car2/notes [x](http:example.com).txt" in plain("\n".join(errors))


def degenerate_files() -> list[tuple[str, bytes, str]]:
    """The degenerate images as uploads."""
    return [(name, encode_png(image), "image/png") for name, image in DEGENERATE.items()]


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_recognize_a_degenerate_field_image_gets_a_message_naming_it(open_page, uploader, name):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value(FIELD).run()
    uploader(at).set_value((name, encode_png(DEGENERATE[name]), "image/png")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = plain("\n".join(e.value for e in at.error))
    assert errors.startswith(f"{name}: ") and len(errors) > len(name) + 10, errors


def test_recognize_degenerate_box_images_are_each_named_with_a_reason(open_page, sample_files, uploader):
    at = open_page("pages/recognize.py")
    good = sample_files()[: 17 - len(DEGENERATE)]
    odd = [
        (f"box{len(good) + i + 1:02d}_{name}", data, mime)
        for i, (name, data, mime) in enumerate(degenerate_files())
    ]
    uploader(at).set_value(good + odd).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = plain("\n".join(e.value for e in at.error))
    assert "box13_row_1x100000.png: 100000x1 px is too large for a box image" in errors
    reasons = {"row_1x3000": "image too small", "column": "image too small", "dot": "image too small"}
    reasons |= {"white": "no character in the box", "black": "no character in the box"}
    for upload, _, _ in odd:
        if "100000" in upload:
            continue
        card = next(m.value for m in at.markdown if f">{upload}<" in m.value)  # the file's box card
        assert next(reason for key, reason in reasons.items() if key in upload) in card, card
    assert "box 12, 13, 14, 15, 16, 17 gave no character" in "\n".join(w.value for w in at.warning)


def test_batch_degenerate_box_images_in_a_zip_are_named_with_the_zip(open_page, sample_files):
    good = [(name, data) for name, data, _ in sample_files()][: 17 - len(DEGENERATE)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in good:
            archive.writestr(f"car/{name}", data)
        for i, (name, data, _) in enumerate(degenerate_files()):
            archive.writestr(f"car/box{len(good) + i + 1:02d}_{name}", data)
    at = open_page("pages/batch.py")
    at.radio(key="batch_view").set_value("Many VINs").run()
    at.radio(key="many_vins_kind").set_value(KIND_ZIP).run()
    at.file_uploader[0].set_value(("odd.zip", buffer.getvalue(), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = plain("\n".join(e.value for e in at.error))
    for i, name in enumerate(DEGENERATE):
        assert f"odd.zip:car/box{len(good) + i + 1:02d}_{name}: " in errors, (name, errors)
    table = at.dataframe[0].value
    assert list(table["input"]) == ["odd.zip:car"] and table["status"].iloc[0] == "review"


def test_batch_degenerate_box_images_and_field_images_are_named(open_page, uploader):
    at = open_page("pages/batch.py")  # box images: a row each, the unreadable one named with its reason
    uploader(at).set_value(degenerate_files()).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "row_1x100000.png: 100000x1 px is too large" in plain("\n".join(e.value for e in at.error))
    table = at.dataframe[0].value.set_index("file")
    assert set(table.index) == set(DEGENERATE) and set(table["status"]) == {"empty", "error"}
    at = open_page("pages/batch.py")  # many VINs from field images: a row each, none read
    at.radio(key="batch_view").set_value("Many VINs").run()
    at.file_uploader[0].set_value(degenerate_files()).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = at.dataframe[0].value.set_index("input")
    assert set(rows.index) == set(DEGENERATE)
    for name, row in rows.iterrows():
        assert row["status"] in ("error", "review") and row["message"].startswith(f"{name}: "), row

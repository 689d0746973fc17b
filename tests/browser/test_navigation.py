"""Navigation on a freshly started server, where Streamlit runs its first request in its old
`pages/`-folder mode: the automatic page list must never appear, not even for a moment, and the app's
own menu must be there. The sidebar is sampled every 50 ms from the start of loading, and a
MutationObserver records any appearance between two samples."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

AUTOMATIC_LIST = '[data-testid="stSidebarNav"], [data-testid="stSidebarNavItems"]'
WATCH = f"""() => {{
    window.__autoList = false;
    new MutationObserver(() => {{
        if (document.querySelector('{AUTOMATIC_LIST}')) window.__autoList = true;
    }}).observe(document, {{childList: true, subtree: true}});
}}"""
SAMPLE = f"""() => ({{
    autoList: !!document.querySelector('{AUTOMATIC_LIST}') || window.__autoList === true,
    title: (document.querySelector('h1') || {{}}).innerText || '',
    menu: Array.from(document.querySelectorAll('[data-testid="stSidebar"] a'))
        .map(a => a.innerText.trim().split('\\n').pop().trim()),
}})"""


@pytest.mark.parametrize(
    ("path", "title"), [("/", "vinocr: handwritten VIN recognition"), ("/metrics", "Model metrics")]
)
def test_a_fresh_server_never_shows_the_automatic_page_list(start_server, chromium, path, title):
    with start_server(f"streamlit_nav{path.replace('/', '_')}.log") as url:
        tab = chromium.new_page()
        tab.add_init_script(f"({WATCH})()")
        tab.goto(url + path, wait_until="commit")
        samples, deadline = [], time.monotonic() + 90
        while time.monotonic() < deadline:
            sample = tab.evaluate(SAMPLE)
            samples.append(sample)
            assert not sample["autoList"], f"automatic page list shown on {path} after {len(samples)} samples"
            if title in sample["title"]:
                break
            tab.wait_for_timeout(50)  # the sampling interval the check is defined by
        else:
            pytest.fail(f"{path}: the page title {title!r} never showed")
        tab.get_by_test_id("stSidebar").get_by_role("link", name="Batch").wait_for()
        menu = tab.evaluate(SAMPLE)["menu"]
        assert menu[:5] == ["Home", "Recognize VIN", "Draw", "Batch", "Metrics"], menu
        assert not tab.evaluate(SAMPLE)["autoList"]
        tab.close()

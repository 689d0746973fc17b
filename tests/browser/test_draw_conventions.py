"""The Draw page in a real Chromium reads handwriting conventions that EMNIST lacks (issue 20): a
slashed zero, a 1 with a long flag and a foot, a barred 7 and a barred Z, each drawn with the mouse
(tests/conventions.py: the strokes, with the default pen width and a few px of wobble), one at a
time with Clear in between. Screenshots go to artifacts/screenshots/. Skipped when
/usr/bin/chromium is absent, unless CI is set (then it fails)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.streamlit_server import FRESH, IDLE_FOR
from tests.conventions import CANVAS_SIDE, DRAWINGS, strokes

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PREDICTION = f"{FRESH} .draw-prediction"
PEN_UP_MS = 120  # the pause between two strokes, as a hand lifts the pen and moves on


@pytest.fixture(scope="module")
def page(start_server, chromium):
    """The Draw page of a fresh `streamlit run app.py`, in one Chromium tab for the module."""
    with start_server("streamlit_server_draw_conventions.log") as url:
        tab = chromium.new_page(viewport={"width": 1400, "height": 900})
        tab.set_default_timeout(90_000)
        tab.goto(url)
        tab.get_by_test_id("stSidebar").get_by_role("link", name="Draw", exact=True).click()
        tab.locator("canvas.upper-canvas").wait_for(state="visible")
        yield tab
        tab.close()


def settle(tab, quiet_ms: int = 600) -> None:
    """Wait until the script run is over: nothing stale and nothing running for `quiet_ms` in a row."""
    tab.evaluate("() => { window.__idleSince = null; }")
    tab.wait_for_function(IDLE_FOR, arg=quiet_ms, polling=50)


def draw(tab, paths: list[np.ndarray]) -> None:
    """Draw strokes (canvas pixel coordinates) with the mouse on the canvas, pen up between them."""
    box = tab.locator("canvas.upper-canvas").bounding_box()
    scale = box["width"] / CANVAS_SIDE
    for path in paths:
        xs, ys = box["x"] + path[:, 0] * scale, box["y"] + path[:, 1] * scale
        tab.mouse.move(float(xs[0]), float(ys[0]))
        tab.mouse.down()
        for x, y in zip(xs[1:], ys[1:]):
            tab.mouse.move(float(x), float(y))
        tab.mouse.up()
        tab.wait_for_timeout(PEN_UP_MS)


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_draw_page_reads_a_drawn_convention(page, name):
    expected = DRAWINGS[name][0]
    page.get_by_role("button", name="Clear").click()
    page.get_by_text("Draw a character").wait_for()
    settle(page)
    draw(page, strokes(name))
    page.locator(PREDICTION).wait_for(state="visible")
    settle(page)
    shown = page.locator(PREDICTION).inner_text()
    read = page.locator(f"{PREDICTION} span").first.inner_text().strip()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"draw_{name}.png"))
    print(f"\n{name}: the Draw page shows {shown.strip()!r}")
    assert read == expected, f"{name}: the Draw page shows {shown!r}, expected {expected}"

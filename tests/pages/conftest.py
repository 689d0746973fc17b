"""Helpers of the AppTest page tests, as fixtures: open a page in a fresh session, read the VIN
shown, find the uploader or a table, and fake canvas drawings."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from vinocr.synth.samples import draw_glyph

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


def _open_page(page: str = "pages/home.py") -> AppTest:
    """A fresh session of the app, showing `page`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def open_page():
    """Callable: a fresh session of the app, showing `page`."""
    return _open_page


def _vin_shown(at: AppTest) -> str | None:
    """The text of the large VIN display, None when none is shown."""
    for block in at.markdown:
        if "vin-display" in block.value:
            return re.sub(r"<[^>]+>", "", block.value)
    return None


@pytest.fixture
def vin_shown():
    """Callable: the text of the large VIN display, None when none is shown."""
    return _vin_shown


def _texts(elements) -> str:
    """All values of a list of message elements as one string."""
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def texts():
    """Callable: all values of a list of message elements as one string."""
    return _texts


def _uploader(at: AppTest):
    """The page's (only) file uploader."""
    found = at.get("file_uploader")
    assert len(found) == 1
    return found[0]


@pytest.fixture
def uploader():
    """Callable: the page's (only) file uploader."""
    return _uploader


def _table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column`."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


@pytest.fixture
def table_with():
    """Callable: the first table on the page that has `column`."""
    return _table_with


def _canvas_state(rgba: np.ndarray) -> dict:
    """The drawable canvas's component value for an RGBA drawing (its 0.13 wire format)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    assert ok
    uri = "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode("ascii")
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": uri}, "backgroundFit": None}


@pytest.fixture
def canvas_state():
    """Callable: the drawable canvas's component value for an RGBA drawing (its 0.13 wire format)."""
    return _canvas_state


def _glyph_in(side_w: int, side_h: int, char: str, rng: np.random.Generator) -> np.ndarray:
    """A white glyph scaled into a side_w x side_h cell (black elsewhere)."""
    glyph = draw_glyph(char, rng)
    ys, xs = np.nonzero(glyph > 40)
    glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = 0.7 * min(side_w / glyph.shape[1], side_h / glyph.shape[0])
    glyph = cv2.resize(glyph, (max(1, int(glyph.shape[1] * scale)), max(1, int(glyph.shape[0] * scale))))
    cell = np.zeros((side_h, side_w), np.uint8)
    y0, x0 = (side_h - glyph.shape[0]) // 2, (side_w - glyph.shape[1]) // 2
    cell[y0 : y0 + glyph.shape[0], x0 : x0 + glyph.shape[1]] = glyph
    return cell


@pytest.fixture
def glyph_in():
    """Callable: a white glyph scaled into a side_w x side_h cell (black elsewhere)."""
    return _glyph_in

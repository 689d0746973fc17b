"""The Draw page in AppTest: one character and 17 guide cells."""

from __future__ import annotations

import numpy as np

from ui import canvas
from vinocr.synth.samples import SAMPLE_VIN


def test_draw_page_empty_canvas_asks_for_a_character(open_page, texts, canvas_state):
    at = open_page("pages/draw.py")
    assert "Draw a character" in texts(at.info)
    assert "Prediction" not in texts(at.markdown)
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    at.session_state["draw_single_0"] = canvas_state(blank)
    at.run()
    assert "Draw a character" in texts(at.info)
    assert "Prediction" not in texts(at.markdown)


def test_draw_page_predicts_a_drawn_character(open_page, texts, canvas_state, glyph_in):
    at = open_page("pages/draw.py")
    gray = glyph_in(280, 280, "7", np.random.default_rng(1))
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    at.session_state["draw_single_0"] = canvas_state(rgba)
    at.run()
    assert not at.exception
    prediction = [m.value for m in at.markdown if "Prediction" in m.value]
    assert prediction and ">7</span>" in prediction[0]
    at.button[[b.label for b in at.button].index("Clear")].click().run()
    assert "Draw a character" in texts(at.info)


def test_draw_page_reads_17_cells_as_a_vin(open_page, vin_shown, texts, matches, canvas_state, glyph_in):
    at = open_page("pages/draw.py")
    at.radio(key="draw_kind").set_value("A whole VIN (17 cells)").run()
    rng = np.random.default_rng(5)
    ink = np.hstack([glyph_in(canvas.DRAW_CELL_W, canvas.DRAW_CELL_H, c, rng) for c in SAMPLE_VIN])
    lines = canvas.guide_image(ink.shape[1], ink.shape[0])[..., 0]  # guide lines must never be read
    alpha = np.maximum(ink, lines)
    rgba = np.dstack([alpha, alpha, alpha, alpha])  # see-through background, as the canvas sends it
    at.session_state["draw_field_0"] = canvas_state(rgba)
    at.run()
    assert not at.exception
    vin = vin_shown(at)
    assert vin is not None and len(vin) == 17 and matches(vin, SAMPLE_VIN) >= 14, vin
    assert "Check digit" in texts(at.markdown)


def test_draw_page_says_accept_or_review_for_17_cells(open_page, texts, canvas_state, glyph_in):
    at = open_page("pages/draw.py")
    at.radio(key="draw_kind").set_value("A whole VIN (17 cells)").run()
    rng = np.random.default_rng(5)
    cells = [glyph_in(canvas.DRAW_CELL_W, canvas.DRAW_CELL_H, c, rng) for c in SAMPLE_VIN]
    cells[3] = np.zeros_like(cells[3])  # cell 4 left empty
    ink = np.hstack(cells)
    at.session_state["draw_field_0"] = canvas_state(np.dstack([ink, ink, ink, ink]))
    at.run()
    assert not at.exception
    assert "**Review**: box 4 gave no character" in texts(at.warning)

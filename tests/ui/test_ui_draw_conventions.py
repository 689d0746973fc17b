"""The Draw page's reading of handwriting conventions EMNIST lacks (issue 20), without a browser:
the strokes of tests/conventions.py rendered like the canvas returns them, then read the way the
Draw page reads its canvas (ui.canvas.canvas_gray, then the recognizer without a box border)."""

from __future__ import annotations

import pytest

from tests.conventions import CANVAS_SIDE, DRAWINGS, render_rgba, strokes
from ui import canvas


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_drawn_convention_is_read(name, recognizer):
    expected = DRAWINGS[name][0]
    rgba = render_rgba(strokes(name))
    assert rgba.shape == (CANVAS_SIDE, CANVAS_SIDE, 4)
    gray = canvas.canvas_gray(rgba)
    assert canvas.has_ink(gray)
    result = recognizer.recognize_arrays([gray], ["drawing"], has_border=False)[0]
    print(f"\n{name}: read {result.char} ({result.confidence:.3f}); top {result.top}")
    assert result.status == "ok", result.message
    assert result.char == expected, (
        f"{name} read as {result.char} ({result.confidence:.1%}), top {result.top}"
    )

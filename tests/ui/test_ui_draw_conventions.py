"""The Draw page's reading of handwriting conventions EMNIST lacks (issue 20), without a browser:
the strokes of tests/conventions.py rendered like the canvas returns them, then read the way the
Draw page reads its canvas (ui.canvas.canvas_gray, then the recognizer without a box border).
Each drawing is read as the browser test draws it and in nine more hands: five wobbles, upright
and slanted, so that a pass is not one lucky stroke."""

from __future__ import annotations

import pytest

from tests.conventions import CANVAS_SIDE, DRAWINGS, SLANT, render_rgba, strokes
from ui import canvas

HANDS = [(seed, slant) for slant in (SLANT, 0.0) for seed in range(5)]  # the first: the browser test's


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_drawn_convention_is_read(name, recognizer):
    expected = DRAWINGS[name][0]
    grays = []
    for seed, slant in HANDS:
        rgba = render_rgba(strokes(name, seed=seed, slant=slant))
        assert rgba.shape == (CANVAS_SIDE, CANVAS_SIDE, 4)
        grays.append(canvas.canvas_gray(rgba))
        assert canvas.has_ink(grays[-1])
    results = recognizer.recognize_arrays(grays, [f"{name} {hand}" for hand in HANDS], has_border=False)
    wrong = [f"{r.name}: {r.char} ({r.confidence:.1%}, top {r.top})" for r in results if r.char != expected]
    print(
        f"\n{name}: {len(HANDS) - len(wrong)}/{len(HANDS)} read {expected}; as drawn in the browser test:",
        end="",
    )
    print(f" {results[0].char} ({results[0].confidence:.1%})")
    assert not wrong, f"{name} should read {expected}: " + "; ".join(wrong)

"""ui.canvas: canvas crops keep the guide lines out."""

from __future__ import annotations

import numpy as np

from ui import canvas


def test_canvas_helpers_keep_guide_lines_out():
    rgba = np.zeros((96, 17 * 56, 4), np.uint8)
    assert not canvas.has_ink(canvas.canvas_gray(rgba))
    assert canvas.canvas_gray(None) is None
    lines = canvas.guide_image(17 * 56, 96)
    cells = canvas.crop_cells(lines[..., 0], 17)
    assert len(cells) == 17 and all(c.shape == (90, 50) for c in cells)
    assert all(not c.any() for c in cells)  # the crops never hold a guide line
    rgba[20:60, 100:104] = 255
    gray = canvas.canvas_gray(rgba)
    assert canvas.has_ink(gray) and gray[30, 101] == 255
    see_through = rgba.copy()
    see_through[..., 3] = 0
    see_through[..., :3] = 255
    assert not canvas.has_ink(canvas.canvas_gray(see_through))

"""Box-line removal: a box line much thicker than the others is cut back to their width, so that a
stroke lying along it (the foot of an L on the bottom line) is not taken away with the line."""

from __future__ import annotations

import cv2
import numpy as np

from vinocr.box.preprocess import find_edge_line, find_edge_lines


def box_with_a_stroke_on_its_bottom_line() -> np.ndarray:
    """0/1 mask, 100x100: 1 px lines on top, left and right, a 3 px bottom line, and two rows of a
    stroke (61 px of the 100: more than a line's ragged edge may hold) lying along the bottom line."""
    mask = np.zeros((100, 100), np.uint8)
    mask[0, :] = mask[:, 0] = mask[:, -1] = 1
    mask[-3:, :] = 1
    mask[-5:-3, 20:81] = 1
    return mask


def test_a_thick_line_is_cut_back_to_the_width_of_the_others():
    mask = box_with_a_stroke_on_its_bottom_line()
    rows = cv2.reduce(mask, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    alone = find_edge_line(mask, "b", rows[::-1])
    assert (alone.start, alone.end, alone.core_end) == (0, 5, 3)  # on its own: line and stroke rows
    lines = find_edge_lines(mask)
    assert {side: (line.start, line.end) for side, line in lines.items()} == {
        "t": (0, 1),
        "l": (0, 1),
        "r": (0, 1),
        "b": (0, 3),  # cut back: the two stroke rows stay with the character
    }

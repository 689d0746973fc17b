"""What finding the boxes of a field gives: `SegmentResult`, its overlay and its message."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vinocr.field.bow import Bow, field_to_image

NO_BOXES = "no boxes or characters found"
Rect = tuple[int, int, int, int]  # x, y, w, h


@dataclass
class SegmentResult:
    """What find_boxes found; `boxes` and `rects` are in reading order and never padded."""

    ok: bool
    boxes: list[np.ndarray] = field(default_factory=list)
    rects: list[tuple[int, int, int, int]] = field(default_factory=list)
    method: str = ""  # "grid" (box lines found), "gaps" (no box lines) or "" (nothing found)
    angle: float = 0.0  # skew of the input in degrees, counter-clockwise positive
    message: str = ""
    overlay: np.ndarray | None = None  # BGR deskewed image with the rects drawn and numbered
    matrix: np.ndarray = field(default_factory=lambda: np.eye(2, 3))  # searched image -> deskewed (2x3)
    # a photo's field is searched in a rectified image: the 3x3 homography input -> rectified field,
    # and the input (BGR) with the field outlined and the boxes found drawn on it (vinocr.field.pipeline)
    homography: np.ndarray | None = None
    bow: Bow | None = None  # a curled sheet's row, straightened in the rectified field (field.bow)
    field_overlay: np.ndarray | None = None

    @property
    def centres(self) -> np.ndarray:
        """(N, 2) rect centres in the deskewed image."""
        return np.array([(x + w / 2, y + h / 2) for x, y, w, h in self.rects], np.float64).reshape(-1, 2)

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Map (N, 2) deskewed-image points back to input-image coordinates."""
        inverse = cv2.invertAffineTransform(self.matrix)
        searched = np.asarray(points, np.float64).reshape(-1, 2) @ inverse[:, :2].T + inverse[:, 2]
        if self.homography is None:
            return searched
        return field_to_image(searched, self.homography, self.bow)

    def outlines(self) -> list[np.ndarray]:
        """Each rect's four corners (4, 2) in input-image coordinates, in reading order."""
        return [
            self.to_input(np.array([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], np.float64))
            for x, y, w, h in self.rects
        ]


def draw_overlay(image: np.ndarray, rects: list[tuple[int, int, int, int]], ok: bool) -> np.ndarray:
    """BGR copy of `image` with each rect drawn and numbered from 1 (green when ok, else red)."""
    overlay = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image.copy()
    colour = (0, 170, 0) if ok else (0, 0, 230)
    scale = max(0.4, min(1.2, (np.median([r[3] for r in rects]) if rects else 40) / 80))
    for n, (x, y, w, h) in enumerate(rects, start=1):
        cv2.rectangle(overlay, (x, y), (x + w - 1, y + h - 1), colour, 2)
        cv2.putText(
            overlay, str(n), (x + 2, max(12, y - 4)), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA
        )
    return overlay


def count_message(count: int, expected: int, method: str) -> str:
    """Plain-language summary of a count."""
    noun = "boxes" if method == "grid" else "characters (no box lines)"
    if count == 1:
        noun = "box" if method == "grid" else "character (no box lines)"
    if count == expected:
        return f"found {count} {noun}"
    return f"found {count} {noun}, expected {expected}"

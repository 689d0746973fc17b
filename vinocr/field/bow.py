"""A row of boxes on a curled sheet: bowed in the rectified field, and straightened column by column.

A sheet held in the hand, or lying curled, bends around an axis across the row: the box sides stay
straight lines, the row's top and bottom lines curve, so no homography makes the row straight. In
the field rectified by the straight row (rectify.py) the box interiors' centres then lie on a curve.
`measure_bow` fits a parabola through them (a parabola for the sheet's one bend); `unbend` shifts
each column of the field by the curve's height there, which makes the row straight again and keeps
the box sides as they are; `field_to_image` maps points of the straightened field back.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.field.quad import MIN_ROW, FieldQuad

MIN_SAG = 0.08
"""Box heights: a row whose centre line sags (or rises) less than this between its ends and its
middle is left straight (a flat row's centres scatter by a few hundredths of a box height)."""
OUTLIER = 0.2  # box heights off the first fit: a hole that is not a box interior, left out


@dataclass(frozen=True)
class Bow:
    """The curve of a row's centre line in the rectified field: v = polynomial(u) - centre."""

    coefficients: np.ndarray  # np.polyfit order, highest power first
    centre: float  # v of the straight row's centre line
    low: float  # u range of the boxes the curve was fitted on; beyond it the curve goes on along
    high: float  # its tangent at the end (boxes not found yet continue the bend)

    def shift(self, u: np.ndarray) -> np.ndarray:
        """How far below the straight centre line the row's centre lies at each u (px)."""
        u = np.asarray(u, np.float64)
        inside = np.clip(u, self.low, self.high)
        slope = np.polyval(np.polyder(self.coefficients), inside)
        return np.polyval(self.coefficients, inside) + slope * (u - inside) - self.centre

    def to_rectified(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) points of the straightened field -> the field rectified by the straight row."""
        points = np.asarray(points, np.float64).reshape(-1, 2)
        return np.stack([points[:, 0], points[:, 1] + self.shift(points[:, 0])], axis=1)


def measure_bow(quad: FieldQuad, matrix: np.ndarray) -> Bow | None:
    """The bow of a located row of boxes in the field that `matrix` rectifies it into; None for a
    row of characters, one of fewer than MIN_ROW boxes, or one bowed less than MIN_SAG."""
    if quad.method != "grid" or quad.boxes is None or len(quad.boxes) < MIN_ROW:
        return None
    corners = cv2.perspectiveTransform(quad.boxes.reshape(-1, 1, 2).astype(np.float64), matrix)
    corners = corners.reshape(-1, 4, 2)
    u = corners[:, :, 0].mean(axis=1)
    v = corners[:, :, 1].mean(axis=1)
    height = float(np.median(corners[:, 2:, 1].mean(axis=1) - corners[:, :2, 1].mean(axis=1)))
    keep = np.ones(len(u), bool)
    for _ in range(2):
        coefficients = np.polyfit(u[keep], v[keep], 2)
        keep = np.abs(np.polyval(coefficients, u) - v) <= OUTLIER * height
        if keep.sum() < MIN_ROW:
            return None
    coefficients = np.polyfit(u[keep], v[keep], 2)
    low, high = float(u[keep].min()), float(u[keep].max())
    sag = abs(coefficients[0]) * ((high - low) / 2) ** 2
    if sag < MIN_SAG * height:
        return None
    straight = cv2.perspectiveTransform(quad.corners.reshape(-1, 1, 2).astype(np.float64), matrix)
    return Bow(coefficients, float(straight[:, 0, 1].mean()), low, high)


def unbend(field: np.ndarray, bow: Bow) -> np.ndarray:
    """The rectified field with each column shifted by the bow there: the row straight."""
    height, width = field.shape[:2]
    columns = np.arange(width, dtype=np.float64)
    map_x = np.broadcast_to(columns.astype(np.float32), (height, width))
    map_y = np.arange(height, dtype=np.float32)[:, None] + bow.shift(columns).astype(np.float32)[None, :]
    return cv2.remap(
        field, np.ascontiguousarray(map_x), map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def field_to_image(points: np.ndarray, matrix: np.ndarray, bow: Bow | None) -> np.ndarray:
    """(N, 2) points of a (straightened) rectified field -> the image it was rectified from by
    the 3x3 homography `matrix`."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    if bow is not None:
        points = bow.to_rectified(points)
    if len(points) == 0:
        return points
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2), np.linalg.inv(matrix)).reshape(-1, 2)

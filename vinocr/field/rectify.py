"""Rectify a located row: the homography that maps it onto an upright rectangle of the size it
had in the image (so boxes keep the resolution they were photographed at), grown so that boxes
not found yet stay in view; the rectified field's light is flattened at the field's own scale."""

from __future__ import annotations

import cv2
import numpy as np

from vinocr.field.bow import Bow, measure_bow, unbend
from vinocr.field.light import flatten_light
from vinocr.field.quad import FieldQuad


def rectifying_homography(
    quad: FieldQuad, expected: int, image_shape: tuple[int, ...]
) -> tuple[np.ndarray, tuple[int, int]]:
    """3x3 homography from the image onto an upright field, and the field's size (w, h).

    The row keeps the size it had in the image (the mean of its opposite sides). It is grown
    above and below (by half its height; a row of characters by its height, the box lines being
    outside the characters) and at both ends by one pitch more than the boxes not found yet
    (three for characters, which may be counted in pieces), as far as the image reaches.
    """
    tl, tr, br, bl = quad.corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    grid = quad.method == "grid"
    margin_y = (0.8 if grid else 1.0) * height
    upright = np.array(
        [[0, margin_y], [width, margin_y], [width, margin_y + height], [0, margin_y + height]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad.corners.astype(np.float32), upright)
    reach = (max(0, expected - quad.count) + (1 if grid else 3)) * quad.pitch
    xs = np.linspace(-reach, width + reach, 400)
    back = np.linalg.inv(matrix) @ np.stack([xs, np.full_like(xs, margin_y + height / 2), np.ones_like(xs)])
    with np.errstate(divide="ignore", invalid="ignore"):
        px, py = back[0] / back[2], back[1] / back[2]
    rows, cols = image_shape[:2]
    inside = (back[2] > 0) & (px >= 0) & (px < cols) & (py >= 0) & (py < rows)
    inside |= (xs >= 0) & (xs <= width)  # the row itself always stays
    left, right = float(xs[inside].min()), float(xs[inside].max())
    shift = np.array([[1, 0, -left], [0, 1, 0], [0, 0, 1]], np.float64)
    return shift @ matrix, (int(np.ceil(right - left)), int(np.ceil(height + 2 * margin_y)))


def rectify(gray: np.ndarray, quad: FieldQuad, expected: int) -> tuple[np.ndarray, np.ndarray, Bow | None]:
    """(3x3 homography image -> field, the rectified field, the row's bow) of a located row; the
    field of a bowed row (a curled sheet) is straightened column by column (vinocr.field.bow)."""
    matrix, size = rectifying_homography(quad, expected, gray.shape)
    field = cv2.warpPerspective(gray, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    bow = measure_bow(quad, matrix)
    return matrix, (field if bow is None else unbend(field, bow)), bow


def row_height(quad: FieldQuad) -> float:
    """The height of a box in a located row: the row's height at its left end (a row of
    characters' box is taken 1.4 times as tall as its characters)."""
    tl, _, _, bl = quad.corners
    return float(np.linalg.norm(bl - tl)) * (1.0 if quad.method == "grid" else 1.4)


def flatten_field_light(field: np.ndarray, quad: FieldQuad, dark_ink: bool) -> np.ndarray:
    """The rectified field with its light flattened at its own scale (a closing 0.4 box heights
    wide at full resolution), so that it follows a shadow's edge to the pixel."""
    kernel = max(5, int(0.4 * row_height(quad)) | 1)
    return flatten_light(field, dark_ink, kernel, 1)[0]


def rectified_field(
    gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int
) -> tuple[np.ndarray, np.ndarray, Bow | None]:
    """(3x3 homography image -> field, the rectified field with its light flattened, its bow)."""
    matrix, field, bow = rectify(gray, quad, expected)
    return matrix, flatten_field_light(field, quad, dark_ink), bow

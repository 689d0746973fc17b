"""Stand a whole-field image upright: polarity, background, ink mask, skew angle, deskew.

The background is the majority of the image: the image is turned white-on-black, its background
flattened and its ink masked (Otsu, kept above the noise); the skew angle is the one giving the
sharpest horizontal projection of the ink, refined on the long lines alone (thin box lines can be
much fainter than the writing); the image is then rotated upright (`deskewed`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.box.image_io import rotation_matrix

MAX_ANGLE = 6.0  # degrees searched either way
MIN_CONTRAST = 40.0  # ink and background class means must differ by this much
LINE_KERNEL = 25  # px: horizontal runs at least this long count as line evidence


@dataclass(frozen=True)
class Upright:
    """A whole-field image stood upright (`deskewed`)."""

    matrix: np.ndarray  # 2x3: input -> upright
    angle: float  # skew of the input in degrees, counter-clockwise positive
    gray: np.ndarray  # the upright input, in its own polarity
    mask: np.ndarray  # 0/1 ink mask, upright
    flat: np.ndarray  # white ink on black, background flattened, upright
    lines: np.ndarray  # 0/1 mask for the long horizontal lines, upright (long_line_mask)


def deskewed(gray: np.ndarray) -> Upright | None:
    """The image upright, with its ink and line masks; None when it holds no ink (blank or noise).

    The skew is measured on the whole ink, then on the long lines of the deskewed image alone;
    when they lean by 0.02 degrees or more, the image is deskewed again by the sum.
    """
    white, _ = normalise(gray)
    flat = flatten_background(white)
    found = ink_mask(flat)
    if found is None:
        return None
    mask, contrast = found
    fill = int(np.median(gray[:: max(1, gray.shape[0] // 100), :: max(1, gray.shape[1] // 100)]))
    angle = estimate_angle(mask)
    matrix, upright, straight, flat_up = _deskew(gray, flat, mask, angle, fill)
    hmask = long_line_mask(flat_up, straight, contrast)
    delta = residual_angle(hmask)
    if abs(delta) >= 0.02:
        angle += delta
        matrix, upright, straight, flat_up = _deskew(gray, flat, mask, angle, fill)
        hmask = long_line_mask(flat_up, straight, contrast)
    return Upright(matrix, angle, upright, straight, flat_up, hmask)


def normalise(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """White ink on black: invert when the (majority) background is nearer the bright extreme."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    lo, hi = float(small.min()), float(small.max())
    median = float(np.median(small[:: max(1, small.shape[0] // 150), :: max(1, small.shape[1] // 300)]))
    inverted = median > (lo + hi) / 2
    return (255 - gray if inverted else gray), inverted


def flatten_background(white_ink: np.ndarray) -> np.ndarray:
    """Subtract a smooth background (a large grey opening on a 1/4 image) so shading is gone."""
    h, w = white_ink.shape
    small = cv2.resize(white_ink, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    background = cv2.morphologyEx(small, cv2.MORPH_OPEN, kernel)
    background = cv2.resize(cv2.blur(background, (5, 5)), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.subtract(white_ink, background)


def ink_mask(flat: np.ndarray) -> tuple[np.ndarray, float] | None:
    """0/1 ink mask and the ink-minus-background contrast; None for a blank or noise-only image.

    Otsu after a light blur, but never below the background plus five noise sigmas: with very
    little ink (an empty grid of thin lines) Otsu would split the noise instead.
    """
    blur = cv2.GaussianBlur(flat, (3, 3), 0)
    sample = blur[:: max(1, blur.shape[0] // 150), :: max(1, blur.shape[1] // 300)].astype(np.float64)
    background = float(np.median(sample))
    sigma = max(1.0, 1.4826 * float(np.median(np.abs(sample - background))))
    otsu, _ = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = blur > max(otsu, background + 5.0 * sigma)
    if ink.sum() < 20:
        return None
    contrast = float(blur[ink].mean()) - background
    if max(contrast, float(np.percentile(flat[ink], 90)) - background) < MIN_CONTRAST:
        return None
    return ink.astype(np.uint8), contrast


def long_line_mask(flat: np.ndarray, mask: np.ndarray, contrast: float) -> np.ndarray:
    """Mask for the horizontal lines of a deskewed image: the ink mask plus pixels that stand out
    after averaging 15 px along the row (so faint thin box lines count), trimmed back to where the
    whole averaging window stood out."""
    response = cv2.blur(flat, (15, 1))
    sample = response[:: max(1, response.shape[0] // 150), :: max(1, response.shape[1] // 300)]
    median = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - median)))
    above = (response >= median + max(6.0 * spread, 0.06 * contrast)).astype(np.uint8)
    return mask | cv2.erode(above, np.ones((1, 15), np.uint8))


def _projection_score(xs: np.ndarray, ys: np.ndarray, angle: float, binsize: float) -> float:
    """Sharpness (sum of squared bin counts) of the ink's projection across lines at `angle`."""
    rad = np.deg2rad(angle)
    proj = (xs * np.sin(rad) + ys * np.cos(rad)) / binsize
    counts = np.bincount((proj - proj.min()).astype(np.int64))
    return float(np.dot(counts, counts))


def _search_angle(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray, binsize: float) -> float:
    """The angle among `angles` giving the sharpest projection."""
    scores = [_projection_score(xs, ys, a, binsize) for a in angles]
    return float(angles[int(np.argmax(scores))])


def _subsample(xs: np.ndarray, ys: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Float coordinates, a fixed-seed random subsample of at most `limit` points."""
    if len(xs) > limit:
        keep = np.random.default_rng(0).choice(len(xs), limit, replace=False)
        xs, ys = xs[keep], ys[keep]
    return xs.astype(np.float64), ys.astype(np.float64)


def estimate_angle(mask: np.ndarray) -> float:
    """Counter-clockwise skew in degrees: the angle whose horizontal ink projection is sharpest.

    A coarse search on a subsample (4 px bins), then a fine one (1 px bins) around the best.
    """
    ys, xs = np.nonzero(mask)
    if len(xs) < 10:
        return 0.0
    best = _search_angle(*_subsample(xs, ys, 15000), np.arange(-MAX_ANGLE, MAX_ANGLE + 1e-9, 0.25), 4.0)
    fine = np.arange(best - 0.3, best + 0.3 + 1e-9, 0.025)
    return _search_angle(*_subsample(xs, ys, 60000), fine, 1.0)


def residual_angle(hmask: np.ndarray) -> float:
    """Skew left in a deskewed image, from its long horizontal lines alone (0 when it has none).

    Thin box lines can be much fainter than the writing, which then dominates estimate_angle;
    the lines themselves give the precise angle.
    """
    horiz = cv2.morphologyEx(hmask, cv2.MORPH_OPEN, np.ones((1, LINE_KERNEL), np.uint8))
    if horiz.sum(axis=1).max() < 3 * LINE_KERNEL:
        return 0.0
    ys, xs = np.nonzero(horiz)
    xs, ys = _subsample(xs, ys, 40000)
    best = _search_angle(xs, ys, np.arange(-1.0, 1.0 + 1e-9, 0.1), 2.0)
    return _search_angle(xs, ys, np.arange(best - 0.1, best + 0.1 + 1e-9, 0.01), 1.0)


def deskew_matrix(shape: tuple[int, int], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """2x3 matrix that undoes a counter-clockwise `angle` skew, and the grown output size (w, h)."""
    return rotation_matrix(shape, -angle)


def _deskew(
    gray: np.ndarray, flat: np.ndarray, mask: np.ndarray, angle: float, fill: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(matrix, deskewed gray, deskewed 0/1 ink mask, deskewed flattened image)."""
    matrix, size = deskew_matrix(gray.shape, angle)
    upright = cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=fill)
    rotated = cv2.warpAffine(mask * 255, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    flat_up = cv2.warpAffine(flat, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    return matrix, upright, (rotated >= 64).astype(np.uint8), flat_up

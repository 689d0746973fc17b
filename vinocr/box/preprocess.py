"""Box image -> the 28x28 model input, made the way EMNIST itself was made.

Steps: grayscale -> polarity (white glyph on black) -> ink mask -> box border and specks removed
-> crop to the glyph -> stroke width normalised, centred in a square frame with a margin, blurred
and scaled to 28x28. Every intermediate image is returned so the app can show it. An empty box is
reported as empty, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vinocr.box.image_io import limit_size, to_gray8

SIDE = 28
GLYPH_SIDE = 24  # EMNIST glyphs span ~24 of the 28 px (measured on the train split)
WORK = 112  # working resolution of the square frame (4 x 28)
TARGET_STROKE = 10.9  # median EMNIST stroke width at 112 px (2 * area / perimeter)
MIN_STROKE_SPAN = 0.25  # the largest ink piece of a character spans at least this share of the box
MAX_WORK_SIDE = 320  # larger boxes are area-downscaled first
BORDER_BAND = 0.25  # box lines are looked for in the outer 25% of each side
BORDER_RUN = 0.75  # a box line runs along at least 75% of the side (a glyph bar rarely does)


@dataclass
class Preprocessed:
    """The model input (or None for an empty box) and the named intermediate images."""

    input28: np.ndarray | None
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    empty: bool = False
    inverted: bool = False
    note: str = ""


def fix_polarity(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """White glyph on black: the background is the majority, so a bright median means invert."""
    inverted = float(np.median(gray)) > 127.0
    return (255 - gray if inverted else gray), inverted


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary (0/1) ink mask of a white-on-black image: Otsu after light denoising."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0) if min(gray.shape) >= 24 else gray
    lo, hi = np.percentile(blur, [5, 99.5])
    if hi - lo < 40:  # no real contrast: nothing written
        return np.zeros_like(gray, dtype=np.uint8)
    _, mask = cv2.threshold(blur, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask.astype(np.uint8)


def longest_runs(rows: np.ndarray) -> np.ndarray:
    """Length of the longest run of ones in each row of a 2-D 0/1 array (vectorised)."""
    if rows.size == 0:
        return np.zeros(rows.shape[0], np.int64)
    index = np.arange(rows.shape[1])
    last_zero = np.maximum.accumulate(np.where(rows == 0, index, -1), axis=1)
    return (index - last_zero).max(axis=1)


def _inner_limit(mask: np.ndarray, from_start: bool) -> int:
    """Rows of a box line at one side: index just past the innermost line row within the band."""
    height, width = mask.shape
    band = max(1, int(round(height * BORDER_BAND)))
    order = np.arange(band) if from_start else np.arange(height - 1, height - 1 - band, -1)
    runs = longest_runs(mask[order])
    lines = np.flatnonzero(runs >= BORDER_RUN * width)
    if len(lines) == 0:
        return 0 if from_start else height
    k = int(lines[-1])  # the innermost line row; its inner edge may be ragged (JPEG, scan):
    while k + 1 < band and runs[k + 1] >= 0.45 * width:  # follow it while rows stay line-like
        k += 1
    limit = order[k] + 1 if from_start else order[k]
    margin = max(1, round(0.015 * height))
    return int(min(height, limit + margin) if from_start else max(0, limit - margin))


def remove_border(upright: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Cut away box lines (full or partial, any width, anywhere near the edges).

    The inside of the box is thresholded again on its own, so a faint glyph is not lost to a
    bright border. Returns the mask with lines removed and the inner region (top, bottom, left, right).
    """
    top, bottom = _inner_limit(mask, True), _inner_limit(mask, False)
    left, right = _inner_limit(mask.T, True), _inner_limit(mask.T, False)
    inner = np.zeros_like(mask)
    if (top, bottom, left, right) == (0, mask.shape[0], 0, mask.shape[1]):
        inner[:] = mask
    elif bottom - top >= 4 and right - left >= 4:
        inner[top:bottom, left:right] = ink_mask(upright[top:bottom, left:right])
    return _drop_edge_lines(inner, (top, bottom, left, right)), (top, bottom, left, right)


def _drop_edge_lines(mask: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
    """Remove thin line-like fragments touching the region's edge (short pieces of a box line)."""
    top, bottom, left, right = region
    height, width = bottom - top, right - left
    if height <= 2 or width <= 2:
        return np.zeros_like(mask)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.ones(count, np.uint8)
    keep[0] = 0
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        touches = x <= left or y <= top or x + w >= right or y + h >= bottom
        thin = min(w, h) <= max(2, 0.1 * min(height, width))
        long = max(w, h) >= 0.25 * min(height, width)
        hugging = (w > 0.8 * width and h < 0.2 * height) or (h > 0.8 * height and w < 0.2 * width)
        if touches and ((thin and long) or hugging):
            keep[i] = 0
    return keep[labels] if keep.any() else mask


def remove_specks(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Keep the glyph: the largest component and the sizeable pieces near it; drop noise specks.

    Also returns the longer side of the largest component (0 when there is no ink).
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask, 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    biggest = 1 + int(np.argmax(areas))
    bx, by, bw, bh, _ = stats[biggest]
    reach = 0.35 * max(bw, bh)
    keep = np.zeros(count, np.uint8)
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        near = x < bx + bw + reach and x + w > bx - reach and y < by + bh + reach and y + h > by - reach
        keep[i] = i == biggest or (area >= 0.08 * areas.max() and near)
    return keep[labels], int(max(bw, bh))


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a 0/1 mask, estimated as 2 * area / perimeter."""
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * float(mask.sum()) / perimeter if perimeter else 0.0


def _normalise_stroke(frame: np.ndarray) -> np.ndarray:
    """Thicken thin strokes of a 0/1 WORKxWORK frame towards the EMNIST width.

    Thick strokes are left alone: thinning them closed loops and broke shapes, and measured worse
    (bench/eval_boxes.py, thick style: 0.907 with erosion, 0.947 without); the model is trained
    with thickened strokes instead.
    """
    width = stroke_width(frame)
    if width <= 0 or width >= 0.7 * TARGET_STROKE:
        return frame
    radius = int(round((TARGET_STROKE - width) / 2))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(frame, kernel)


def frame_glyph(glyph: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A cropped 0/1 glyph -> (WORKxWORK centred frame, 28x28 float input 0..255).

    The longer side becomes GLYPH_SIDE/SIDE of the frame, aspect kept, centred by its bounding box;
    then Gaussian blur and an area resize to 28x28, as EMNIST was made.
    """
    h, w = glyph.shape
    inner = WORK * GLYPH_SIDE / SIDE
    scale = inner / max(h, w)
    new_w, new_h = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(glyph.astype(np.float32), (new_w, new_h), interpolation=interp)
    frame = np.zeros((WORK, WORK), np.float32)
    x0, y0 = (WORK - new_w) // 2, (WORK - new_h) // 2
    frame[y0 : y0 + new_h, x0 : x0 + new_w] = resized
    binary = _normalise_stroke((frame >= 0.5).astype(np.uint8))
    soft = cv2.GaussianBlur(binary.astype(np.float32) * 255.0, (0, 0), 2.0)
    small = cv2.resize(soft, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    top = small.max()
    small = small * (255.0 / top) if top > 0 else small
    return (binary * 255).astype(np.uint8), np.clip(small, 0, 255).astype(np.float32)


def preprocess_box(image: np.ndarray, has_border: bool = True) -> Preprocessed:
    """Any decoded box image (gray or colour, any size) -> Preprocessed with all steps.

    `has_border=False` skips box-line removal (drawings on a blank canvas have no box).
    """
    gray = limit_size(to_gray8(image), MAX_WORK_SIDE)
    steps: list[tuple[str, np.ndarray]] = [("grayscale", gray)]
    if min(gray.shape) < 8:
        return Preprocessed(None, steps, empty=True, note="image too small to hold a character")
    upright, inverted = fix_polarity(gray)
    steps.append(("white on black" + (" (inverted)" if inverted else ""), upright))
    mask = ink_mask(upright)
    if has_border:
        no_border, (top, bottom, left, right) = remove_border(upright, mask)
    else:
        no_border, (top, bottom, left, right) = mask, (0, mask.shape[0], 0, mask.shape[1])
    glyph_mask, largest = remove_specks(no_border)
    steps.append(("ink mask, box border and specks removed", (glyph_mask * 255).astype(np.uint8)))
    # a character has one stroke of real size; dust and specks, however many, do not
    if largest < MIN_STROKE_SPAN * max(min(bottom - top, right - left), 1):
        return Preprocessed(None, steps, empty=True, inverted=inverted, note="no character in the box")
    ys, xs = np.nonzero(glyph_mask)
    crop = glyph_mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    steps.append(("cropped to the character", (crop * 255).astype(np.uint8)))
    frame, input28 = frame_glyph(crop)
    steps.append(("centred, thin strokes thickened", frame))
    steps.append(("28x28 model input", input28.astype(np.uint8)))
    return Preprocessed(input28, steps, inverted=inverted)

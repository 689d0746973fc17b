"""Handwriting conventions EMNIST lacks, made from EMNIST glyphs themselves.

EMNIST holds 1990s US census hands. Writers elsewhere (Europe, Ukraine) slash their zeros, give the 1 a
long flag and a foot, bar the 7 and the Z, and leave the top of the 4 open. Each variant here starts
from a real glyph of the class, drawn at the box path's working size (112 px), and adds or removes
strokes with that glyph's own pen width, so the writer's shape and stroke are kept. The result is
framed as the box path frames any glyph (`preprocess.frame_glyph`: longest side 24 of 28 px, stroke
width brought towards EMNIST's, blur, area resize), so it is a 28x28 input like every other.

Every random choice comes from the generator passed in.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from vinocr.box.preprocess import WORK, frame_glyph, stroke_width

Variant = Callable[[np.ndarray, np.random.Generator], np.ndarray | None]
PAD = 28  # px of room around the glyph at 112 px, for strokes that reach beyond it


def glyph_mask(glyph28: np.ndarray) -> np.ndarray:
    """A 28x28 uint8 glyph (white on black) -> its 0/1 mask at 112 px with PAD px of room around."""
    big = cv2.resize(glyph28.astype(np.float32), (WORK, WORK), interpolation=cv2.INTER_LINEAR)
    mask = (big >= 0.4 * max(float(big.max()), 1.0)).astype(np.uint8)
    return cv2.copyMakeBorder(mask, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=0)


def pen(mask: np.ndarray) -> int:
    """The glyph's pen width in px (at least 3)."""
    return max(3, int(round(stroke_width(mask))))


def _stroke(mask: np.ndarray, points: list[tuple[float, float]], width: int) -> None:
    """Draw a polyline of (x, y) points into `mask` (in place) with the given pen width."""
    pts = np.round(np.asarray(points, np.float64)).astype(np.int32)
    cv2.polylines(mask, [pts.reshape(-1, 1, 2)], False, 1, thickness=width, lineType=cv2.LINE_8)


def _bounds(mask: np.ndarray) -> tuple[int, int, int, int]:
    x, y, w, h = cv2.boundingRect(mask)
    return x, y, w, h


def _row_ink(mask: np.ndarray, y: int) -> np.ndarray:
    """x positions of ink on row y."""
    return np.flatnonzero(mask[int(np.clip(y, 0, mask.shape[0] - 1))])


def slashed_zero(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 0 with a slash from upper right to lower left (now and then the other way), often beyond the
    oval: above and below it, and for a narrow zero often far out to the sides too."""
    mask = glyph_mask(glyph)
    x, y, w, h = _bounds(mask)
    if w < 8 or h < 8:
        return None
    over = rng.uniform(-0.05, 0.25, 2) * h
    inset = rng.uniform(-0.5 if w < 0.7 * h else -0.15, 0.25, 2) * w
    top, bottom = (x + w - inset[0], y - over[0]), (x + inset[1], y + h + over[1])
    if rng.random() < 0.15:  # a backslash
        top, bottom = (x + inset[0], y - over[0]), (x + w - inset[1], y + h + over[1])
    _stroke(mask, [top, bottom], max(3, int(pen(mask) * rng.uniform(0.7, 1.1))))
    return mask


def _stem(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The top and bottom (x, y) ends of a mostly straight glyph's main axis (principal direction)."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 20:
        return None
    pts = np.stack([xs, ys], 1).astype(np.float64)
    centre = pts.mean(0)
    _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
    axis = vt[0] if vt[0][1] > 0 else -vt[0]  # pointing down
    t = (pts - centre) @ axis
    return centre + axis * t.min(), centre + axis * t.max()


def flagged_one(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 1 with a long flag from the top down to the left, and often a foot across the bottom."""
    mask = glyph_mask(glyph)
    ends = _stem(mask)
    if ends is None:
        return None
    top, bottom = ends
    height = float(np.linalg.norm(bottom - top))
    if height < 30:
        return None
    width = max(3, int(pen(mask) * rng.uniform(0.8, 1.1)))
    length = height * rng.uniform(0.25, 0.65)
    angle = np.radians(rng.uniform(20.0, 60.0))  # below the horizontal
    flag_end = top + length * np.array([-np.cos(angle), np.sin(angle)])
    if rng.random() < 0.3:  # a slightly curved flag
        mid = (top + flag_end) / 2 + rng.uniform(-0.06, 0.06, 2) * height
        _stroke(mask, [tuple(flag_end), tuple(mid), tuple(top)], width)
    else:
        _stroke(mask, [tuple(flag_end), tuple(top)], width)
    if rng.random() < 0.55:  # a foot
        half = height * rng.uniform(0.18, 0.35)
        tilt = rng.uniform(-0.05, 0.05) * height
        _stroke(mask, [(bottom[0] - half, bottom[1] - tilt), (bottom[0] + half, bottom[1] + tilt)], width)
    return mask


def _bar_through(mask: np.ndarray, rng: np.random.Generator, share: tuple[float, float]) -> np.ndarray | None:
    """A short horizontal bar across the ink of the glyph's middle row (share of its width)."""
    x, y, w, h = _bounds(mask)
    if w < 8 or h < 8:
        return None
    row = int(y + h * rng.uniform(0.45, 0.6))
    ink = _row_ink(mask, row)
    if len(ink) == 0:
        return None
    centre = float(np.median(ink)) + rng.uniform(-0.05, 0.05) * w
    half = w * rng.uniform(*share) / 2
    tilt = rng.uniform(-0.04, 0.04) * h
    width = max(3, int(pen(mask) * rng.uniform(0.7, 1.05)))
    _stroke(mask, [(centre - half, row + tilt), (centre + half, row - tilt)], width)
    return mask


def barred_seven(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 7 with a short bar across the middle of its stem."""
    return _bar_through(glyph_mask(glyph), rng, (0.35, 0.6))


def barred_z(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A Z with a bar across its middle."""
    return _bar_through(glyph_mask(glyph), rng, (0.4, 0.75))


def open_four(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 4 whose slanted stroke does not reach the top of its stem: the ink between them in the upper
    part is taken away (a 4 already open stays open)."""
    mask = glyph_mask(glyph)
    x, y, w, h = _bounds(mask)
    if w < 12 or h < 12:
        return None
    cols = mask[y : y + h, x : x + w].sum(0)
    stem = x + int(np.argmax(cols[w // 3 :])) + w // 3  # the tallest column in the right two thirds
    gap = max(3, int(pen(mask) * rng.uniform(0.8, 1.6)))
    cut_bottom = int(y + h * rng.uniform(0.3, 0.45))
    opened = mask.copy()
    opened[y:cut_bottom, max(0, stem - int(w * 0.9)) : max(0, stem - gap)] = 0
    if opened.sum() < 0.85 * mask.sum():  # too much taken away: not a 4 shaped for this
        return None
    return opened


VARIANTS: dict[str, list[tuple[str, Variant]]] = {
    "0": [("slashed zero", slashed_zero)],
    "1": [("1 with flag (and foot)", flagged_one)],
    "7": [("barred 7", barred_seven)],
    "Z": [("barred Z", barred_z)],
    "4": [("open-top 4", open_four)],
}
SHARE = {"0": 0.5, "1": 0.5, "7": 0.35, "Z": 0.45, "4": 0.2}  # of the class's train glyphs given a variant


def to_input(mask: np.ndarray) -> np.ndarray:
    """A 0/1 glyph mask -> the 28x28 uint8 input the box path would make of it."""
    x, y, w, h = _bounds(mask)
    _, small = frame_glyph(mask[y : y + h, x : x + w])
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def convention_variants(
    x: np.ndarray, y: np.ndarray, chars: str, seed: int, shares: dict[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Variants of a share of the glyphs of each class that has one: ((M, 28, 28) uint8, labels (M,)).

    `x` (N, 28, 28) uint8 upright glyphs, `y` their class indices, `chars` the alphabet (index -> char).
    """
    rng = np.random.default_rng(seed)
    shares = SHARE if shares is None else shares
    images, labels = [], []
    for char, variants in VARIANTS.items():
        label = chars.index(char)
        rows = np.flatnonzero(y == label)
        picks = rng.choice(rows, int(len(rows) * shares.get(char, 0.0)), replace=False)
        for row in picks:
            _, make = variants[int(rng.integers(len(variants)))]
            mask = make(x[row], rng)
            if mask is not None and mask.any():
                images.append(to_input(mask))
                labels.append(label)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, np.int64)

"""Find the boxes (or the characters) of one image of a whole VIN field, left to right.

Pipeline: grayscale -> polarity (the background is the majority) -> background flattened -> ink
mask (Otsu) -> skew angle (the sharpest horizontal ink projection) -> deskewed image and mask ->
either the box grid (two long horizontal lines with vertical lines between them) or, when there is
no grid, characters split by the empty columns between them. When the count differs from the one
expected, the result says how many were found and where; nothing is padded or guessed.

Coordinates: `rects` are (x, y, w, h) in the deskewed image (`SegmentResult.overlay` shows it);
`SegmentResult.to_input` maps deskewed points back onto the input image. Crops (`boxes`) are
grayscale uint8 in the input's own polarity and include (parts of) the box border.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vinocr.image_io import to_gray8

MAX_ANGLE = 6.0  # degrees searched either way
MIN_CONTRAST = 40.0  # ink and background class means must differ by this much
LINE_KERNEL = 25  # px: horizontal runs at least this long count as line evidence
LINE_COVER = 0.88  # a vertical box line covers this share of the rows between the two long lines
NO_BOXES = "no boxes or characters found"


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
    matrix: np.ndarray = field(default_factory=lambda: np.eye(2, 3))  # input -> deskewed (2x3)

    @property
    def centres(self) -> np.ndarray:
        """(N, 2) rect centres in the deskewed image."""
        return np.array([(x + w / 2, y + h / 2) for x, y, w, h in self.rects], np.float64).reshape(-1, 2)

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Map (N, 2) deskewed-image points back to input-image coordinates."""
        inverse = cv2.invertAffineTransform(self.matrix)
        return np.asarray(points, np.float64).reshape(-1, 2) @ inverse[:, :2].T + inverse[:, 2]


@dataclass(frozen=True)
class _Band:
    """One long horizontal line of the deskewed mask: rows y0..y1 and the columns it covers."""

    y0: int
    y1: int
    cover: np.ndarray  # bool per column


# ----------------------------------------------------------------------------- ink and angle


def normalise(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """White ink on black: invert when the (majority) background is the bright side."""
    sample = gray[:: max(1, gray.shape[0] // 200), :: max(1, gray.shape[1] // 400)]
    lo, median, hi = np.percentile(sample, [1, 50, 99])
    inverted = bool(median > (lo + hi) / 2)
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
    """0/1 ink mask by Otsu after a light blur, and the ink-minus-background contrast.

    None when ink and background barely differ (a blank or noise-only image).
    """
    blur = cv2.GaussianBlur(flat, (3, 3), 0)
    _, mask = cv2.threshold(blur, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = mask.astype(bool)
    if not ink.any() or ink.all():
        return None
    contrast = float(blur[ink].mean()) - float(blur[~ink].mean())
    return (mask, contrast) if contrast >= MIN_CONTRAST else None


def line_masks(flat: np.ndarray, mask: np.ndarray, contrast: float) -> tuple[np.ndarray, ...]:
    """For a deskewed image: masks for horizontal and vertical lines (the ink mask plus pixels that
    stand out after averaging along the line direction, so faint thin box lines count) and the
    horizontal-average response itself."""
    out = []
    for size in ((15, 1), (1, 15)):
        response = cv2.blur(flat, size)
        sample = response[:: max(1, response.shape[0] // 150), :: max(1, response.shape[1] // 300)]
        median = float(np.median(sample))
        spread = 1.4826 * float(np.median(np.abs(sample - median)))
        level = median + max(6.0 * spread, 0.12 * contrast)
        above = (response >= level).astype(np.uint8)
        out.append((mask | cv2.erode(above, np.ones(size[::-1], np.uint8)), response))
    return out[0][0], out[1][0], out[0][1]


def _projection_score(xs: np.ndarray, ys: np.ndarray, angle: float, binsize: float) -> float:
    """Sharpness (sum of squared bin counts) of the ink's projection across lines at `angle`."""
    rad = np.deg2rad(angle)
    proj = (xs * np.sin(rad) + ys * np.cos(rad)) / binsize
    counts = np.bincount((proj - proj.min()).astype(np.int64))
    return float(np.dot(counts, counts))


def estimate_angle(mask: np.ndarray, rng_seed: int = 0) -> float:
    """Counter-clockwise skew in degrees: the angle whose horizontal ink projection is sharpest.

    A coarse search on a subsample (4 px bins), then a fine one (1 px bins) around the best.
    """
    ys, xs = np.nonzero(mask)
    if len(xs) < 10:
        return 0.0
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    rng = np.random.default_rng(rng_seed)
    pick = rng.choice(len(xs), 20000, replace=False) if len(xs) > 20000 else slice(None)
    coarse = np.arange(-MAX_ANGLE, MAX_ANGLE + 1e-9, 0.25)
    scores = [_projection_score(xs[pick], ys[pick], a, 4.0) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    if len(xs) > 80000:
        keep = rng.choice(len(xs), 80000, replace=False)
        xs, ys = xs[keep], ys[keep]
    fine = np.arange(best - 0.3, best + 0.3 + 1e-9, 0.025)
    scores = [_projection_score(xs, ys, a, 1.0) for a in fine]
    return float(fine[int(np.argmax(scores))])


def deskew_matrix(shape: tuple[int, int], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """2x3 matrix that undoes a counter-clockwise `angle` skew, and the grown output size (w, h)."""
    h, w = shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return matrix, (new_w, new_h)


# ----------------------------------------------------------------------------- box grid


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D bool array; end is exclusive."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _line_bands(hmask: np.ndarray, response: np.ndarray) -> list[_Band]:
    """Long horizontal lines: rows where much of the image's ink lies in long horizontal runs.

    A band covers the columns where its along-line response reaches about half the line's typical
    strength, which keeps the line's real ends (the averaging smears them a little).
    """
    horiz = cv2.morphologyEx(hmask, cv2.MORPH_OPEN, np.ones((1, LINE_KERNEL), np.uint8))
    profile = horiz.sum(axis=1).astype(np.float64)
    top = profile.max()
    if top < 3 * LINE_KERNEL:
        return []
    strong = profile >= max(0.2 * top, 3 * LINE_KERNEL)
    strong = cv2.dilate(strong.astype(np.uint8)[:, None], np.ones((3, 1), np.uint8))[:, 0] > 0
    bands = []
    for y0, y1 in _runs(strong):
        rows = slice(max(0, y0 - 1), y1 + 1)
        on_line = horiz[rows].any(axis=0)
        peak = response[rows].max(axis=0).astype(np.float64)
        strength = float(np.median(peak[on_line]))
        bands.append(_Band(y0, y1 - 1, peak >= 0.55 * strength))
    return bands


def _vertical_lines(vmask: np.ndarray, top: _Band, bottom: _Band) -> list[tuple[int, int]]:
    """Column runs that are ink through (nearly) all rows between two line bands."""
    inner = vmask[top.y1 + 1 : bottom.y0]
    if inner.shape[0] < 12:
        return []
    cover = inner.mean(axis=0) >= LINE_COVER
    near = cv2.dilate((top.cover | bottom.cover).astype(np.uint8)[None, :], np.ones((1, 9), np.uint8))[0]
    return _runs(cover & (near > 0))


def _grid_like(top: _Band, bottom: _Band, lines: list[tuple[int, int]]) -> bool:
    """Both long lines run over most of the span from the first to the last vertical line."""
    span = slice(lines[0][0], lines[-1][1])
    return float((top.cover[span] & bottom.cover[span]).mean()) >= 0.5


def _best_pair(
    hmask: np.ndarray, vmask: np.ndarray, bands: list[_Band]
) -> tuple[_Band, _Band, list[tuple[int, int]]] | None:
    """The box grid's top and bottom lines: among the grid-like band pairs with (nearly) the most
    vertical lines between them, the one whose lines run together the longest (then the tallest)."""
    pairs = []
    for i, top in enumerate(bands):
        for bottom in bands[i + 1 :]:
            lines = _vertical_lines(vmask, top, bottom)
            if len(lines) >= 2 and _grid_like(top, bottom, lines):
                pairs.append((top, bottom, lines))
    if not pairs:
        return None
    most = max(len(p[2]) for p in pairs)
    close = [p for p in pairs if len(p[2]) >= 0.7 * most]
    return max(close, key=lambda p: (int((p[0].cover & p[1].cover).sum()), p[1].y0 - p[0].y1))


def _grid_cells(lines: list[tuple[int, int]], top: _Band, bottom: _Band) -> list[tuple[int, int]]:
    """Boxes as (x0, x1) between neighbouring vertical lines, where both long lines run over them.

    Gaps between boxes have no line above and below. A box split by a glyph stroke mistaken for a
    line (two narrow neighbours adding up to one box) is joined again.
    """
    both = top.cover & bottom.cover
    cells = []
    for (_, left_end), (right_start, right_end) in zip(lines, lines[1:]):
        span = both[left_end + 1 : right_start - 1] if right_start - left_end > 3 else both[left_end:right_start]
        if span.size and span.mean() >= 0.5:
            cells.append([left_end, right_start, right_end])
    if not cells:
        return []
    widths = np.array([c[1] - c[0] for c in cells], np.float64)
    median = float(np.median(widths))
    kept = [c for c, w in zip(cells, widths) if w >= 0.25 * median]
    merged: list[list[int]] = []
    for cell in kept:
        if merged:
            prev = merged[-1]
            adjacent = cell[0] <= prev[2] + 1  # only a line between them, no gap
            small = max(prev[1] - prev[0], cell[1] - cell[0]) < 0.8 * median
            if adjacent and small and cell[1] - prev[0] <= 1.2 * median:
                prev[1], prev[2] = cell[1], cell[2]
                continue
        merged.append(list(cell))
    return [(c[0], c[1]) for c in merged]


def grid_rects(
    hmask: np.ndarray, vmask: np.ndarray, response: np.ndarray, min_lines: int
) -> list[tuple[int, int, int, int]]:
    """Box rects (x, y, w, h) from the box grid; empty when no grid is present."""
    pair = _best_pair(hmask, vmask, _line_bands(hmask, response))
    if pair is None or len(pair[2]) < min_lines:
        return []
    top, bottom, lines = pair
    line_ends = {start: end for start, end in lines}
    line_starts = {end: start for start, end in lines}
    rects = []
    for x0, x1 in _grid_cells(lines, top, bottom):
        left = line_starts.get(x0, x0)
        right = line_ends.get(x1, x1)
        rects.append((left, top.y0, right - left, bottom.y1 + 1 - top.y0))
    return rects


# ----------------------------------------------------------------------------- no grid: gaps


def gap_rects(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Character rects (x, y, w, h) on the text row: components grouped by overlapping columns."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    stats = stats[1:]
    stats = stats[stats[:, cv2.CC_STAT_AREA] >= 4]
    if len(stats) == 0:
        return []
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    big = stats[areas >= 0.2 * np.percentile(areas, 90)]
    height = float(np.median(big[:, cv2.CC_STAT_HEIGHT]))
    centre_y = np.median(big[:, cv2.CC_STAT_TOP] + big[:, cv2.CC_STAT_HEIGHT] / 2)
    x, y, w, h = (stats[:, k] for k in range(4))
    on_row = (y < centre_y + 0.9 * height) & (y + h > centre_y - 0.9 * height)
    long_line = (w > 3 * height) & (h < 0.4 * height)
    sizeable = np.maximum(w, h) >= 0.35 * height
    parts = stats[on_row & sizeable & ~long_line]
    parts = parts[np.argsort(parts[:, 0])]
    groups: list[list[int]] = []  # x0, y0, x1, y1 (exclusive ends)
    for px, py, pw, ph, _ in parts:
        if groups and px < groups[-1][2]:
            g = groups[-1]
            g[:] = [g[0], min(g[1], py), max(g[2], px + pw), max(g[3], py + ph)]
        else:
            groups.append([px, py, px + pw, py + ph])
    return [_padded(g, groups, i, height, mask.shape) for i, g in enumerate(groups)]


def _padded(
    group: list[int], groups: list[list[int]], i: int, height: float, shape: tuple[int, int]
) -> tuple[int, int, int, int]:
    """A group's rect grown by a small margin that stays clear of its neighbours."""
    x0, y0, x1, y1 = group
    pad = max(2, int(0.12 * height))
    left = x0 - pad if i == 0 else max(x0 - pad, (groups[i - 1][2] + x0) // 2)
    right = x1 + pad if i == len(groups) - 1 else min(x1 + pad, (x1 + groups[i + 1][0]) // 2)
    left, right = max(0, left), min(shape[1], right)
    top, bottom = max(0, y0 - pad), min(shape[0], y1 + pad)
    return (int(left), int(top), int(right - left), int(bottom - top))


# ----------------------------------------------------------------------------- result


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


def _message(count: int, expected: int, method: str) -> str:
    """Plain-language summary of a count."""
    noun = "boxes" if method == "grid" else "characters (no box lines)"
    if count == 1:
        noun = "box" if method == "grid" else "character (no box lines)"
    if count == expected:
        return f"found {count} {noun}"
    return f"found {count} {noun}, expected {expected}"


def find_boxes(image: np.ndarray, expected: int = 17) -> SegmentResult:
    """The `expected` boxes (or characters) of a whole-field image, left to right.

    `ok` is True only when exactly `expected` were found; otherwise `rects` and `boxes` hold what
    was found (never padded) and `message` says how many.
    """
    gray = to_gray8(np.asarray(image))
    if gray.size == 0 or min(gray.shape) < 8:
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(np.zeros((8, 8), np.uint8), [], False))
    white, _ = normalise(gray)
    flat = flatten_background(white)
    found = ink_mask(flat)
    if found is None:
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(gray, [], False))
    mask, contrast = found
    angle = estimate_angle(mask)
    matrix, size = deskew_matrix(gray.shape, angle)
    fill = int(np.median(gray[:: max(1, gray.shape[0] // 100), :: max(1, gray.shape[1] // 100)]))
    upright = cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=fill)
    rotated = cv2.warpAffine(mask * 255, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    straight = (rotated >= 64).astype(np.uint8)
    flat_up = cv2.warpAffine(flat, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    rects, method = grid_rects(*line_masks(flat_up, straight, contrast), max(3, expected // 2)), "grid"
    if not rects:
        rects, method = gap_rects(straight), "gaps"
    if not rects:
        return SegmentResult(False, method=method, angle=angle, message=NO_BOXES,
                             overlay=draw_overlay(upright, [], False), matrix=matrix)
    ok = len(rects) == expected
    boxes = [upright[y : y + h, x : x + w].copy() for x, y, w, h in rects]
    return SegmentResult(
        ok=ok,
        boxes=boxes,
        rects=rects,
        method=method,
        angle=angle,
        message=_message(len(rects), expected, method),
        overlay=draw_overlay(upright, rects, ok),
        matrix=matrix,
    )

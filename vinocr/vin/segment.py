"""Find the boxes (or the characters) of one image of a whole VIN field, left to right.

Pipeline: grayscale -> polarity (the background is the majority) -> background flattened -> ink
mask (Otsu, kept above the noise) -> skew angle (the sharpest horizontal projection of the ink,
then refined on the long lines alone) -> deskewed image, and then either

* grid: pairs of long horizontal lines are tried with the vertical lines running between them;
  the boxes are the left-to-right chain of equal-width cells over which both long lines run
  (a gap between boxes is a hole in them), so glyph strokes mistaken for vertical lines, shared
  or double lines and uneven gaps do not matter; or
* gaps (no grid): connected components on the text row, grouped by overlapping columns, specks,
  blots and long rules ignored; while there are more groups than expected, pieces of a broken
  character standing much closer than characters do are joined.

When the count differs from the one expected, the result says how many were found and where;
nothing is padded, split or guessed. Typically 10-40 ms for a 1700 x 150 field.

Coordinates: `rects` are (x, y, w, h) in the deskewed image (`SegmentResult.overlay` shows it);
`SegmentResult.to_input` maps deskewed points back onto the input image. Crops (`boxes`) are
grayscale uint8 in the input's own polarity (not normalised), cut from the deskewed image; in a
grid they include the box border lines, which box preprocessing removes (with `cut_inside`, they
are cut inside them: what a rectified photo gives).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vinocr.box.image_io import rotation_matrix, to_gray8

MAX_ANGLE = 6.0  # degrees searched either way
MIN_CONTRAST = 40.0  # ink and background class means must differ by this much
LINE_KERNEL = 25  # px: horizontal runs at least this long count as line evidence
LINE_COVER = 0.8  # a vertical box line covers this share of the rows between the two long lines
LINE_SHARE = 0.3  # a box-line pixel is at least this share of the long lines' typical brightness
TALLEST_WITHIN = 0.9
"""grid_rects: the pairs of long lines explaining at least this share of the most columns any pair
explains compete (the most boxes, then the tallest): a pair made with the strokes of a row of
blurred glyphs explained up to 4% more columns than the box lines in photos (3% was the margin
before)."""
MAX_GAP = 0.9  # box widths: neighbouring boxes of a grid stand at most this far apart
MIN_CHAR_HEIGHT = 10  # px: written characters are at least this tall
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
    matrix: np.ndarray = field(default_factory=lambda: np.eye(2, 3))  # searched image -> deskewed (2x3)
    # a photo's field is searched in a rectified image: the 3x3 homography input -> rectified field,
    # and the input (BGR) with the field outlined and the boxes found drawn on it (vinocr.vin.rectify)
    homography: np.ndarray | None = None
    field_overlay: np.ndarray | None = None

    @property
    def centres(self) -> np.ndarray:
        """(N, 2) rect centres in the deskewed image."""
        return np.array([(x + w / 2, y + h / 2) for x, y, w, h in self.rects], np.float64).reshape(-1, 2)

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Map (N, 2) deskewed-image points back to input-image coordinates."""
        inverse = cv2.invertAffineTransform(self.matrix)
        searched = np.asarray(points, np.float64).reshape(-1, 2) @ inverse[:, :2].T + inverse[:, 2]
        if self.homography is None or len(searched) == 0:
            return searched
        back = np.linalg.inv(self.homography)
        return cv2.perspectiveTransform(searched.reshape(-1, 1, 2), back).reshape(-1, 2)

    def outlines(self) -> list[np.ndarray]:
        """Each rect's four corners (4, 2) in input-image coordinates, in reading order."""
        return [
            self.to_input(np.array([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], np.float64))
            for x, y, w, h in self.rects
        ]


@dataclass(frozen=True)
class _Band:
    """One long horizontal line of the deskewed mask: rows y0..y1 and the columns it covers."""

    y0: int
    y1: int
    cover: np.ndarray  # bool per column
    strength: float  # typical brightness of the line in the flattened image
    level: float  # brightness a pixel needs to count as part of a box line


# ----------------------------------------------------------------------------- ink and angle


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


def line_mask(flat: np.ndarray, mask: np.ndarray, contrast: float) -> np.ndarray:
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


# ----------------------------------------------------------------------------- box grid


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D bool array; end is exclusive."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _noise_floor(flat: np.ndarray, size: tuple[int, int] = (3, 1)) -> float:
    """Brightness that background noise rarely reaches (median + 4 sigma) once the flattened image
    is smoothed over `size` (w, h) px, as a line's cover is measured (3 px along the rows for
    horizontal lines)."""
    smooth = cv2.blur(flat, size)
    sample = smooth[:: max(1, flat.shape[0] // 150), :: max(1, flat.shape[1] // 300)].astype(np.float64)
    median = float(np.median(sample))
    return median + 4.0 * max(1.0, 1.4826 * float(np.median(np.abs(sample - median))))


def _line_bands(hmask: np.ndarray, flat: np.ndarray) -> list[_Band]:
    """Long horizontal lines: rows where much of the image's ink lies in long horizontal runs.

    A band covers the columns where the ink (averaged over 3 px along the row and summed over two
    rows, so a thin line resampled across two rows counts in full) reaches LINE_SHARE of the line's
    typical strength and stands above the noise, so a gap of 3 px or more between two boxes shows
    as a hole in the line while fainter lines of a few boxes still count.
    """
    horiz = cv2.morphologyEx(hmask, cv2.MORPH_OPEN, np.ones((1, LINE_KERNEL), np.uint8))
    profile = horiz.sum(axis=1).astype(np.float64)
    top = profile.max()
    if top < 3 * LINE_KERNEL:
        return []
    floor = 2.0 * _noise_floor(flat, (3, 2))
    pairs = 2.0 * cv2.blur(flat.astype(np.float32), (3, 2))  # two rows summed: a thin line's full ink
    strong = np.zeros(len(profile), bool)
    for y0, y1 in _runs(profile >= max(0.2 * top, 3 * LINE_KERNEL)):
        # a line's rows stand out from the rows of a box interior packed with ink beside it;
        # where writing crowds a line, only the rows that are nearly as full as it remain
        part = profile[y0:y1]
        keep = part >= 0.6 * part.max()
        if keep.sum() > 12:
            keep = part >= 0.9 * part.max()
        strong[y0:y1] = keep
    strong = cv2.dilate(strong.astype(np.uint8)[:, None], np.ones((3, 1), np.uint8))[:, 0] > 0
    bands = []
    for y0, y1 in _runs(strong):
        rows = slice(max(0, y0 - 1), y1 + 1)
        on_line = horiz[rows].any(axis=0)
        peak = pairs[rows].max(axis=0).astype(np.float64)
        strength = float(np.median(peak[on_line]))
        level = max(LINE_SHARE * strength, floor)
        bands.append(_Band(y0, y1 - 1, peak >= level, strength, level))
    return bands


def _vertical_lines(flat: np.ndarray, top: _Band, bottom: _Band) -> list[tuple[int, int]]:
    """Column runs bright through (nearly) all rows between two line bands.

    A pixel counts when, averaged over 9 px down the column and summed with its right neighbour (as
    the long lines are measured: a thin line resampled by the deskew may be split over two columns),
    it reaches LINE_SHARE of the long lines' strength and 70% of their noise floor (averaged over
    9 rows, the noise is lower than along the long lines); the brighter of each pixel's left and
    right neighbours is also looked at, for a line that wavers by a pixel.
    """
    if bottom.y0 - top.y1 - 1 < 12:
        return []
    between = flat[top.y1 + 1 : bottom.y0].astype(np.float32)  # the long lines kept out of the sums
    inner = 2.0 * cv2.blur(between, (2, 9))
    level = max(LINE_SHARE * max(top.strength, bottom.strength), 0.7 * max(top.level, bottom.level))
    lit = cv2.dilate((inner >= level).astype(np.uint8), np.ones((1, 3), np.uint8))
    cover = lit.mean(axis=0) >= LINE_COVER
    near = cv2.dilate((top.cover | bottom.cover).astype(np.uint8)[None, :], np.ones((1, 9), np.uint8))[0]
    return _split_thick(_runs(cover & (near > 0)))


def _split_thick(lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A run much wider than the typical line (a glyph stroke merged with a box line) stands for a
    line of typical width at either edge; both are kept and the box chain picks."""
    if len(lines) < 3:
        return lines
    typical = int(np.median([end - start for start, end in lines]))
    out = []
    for start, end in lines:
        if end - start > 1.5 * typical + 2:
            out += [(start, start + typical), (end - typical, end)]
        else:
            out.append((start, end))
    return out


def _grid_like(top: _Band, bottom: _Band, lines: list[tuple[int, int]]) -> bool:
    """Both long lines run over most of the span from the first to the last vertical line."""
    span = slice(lines[0][0], lines[-1][1])
    return float((top.cover[span] & bottom.cover[span]).mean()) >= 0.5


def _box_candidates(lines: list[tuple[int, int]], either: np.ndarray) -> list[tuple[int, int, int]]:
    """(i, j, interior width) for line pairs that could bound one box: one long line or the other
    runs over every column of the interior (holes of at most 2 px), so no gap between boxes, where
    both are missing, lies inside (while a stretch of one line too faint to see does not matter)."""
    hole = ~either
    blocked = np.zeros(len(either) + 1, np.int64)
    for start, end in _runs(hole):
        if end - start > 2:
            blocked[start + 1 : end + 1] = 1
    blocked = np.cumsum(blocked)
    out = []
    for i, (_, a) in enumerate(lines):
        for j in range(i + 1, min(len(lines), i + 12)):
            b = lines[j][0]
            if blocked[b] - blocked[a] > 0:
                break
            if b - a >= 6:
                out.append((i, j, b - a))
    return out


def _chain(
    candidates: list[tuple[int, int, int]], lines: list[tuple[int, int]], width: float
) -> tuple[int, int, list[tuple[int, int]]]:
    """Best left-to-right chain of boxes whose interior width is near `width`, by (columns
    explained, box count). Neighbours may share a line, but never stand more than MAX_GAP box
    widths apart: a chain does not jump over a box it did not find (nor reach for a box-like
    shape far off). Returns (columns, count, [(i, j)])."""
    tol = max(3.0, 0.12 * width)
    boxes = sorted(((i, j) for i, j, w in candidates if abs(w - width) <= tol), key=lambda b: (b[1], b[0]))
    ending: list[tuple[int, int, list[tuple[int, int]]]] = []  # best chain ending with each box
    for i, j in boxes:
        span = lines[j][1] - lines[i][0]
        best = (span, 1, [(i, j)])
        for (_, pj), prev in zip(boxes, ending, strict=False):
            if pj <= i and lines[i][0] - lines[pj][1] <= MAX_GAP * width:
                value = (prev[0] + span, prev[1] + 1, prev[2] + [(i, j)])
                if value[:2] > best[:2]:
                    best = value
        ending.append(best)
    return max(ending, key=lambda v: v[:2]) if ending else (0, 0, [])


def _grid_cells(lines: list[tuple[int, int]], top: _Band, bottom: _Band) -> list[tuple[int, int]]:
    """Boxes as (i, j) line indices: the chain of equal-width boxes explaining the most of the
    long lines; a glyph stroke taken for a line gives half-width boxes and is not chosen.

    Among widths explaining nearly as much (within 10%), the one giving more boxes wins, so two
    boxes side by side are not read as one double-width box.
    """
    candidates = _box_candidates(lines, top.cover | bottom.cover)
    if not candidates:
        return []
    widths: list[int] = []
    for w in sorted({c[2] for c in candidates}):
        if not widths or w > widths[-1] * 1.02:
            widths.append(w)
    chains = [_chain(candidates, lines, float(w)) for w in widths]
    most = max(c[0] for c in chains)
    good = [c for c in chains if c[0] >= 0.9 * most]
    return max(good, key=lambda c: (c[1], c[0]))[2]


Rect = tuple[int, int, int, int]


def _inside(left: int, top: int, right: int, bottom: int) -> Rect:
    """The rect between a box's lines (exclusive ends), less 1 px for the lines' blurred edges."""
    margin = 1
    return (left + margin, top + margin, max(1, right - left - 2 * margin), max(1, bottom - top - 2 * margin))


def _pair_boxes(flat: np.ndarray, top: _Band, bottom: _Band) -> tuple[int, list[Rect], list[Rect]] | None:
    """Boxes between two line bands as (columns explained, rects with their lines, rects inside
    their lines); None when they are no grid."""
    height = bottom.y0 - top.y1 - 1
    if max(top.y1 - top.y0, bottom.y1 - bottom.y0) + 1 > max(12, 0.5 * height):
        return None  # a band this thick is text or a blot, not a box line
    if int(np.count_nonzero(top.cover & bottom.cover)) < 1.5 * height:
        return None  # the two lines run together over less than two boxes' width: no row of boxes
    lines = _vertical_lines(flat, top, bottom)
    if len(lines) < 2 or not _grid_like(top, bottom, lines):
        return None
    cells = _grid_cells(lines, top, bottom)
    rects = [(lines[i][0], top.y0, lines[j][1] - lines[i][0], bottom.y1 + 1 - top.y0) for i, j in cells]
    inner = [_inside(lines[i][1], top.y1 + 1, lines[j][0], bottom.y0) for i, j in cells]
    return sum(r[2] for r in rects), rects, inner


def grid_rects(hmask: np.ndarray, flat: np.ndarray, min_boxes: int) -> tuple[list[Rect], list[Rect]]:
    """Box rects (x, y, w, h) from the box grid with their border lines, and the same boxes inside
    their lines; both empty without a grid.

    Every pair of long lines is tried; among the pairs whose boxes explain nearly the most columns
    (TALLEST_WITHIN), those with the most boxes, and among them the tallest, win: glyph strokes
    between the box lines cannot stand in for the grid's top or bottom line, and a taller pair
    that finds only part of the row (its lines too faint elsewhere) does not hide the boxes found.
    """
    bands = _line_bands(hmask, flat)
    found = []
    for i, top in enumerate(bands):
        for bottom in bands[i + 1 :]:
            boxes = _pair_boxes(flat, top, bottom)
            if boxes is not None and len(boxes[1]) >= min_boxes:
                found.append((boxes[0], bottom.y0 - top.y1, boxes[1], boxes[2]))
    if not found:
        return [], []
    most = max(f[0] for f in found)
    near = [f for f in found if f[0] >= TALLEST_WITHIN * most]
    best = max(near, key=lambda f: (len(f[2]), f[1]))
    return best[2], best[3]


# ----------------------------------------------------------------------------- no grid: gaps


def _components(mask: np.ndarray) -> np.ndarray:
    """Stats rows (x, y, w, h, area) of the mask's 8-connected components of 4 px or more."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:][stats[1:, cv2.CC_STAT_AREA] >= 4]


def _row_estimate(stats: np.ndarray) -> tuple[float, float]:
    """(character height, row centre y) from the sizeable components (area-weighted majority)."""
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    big = stats[areas >= 0.2 * np.percentile(areas, 90)]
    height = float(np.median(big[:, cv2.CC_STAT_HEIGHT]))
    return height, float(np.median(big[:, cv2.CC_STAT_TOP] + big[:, cv2.CC_STAT_HEIGHT] / 2))


def _without_rules(mask: np.ndarray, height: float) -> np.ndarray | None:
    """The mask with long horizontal rules (over 2.5 character heights) removed, or None if none."""
    length = int(2.5 * height)
    if length >= mask.shape[1] or length < LINE_KERNEL:
        return None
    rules = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    if not rules.any():
        return None
    return mask & (1 - cv2.dilate(rules, np.ones((3, 1), np.uint8)))


def gap_rects(mask: np.ndarray, expected: int) -> list[tuple[int, int, int, int]]:
    """Character rects (x, y, w, h) on the text row: components grouped by overlapping columns.

    Components off the row, specks, long rules and upright ones (a sheet's edge) are ignored;
    pieces of broken characters are joined (see _merge_fragments).
    """
    stats = _components(mask)
    if len(stats) == 0:
        return []
    height, centre_y = _row_estimate(stats)
    if height < MIN_CHAR_HEIGHT:
        return []  # specks and dust only
    cleaned = _without_rules(mask, height)
    if cleaned is not None:
        stats = _components(cleaned)
        if len(stats) == 0:
            return []
        height, centre_y = _row_estimate(stats)
    x, y, w, h = (stats[:, k] for k in range(4))
    on_row = (y < centre_y + 0.9 * height) & (y + h > centre_y - 0.9 * height)
    sizeable = np.maximum(w, h) >= 0.35 * height
    upright_rule = h > 2.5 * height  # a sheet's edge or a vertical rule, no character
    parts = stats[on_row & sizeable & ~upright_rule]
    parts = parts[np.argsort(parts[:, 0], kind="stable")]
    groups: list[list[int]] = []  # x0, y0, x1, y1 (exclusive ends)
    for px, py, pw, ph, _ in parts:
        if groups and px < groups[-1][2]:
            g = groups[-1]
            g[:] = [g[0], min(g[1], py), max(g[2], px + pw), max(g[3], py + ph)]
        else:
            groups.append([px, py, px + pw, py + ph])
    groups = _merge_fragments(groups, height, expected)
    return [_padded(g, groups, i, height, mask.shape) for i, g in enumerate(groups)]


def _merge_fragments(groups: list[list[int]], height: float, expected: int) -> list[list[int]]:
    """Drop lone blots, then join the pieces of broken characters while there are too many groups.

    Blots (short and narrow) are dropped: VIN characters are all tall. While more than `expected`
    groups remain, the neighbours standing closest (relative to the median gap, a short or thin
    piece counting as twice as close) are joined, as long as they stand within half the median gap
    and, unless one is such a piece, together are no wider than a character. Nothing is ever split
    or invented.
    """
    groups = [g for g in groups if g[3] - g[1] >= 0.5 * height or g[2] - g[0] >= 0.5 * height]
    if len(groups) < 3:
        return groups
    median_gap = max(1.0, float(np.median([b[0] - a[2] for a, b in zip(groups, groups[1:], strict=False)])))
    while len(groups) > expected:
        partial = [g[3] - g[1] < 0.7 * height or g[2] - g[0] < 0.35 * height for g in groups]
        options = []
        for k, (a, b) in enumerate(zip(groups, groups[1:], strict=False)):
            gap = max(0, b[0] - a[2]) / median_gap
            piece = partial[k] or partial[k + 1]
            if gap <= 0.5 and (piece or max(a[2], b[2]) - a[0] <= 1.5 * height):
                options.append((gap * (0.5 if piece else 1.0), k))
        if not options:
            break
        k = min(options)[1]
        a, b = groups[k], groups[k + 1]
        groups[k : k + 2] = [[a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]]
    return groups


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


def _deskew(
    gray: np.ndarray, flat: np.ndarray, mask: np.ndarray, angle: float, fill: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(matrix, deskewed gray, deskewed 0/1 ink mask, deskewed flattened image)."""
    matrix, size = deskew_matrix(gray.shape, angle)
    upright = cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=fill)
    rotated = cv2.warpAffine(mask * 255, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    flat_up = cv2.warpAffine(flat, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    return matrix, upright, (rotated >= 64).astype(np.uint8), flat_up


def find_boxes(image: np.ndarray, expected: int = 17, cut_inside: bool = False) -> SegmentResult:
    """The `expected` boxes (or characters) of a whole-field image, left to right.

    `ok` is True only when exactly `expected` were found; otherwise `rects` and `boxes` hold what
    was found (never padded) and `message` says how many. With `cut_inside`, boxes of a grid are
    cut inside their lines (a photo's lines are blurred and neighbours' lines close by); `rects`
    still include the lines.
    """
    if expected < 1:
        raise ValueError(f"expected must be at least 1, not {expected}")
    gray = to_gray8(np.asarray(image))
    if gray.size == 0 or min(gray.shape) < 8:
        blank = gray if gray.size else np.zeros((8, 8), np.uint8)
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(blank, [], False))
    white, _ = normalise(gray)
    flat = flatten_background(white)
    found = ink_mask(flat)
    if found is None:
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(gray, [], False))
    mask, contrast = found
    fill = int(np.median(gray[:: max(1, gray.shape[0] // 100), :: max(1, gray.shape[1] // 100)]))
    angle = estimate_angle(mask)
    matrix, upright, straight, flat_up = _deskew(gray, flat, mask, angle, fill)
    hmask = line_mask(flat_up, straight, contrast)
    delta = residual_angle(hmask)
    if abs(delta) >= 0.02:
        angle += delta
        matrix, upright, straight, flat_up = _deskew(gray, flat, mask, angle, fill)
        hmask = line_mask(flat_up, straight, contrast)
    (rects, inner), method = grid_rects(hmask, flat_up, max(2, expected // 3)), "grid"
    if len(rects) < expected // 2:
        # no grid, or only a few "boxes" (characters written between two rules): split by gaps
        by_gaps = gap_rects(straight, expected)
        if not rects or len(by_gaps) == expected:
            rects, method = by_gaps, "gaps"
    if not rects:
        overlay = draw_overlay(upright, [], False)
        return SegmentResult(False, angle=angle, message=NO_BOXES, overlay=overlay, matrix=matrix)
    ok = len(rects) == expected
    cuts = inner if cut_inside and method == "grid" else rects
    boxes = [upright[y : y + h, x : x + w].copy() for x, y, w, h in cuts]
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

"""Find the boxes (or the characters) of one image of a whole VIN field, left to right.

`find_boxes`: the image is stood upright (vinocr.field.deskew), then

* grid: pairs of long horizontal lines are tried with the vertical lines running between them;
  the boxes are the left-to-right chain of equal-width cells over which both long lines run
  (a gap between boxes is a hole in them), so glyph strokes mistaken for vertical lines, shared
  or double lines and uneven gaps do not matter; or
* gaps (no grid, or only a few boxes): characters split at gaps (vinocr.field.gaps);

and the boxes are cut (vinocr.field.cut). When the count differs from the one expected, the
result says how many were found and where; nothing is padded, split or guessed. Typically
10-40 ms for a 1700 x 150 field.

Coordinates: `rects` are (x, y, w, h) in the deskewed image (`SegmentResult.overlay` shows it);
`SegmentResult.to_input` maps deskewed points back onto the input image. Crops (`boxes`) are
grayscale uint8 in the input's own polarity (not normalised), cut from the deskewed image; in a
grid they include the box border lines, which box preprocessing removes (with `cut_inside`, they
are cut inside them: what a rectified photo gives).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.box.image_io import to_gray8
from vinocr.field.cut import cut_boxes
from vinocr.field.deskew import LINE_KERNEL, deskewed
from vinocr.field.gaps import gap_rects
from vinocr.field.result import NO_BOXES, Rect, SegmentResult, count_message, draw_overlay

LINE_COVER = 0.8  # a vertical box line covers this share of the rows between the two long lines
LINE_SHARE = 0.3  # a box-line pixel is at least this share of the long lines' typical brightness
TALLEST_WITHIN = 0.9
"""grid_rects: the pairs of long lines explaining at least this share of the most columns any pair
explains compete (the most boxes, then the tallest): a pair made with the strokes of a row of
blurred glyphs explained up to 4% more columns than the box lines in photos (3% was the margin
before)."""
MAX_GAP = 0.9  # box widths: neighbouring boxes of a grid stand at most this far apart
LINE_ACROSS = 2  # px: a vertical line is summed over this many columns, as the long lines over rows
SHAKEN_ACROSS = 3
"""px: the vertical lines are summed over this many columns (LINE_ACROSS at first) when the grid found too
few boxes: a camera moving sideways smears a vertical line over several columns while the long
lines, smeared along themselves, keep their strength (bench.eval_photos --motion 8, seed 7: found
0.880 -> 0.895; flat photos, seed 0: 0.988 -> 0.991, no 17 wrong)."""


def find_boxes(
    image: np.ndarray, expected: int = 17, cut_inside: bool = False, photographed: bool = False
) -> SegmentResult:
    """The `expected` boxes (or characters) of a whole-field image, left to right.

    `ok` is True only when exactly `expected` were found; otherwise `rects` and `boxes` hold what
    was found (never padded) and `message` says how many. With `cut_inside`, boxes of a grid are
    cut inside their lines (a photo's lines are blurred and neighbours' lines close by); `rects`
    still include the lines. `photographed`: the image is a row located in a photo and rectified;
    a grid short of boxes there is looked at again for vertical lines smeared by a moving camera
    (SHAKEN_ACROSS; not in a whole image, where a rule above the boxes and glyph strokes can then
    pass for a grid).
    """
    if expected < 1:
        raise ValueError(f"expected must be at least 1, not {expected}")
    gray = to_gray8(np.asarray(image))
    if gray.size == 0 or min(gray.shape) < 8:
        blank = gray if gray.size else np.zeros((8, 8), np.uint8)
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(blank, [], False))
    page = deskewed(gray)
    if page is None:
        return SegmentResult(False, message=NO_BOXES, overlay=draw_overlay(gray, [], False))
    bands, min_boxes = _line_bands(page.lines, page.flat), max(2, expected // 3)
    (rects, inner), method = grid_rects(bands, page.flat, min_boxes), "grid"
    if photographed and len(rects) < expected:
        shaken = grid_rects(bands, page.flat, min_boxes, SHAKEN_ACROSS)
        if len(shaken[0]) == expected:
            rects, inner = shaken
    if len(rects) < expected // 2:
        # no grid, or only a few "boxes" (characters written between two rules): split by gaps
        by_gaps = gap_rects(page.mask, expected)
        if not rects or len(by_gaps) == expected:
            rects, method = by_gaps, "gaps"
    if not rects:
        overlay = draw_overlay(page.gray, [], False)
        return SegmentResult(False, angle=page.angle, message=NO_BOXES, overlay=overlay, matrix=page.matrix)
    ok = len(rects) == expected
    return SegmentResult(
        ok=ok,
        boxes=cut_boxes(page.gray, inner if cut_inside and method == "grid" else rects),
        rects=rects,
        method=method,
        angle=page.angle,
        message=count_message(len(rects), expected, method),
        overlay=draw_overlay(page.gray, rects, ok),
        matrix=page.matrix,
    )


@dataclass(frozen=True)
class _Band:
    """One long horizontal line of the deskewed mask: rows y0..y1 and the columns it covers."""

    y0: int
    y1: int
    cover: np.ndarray  # bool per column
    strength: float  # typical brightness of the line in the flattened image
    level: float  # brightness a pixel needs to count as part of a box line


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


def _vertical_lines(
    flat: np.ndarray, top: _Band, bottom: _Band, across: int = LINE_ACROSS
) -> list[tuple[int, int]]:
    """Column runs bright through (nearly) all rows between two line bands.

    A pixel counts when, averaged over 9 px down the column and summed with its right neighbour (as
    the long lines are measured: a thin line resampled by the deskew may be split over two columns;
    `across` columns in all),
    it reaches LINE_SHARE of the long lines' strength and 70% of their noise floor (averaged over
    9 rows, the noise is lower than along the long lines); the brighter of each pixel's left and
    right neighbours is also looked at, for a line that wavers by a pixel.
    """
    if bottom.y0 - top.y1 - 1 < 12:
        return []
    between = flat[top.y1 + 1 : bottom.y0].astype(np.float32)  # the long lines kept out of the sums
    inner = across * cv2.blur(between, (across, 9))
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


def _inside(left: int, top: int, right: int, bottom: int) -> Rect:
    """The rect between a box's lines (exclusive ends), less 1 px for the lines' blurred edges."""
    margin = 1
    return (left + margin, top + margin, max(1, right - left - 2 * margin), max(1, bottom - top - 2 * margin))


def _pair_boxes(
    flat: np.ndarray, top: _Band, bottom: _Band, across: int = LINE_ACROSS
) -> tuple[int, list[Rect], list[Rect]] | None:
    """Boxes between two line bands as (columns explained, rects with their lines, rects inside
    their lines); None when they are no grid. `across`: see _vertical_lines."""
    height = bottom.y0 - top.y1 - 1
    if max(top.y1 - top.y0, bottom.y1 - bottom.y0) + 1 > max(12, 0.5 * height):
        return None  # a band this thick is text or a blot, not a box line
    if int(np.count_nonzero(top.cover & bottom.cover)) < 1.5 * height:
        return None  # the two lines run together over less than two boxes' width: no row of boxes
    lines = _vertical_lines(flat, top, bottom, across)
    if len(lines) < 2 or not _grid_like(top, bottom, lines):
        return None
    cells = _grid_cells(lines, top, bottom)
    rects = [(lines[i][0], top.y0, lines[j][1] - lines[i][0], bottom.y1 + 1 - top.y0) for i, j in cells]
    inner = [_inside(lines[i][1], top.y1 + 1, lines[j][0], bottom.y0) for i, j in cells]
    return sum(r[2] for r in rects), rects, inner


def grid_rects(
    bands: list[_Band], flat: np.ndarray, min_boxes: int, across: int = LINE_ACROSS
) -> tuple[list[Rect], list[Rect]]:
    """Box rects (x, y, w, h) from the box grid with their border lines, and the same boxes inside
    their lines; both empty without a grid. `bands`: the long lines (_line_bands); `across`: see
    _vertical_lines.

    Every pair of long lines is tried; among the pairs whose boxes explain nearly the most columns
    (TALLEST_WITHIN), those with the most boxes, and among them the tallest, win: glyph strokes
    between the box lines cannot stand in for the grid's top or bottom line, and a taller pair
    that finds only part of the row (its lines too faint elsewhere) does not hide the boxes found.
    """
    found = []
    for i, top in enumerate(bands):
        for bottom in bands[i + 1 :]:
            boxes = _pair_boxes(flat, top, bottom, across)
            if boxes is not None and len(boxes[1]) >= min_boxes:
                found.append((boxes[0], bottom.y0 - top.y1, boxes[1], boxes[2]))
    if not found:
        return [], []
    most = max(f[0] for f in found)
    near = [f for f in found if f[0] >= TALLEST_WITHIN * most]
    best = max(near, key=lambda f: (len(f[2]), f[1]))
    return best[2], best[3]

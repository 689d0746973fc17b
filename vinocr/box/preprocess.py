"""Box image -> the 28x28 model input, made the way EMNIST itself was made.

Steps: grayscale at a bounded working size -> polarity (white glyph on black) -> uneven background
evened -> ink mask -> box lines and specks removed -> crop to the glyph -> stroke width
normalised, centred in a square frame with a margin, blurred and scaled to 28x28. Every
intermediate image is returned so the app can show it. An empty box is reported as empty, never
guessed. Pure and deterministic: the same image always gives the same readings.

A line along the edge is not always a box line: in a tight crop the bar of a T, the foot of an L
or the stem of a K runs along the image edge just like one (`stroke_sides`). When it cannot be
told from the pixels, both readings are prepared (line kept as a stroke, line removed), and so are
both polarities of a box that ink and background cover about equally; the recogniser keeps the
reading the model is surest of, less its `doubt` (vinocr.box.recognizer).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from vinocr.box.image_io import to_gray8
from vinocr.box.skew import SKEW_REST, box_lean, turn

SIDE = 28
GLYPH_SIDE = 24  # EMNIST glyphs span ~24 of the 28 px (measured on the train split)
WORK = 112  # working resolution of the square frame (4 x 28)
TARGET_STROKE = 10.9  # median EMNIST stroke width at 112 px (2 * area / perimeter)
THICK_STROKE = 1.6  # strokes wider than 1.6 x TARGET_STROKE are thinned ...
THIN_TO = 1.2  # ... to about 1.2 x, if that keeps every piece of the glyph
FRAME_BLUR = 2.0  # Gaussian sigma at 112 px before the 28x28 area resize
MIN_STROKE_SPAN = 0.25  # the largest ink piece of a character spans at least this share of the box
WORK_SIDE = 128  # every box is brought to this longer side (area-downscaled or linearly upscaled)
BORDER_BAND = 0.25  # box lines are looked for in the outer 25% of each side
BORDER_RUN = 0.75  # a box line runs along at least 75% of the side (a glyph bar rarely does)
LINE_FOLLOW = 0.45  # rows next to a line that still run this far belong to it (ragged JPEG edges)
SOLID = 0.9  # ... but many such rows shorter than this share of the line are a stroke lying along it
STROKE_LIKE = 0.1  # a "line" this thick for its length is a pen stroke, not a ruled box line
FLAT_SPREAD = 16.0  # grey levels of background change above which the background is flattened
MIN_CONTRAST = 40  # grey levels between background and ink below which nothing is written
FLAT_GAIN = 0.02  # ... and when evening it raises Otsu's separability by this much
BACKGROUND_CELLS = 8  # the background level is sampled in 8x8 cells
POLARITY_DOUBT = 0.1  # ink covering 40-60% of the box: read both polarities
WIDE_DOUBT = 0.17  # ink covering 33-67%: read both too, but the other must win by WIDE_SWITCH
NARROW = 0.4  # a box this narrow (short side / long side) is read in both polarities too
LINE_DOUBT = 0.3  # confidence a reading with a maybe-stroke line removed must win by (on validation)
CUT_LINE_DOUBT = 0.6  # ... in a box cut from a found field (inside its lines in a photo): a line on
# its edge is mostly a stroke there (the base of a 2, read 7 without it); chosen on validation photos
POLARITY_SWITCH = 0.05  # ... and a reading of the other polarity than the majority says
WIDE_SWITCH = 0.3  # ... by this much when ink covers 33-40% or 60-67%
TIGHT_EDGE = 2  # px (of the working size): a stroke of a tight crop starts this close to the edge
RULED_ALIKE = 1  # px: a printed box's lines differ in width by at most this (their runs by twice it)
TIGHT = 0.9  # ink spanning this share of both sides: the image may be a tight crop
FEW_PIECES = 12  # up to this many labels, piece statistics are taken piece by piece (faster)
SIDES = "tblr"


@dataclass
class Preprocessed:
    """The model input (or None for an empty box) and the named intermediate images.

    `alternatives` holds other readings of the same box (an edge line removed or kept as a stroke,
    the other polarity) for the recogniser to weigh: it keeps the reading whose confidence minus
    `doubt` is highest. `lines_kept` says which sides' lines a reading kept as strokes. `later`
    holds the alternatives a lazy `preprocess_box` left to be prepared only when needed.
    """

    input28: np.ndarray | None
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    empty: bool = False
    inverted: bool = False
    note: str = ""
    alternatives: list[Preprocessed] = field(default_factory=list)
    lines_kept: str = ""
    doubt: float = 0.0
    later: tuple[Deferred, ...] = ()
    turned: bool = False  # stood upright (a leaning box): pieces of line along its edges are dropped

    @property
    def readings(self) -> list[Preprocessed]:
        """This reading and its alternatives that have a model input."""
        return [p for p in (self, *self.alternatives) if p.input28 is not None]

    def lean(self) -> Preprocessed:
        """A copy whose readings keep only their last step (the 28x28 input, or the mask of an
        empty box): small to send between processes (from an eager preprocessing: what `later`
        holds cannot travel)."""
        alternatives = [a.lean() for a in self.alternatives]
        return replace(self, steps=self.steps[-1:], alternatives=alternatives)


@dataclass(frozen=True)
class Deferred:
    """Alternative readings of a box, prepared only when asked (`read`). Each has a doubt of at least
    `doubt`, and no probability exceeds 1: once a reading before them is surer than 1 - `doubt`,
    none of them can win and they need not be prepared at all."""

    doubt: float
    read: Callable[[], Preprocessed]


@dataclass(frozen=True)
class EdgeLine:
    """A straight line along one side of the box: rows [start, end) counted from that side."""

    side: str
    start: int
    end: int
    length: int  # the longest run of the line, px
    core_end: int  # just past its innermost row that runs along BORDER_RUN of the side
    across: int  # the image's extent across the line, px
    groups: int = 1  # separate bands of line rows found on the side (a box line and a stroke, double lines)

    @property
    def stroke_like(self) -> bool:
        """Thick for its length or for the box, as a pen stroke is (ruled box lines are thin and long)."""
        return self.end - self.start >= STROKE_LIKE * min(self.length, self.across)


def working_size(gray: np.ndarray) -> np.ndarray:
    """Bring the longer side to WORK_SIDE: area-downscale large boxes, linearly upscale small ones."""
    scale = WORK_SIDE / max(gray.shape[:2])
    if abs(scale - 1.0) < 0.05:
        return gray
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def histogram(gray: np.ndarray) -> np.ndarray:
    """Pixel count of each of the 256 grey levels of a uint8 image (int64; OpenCV's is 3x numpy's speed)."""
    if gray.size >= 1 << 24:  # OpenCV counts in float32, exact only below 2**24
        return np.bincount(gray.ravel(), minlength=256)
    return cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.int64)


def gray_levels(gray: np.ndarray, shares: tuple[float, ...]) -> list[int]:
    """The grey levels below which the given shares (0..1) of a uint8 image's pixels lie."""
    counts = histogram(gray).cumsum()
    return np.searchsorted(counts, np.asarray(shares) * (counts[-1] - 1), side="right").tolist()


def fix_polarity(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """White glyph on black. The background is the majority, so the median lies on the background's
    side: nearer the bright end than the dark end means a bright background, which is inverted."""
    low, median, high = gray_levels(gray, (0.01, 0.5, 0.99))
    inverted = bool(median - low > high - median)
    return (255 - gray if inverted else gray), inverted


def _quadratic_design(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Column vectors y and x in [-0.5, 0.5] for a height x width grid."""
    ys = (np.arange(height, dtype=np.float32) / max(height - 1, 1) - 0.5)[:, None]
    xs = (np.arange(width, dtype=np.float32) / max(width - 1, 1) - 0.5)[None, :]
    return ys, xs


def _surface(coef: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Evaluate a + b x + c y + d x^2 + e xy + f y^2 on the grid of ys (column) and xs (row)."""
    a, b, c, d, e, f = coef
    return a + b * xs + c * ys + d * xs * xs + e * ys * xs + f * ys * ys


def background_surface(upright: np.ndarray) -> np.ndarray | None:
    """The background's light as a smooth (quadratic) surface, or None when it is flat enough.

    Ink is bright, so the darkest pixel of each of 8x8 cells is a local background level, unless the
    cell is all ink (its level is then above Otsu's threshold). The surface is fitted to the other
    cells' levels and refitted twice without the cells far above it.
    """
    height, width = upright.shape
    cells = min(BACKGROUND_CELLS, height, width)
    ch, cw = height // cells, width // cells
    rows = upright[: ch * cells, : cw * cells].reshape(cells, ch, cells * cw).min(axis=1)
    levels = rows.reshape(cells, cells, cw).min(axis=2)  # two contiguous reductions: 4x faster than one
    values = levels.astype(np.float32).ravel()
    keep = values < cv2.threshold(upright, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    background = np.sort(values[keep])
    if (
        len(background) < 12
        or background[len(background) * 9 // 10] - background[len(background) // 10] < FLAT_SPREAD
    ):
        return None
    ys, xs = _quadratic_design(cells, cells)
    ys, xs = np.broadcast_to(ys, (cells, cells)).ravel(), np.broadcast_to(xs, (cells, cells)).ravel()
    design = np.stack([np.ones_like(xs), xs, ys, xs * xs, ys * xs, ys * ys], axis=1)
    for _ in range(3):
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
        residual = values - design @ coef
        spread = float(np.median(np.abs(residual[keep]))) * 1.5 + 4.0
        keep = residual <= 2.5 * spread
    fitted = design @ coef
    if keep.mean() < 0.5 or fitted.max() - fitted.min() < FLAT_SPREAD:  # mostly ink, or flat
        return None
    return _surface(coef, *_quadratic_design(height, width))


def separability(gray: np.ndarray) -> float:
    """Otsu's criterion at its best threshold: between-class over total variance (0..1); near 1 when
    the image is two clean levels, ink and background."""
    p = histogram(gray) / gray.size
    levels = np.arange(256)
    share, mean = np.cumsum(p), np.cumsum(p * levels)
    total = mean[-1]
    variance = float((p * (levels - total) ** 2).sum())
    if variance <= 0:
        return 0.0
    between = (total * share - mean) ** 2 / np.maximum(share * (1 - share), 1e-12)
    return float(between.max()) / variance


def flatten_background(upright: np.ndarray) -> np.ndarray:
    """Subtract an uneven background (gradient, shadow). A flat one is left as it is, and so is the
    image when subtracting does not make ink and background clearly easier to tell apart (a glyph
    filling a tight crop can pass for a shaded background), unless nothing is left but noise."""
    surface = background_surface(upright)
    if surface is None:
        return upright
    flat = np.clip(upright.astype(np.float32) - surface + float(surface.min()), 0, 255).astype(np.uint8)
    low, high = gray_levels(flat, (0.05, 0.95))
    if high - low < MIN_CONTRAST:  # little but the light was there (or a thin glyph): keep it evened
        return flat
    return flat if separability(flat) >= separability(upright) + FLAT_GAIN else upright


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary (0/1) ink mask of a white-on-black image: Otsu after light denoising."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0) if min(gray.shape) >= 24 else gray
    lo, hi = gray_levels(blur, (0.01, 0.995))
    if hi - lo < MIN_CONTRAST:  # no real contrast: nothing written
        return np.zeros_like(gray, dtype=np.uint8)
    return cv2.threshold(blur, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]  # uint8, as `blur` is


def longest_runs(rows: np.ndarray) -> np.ndarray:
    """Length of the longest run of ones in each row of a 2-D 0/1 array (vectorised)."""
    if rows.size == 0:
        return np.zeros(rows.shape[0], np.int64)
    index = np.arange(rows.shape[1])
    last_zero = np.maximum.accumulate(np.where(rows == 0, index, -1), axis=1)
    return (index - last_zero).max(axis=1)


def side_view(array: np.ndarray, side: str) -> np.ndarray:
    """A view of `array` whose row 0 is the given side's edge (t, b, l or r)."""
    return {"t": array, "b": array[::-1], "l": array.T, "r": array.T[::-1]}[side]


def find_edge_line(
    mask: np.ndarray, side: str, sums: np.ndarray | None = None, near: float | None = None
) -> EdgeLine | None:
    """The innermost straight line in the outer band of one side, with its ragged inner rows; with
    `near`, of several separate bands of line rows the one starting nearest that row.

    A line row runs along at least BORDER_RUN of the side; the rows next to it that still run
    along LINE_FOLLOW of it belong to the same line (JPEG and scans leave ragged edges). `sums`:
    the ink count of each row of the side's view, if known.
    """
    view = side_view(mask, side)
    height, width = view.shape
    band = max(1, int(round(height * BORDER_BAND)))
    sums = view.sum(axis=1, dtype=np.int32) if sums is None else sums
    counts = sums[:band].tolist()  # a row's longest run is at most its ink count; a few dozen
    # rows: plain Python lists are faster than NumPy from here on
    least = BORDER_RUN * width
    if max(counts) < least:
        return None
    follow = LINE_FOLLOW * width
    runs = [count if count == width else 0 for count in counts]  # a full row is one run
    rows = [row for row, count in enumerate(counts) if follow <= count < width]
    if rows:
        for row, run in zip(rows, longest_runs(view[rows]).tolist()):
            runs[row] = run
    lines = [row for row, run in enumerate(runs) if run >= least]
    if not lines:
        return None
    firsts = [row for k, row in enumerate(lines) if k == 0 or row > lines[k - 1] + 1]  # each band's first row
    if near is not None and len(firsts) > 1:
        first = min(reversed(firsts), key=lambda row: abs(row - near))  # ties: the inner band
        lines = [row for row in lines if first <= row < min([r for r in firsts if r > first], default=band)]
    end = start = lines[-1]
    while end + 1 < band and runs[end + 1] >= follow:
        end += 1
    while start > 0 and runs[start - 1] >= follow:
        start -= 1
    longest = max(runs[start : end + 1])
    solid_end = start + max(i for i, run in enumerate(runs[start : end + 1]) if run >= SOLID * longest) + 1
    if end + 1 - solid_end > max(2, 0.5 * (solid_end - start)):  # a shorter stroke lies along it
        end = solid_end  # keep one ragged row, leave the stroke
    return EdgeLine(side, start, end + 1, longest, lines[-1] + 1, height, len(firsts))


def _region(shape: tuple[int, int], cuts: dict[str, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the part of the image left after cutting each side's rows."""
    height, width = shape
    return cuts.get("t", 0), height - cuts.get("b", 0), cuts.get("l", 0), width - cuts.get("r", 0)


def _pieces(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, tuple[slice, slice]]:
    """The 8-connected pieces of a 0/1 mask with OpenCV's statistics (x, y, w, h, area), found in the
    box around its ink only. The box starts at an even row and column, where OpenCV's 2x2 blocks do,
    so the pieces are numbered as on the whole mask. OpenCV's own statistics cost as much for each
    empty pixel as for ink: for a few pieces they are taken piece by piece, the same numbers faster.

    Returns the count (1: no ink), the labels of the box, the statistics in the mask's coordinates
    (row 0, the background's, is not meaningful) and the box as slices of the mask.
    """
    x, y, w, h = cv2.boundingRect(mask)  # of the non-zero pixels
    box = slice(y - y % 2, y + h), slice(x - x % 2, x + w)
    if w == 0:
        return 1, np.zeros((0, 0), np.int32), np.zeros((1, 5), np.int32), box
    count, labels = cv2.connectedComponents(mask[box], connectivity=8)
    if count == 2:  # one piece: the ink's own bounding box and area
        stats = np.array(
            [[0, 0, 0, 0, 0], [x - box[1].start, y - box[0].start, w, h, cv2.countNonZero(mask)]], np.int32
        )
    elif count > FEW_PIECES:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask[box], connectivity=8)
    else:
        stats = np.zeros((count, 5), np.int32)
        for label in range(1, count):
            piece = (labels == label).view(np.uint8)
            stats[label, :4] = cv2.boundingRect(piece)
            stats[label, cv2.CC_STAT_AREA] = cv2.countNonZero(piece)
    stats[:, cv2.CC_STAT_LEFT] += box[1].start
    stats[:, cv2.CC_STAT_TOP] += box[0].start
    return count, labels, stats, box


def _labelled(keep: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """0/1 uint8 image of the pieces marked in `keep` (0/1 per label) of a label image: `keep[labels]`,
    at a tenth of its cost when one piece or every piece is kept (the usual cases)."""
    kept = np.flatnonzero(keep)
    if len(kept) == 1:
        return (labels == kept[0]).view(np.uint8)
    if len(kept) == len(keep) - 1 and not keep[0]:
        return (labels > 0).view(np.uint8)
    return np.take(keep, labels)


Significant = tuple[np.ndarray, np.ndarray, tuple[slice, slice]]  # keep (0/1 per label), labels, box


def _significant_pieces(mask: np.ndarray, region: tuple[int, int, int, int]) -> Significant | None:
    """The ink pieces inside `region` that may be part of a character: big enough (not specks) and
    not a thin line fragment along the region's edge; None when there is none. Returns which labels
    they are (0/1 per label), the labels and their box within the region (see `_pieces`)."""
    top, bottom, left, right = region
    if bottom - top < 4 or right - left < 4:
        return None
    count, labels, stats, box = _pieces(mask[top:bottom, left:right])
    pieces = stats.tolist()
    least = MIN_STROKE_SPAN * min(bottom - top, right - left)
    fragments = _edge_fragments(pieces, (0, bottom - top, 0, right - left))
    keep = [
        k > 0 and max(w, h) >= least and not f
        for k, ((_, _, w, h, _), f) in enumerate(zip(pieces, fragments))
    ]
    return (np.array(keep, np.uint8), labels, box) if any(keep) else None


def _significant(mask: np.ndarray, region: tuple[int, int, int, int], pieces: Significant) -> np.ndarray:
    """0/1 mask of the significant pieces (`_significant_pieces`) found inside `region`."""
    out = np.zeros_like(mask)
    keep, labels, box = pieces
    top, bottom, left, right = region
    out[top:bottom, left:right][box] = _labelled(keep, labels)
    return out


def _touches(mask: np.ndarray, inside: np.ndarray, line: EdgeLine) -> bool:
    """The inside's ink runs straight on from the line (no gap between them)."""
    view_mask, view_inside = side_view(mask, line.side), side_view(inside, line.side)
    return line.end < view_mask.shape[0] and bool(np.any(view_mask[line.end - 1] & view_inside[line.end]))


def _corner_joined(mask: np.ndarray, a: EdgeLine, b: EdgeLine) -> bool:
    """Two lines of adjacent sides meet in their common corner."""
    if {a.side, b.side} in ({"t", "b"}, {"l", "r"}):
        return False
    rows = a if a.side in "tb" else b
    cols = b if rows is a else a
    ys = slice(0, rows.end) if rows.side == "t" else slice(mask.shape[0] - rows.end, mask.shape[0])
    xs = slice(0, cols.end) if cols.side == "l" else slice(mask.shape[1] - cols.end, mask.shape[1])
    return bool(mask[ys, xs].any())


def _crossed_sides(mask: np.ndarray, lines: dict[str, EdgeLine], region: tuple[int, int, int, int]) -> str:
    """The sides whose line a thin piece of ink inside runs straight into from the middle of the
    image, across it: the stem of a thin T under its bar, the bar of an H between its stems, in a
    tight crop. A piece of another box line runs along the image's edge instead (it lies in the
    outer BORDER_BAND of the sides it runs along) and does not count."""
    top, bottom, left, right = region
    if bottom - top < 4 or right - left < 4:
        return ""
    count, labels, stats, box = _pieces(mask[top:bottom, left:right])
    height, width = bottom - top, right - left
    central = np.zeros(count, np.uint8)
    for k, (x, y, w, h, _) in enumerate(stats.tolist()[1:], start=1):
        if h >= w:  # runs up and down: it must keep away from the left and right edges
            central[k] = x >= BORDER_BAND * width and x + w <= (1 - BORDER_BAND) * width
        else:
            central[k] = y >= BORDER_BAND * height and y + h <= (1 - BORDER_BAND) * height
    if not central.any():
        return ""
    inside = np.zeros_like(mask)
    inside[top:bottom, left:right][box] = _labelled(central, labels)
    return "".join(s for s in SIDES if s in lines and _touches(mask, inside, lines[s]))


def _ruled_alike(lines: list[EdgeLine]) -> bool:
    """Lines as a printed box's are: one alone, or all of the same width and the same longest run
    (within RULED_ALIKE px). The two or three sides of a blank box cut from a form are; the stem and
    foot of a thin L, or the sides of a U, drawn along the edges of a tight crop are not."""
    widths = [line.end - line.start for line in lines]
    runs = [line.length for line in lines]
    return len(lines) < 2 or (np.ptp(widths) <= RULED_ALIKE and np.ptp(runs) <= 2 * RULED_ALIKE)


def stroke_sides(mask: np.ndarray, lines: dict[str, EdgeLine]) -> str:
    """The sides whose edge line may be a stroke of the character rather than a box line.

    What is left when every line is cut away is the inside. A line the inside runs into may be a
    stroke (the bar of a T in a tight crop, a glyph touching a one-sided box line); so may the lines
    at least half a stroke thick that meet it in a corner (the bars of an E at its stem). A line is a
    box line for certain when the inside does not run into it and meets no such line, when all four
    sides have one (a closed box), or when a box line for certain on another side is as thick.
    When nothing is left inside, the lines are the character only if its ink fills the image (a
    tight crop of an L, a U, a narrow 1) and they are thick for their length or, on two or three
    sides, unlike each other (`_ruled_alike`) and right on the image's edge, or when a thin piece
    across the middle of the image runs into them and the ink reaches the image's edge beyond them
    (the stem of a thin T under its bar, `_crossed_sides`): then both readings are tried, the strokes
    first.
    """
    region = _region(mask.shape, {s: line.end for s, line in lines.items()})
    pieces = _significant_pieces(mask, region)
    if pieces is None:  # the lines are all there is: a tight crop of an L, a U or a narrow 1?
        ys, xs = np.nonzero(mask)
        if len(ys) == 0 or np.ptp(ys) + 1 < TIGHT * mask.shape[0] or np.ptp(xs) + 1 < TIGHT * mask.shape[1]:
            return ""  # the ink does not fill the image as a tightly cropped character does
        on_edge = all(line.start <= TIGHT_EDGE for line in lines.values())  # strokes of a tight crop
        if len(lines) < 4 and on_edge and not _ruled_alike(list(lines.values())):
            return "".join(lines)  # lines unlike each other: pen strokes (a thin L or U on the crop's edges)
        at_edge = all(side_view(mask, s)[: TIGHT_EDGE + 1].any() for s in lines)  # a slanted bar's end
        crossed = _crossed_sides(mask, lines, region) if len(lines) < 4 and at_edge else ""
        if crossed:
            return crossed  # a stroke across the middle runs into them: the bar of a T, the stems of an H
        strokes = "".join(s for s, line in lines.items() if line.stroke_like)
        return "" if len(lines) == 4 and len(strokes) < 4 else strokes  # an empty box, unless all is pen
    if len(lines) == 4:
        return ""
    inside = _significant(mask, region, pieces)
    pen = 0.5 * stroke_width(inside)
    thick = {s for s, line in lines.items() if line.end - line.start >= pen}
    maybe = {s for s in lines if _touches(mask, inside, lines[s])}
    grown = True
    while grown:
        joined = {s for s in thick - maybe if any(_corner_joined(mask, lines[s], lines[m]) for m in maybe)}
        maybe |= joined
        grown = bool(joined)
    certain = [lines[s] for s in lines if s not in maybe]

    def like_a_box_line(line: EdgeLine) -> bool:
        width = line.end - line.start
        return any(0.6 <= width / (c.end - c.start) <= 1.6 for c in certain)

    return "".join(s for s in SIDES if s in maybe and not like_a_box_line(lines[s]))


def _cut_lines(
    upright: np.ndarray, mask: np.ndarray, lines: dict[str, EdgeLine], maybe: str
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Cut the given lines away; the inside is thresholded again on its own (a faint glyph is not
    lost to a bright border). A line that may be a stroke is cut exactly at its inner edge, a box
    line with a small margin. Returns the mask and the inner region (top, bottom, left, right).
    """
    cuts = {}
    for side, line in lines.items():
        extent = side_view(mask, side).shape[0]
        margin = 0 if side in maybe else max(1, round(0.015 * extent))
        cuts[side] = min(extent, line.end + margin)
    region = top, bottom, left, right = _region(mask.shape, cuts)
    inner = np.zeros_like(mask)
    if not cuts:
        inner[:] = mask
    elif bottom - top >= 4 and right - left >= 4:
        inner[top:bottom, left:right] = ink_mask(upright[top:bottom, left:right])
    return inner, region


def _edge_fragments(pieces: list[list[int]], region: tuple[int, int, int, int]) -> list[bool]:
    """Per component (rows of `_pieces`' statistics as lists: x, y, w, h, area): a thin line-like
    fragment touching the region's edge (a short piece of a box line). Pieces are few: plain Python."""
    top, bottom, left, right = region
    height, width = bottom - top, right - left
    thin, long = max(2, 0.1 * min(height, width)), 0.25 * min(height, width)
    fragments = []
    for x, y, w, h, _ in pieces:
        touches = x <= left or y <= top or x + w >= right or y + h >= bottom
        hugging = (w > 0.8 * width and h < 0.2 * height) or (h > 0.8 * height and w < 0.2 * width)
        fragments.append(touches and ((min(w, h) <= thin and max(w, h) >= long) or hugging))
    return fragments


def clean_glyph(
    mask: np.ndarray, region: tuple[int, int, int, int] | None = None, strict: bool = False
) -> tuple[np.ndarray, int]:
    """Keep the glyph: drop thin line fragments touching the region's edge (when a region is given,
    unless that drops everything and not `strict`: a box stood upright, where such pieces are what is
    left of lines that ran off the image), then keep the largest piece and the sizeable pieces near
    it (noise specks go). Also returns the longer side of the largest piece (0 when there is no ink)."""
    count, labels, stats, box = _pieces(mask)
    if count <= 1:
        return mask, 0
    pieces = stats.tolist()  # a few pieces: plain Python is faster than NumPy on them
    candidate = [k > 0 for k in range(count)]
    if region is not None:
        if min(region[1] - region[0], region[3] - region[2]) <= 2:
            return np.zeros_like(mask), 0
        kept = [c and not f for c, f in zip(candidate, _edge_fragments(pieces, region))]
        candidate = kept if any(kept) or strict else candidate
    biggest = max(range(count), key=lambda k: pieces[k][4] if candidate[k] else -1)  # the first of equals
    bx, by, bw, bh, big_area = pieces[biggest]
    reach = 0.35 * max(bw, bh)
    keep = np.array(
        [
            candidate[k]
            and area >= 0.08 * big_area
            and x < bx + bw + reach
            and x + w > bx - reach
            and y < by + bh + reach
            and y + h > by - reach
            for k, (x, y, w, h, area) in enumerate(pieces)
        ],
        np.uint8,
    )
    keep[biggest] = 1
    glyph = np.zeros(mask.shape, np.uint8)
    glyph[box] = _labelled(keep, labels)
    return glyph, int(max(bw, bh))


def _ink_box(mask: np.ndarray) -> np.ndarray:
    """The part of a mask around its ink, with a pixel of margin (what contours and piece counts need)."""
    x, y, w, h = cv2.boundingRect(mask)  # of the non-zero pixels
    return mask[max(0, y - 1) : y + h + 1, max(0, x - 1) : x + w + 1]


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a 0/1 mask, estimated as 2 * area / perimeter."""
    ink = _ink_box(mask)
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * cv2.countNonZero(ink) / perimeter if perimeter else 0.0


def _normalise_stroke(frame: np.ndarray) -> np.ndarray:
    """Bring the strokes of a 0/1 WORKxWORK frame towards the EMNIST width: thin strokes (below 0.7 x
    TARGET_STROKE) are thickened; very thick ones (above THICK_STROKE x) are eroded to about THIN_TO x,
    but only when that keeps every piece of the glyph (a plain erosion closed loops and broke shapes:
    thick style 0.907 with it, 0.947 without); the model is trained with thickened strokes too.
    """
    width = stroke_width(frame)
    if width <= 0:
        return frame
    if width > THICK_STROKE * TARGET_STROKE:
        radius = int(round((width - THIN_TO * TARGET_STROKE) / 2))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        thinner = cv2.erode(frame, kernel)
        pieces = cv2.connectedComponents(_ink_box(frame), connectivity=8)[0]
        if cv2.connectedComponents(_ink_box(thinner), connectivity=8)[0] == pieces:
            return thinner
        return frame
    if width >= 0.7 * TARGET_STROKE:
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
    binary = np.zeros((WORK, WORK), np.uint8)
    x0, y0 = (WORK - new_w) // 2, (WORK - new_h) // 2
    binary[y0 : y0 + new_h, x0 : x0 + new_w] = resized >= 0.5
    frame = _normalise_stroke(binary) * 255  # uint8 0/255
    soft = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), FRAME_BLUR)
    small = cv2.resize(soft, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    top = small.max()
    small = small * (255.0 / top) if top > 0 else small
    return frame, np.clip(small, 0, 255)


def _reading(
    head: Preprocessed,
    mask: np.ndarray,
    region: tuple[int, int, int, int],
    mask_step: str,
    edges: bool = True,
) -> Preprocessed:
    """From an ink mask: line fragments at the region's edge (if `edges`) and specks dropped, the
    empty test, crop, frame and 28x28 input."""
    glyph_mask, largest = clean_glyph(mask, region if edges else None, head.turned)
    steps = [*head.steps, (mask_step, glyph_mask * 255)]  # uint8 0/255
    top, bottom, left, right = region
    # a character has one stroke of real size; dust and specks, however many, do not
    if largest < MIN_STROKE_SPAN * max(min(bottom - top, right - left), 1):
        return replace(head, steps=steps, empty=True, note="no character in the box")
    x, y, w, h = cv2.boundingRect(glyph_mask)  # of the non-zero pixels
    crop = glyph_mask[y : y + h, x : x + w]
    steps.append(("cropped to the character", crop * 255))
    frame, input28 = frame_glyph(crop)
    steps.append(("centred, thin strokes thickened", frame))
    steps.append(("28x28 model input", input28.astype(np.uint8)))
    return replace(head, input28=input28, steps=steps)


def find_edge_lines(mask: np.ndarray) -> dict[str, EdgeLine]:
    """The edge line of every side that has one. Where a side has two separate bands of line rows (a
    box line and a long stroke of a glyph touching the lines across, or a neighbour's line and the
    box's own), the band as far from the edge as the lines of the sides with one band is taken
    (the innermost band when fewer than two sides have one). A line much thicker than the thinnest
    of the others has a stroke of the character lying along it: its rows that do not run along the
    whole side are cut back to the others' width (so that the foot of an L drawn on the box line is
    not taken away with the line)."""
    rows = cv2.reduce(mask, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    cols = cv2.reduce(mask, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    sums = {"t": rows, "b": rows[::-1], "l": cols, "r": cols[::-1]}
    lines = {s: line for s in SIDES if (line := find_edge_line(mask, s, sums[s])) is not None}
    settled = [line.start for line in lines.values() if line.groups == 1]
    if len(settled) >= 2:  # a side with two bands of line rows takes the one in line with the others
        near = float(statistics.median(settled))  # np.median's value, at a tenth of its cost
        for side in [s for s, line in lines.items() if line.groups > 1]:
            lines[side] = find_edge_line(mask, side, sums[side], near)
    if len(lines) >= 2:
        base = min(line.end - line.start for line in lines.values())
        for side, line in lines.items():
            if line.end - line.start > 1.5 * base + 2:
                end = max(line.core_end, line.start + round(1.25 * base) + 1)
                lines[side] = replace(line, end=min(end, line.end))
    return lines


def _combine(first: Preprocessed, *others: Preprocessed) -> Preprocessed:
    """One Preprocessed whose main reading is the first one with an input, the others its alternatives."""
    readings = [r for p in (first, *others) for r in p.readings]
    if not readings:
        return first
    main = readings[0]
    main.alternatives = readings[1:]
    return main


def doubtful(share: float, shape: tuple[int, ...], margin: float = POLARITY_DOUBT) -> bool:
    """Whether the polarity is in doubt: ink covering 50% +- margin of the box, or a narrow box."""
    return abs(share - 0.5) <= margin or min(shape[:2]) < NARROW * max(shape[:2])


def _stand_upright(upright: np.ndarray, lean: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A leaning box (white on black) turned upright, measured again and turned by what is left
    (twice at most): the image, its evened background, its ink mask and the whole lean."""
    for turns in range(3):
        turned = turn(upright, -lean)
        flat = flatten_background(turned)
        mask = ink_mask(flat)
        rest = box_lean(mask, SKEW_REST) if turns < 2 else 0.0
        if not rest:
            return turned, flat, mask, lean
        lean += rest
    raise AssertionError("unreachable")


def _read(
    gray: np.ndarray,
    upright: np.ndarray,
    inverted: bool,
    has_border: bool,
    lazy: bool = False,
    line_doubt: float = LINE_DOUBT,
) -> tuple[Preprocessed, float]:
    """The readings of one polarity, and the share of the image its ink mask covers. `lazy`: the
    reading with maybe-stroke lines removed (doubt `line_doubt`) is left to be prepared when needed
    (`Deferred`)."""
    flat = flatten_background(upright)
    mask = ink_mask(flat)
    name = "white on black" + (" (inverted)" if inverted else "")
    lines = find_edge_lines(mask) if has_border else {}
    lean = (
        box_lean(mask, upright={s: (line.start, line.end) for s, line in lines.items()})
        if has_border
        else 0.0
    )
    if lean:  # a box cut from a skewed scan: its lines are found once it stands upright
        upright, flat, mask, lean = _stand_upright(upright, lean)
        lines = find_edge_lines(mask)
        name += f", box lines stood upright (they leaned {lean:+.1f} degrees)"
    name += ", uneven background evened" if flat is not upright else ""
    head = Preprocessed(None, [("grayscale", gray), (name, flat)], inverted=inverted, turned=bool(lean))
    share = cv2.countNonZero(mask) / mask.size
    if not has_border:
        full = (0, mask.shape[0], 0, mask.shape[1])
        return _reading(head, mask, full, "ink mask, specks removed", edges=False), share
    maybe = stroke_sides(mask, lines)

    def as_box() -> Preprocessed:
        cleaned, region = _cut_lines(flat, mask, lines, maybe)
        reading = _reading(head, cleaned, region, "ink mask, box border and specks removed")
        reading.doubt = line_doubt if maybe else 0.0
        return reading

    if not maybe:
        return as_box(), share
    cut = {s: line for s, line in lines.items() if s not in maybe}
    cleaned, region = _cut_lines(flat, mask, cut, maybe)
    as_strokes = _reading(head, cleaned, region, "ink mask, edge lines kept as strokes")
    as_strokes.lines_kept = maybe
    if lazy:
        as_strokes.later = (Deferred(line_doubt, as_box),)
        return as_strokes, share
    return _combine(as_strokes, as_box()), share


def preprocess_box(
    image: np.ndarray, has_border: bool = True, lazy: bool = False, line_doubt: float = LINE_DOUBT
) -> Preprocessed:
    """Any decoded box image (gray or colour, any size) -> Preprocessed with all steps.

    `has_border=False` skips box-line removal (drawings on a blank canvas have no box). When an
    edge line may be a stroke of the character, the reading with the line kept comes first and the
    one with the line removed is its alternative, `line_doubt` less sure (CUT_LINE_DOUBT for boxes
    cut from a field). When ink and background cover about the same
    share (a thick glyph in a tight crop), the other polarity's readings are alternatives too.
    `lazy=True` leaves those alternatives in `later`, in the same order, for the recogniser to
    prepare only when the first reading is not sure enough to rule them out.
    """
    gray = to_gray8(image)
    if max(gray.shape) < 8 or min(gray.shape) < 2:
        return Preprocessed(
            None, [("grayscale", gray)], empty=True, note="image too small to hold a character"
        )
    gray = working_size(gray)
    upright, inverted = fix_polarity(gray)
    main, share = _read(gray, upright, inverted, has_border, lazy, line_doubt)
    if not doubtful(share, gray.shape, WIDE_DOUBT):
        return main
    switch = POLARITY_SWITCH if doubtful(share, gray.shape) else WIDE_SWITCH

    def other_polarity() -> Preprocessed:
        other, _ = _read(gray, 255 - upright, not inverted, has_border, line_doubt=line_doubt)
        for reading in other.readings:
            reading.doubt += switch
        return other

    if lazy:
        main.later = (*main.later, Deferred(switch, other_polarity))
        return main
    return _combine(main, other_polarity())

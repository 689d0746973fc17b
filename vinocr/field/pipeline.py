"""Find the 17 boxes (or characters) of a whole-field image, scan or phone photo.

The pipeline, one module a step (decoding is done by the caller, which holds the file):

    decode           photo.decode_photo      bytes -> upright gray image at working size
    locate the field locate.box_rows, ...    rows of boxes (or of characters) that may be the field
    rectify          rectify.rectify         a located row mapped onto an upright rectangle
    flatten light    light.flatten_light     the paper one even grey, the ink dark (a rectified row
                                             again at its own scale: rectify.flatten_field_light)
    grid             grid.find_boxes         the boxes between the grid's lines (or characters
                                             split at gaps, gaps.py), deskewed first (deskew.py)
    cut              cut.cut_boxes           each box cut inside its lines, its ink made scan-like

`find_field` runs every step after decoding. The places the field is looked for are listed, in
order, in STRATEGIES; a located row is searched as `search_row` says (refined, rectified again on
what was found, and a short row without perspective). Each attempt is judged (`implausible`) and
the first one that counts (`accepted`) stops the search. Nothing is padded or guessed: a count of
characters split at gaps never stands once a grid of half the boxes was seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.box.image_io import to_gray8
from vinocr.field.cut import scan_like
from vinocr.field.grid import find_boxes
from vinocr.field.locate import box_rows, character_rows, ink_masks, refine
from vinocr.field.quad import MIN_ROW, FieldQuad, as_quad, grid_quad, without_perspective
from vinocr.field.rectify import flatten_field_light, rectify
from vinocr.field.result import SegmentResult

REFINE_ROUNDS = 3  # a located row is refined at most this many times (search_located)
BOX_SHAPE = (0.25, 4.0)
"""Median width / height of the boxes of a grid that can be a VIN field (its boxes are about square;
a photo of a form once gave 17 strips 20 px wide and 634 px tall between uprights of its text)."""
OVERLAY_SIDE = 1280  # px: the longer side of the input drawn with the field found (for display)

InkMasks = list[tuple[bool, np.ndarray]]  # (dark_ink, ink mask) of both polarities (locate.ink_masks)
Attempt = tuple[SegmentResult, FieldQuad | None]  # what was found, and in which row (None: the image)


@dataclass(frozen=True)
class Strategy:
    """One way of looking for the field: the rows where it may lie, each with its polarity
    (`locate`), each searched with search_row; `locate` None: the image is searched as it is."""

    name: str
    locate: Callable[[np.ndarray, InkMasks, int], list[tuple[FieldQuad, bool]]] | None


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "rows of boxes (box interiors as holes of the ink)", lambda gray, masks, _: box_rows(gray, masks)
    ),
    Strategy("the image as it is (a scan needs no rectifying)", None),
    Strategy("rows of characters (ink pieces of one height in a line)", character_rows),
)
"""The places the field is looked for, in order; a later one is located only when no earlier
attempt was accepted."""


def find_field(image: np.ndarray, expected: int = 17) -> SegmentResult:
    """The `expected` boxes (or characters) of a photo or scan of the field, left to right.

    Each strategy's places are searched in turn until an attempt is accepted (characters split at
    gaps only when no attempt found the grid, see `accepted`). When none gives `expected`, the
    attempt whose count came nearest is reported. The result's `to_input` and `outlines` lead
    back to the input; `field_overlay` shows the input with the located row and the boxes found.
    """
    if expected < 1:
        raise ValueError(f"expected must be at least 1, not {expected}")
    gray = to_gray8(np.asarray(image))
    if gray.size == 0 or min(gray.shape) < 8:
        return find_boxes(gray, expected)
    tried: list[Attempt] = []
    for attempt in attempts(gray, ink_masks(gray), expected):
        tried.append(attempt)
        if accepted(tried, expected, final=False):
            break
    result, quad = accepted(tried, expected, final=True) or nearest(tried, expected)
    result.field_overlay = draw_field(gray, quad, result)
    return result


def attempts(gray: np.ndarray, masks: InkMasks, expected: int) -> Iterator[Attempt]:
    """Every attempt STRATEGIES give, in order, each judged; a strategy's rows are located only
    when the attempts before it are used up."""
    for strategy in STRATEGIES:
        if strategy.locate is None:
            yield judged((find_boxes(gray, expected), None))
            continue
        for quad, dark_ink in strategy.locate(gray, masks, expected):
            yield judged(search_row(gray, quad, dark_ink, expected))


def judged(attempt: Attempt) -> Attempt:
    """The attempt, no longer ok (and saying why) when its count cannot be the field."""
    result, quad = attempt
    reason = implausible(result, quad) if result.ok else ""
    if reason:
        result.ok = False
        result.message = f"{result.message}, but {reason}"
    return attempt


# ----------------------------------------------------------------------------- a located row


def search_row(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> Attempt:
    """A located row searched for its boxes; the count nearest `expected` is kept of:

    1. the row located precisely (`refine`) and searched (`boxes_in_row`);
    2. while that does not find every box, the row refined again in the rectified field of the
       last refinement, as long as each round finds more boxes (a longer row, its perspective
       better measured; at most REFINE_ROUNDS refinements);
    3. when a search found part of the grid, the row located again on the boxes found (their
       corners measured along the long lines, far more of them than the rough row had);
    4. when 1-3 did not find every box and the row was too short to measure its perspective on
       (quad.without_perspective), 1-3 again for the row located without perspective.
    """
    first = search_located(gray, quad, dark_ink, expected)
    parallel = None if _complete(first[0]) else without_perspective(quad)
    if parallel is None:
        return first
    return _nearer(first, search_located(gray, parallel, dark_ink, expected), expected)


def search_located(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> Attempt:
    """Steps 1-3 of search_row for one located row."""
    quad = refine(gray, quad, dark_ink, expected) or quad
    best = (boxes_in_row(gray, quad, dark_ink, expected), quad)
    for _ in range(REFINE_ROUNDS - 1):
        if _complete(best[0]):
            return best
        again = refine(gray, quad, dark_ink, expected)
        if again is None or again.count <= quad.count:
            break
        quad = again
        best = _nearer(best, (boxes_in_row(gray, quad, dark_ink, expected), quad), expected)
    on_boxes = located_on_boxes(best[0], expected)
    if on_boxes is None:
        return best
    return _nearer(best, (boxes_in_row(gray, on_boxes, dark_ink, expected), on_boxes), expected)


def boxes_in_row(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> SegmentResult:
    """Rectify, flatten the light, find the grid, cut: the boxes of a located row, their
    coordinates leading back to the input."""
    matrix, field, bow = rectify(gray, quad, expected)
    flat = flatten_field_light(field, quad, dark_ink)
    result = find_boxes(flat, expected, cut_inside=True, photographed=True)
    result.boxes = [scan_like(box) for box in result.boxes]
    result.homography = matrix
    result.bow = bow
    if bow is not None and result.rects:
        result.message += " (the row was curved, as on a curled sheet, and straightened)"
    if quad.method == "grid" and result.method == "gaps":
        # box lines too faint to cut along: the characters split at gaps must fall one into each
        # box interior found
        if _one_each(result, quad):
            if result.ok:
                result.message += ", one in each box found (the box lines are too faint to cut along)"
        else:
            result.ok = False
            result.message = f"box lines found, but not the boxes between them ({result.message})"
    return result


def located_on_boxes(result: SegmentResult, expected: int) -> FieldQuad | None:
    """The row located on the boxes a search found, when it found part of the grid (at least
    MIN_ROW boxes, fewer than `expected`); None otherwise."""
    if result.method != "grid" or not MIN_ROW <= len(result.rects) < expected:
        return None
    row = [box for box in (as_quad(outline) for outline in result.outlines()) if box is not None]
    return grid_quad(row) if len(row) >= MIN_ROW else None


def _complete(result: SegmentResult) -> bool:
    """True when a search found every box of a grid."""
    return result.ok and result.method == "grid"


def _nearer(first: Attempt, second: Attempt, expected: int) -> Attempt:
    """The attempt whose grid count comes nearer `expected` (the first when as near)."""
    miss = [abs(len(attempt[0].rects) - expected) for attempt in (first, second)]
    return second if second[0].method == "grid" and miss[1] < miss[0] else first


def _one_each(result: SegmentResult, quad: FieldQuad) -> bool:
    """True when every box interior of the located row holds exactly one of the result's rects'
    centres (in the input image)."""
    if quad.boxes is None or not result.rects:
        return False
    centres = result.to_input(result.centres).astype(np.float32)
    for box in quad.boxes.astype(np.float32):
        inside = sum(cv2.pointPolygonTest(box, (float(x), float(y)), False) >= 0 for x, y in centres)
        if inside != 1:
            return False
    return True


# ----------------------------------------------------------------------------- which attempt counts


def implausible(result: SegmentResult, quad: FieldQuad | None) -> str:
    """Why a count of `expected` cannot be the field ("" when it can).

    Boxes found in a grid must be box-shaped (BOX_SHAPE: not the strips between the long
    uprights of printed text or a table); boxes found in a row located by its box interiors must be
    about as tall as those interiors (not half boxes between a box line and a row of strokes);
    characters split at gaps must be of one height (box lines caught with them make some far taller).
    """
    heights = [float(np.ptp(outline[:, 1])) for outline in result.outlines()]
    if not heights:
        return ""
    typical = float(np.median(heights))
    if result.method == "grid":
        shape = float(np.median([w / max(h, 1) for _, _, w, h in result.rects]))
        if not BOX_SHAPE[0] <= shape <= BOX_SHAPE[1]:
            return f"the boxes found are not box-shaped (width / height {shape:.2f})"
    if result.method == "grid" and quad is not None and quad.boxes is not None:
        interior = float(np.median(np.ptp(quad.boxes[:, :, 1], axis=1)))
        if not 0.8 <= typical / max(interior, 1.0) <= 1.6:
            return "the boxes found are not the boxes of the row located"
    if result.method == "gaps" and max(heights) > 1.6 * typical:
        return "characters of very different heights (box lines caught with them)"
    return ""


def _eligible(tried: list[Attempt], expected: int) -> list[Attempt]:
    """The attempts that count: once box lines were seen (a grid of MIN_ROW boxes in a rectified
    row, or of half the boxes in the image as it is, where ruled print can pass for a few boxes),
    characters split at gaps no longer do (a count that matched there would be a guess), unless
    they were found one in each box interior of their row (_in_boxes)."""
    grid_seen = any(
        r.method == "grid" and len(r.rects) >= (MIN_ROW if q is not None else expected // 2) for r, q in tried
    )
    return [t for t in tried if t[0].method == "grid" or not grid_seen or _in_boxes(*t)]


def _in_boxes(result: SegmentResult, quad: FieldQuad | None) -> bool:
    """True for characters split at gaps in a row located by its box interiors that were found
    one in each of those boxes (boxes_in_row checked it): box lines seen elsewhere do not
    make that count a guess."""
    return result.ok and result.method == "gaps" and quad is not None and quad.method == "grid"


def accepted(tried: list[Attempt], expected: int, final: bool) -> Attempt | None:
    """The first eligible attempt that found every box in a grid; characters split at gaps only
    when every attempt has been made (`final`) and none found the grid, those of a located and
    rectified row first (the image as it is is searched only within deskew.MAX_ANGLE of
    upright: a photo turned further can give the right count of the wrong pieces)."""
    eligible = [t for t in _eligible(tried, expected) if t[0].ok]
    grid = [t for t in eligible if t[0].method == "grid"]
    if grid or not final:
        return grid[0] if grid else None
    rectified = [t for t in eligible if t[1] is not None]
    return (rectified or eligible or [None])[0]


def nearest(tried: list[Attempt], expected: int) -> Attempt:
    """The attempt that counts whose count came nearest `expected` (any attempt when none counts)."""
    return min(_eligible(tried, expected) or tried, key=lambda t: abs(len(t[0].rects) - expected))


# ----------------------------------------------------------------------------- display


def draw_field(image: np.ndarray, quad: FieldQuad | None, result: SegmentResult) -> np.ndarray:
    """BGR copy of the input, at most OVERLAY_SIDE px a side, with the located row outlined
    (blue) and every box found drawn on it (green when all were found, else red)."""
    scale = min(1.0, OVERLAY_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    overlay = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR) if small.ndim == 2 else small.copy()
    if quad is not None:
        cv2.polylines(overlay, [np.round(quad.corners * scale).astype(np.int32)], True, (230, 120, 0), 3)
    colour = (0, 170, 0) if result.ok else (0, 0, 230)
    for outline in result.outlines():
        cv2.polylines(overlay, [np.round(outline * scale).astype(np.int32)], True, colour, 2)
    return overlay

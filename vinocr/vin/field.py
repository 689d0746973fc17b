"""Find the 17 boxes (or characters) of a whole-field image, scan or phone photo.

`find_field` is what `read_field`, the CLI and the app run: each place the field may be
(vinocr.vin.rectify) is rectified and light-flattened and searched with
vinocr.vin.segment.find_boxes, boxes cut inside their lines and stretched to scan-like ink
(vinocr.vin.light.scan_like); the image as it is is searched too. Nothing is padded or guessed: a
count of characters split at gaps never stands once a grid of half the boxes was seen.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from vinocr.box.image_io import to_gray8
from vinocr.vin.light import scan_like
from vinocr.vin.rectify import (
    MIN_ROW,
    FieldQuad,
    as_quad,
    box_rows,
    character_rows,
    grid_quad,
    ink_masks,
    rectified_field,
    refine,
    without_perspective,
)
from vinocr.vin.segment import SegmentResult, find_boxes

REFINE_ROUNDS = 3  # a located row is refined at most this many times (_search_row)
OVERLAY_SIDE = 1280  # px: the longer side of the input drawn with the field found (for display)


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


def search_rectified(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> SegmentResult:
    """find_boxes in the rectified, light-flattened field; coordinates lead back to the input."""
    matrix, field = rectified_field(gray, quad, dark_ink, expected)
    result = find_boxes(field, expected, cut_inside=True)
    result.boxes = [scan_like(box) for box in result.boxes]
    result.homography = matrix
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


Attempt = tuple[SegmentResult, FieldQuad | None]


def implausible(result: SegmentResult, quad: FieldQuad | None) -> str:
    """Why a count of `expected` cannot be the field ("" when it can).

    Boxes found in a row located by its box interiors must be about as tall as those interiors
    (not half boxes between a box line and a row of strokes); characters split at gaps must be of
    one height (box lines caught with them make some far taller).
    """
    heights = [float(np.ptp(outline[:, 1])) for outline in result.outlines()]
    if not heights:
        return ""
    typical = float(np.median(heights))
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
    one in each of those boxes (search_rectified checked it): box lines seen elsewhere do not
    make that count a guess."""
    return result.ok and result.method == "gaps" and quad is not None and quad.method == "grid"


def _accepted(tried: list[Attempt], expected: int, final: bool) -> Attempt | None:
    """The first eligible attempt that found every box in a grid; characters split at gaps only
    when every attempt has been made (`final`) and none found the grid, those of a located and
    rectified row first (the image as it is is searched only within segment.MAX_ANGLE of
    upright: a photo turned further can give the right count of the wrong pieces)."""
    eligible = [t for t in _eligible(tried, expected) if t[0].ok]
    grid = [t for t in eligible if t[0].method == "grid"]
    if grid or not final:
        return grid[0] if grid else None
    rectified = [t for t in eligible if t[1] is not None]
    return (rectified or eligible or [None])[0]


def _nearer(first: Attempt, second: Attempt, expected: int) -> Attempt:
    """The attempt whose grid count comes nearer `expected` (the first when as near)."""
    miss = [abs(len(attempt[0].rects) - expected) for attempt in (first, second)]
    return second if second[0].method == "grid" and miss[1] < miss[0] else first


def _search_row(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> Attempt:
    """A located row searched (_search_located); when that does not find every box and the row
    was too short to measure its perspective on, the row located without perspective is searched
    too, and the count nearest `expected` kept."""
    first = _search_located(gray, quad, dark_ink, expected)
    flat = None if first[0].ok and first[0].method == "grid" else without_perspective(quad)
    if flat is None:
        return first
    return _nearer(first, _search_located(gray, flat, dark_ink, expected), expected)


def _search_located(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> Attempt:
    """A located row refined, rectified and searched. While that does not find every box, the
    row is refined again in the rectified field of the last refinement, as long as each round
    finds more boxes (a longer row, its perspective better measured; at most REFINE_ROUNDS);
    when a search finds part of the grid, the row is rectified again on the boxes found (their
    corners measured along the long lines, far more of them than the rough row had) and searched
    once more. The count nearest `expected` is kept."""
    quad = refine(gray, quad, dark_ink, expected) or quad
    best = (search_rectified(gray, quad, dark_ink, expected), quad)
    for _ in range(REFINE_ROUNDS - 1):
        if best[0].ok and best[0].method == "grid":
            return best
        again = refine(gray, quad, dark_ink, expected)
        if again is None or again.count <= quad.count:
            break
        quad = again
        best = _nearer(best, (search_rectified(gray, quad, dark_ink, expected), quad), expected)
    result = best[0]
    if result.method != "grid" or not MIN_ROW <= len(result.rects) < expected:
        return best
    boxes = [as_quad(outline) for outline in result.outlines()]
    row = [box for box in boxes if box is not None]
    if len(row) < MIN_ROW:
        return best
    again = grid_quad(row)
    return _nearer(best, (search_rectified(gray, again, dark_ink, expected), again), expected)


def find_field(image: np.ndarray, expected: int = 17) -> SegmentResult:
    """The `expected` boxes (or characters) of a photo or scan of the field, left to right.

    Each row of boxes found (box_rows) is refined, rectified and searched with find_boxes until
    one gives `expected` boxes; then the image as it is (a scan needs no rectifying); then each
    row of characters, rectified. Characters split at gaps are taken only when no attempt found
    the grid (see _accepted). When none gives `expected`, the attempt whose count came nearest is
    reported. The result's `to_input` and `outlines` lead back to the input;
    `field_overlay` shows the input with the located row and the boxes found.
    """
    if expected < 1:
        raise ValueError(f"expected must be at least 1, not {expected}")
    gray = to_gray8(np.asarray(image))
    if gray.size == 0 or min(gray.shape) < 8:
        return find_boxes(gray, expected)
    masks = ink_masks(gray)

    def attempts() -> Iterator[tuple[FieldQuad, bool] | None]:
        """Rows of boxes, then the image as it is (None), then rows of characters (found only
        when needed)."""
        yield from box_rows(gray, masks)
        yield None
        yield from character_rows(gray, masks, expected)

    tried: list[Attempt] = []
    for attempt in attempts():
        result, quad = (
            (find_boxes(gray, expected), None) if attempt is None else _search_row(gray, *attempt, expected)
        )
        reason = implausible(result, quad) if result.ok else ""
        if reason:
            result.ok = False
            result.message = f"{result.message}, but {reason}"
        tried.append((result, quad))
        if _accepted(tried, expected, final=False):
            break
    nearest = min(_eligible(tried, expected) or tried, key=lambda t: abs(len(t[0].rects) - expected))
    result, quad = _accepted(tried, expected, final=True) or nearest
    result.field_overlay = draw_field(gray, quad, result)
    return result

"""A box image cut from a skewed scan: the lean of its printed lines, and the image turned upright.

A box cut by a fixed rectangle from a form scanned a degree or three askew has slanted lines. The
box path looks for box lines along the rows and columns of the image, so a slanted line was not
found: it stayed in as strokes (a blank box read as a character) or clipped the glyph. The lean is
measured on the ink mask: in the middle 60% of each side, the inner edge of the first run of ink
from that side in each column, fitted with a straight line. A side counts when that ink runs along
half of it or more (a wedge of a line that ran off the image does) and lies on a straight line.
The box is turned upright when two sides or more count and all lean alike (a box's lines are
parallel or square to each other) by SKEW_MIN to SKEW_MAX degrees. A straight box is read as it
is, untouched: a line found upright that measures level ends the search.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SKEW_MIN = 0.5  # degrees: a box leaning less is read as it is
SKEW_REST = 0.25  # degrees: the lean left once upright that is still worth a second turn
SKEW_MAX = 8.0  # degrees: a lean beyond this is the writing's (a slanted bar), not the scan's
SKEW_AGREE = 0.6  # degrees: sides measured with leans further apart are not one box's lines
EDGE_BAND = 0.25  # the line is looked for in the outer quarter of each side (as box lines are)
SPAN = (0.2, 0.8)  # ... along the middle of the side, clear of the corners
COVER = 0.5  # ink must be found in this share of those columns
STRAIGHT = 1.0  # px: the ink's edge lies this close to the fitted line ...
STRAY = 0.1  # ... in all columns but this share


def _side_views(mask: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Each side's view of the mask (row 0 at that side's edge) and the sign that turns the slope of
    its edge into tan(lean), the lean counter-clockwise as seen."""
    return [(mask, -1), (mask[::-1], 1), (mask.T, 1), (mask.T[::-1], -1)]


def _edge_slope(view: np.ndarray, rows: tuple[int, int] | None = None) -> float | None:
    """Slope (rows per column) of the inner edge of the line nearest row 0 within the outer band (or
    the given rows: those of a line found there), or None when no straight line runs along the side.

    The inner edge is where the first run of ink from the side ends in each column: a box line's
    outer edge may run off the image (a wedge of it left at the image's edge) or into a neighbouring
    box's line, its inner edge does not. (Counts, not means and medians: this runs for every box.)
    """
    height, width = view.shape
    top = rows[0] if rows else 0
    bottom = min(height, max(rows[1] if rows else 0, round(EDGE_BAND * height)) + 2)  # past the line
    band = view[top:bottom, round(SPAN[0] * width) : round(SPAN[1] * width)]
    columns = band.shape[1]
    if columns < 8 or band.shape[0] < 3:
        return None
    if np.count_nonzero(band.max(axis=0)) < COVER * columns:
        return None  # ink in too few columns to run along the side (the quick test)
    if rows and band[0].all():  # a line found upright, ink all along its first row (most boxes):
        inner = (band == 0).argmax(axis=0)  # its inner edge is the first row without ink
        if inner.min() > 0 and np.ptp(inner) <= 1:
            return 0.0  # level (the quick way to the answer below)
    inked = np.maximum.accumulate(band, axis=0)  # 1 from each column's first ink row on
    ends = (inked > band).view(np.uint8)  # 1 where ink has been and is no more
    inner = ends.argmax(axis=0)  # the row where each column's first run of ink ends
    found = ends.max(axis=0).view(bool)
    count = np.count_nonzero(found)
    if count < COVER * columns:
        return None
    if count == columns and np.ptp(inner) <= 1:  # level to a pixel: under SKEW_MIN at this size
        return 0.0
    xs = np.flatnonzero(found).astype(np.float64)
    dx, dy = xs - xs.mean(), inner[found] - inner[found].mean()
    slope = float(dx @ dy) / float(dx @ dx)  # least squares
    off = np.abs(dy - slope * dx)
    if np.count_nonzero(off > STRAIGHT) > STRAY * count:
        return None  # not straight (a glyph on the line, a neighbouring box's line ending in the middle)
    return slope


def box_lean(
    mask: np.ndarray, least: float = SKEW_MIN, upright: dict[str, tuple[int, int]] | None = None
) -> float:
    """The lean of a box's printed lines in degrees (counter-clockwise as seen), or 0.0 when the
    box is straight (under `least`) or its sides do not show at least two straight lines that all
    lean alike. `upright`: the rows (from that side's edge) of the lines found along the image's
    rows or columns. They are measured first, within those rows (a neighbouring box's line
    outside them is not), and one of them that is straight settles it: the box is."""
    upright = upright or {}
    leans: list[float] = []
    views = dict(zip("tblr", _side_views(mask)))
    order = sorted(views, key=lambda s: s not in upright)
    for done, side in enumerate(order):
        if len(leans) + len(order) - done < 2:
            return 0.0  # two sides can no longer be found
        view, sign = views[side]
        slope = _edge_slope(view, upright.get(side))
        if slope is None:
            continue
        lean = math.degrees(math.atan(sign * slope))
        if side in upright and abs(lean) < least:
            return 0.0
        leans.append(lean)
        if max(leans) - min(leans) > SKEW_AGREE:
            return 0.0  # sides that lean differently: not one box's lines
    if len(leans) < 2:
        return 0.0
    lean = sum(leans) / len(leans)
    return lean if least <= abs(lean) <= SKEW_MAX else 0.0


def turn(image: np.ndarray, degrees: float) -> np.ndarray:
    """The image turned by `degrees` (counter-clockwise as seen) about its centre, at its own size,
    the corners filled from its edges. A box stands upright with `turn(image, -lean)`; a straight box
    turned by a few degrees is what a fixed rectangle cuts from a skewed scan (bench.eval_boxes --lean)."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )

"""Locate the row of boxes (or of characters) of a VIN field in a photo.

1. roughly: the box interiors are the holes of the ink mask (vinocr.field.light), and
   quadrilateral holes of similar size standing in a row are the boxes (`box_rows`); without such
   a row (no box lines, or lines too faint to close the holes), rows of handwritten characters
   are found from the ink pieces of similar height in a line (`character_rows`);
2. precisely (`refine`): the rough row is rectified, and there the box lines are looked for again
   with horizontal and vertical averaging, which brings out lines too faint for single pixels;
   the holes found there, mapped back onto the image, are the boxes.
"""

from __future__ import annotations

import cv2
import numpy as np

from vinocr.field.bow import field_to_image
from vinocr.field.light import flatten_light, line_mask
from vinocr.field.quad import MIN_BOX, MIN_ROUGH_ROW, MIN_ROW, BoxQuad, FieldQuad, as_quad, grid_quad
from vinocr.field.rectify import rectified_field, row_height

MIN_CHAR = 10  # px: the smallest character height looked for in a row without boxes
TEXT_CANDIDATES = 2  # rows of characters tried when no row of boxes leads to the field


def _height_at_left(quad: FieldQuad) -> float:
    """The height of a located row at its left end."""
    return float(np.linalg.norm(quad.corners[3] - quad.corners[0]))


def ink_masks(gray: np.ndarray) -> list[tuple[bool, np.ndarray]]:
    """(dark_ink, ink mask) of the light-flattened image in both polarities, dark ink first."""
    return [(dark_ink, flatten_light(gray, dark_ink)[1]) for dark_ink in (True, False)]


def box_rows(gray: np.ndarray, masks: list[tuple[bool, np.ndarray]]) -> list[tuple[FieldQuad, bool]]:
    """The rows of boxes of both polarities (those of MIN_ROUGH_ROW boxes or more), each with its
    polarity: first those whose polarity is that of the row's own pixels (the paper is the
    majority there; the wrong polarity can show paper as holes too), the longest first."""
    closing = np.ones((3, 3), np.uint8)  # a faint line's dotted pieces joined
    closed = [(ink, cv2.morphologyEx(mask, cv2.MORPH_CLOSE, closing)) for ink, mask in masks]
    rows = [(box_row(box_holes(mask)), ink) for ink, mask in closed]
    found = [(grid_quad(row), ink) for row, ink in rows if len(row) >= MIN_ROUGH_ROW]
    return sorted(found, key=lambda item: (item[1] != dark_ink_in(gray, item[0].corners), -item[0].count))


def dark_ink_in(gray: np.ndarray, corners: np.ndarray) -> bool:
    """True when the ink inside the polygon is darker than the paper.

    Each pixel is compared with the median around it (a third of the row's height away at most),
    which follows a shadow's edge across the row: the ink is the side with the longer tail
    (thin strokes stand far out of the paper; the paper around them does not).
    """
    x, y, w, h = cv2.boundingRect(np.round(corners).astype(np.int32))
    x0, y0 = max(0, x), max(0, y)
    crop = gray[y0 : y + h, x0 : x + w]
    if crop.size == 0:
        return True
    size = max(3, int(np.linalg.norm(corners[3] - corners[0]) / 3) | 1)
    local = cv2.medianBlur(crop, size)
    inside = np.zeros(crop.shape, np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners - [x0, y0]).astype(np.int32), 1)
    if not inside.any():
        inside[:] = 1
    offset = crop.astype(np.int16)[inside > 0] - local.astype(np.int16)[inside > 0]
    low, high = np.percentile(offset, [1, 99])
    return -float(low) >= float(high)


def character_rows(
    gray: np.ndarray, masks: list[tuple[bool, np.ndarray]], expected: int
) -> list[tuple[FieldQuad, bool]]:
    """Rows of characters (text_rows) of both polarities whose polarity is that of the row's own
    pixels, in text_rows' order, at most TEXT_CANDIDATES, each with its polarity."""
    found = [(quad, dark_ink) for dark_ink, mask in masks for quad in text_rows(mask, expected)]
    found = [(quad, dark_ink) for quad, dark_ink in found if dark_ink == dark_ink_in(gray, quad.corners)]
    found.sort(key=lambda item: (not _about(item[0].count, expected), -_height_at_left(item[0])))
    return found[:TEXT_CANDIDATES]


def refine(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> FieldQuad | None:
    """The row of boxes found again in the roughly rectified field, where faint box lines are
    brought out (line_mask); None when that finds fewer boxes than the rough row had."""
    matrix, field, bow = rectified_field(gray, quad, dark_ink, expected)
    row = box_row(box_holes(line_mask(field, row_height(quad))))
    if len(row) < max(MIN_ROW, quad.count if quad.method == "grid" else 0):
        return None
    mapped = []
    for q in row:
        again = as_quad(field_to_image(q.corners, matrix, bow))
        if again is not None:
            mapped.append(again)
    return grid_quad(mapped) if len(mapped) >= MIN_ROW else None


# ----------------------------------------------------------------------------- boxes as holes


def box_holes(mask: np.ndarray) -> list[BoxQuad]:
    """Holes of the ink mask whose outline is close to a quadrilateral of box size.

    A glyph touching the box line dents the hole, so the hole's convex hull is what is matched.
    """
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    quads = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0 or len(contour) < 4:
            continue
        area = cv2.contourArea(contour)
        if area < MIN_BOX * MIN_BOX or area > 0.05 * mask.size:
            continue
        hull = cv2.convexHull(contour)
        if area < 0.5 * cv2.contourArea(hull):
            continue
        approx = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True)
        if len(approx) == 4:
            quad = as_quad(approx.reshape(4, 2).astype(np.float64))
            if quad is not None:
                quads.append(quad)
    return quads


def _groups(linked: np.ndarray) -> list[list[int]]:
    """Connected groups of a symmetric boolean adjacency matrix."""
    seen = np.zeros(linked.shape[0], bool)
    groups = []
    for start in range(linked.shape[0]):
        if seen[start]:
            continue
        stack, group = [start], []
        seen[start] = True
        while stack:
            i = stack.pop()
            group.append(i)
            for j in np.flatnonzero(linked[i] & ~seen):
                seen[j] = True
                stack.append(int(j))
        groups.append(group)
    return groups


def box_row(quads: list[BoxQuad]) -> list[BoxQuad]:
    """The largest group of boxes standing in one row, left to right (empty when none).

    Neighbours are alike in size, at most three missed boxes apart along their sides' direction
    and at most a quarter of a box height off the line; a glyph's hole that hangs on to the row
    through a box of similar size is dropped at the end (more than 25% off the typical box).
    """
    if not quads:
        return []
    centres = np.array([q.centre for q in quads])
    widths = np.array([q.width for q in quads])
    heights = np.array([q.height for q in quads])
    directions = np.array([q.direction for q in quads])
    mean_dir = directions[:, None, :] + directions[None, :, :]
    mean_dir /= np.linalg.norm(mean_dir, axis=2, keepdims=True)
    offset = centres[None, :, :] - centres[:, None, :]
    along = np.abs(np.sum(offset * mean_dir, axis=2))
    across = np.abs(offset[:, :, 1] * mean_dir[:, :, 0] - offset[:, :, 0] * mean_dir[:, :, 1])
    size = (widths[:, None] + widths[None, :]) / 2
    alike = (np.abs(np.log(heights[:, None] / heights[None, :])) <= np.log(1.43)) & (
        np.abs(np.log(widths[:, None] / widths[None, :])) <= np.log(1.55)
    )
    linked = alike & (along >= 0.8 * size) & (along <= 5.5 * size)
    linked &= across <= 0.25 * (heights[:, None] + heights[None, :]) / 2
    rows = [row for group in _groups(linked) if (row := _typical([quads[i] for i in group]))]
    if not rows:
        return []
    best = max(rows, key=lambda row: (len(row), float(np.median([q.width * q.height for q in row]))))
    direction = np.mean([q.direction for q in best], axis=0)
    return sorted(best, key=lambda q: float(q.centre @ direction))


def _typical(group: list[BoxQuad]) -> list[BoxQuad]:
    """The boxes of a group within 25% of its typical width and height (a glyph's hole that hangs on
    to the row through a box of similar size is not one of them)."""
    width = float(np.median([q.width for q in group]))
    height = float(np.median([q.height for q in group]))
    return [q for q in group if abs(q.width / width - 1) <= 0.25 and abs(q.height / height - 1) <= 0.25]


# ----------------------------------------------------------------------------- a row of characters


def text_rows(mask: np.ndarray, expected: int) -> list[FieldQuad]:
    """Rows of characters in an ink mask, likeliest first (at most TEXT_CANDIDATES).

    Ink pieces of similar height (not long rules or whole grids) standing side by side, at most
    2.5 heights apart and within 25 degrees of horizontal, are grouped. Groups of about `expected`
    pieces (_about) come first, the tallest first (handwriting in a field is larger than printed
    text); each is bounded by a rectangle along the line through its pieces' centres.
    """
    _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    stats, centroids = stats[1:], centroids[1:]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (h >= MIN_CHAR) & (h <= 0.4 * mask.shape[0]) & (w <= 3 * h)
    stats, centroids = stats[keep], centroids[keep]
    if not MIN_ROW <= len(stats) <= 1500:
        return []
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    offsets = centroids[None, :, :] - centroids[:, None, :]
    similar = np.abs(np.log(heights[:, None] / heights[None, :])) <= np.log(1.6)
    level = np.abs(offsets[:, :, 1]) <= np.tan(np.deg2rad(25)) * np.abs(offsets[:, :, 0])
    near = np.linalg.norm(offsets, axis=2) <= 2.5 * (heights[:, None] + heights[None, :]) / 2
    groups = [g for g in _groups(similar & level & near) if len(g) >= MIN_ROW]
    groups.sort(key=lambda g: (not _about(len(g), expected), -float(np.median(heights[g]))))
    return [_text_quad(stats[g], centroids[g]) for g in groups[:TEXT_CANDIDATES]]


def _about(count: int, expected: int) -> bool:
    """True when a row of `count` ink pieces may hold `expected` characters: from half as many
    (characters joined) to twice as many (characters written in broken strokes)."""
    return expected / 2 <= count <= 2 * expected


def _text_quad(stats: np.ndarray, centres: np.ndarray) -> FieldQuad:
    """The rectangle along the line through the pieces' centres that holds all of them."""
    vx, vy = cv2.fitLine(centres.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()[:2]
    along = np.array([vx, vy]) if vx > 0 else -np.array([vx, vy])
    across = np.array([-along[1], along[0]])
    x, y, w, h = (stats[:, k].astype(np.float64) for k in range(4))
    points = np.concatenate([np.stack([x, y], 1), np.stack([x + w, y], 1), np.stack([x, y + h], 1)])
    points = np.concatenate([points, np.stack([x + w, y + h], 1)])
    u, v = points @ along, points @ across
    corners = np.array(
        [[u.min(), v.min()], [u.max(), v.min()], [u.max(), v.max()], [u.min(), v.max()]]
    ) @ np.stack([along, across])
    steps = np.diff(np.sort(centres @ along))
    pitch = max(float(np.median(steps)) if len(steps) else 0.0, 0.8 * float(np.median(h)))
    return FieldQuad(corners, pitch, len(stats), "text")

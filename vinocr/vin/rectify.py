"""Locate the row of boxes (or of characters) of a VIN field in a photo and the homography that
rectifies it.

1. field located roughly: the box interiors are the holes of the ink mask (vinocr.vin.light), and
   quadrilateral holes of similar size standing in a row are the boxes; without such a row (no
   box lines, or lines too faint to close the holes), rows of handwritten characters are found
   from the ink pieces of similar height in a line;
2. field located precisely: the rough row is rectified, and there the box lines are looked for
   again with horizontal and vertical averaging, which brings out lines too faint for single
   pixels; the holes found there, mapped back onto the image, are the boxes;
3. rectified: the row's top and bottom lines are fitted through every box corner, its ends run
   along the first and last box's sides towards the point where all box sides meet; the
   homography maps these four corners onto an upright rectangle of the size the row had in the
   image (so boxes keep the resolution they were photographed at), grown so that boxes not found
   yet stay in view.

vinocr.vin.field searches the rectified field for its boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.vin.light import flatten_light, line_mask

MIN_ROW = 5  # a row has at least this many boxes (or characters)
PERSPECTIVE_FROM = 8  # boxes: a shorter row is also tried without perspective (row_corners)
MIN_ROUGH_ROW = 3  # boxes enough to try a row (glyphs touching the lines can split the others' holes)
MIN_BOX = 18  # px: the smallest box interior side looked for (it must hold a handwritten character)
MIN_CHAR = 10  # px: the smallest character height looked for in a row without boxes
TEXT_CANDIDATES = 2  # rows of characters tried when no row of boxes leads to the field


@dataclass(frozen=True)
class FieldQuad:
    """Where a row of boxes (or characters) lies in an image."""

    corners: np.ndarray  # (4, 2) float: top-left, top-right, bottom-right, bottom-left of the row
    pitch: float  # px: distance between neighbouring boxes (or characters) along the row
    count: int  # boxes (or characters) found in it
    method: str  # "grid" (box interiors) or "text" (ink pieces in a line)
    boxes: np.ndarray | None = None  # (count, 4, 2) corners of each box interior found (grid only)


@dataclass(frozen=True)
class _Quad:
    """One box interior: corners tl, tr, br, bl and its size."""

    corners: np.ndarray  # (4, 2) float
    centre: np.ndarray  # (2,)
    width: float
    height: float
    direction: np.ndarray  # unit vector along its top and bottom sides, pointing right


# ----------------------------------------------------------------------------- boxes as holes


def as_quad(points: np.ndarray) -> _Quad | None:
    """Order 4 corner points as tl, tr, br, bl; None when the shape is far from an upright box."""
    centre = points.mean(axis=0)
    ring = points[np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))]
    tl, tr, br, bl = np.roll(ring, -int(np.argmin(ring.sum(axis=1))), axis=0)  # clockwise on screen
    top, bottom = tr - tl, br - bl
    width = (np.linalg.norm(top) + np.linalg.norm(bottom)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if min(width, height) < MIN_BOX or not 0.4 <= height / width <= 2.5:
        return None
    along = top / np.linalg.norm(top) + bottom / np.linalg.norm(bottom)
    direction = along / max(float(np.linalg.norm(along)), 1e-9)
    if direction[0] < np.cos(np.deg2rad(40)):
        return None
    corners = np.stack([tl, tr, br, bl]).astype(np.float64)
    return _Quad(corners, centre, float(width), float(height), direction)


def box_holes(mask: np.ndarray) -> list[_Quad]:
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


def box_row(quads: list[_Quad]) -> list[_Quad]:
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
    best = [quads[i] for i in max(_groups(linked), key=len)]
    width = float(np.median([q.width for q in best]))
    height = float(np.median([q.height for q in best]))
    best = [q for q in best if abs(q.width / width - 1) <= 0.25 and abs(q.height / height - 1) <= 0.25]
    direction = np.mean([q.direction for q in best], axis=0)
    return sorted(best, key=lambda q: float(q.centre @ direction))


# ----------------------------------------------------------------------------- geometry


def _line_through(points: np.ndarray) -> np.ndarray:
    """Homogeneous line (a, b, c), a^2 + b^2 = 1, fitted robustly through (N, 2) points."""
    vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array([-vy, vx, vy * x0 - vx * y0], np.float64)


def _vanishing_point(
    segments: list[tuple[np.ndarray, np.ndarray]], centre: np.ndarray, scale: float
) -> np.ndarray:
    """Homogeneous point where the segments' lines meet (least squares; at infinity when parallel).

    Computed in coordinates centred on `centre` and divided by `scale` for a well-posed fit; the
    segments pointing furthest away from the first fit (a box side bent by a glyph touching it)
    are left out of a second one.
    """
    back = np.array([[scale, 0, centre[0]], [0, scale, centre[1]], [0, 0, 1]])
    lines, middles = [], []
    for p, q in segments:
        a, b = np.append((p - centre) / scale, 1.0), np.append((q - centre) / scale, 1.0)
        line = np.cross(a, b)
        lines.append(line / max(float(np.linalg.norm(line[:2])), 1e-12))
        middles.append((a + b) / 2)
    lines_arr = np.array(lines)
    point = np.linalg.svd(lines_arr)[2][-1]
    # off-line distance of the point relative to its distance from each segment: the sine of
    # the angle by which the segment misses it
    toward = point[None, :2] - np.array(middles)[:, :2] * point[2]
    miss = np.abs(lines_arr @ point) / np.maximum(np.linalg.norm(toward, axis=1), 1e-12)
    keep = miss <= max(2.0 * float(np.median(miss)), np.sin(np.deg2rad(1.0)))
    if keep.sum() >= 3 and not keep.all():
        point = np.linalg.svd(lines_arr[keep])[2][-1]
    return back @ point


def _meet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two homogeneous lines as an (x, y) point."""
    p = np.cross(a, b)
    return p[:2] / p[2]


def row_corners(row: list[_Quad], perspective: bool = True) -> np.ndarray:
    """(4, 2) corners tl, tr, br, bl of a row of boxes: the top and bottom lines fitted through
    every box's corners, the ends along the first and last box's sides, aimed at the point where
    all box sides meet.

    Without `perspective`, the top and bottom lines are fitted parallel and the ends run along
    the mean box side: a short row can be too short to measure perspective on (a pixel off at a
    corner makes its lines meet a few rows away, and the field extrapolated from it shrinks or
    stretches); the boxes found in the rectified row then give the perspective.
    """
    corners = np.stack([q.corners for q in row])  # (N, 4, 2)
    tops, bottoms = corners[:, :2].reshape(-1, 2), corners[:, 2:].reshape(-1, 2)
    sides = [(q.corners[0], q.corners[3]) for q in row] + [(q.corners[1], q.corners[2]) for q in row]
    if perspective:
        top, bottom = _line_through(tops), _line_through(bottoms)
        centre = corners.reshape(-1, 2).mean(axis=0)
        vanish = _vanishing_point(sides, centre, float(np.ptp(corners[:, :, 0])) + 1)
    else:
        along = _line_through(np.concatenate([tops - tops.mean(axis=0), bottoms - bottoms.mean(axis=0)]))
        top, bottom = (_parallel(along, points.mean(axis=0)) for points in (tops, bottoms))
        down = np.mean([(b - a) / max(float(np.linalg.norm(b - a)), 1e-9) for a, b in sides], axis=0)
        vanish = np.array([down[0], down[1], 0.0])  # the sides' common direction, at infinity
    left = np.cross(np.append((row[0].corners[0] + row[0].corners[3]) / 2, 1.0), vanish)
    right = np.cross(np.append((row[-1].corners[1] + row[-1].corners[2]) / 2, 1.0), vanish)
    return np.stack([_meet(top, left), _meet(top, right), _meet(bottom, right), _meet(bottom, left)])


def _parallel(line: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The homogeneous line parallel to `line` through `point`."""
    return np.array([line[0], line[1], -(line[0] * point[0] + line[1] * point[1])])


def _pitch(row: list[_Quad]) -> float:
    """Distance between neighbouring boxes: the steps between found boxes, a missed box counted."""
    steps = np.linalg.norm(np.diff([q.centre for q in row], axis=0), axis=1)
    if len(steps) == 0:
        return row[0].width * 1.1
    counts = np.maximum(1, np.round(steps / float(np.min(steps))))
    return float(np.median(steps / counts))


def grid_quad(row: list[_Quad], perspective: bool = True) -> FieldQuad:
    """The FieldQuad of a row of boxes (see row_corners for `perspective`)."""
    corners = row_corners(row, perspective)
    return FieldQuad(corners, _pitch(row), len(row), "grid", np.stack([q.corners for q in row]))


def without_perspective(quad: FieldQuad) -> FieldQuad | None:
    """The same row of boxes located without perspective (row_corners); None for a row of
    characters or one of PERSPECTIVE_FROM boxes or more, long enough to measure it on."""
    if quad.method != "grid" or quad.boxes is None or quad.count >= PERSPECTIVE_FROM:
        return None
    row = [box for box in (as_quad(corners) for corners in quad.boxes) if box is not None]
    return grid_quad(row, perspective=False) if len(row) >= MIN_ROUGH_ROW else None


def rectifying_homography(
    quad: FieldQuad, expected: int, image_shape: tuple[int, ...]
) -> tuple[np.ndarray, tuple[int, int]]:
    """3x3 homography from the image onto an upright field, and the field's size (w, h).

    The row keeps the size it had in the image (the mean of its opposite sides). It is grown
    above and below (by half its height; a row of characters by its height, the box lines being
    outside the characters) and at both ends by one pitch more than the boxes not found yet
    (three for characters, which may be counted in pieces), as far as the image reaches.
    """
    tl, tr, br, bl = quad.corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    grid = quad.method == "grid"
    margin_y = (0.8 if grid else 1.0) * height
    upright = np.array(
        [[0, margin_y], [width, margin_y], [width, margin_y + height], [0, margin_y + height]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad.corners.astype(np.float32), upright)
    reach = (max(0, expected - quad.count) + (1 if grid else 3)) * quad.pitch
    xs = np.linspace(-reach, width + reach, 400)
    back = np.linalg.inv(matrix) @ np.stack([xs, np.full_like(xs, margin_y + height / 2), np.ones_like(xs)])
    with np.errstate(divide="ignore", invalid="ignore"):
        px, py = back[0] / back[2], back[1] / back[2]
    rows, cols = image_shape[:2]
    inside = (back[2] > 0) & (px >= 0) & (px < cols) & (py >= 0) & (py < rows)
    inside |= (xs >= 0) & (xs <= width)  # the row itself always stays
    left, right = float(xs[inside].min()), float(xs[inside].max())
    shift = np.array([[1, 0, -left], [0, 1, 0], [0, 0, 1]], np.float64)
    return shift @ matrix, (int(np.ceil(right - left)), int(np.ceil(height + 2 * margin_y)))


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


# ----------------------------------------------------------------------------- locating


def _row_height(quad: FieldQuad) -> float:
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
    found.sort(key=lambda item: (not _about(item[0].count, expected), -_row_height(item[0])))
    return found[:TEXT_CANDIDATES]


def rectified_field(
    gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int
) -> tuple[np.ndarray, np.ndarray]:
    """(3x3 homography image -> field, the rectified field with its light flattened).

    The light is flattened after rectifying, at the field's own scale (a closing 0.4 box heights
    wide at full resolution), so it follows a shadow's edge to the pixel.
    """
    matrix, size = rectifying_homography(quad, expected, gray.shape)
    field = cv2.warpPerspective(gray, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    tl, _, _, bl = quad.corners
    box_height = float(np.linalg.norm(bl - tl)) * (1.0 if quad.method == "grid" else 1.4)
    kernel = max(5, int(0.4 * box_height) | 1)
    return matrix, flatten_light(field, dark_ink, kernel, 1)[0]


def refine(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> FieldQuad | None:
    """The row of boxes found again in the roughly rectified field, where faint box lines are
    brought out (line_mask); None when that finds fewer boxes than the rough row had."""
    matrix, field = rectified_field(gray, quad, dark_ink, expected)
    tl, _, _, bl = quad.corners
    row_height = float(np.linalg.norm(bl - tl)) * (1.0 if quad.method == "grid" else 1.4)
    row = box_row(box_holes(line_mask(field, row_height)))
    if len(row) < max(MIN_ROW, quad.count if quad.method == "grid" else 0):
        return None
    back = np.linalg.inv(matrix)
    mapped = []
    for q in row:
        again = as_quad(cv2.perspectiveTransform(q.corners.reshape(-1, 1, 2), back).reshape(4, 2))
        if again is not None:
            mapped.append(again)
    return grid_quad(mapped) if len(mapped) >= MIN_ROW else None

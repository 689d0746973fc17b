"""Find the VIN field in a photo, undo its perspective and flatten its light.

A phone photo shows the form tilted (perspective), rotated, unevenly lit and shadowed. Steps:

1. light flattened: each pixel divided by the local paper brightness (a grey closing on a 1/4
   image, which keeps a shadow's edge where it is), in both polarities;
2. field located roughly: the box interiors are the holes of the ink mask, and quadrilateral
   holes of similar size standing in a row are the boxes; without such a row (no box lines, or
   lines too faint to close the holes), the row of handwritten characters is found from the ink
   pieces of similar height in a line;
3. field located precisely: the rough row is rectified, and there the box lines are looked for
   again with horizontal and vertical averaging, which brings out lines too faint for single
   pixels; the holes found there, mapped back onto the image, are the boxes;
4. rectified: the row's top and bottom lines are fitted through every box corner, its ends run
   along the first and last box's sides towards the point where all box sides meet; the
   homography maps these four corners onto an upright rectangle of the size the row had in the
   image (so boxes keep the resolution they were photographed at), grown so that boxes not found
   yet stay in view.

`find_field` then cuts the boxes from the rectified, light-flattened field (dark ink on even
paper, like a scan) with `vinocr.vin.segment.find_boxes`, and maps everything back onto the image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.box.image_io import to_gray8
from vinocr.vin.segment import LINE_KERNEL, SegmentResult, find_boxes

MIN_ROW = 5  # a row has at least this many boxes (or characters)
MIN_ROUGH_ROW = 3  # boxes enough to try a row (glyphs touching the lines can split the others' holes)
MIN_BOX = 18  # px: the smallest box interior side looked for (it must hold a handwritten character)
MIN_CHAR = 10  # px: the smallest character height looked for in a row without boxes
PAPER = 235  # brightness of the paper in a flattened image
DARK_SURROUND = 0.3  # paper darker than this share of the brightest is no paper (shadows reach ~0.36)
TEXT_CANDIDATES = 2  # rows of characters tried when no row of boxes leads to the field
OVERLAY_SIDE = 1280  # px: the longer side of the input drawn with the field found (for display)


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


# ----------------------------------------------------------------------------- light


def paper_level(gray: np.ndarray, dark_ink: bool = True, size: int = 9, reduce: int = 4) -> np.ndarray:
    """Float32 (H, W) local paper brightness (of `255 - gray` when the ink is light).

    A grey closing with a `size` px square on a 1/`reduce` image removes ink narrower than about
    size x reduce px and, unlike a blur, keeps a step such as a shadow's edge where it is.
    """
    work = gray if dark_ink else 255 - gray
    h, w = work.shape
    small = work
    if reduce > 1:
        small = cv2.resize(work, (max(1, w // reduce), max(1, h // reduce)), interpolation=cv2.INTER_AREA)
    level = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
    if reduce > 1:
        level = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(level.astype(np.float32), 8.0)


def noise_sigma(image: np.ndarray) -> float:
    """Pixel noise of an image: the robust spread of differences between horizontal neighbours."""
    sample = image[:: max(1, image.shape[0] // 200)].astype(np.float32)
    diffs = np.diff(sample, axis=1)[:, :: max(1, image.shape[1] // 500)]
    return max(1.0, 1.4826 * float(np.median(np.abs(diffs - np.median(diffs)))) / np.sqrt(2.0))


def flatten_light(
    gray: np.ndarray, dark_ink: bool = True, size: int = 9, reduce: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """(flattened uint8 image, 0/1 ink mask) of a gray image (paper_level's `size` and `reduce`).

    Flattened: each pixel over its local paper brightness, times PAPER, so the light is even and
    the ink is dark whatever its polarity was. Ink: see _below_paper (on a dark desk the noise is
    large for its brightness, so the 6% is needed too), as it is
    or after a light smoothing (sigma 1 px, for faint lines in a noisy photo). Where
    the "paper" is below DARK_SURROUND of the brightest (a dark desk around the sheet, far darker
    than any shadow), the division would only magnify noise: that is left blank.
    """
    work = gray if dark_ink else 255 - gray
    level = paper_level(gray, dark_ink, size, reduce)
    values = work.astype(np.float32)
    flat = np.clip(values * (PAPER / level), 0, 255).astype(np.uint8)
    paper = level >= DARK_SURROUND * float(np.percentile(level[::4, ::4], 90))
    mask = _below_paper(level, values, paper)
    # in a noisy photo a faint line is lost in single pixels; lightly smoothed, it stands out
    mask |= _below_paper(level, cv2.GaussianBlur(values, (0, 0), 1.0), paper)
    flat[~paper] = PAPER
    mask &= paper
    return flat, mask.astype(np.uint8)


def _below_paper(level: np.ndarray, values: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Pixels darker than the local paper level by 4 robust sigmas more than paper pixels usually
    are (the level is a local maximum, so paper itself lies a little below it) and by 6%."""
    drop = level - values
    step = max(1, int(np.sqrt(drop.size / 40000)))
    sample = drop[::step, ::step][paper[::step, ::step]]
    if sample.size == 0:
        return np.zeros(drop.shape, bool)
    median = float(np.median(sample))
    spread = max(1.0, 1.4826 * float(np.median(np.abs(sample - median))))
    return (drop > median + 4.0 * spread) & (drop > 0.06 * level)


def line_mask(flat: np.ndarray, row_height: float) -> np.ndarray:
    """0/1 ink mask of a flattened, roughly upright field, with faint box lines brought out.

    Darkness averaged over 15 px along the rows (and over 9 px along the columns) stands out of
    the noise where single pixels do not; only its pixels that are themselves a little dark (2
    sigmas), in long horizontal runs (LINE_KERNEL px) or vertical runs of half a row's height, are
    added to the plain ink mask, so glyph strokes do not swell.
    """
    dark = np.maximum(0.0, PAPER - flat.astype(np.float32))
    sigma = noise_sigma(flat)
    mask = (dark > max(4.0 * sigma, 0.06 * PAPER)).astype(np.uint8)
    for size, run in (((15, 1), (1, LINE_KERNEL)), ((1, 9), (max(9, int(0.5 * row_height)), 1))):
        response = cv2.blur(dark, size)
        sample = response[:: max(1, response.shape[0] // 100), :: max(1, response.shape[1] // 300)]
        median = float(np.median(sample))
        spread = 1.4826 * float(np.median(np.abs(sample - median)))
        lit = (response >= median + max(6.0 * spread, 4.0)) & (dark > 2.0 * sigma)  # no halo
        mask |= cv2.morphologyEx(lit.astype(np.uint8), cv2.MORPH_OPEN, np.ones(run[::-1], np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))  # dotted lines joined


# ----------------------------------------------------------------------------- boxes as holes


def _as_quad(points: np.ndarray) -> _Quad | None:
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
            quad = _as_quad(approx.reshape(4, 2).astype(np.float64))
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


def row_corners(row: list[_Quad]) -> np.ndarray:
    """(4, 2) corners tl, tr, br, bl of a row of boxes: the top and bottom lines fitted through
    every box's corners, the ends along the first and last box's sides, aimed at the point where
    all box sides meet."""
    corners = np.stack([q.corners for q in row])  # (N, 4, 2)
    top = _line_through(corners[:, :2].reshape(-1, 2))
    bottom = _line_through(corners[:, 2:].reshape(-1, 2))
    sides = [(q.corners[0], q.corners[3]) for q in row] + [(q.corners[1], q.corners[2]) for q in row]
    vanish = _vanishing_point(sides, corners.reshape(-1, 2).mean(axis=0), float(np.ptp(corners[:, :, 0])) + 1)
    left = np.cross(np.append((row[0].corners[0] + row[0].corners[3]) / 2, 1.0), vanish)
    right = np.cross(np.append((row[-1].corners[1] + row[-1].corners[2]) / 2, 1.0), vanish)
    return np.stack([_meet(top, left), _meet(top, right), _meet(bottom, right), _meet(bottom, left)])


def _pitch(row: list[_Quad]) -> float:
    """Distance between neighbouring boxes: the steps between found boxes, a missed box counted."""
    steps = np.linalg.norm(np.diff([q.centre for q in row], axis=0), axis=1)
    if len(steps) == 0:
        return row[0].width * 1.1
    counts = np.maximum(1, np.round(steps / float(np.min(steps))))
    return float(np.median(steps / counts))


def grid_quad(row: list[_Quad]) -> FieldQuad:
    """The FieldQuad of a row of boxes."""
    return FieldQuad(row_corners(row), _pitch(row), len(row), "grid", np.stack([q.corners for q in row]))


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
    pieces come first, the tallest first (handwriting in a field is larger than printed text);
    each is bounded by a rectangle along the line through its pieces' centres.
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
    groups.sort(key=lambda g: (abs(len(g) - expected) > 6, -float(np.median(heights[g]))))
    return [_text_quad(stats[g], centroids[g]) for g in groups[:TEXT_CANDIDATES]]


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
    """True when the ink inside the polygon is darker than the paper: the median pixel there (the
    paper) is nearer the bright end than the dark end."""
    x, y, w, h = cv2.boundingRect(np.round(corners).astype(np.int32))
    x0, y0 = max(0, x), max(0, y)
    crop = gray[y0 : y + h, x0 : x + w]
    if crop.size == 0:
        return True
    inside = np.zeros(crop.shape, np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners - [x0, y0]).astype(np.int32), 1)
    values = crop[inside > 0] if inside.any() else crop.ravel()
    low, high = np.percentile(values, [2, 98])
    return float(np.median(values)) > (low + high) / 2


def character_rows(
    gray: np.ndarray, masks: list[tuple[bool, np.ndarray]], expected: int
) -> list[tuple[FieldQuad, bool]]:
    """Rows of characters (text_rows) of both polarities whose polarity is that of the row's own
    pixels, in text_rows' order, at most TEXT_CANDIDATES, each with its polarity."""
    found = [(quad, dark_ink) for dark_ink, mask in masks for quad in text_rows(mask, expected)]
    found = [(quad, dark_ink) for quad, dark_ink in found if dark_ink == dark_ink_in(gray, quad.corners)]
    found.sort(key=lambda item: (abs(item[0].count - expected) > 6, -_row_height(item[0])))
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
        again = _as_quad(cv2.perspectiveTransform(q.corners.reshape(-1, 1, 2), back).reshape(4, 2))
        if again is not None:
            mapped.append(again)
    return grid_quad(mapped) if len(mapped) >= MIN_ROW else None


# ----------------------------------------------------------------------------- the whole path


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


def scan_like(box: np.ndarray) -> np.ndarray:
    """A cut from a flattened field with its ink stretched to scan-like darkness.

    A thin stroke blurred by the camera can be only a few dozen grey levels below the paper; when
    the cut's darkest 1% stand well out of its noise (6 sigmas below the paper), the contrast is
    stretched (at most 4 times) so that they become nearly black. The paper stays where it is.
    """
    values = box.astype(np.float32)
    paper = float(np.median(values))
    darkest = float(np.percentile(values, 1))
    depth = paper - darkest
    if depth <= 6.0 * noise_sigma(box) or depth <= 0:
        return box
    gain = min(4.0, max(1.0, (paper - 20.0) / depth))
    return np.clip(paper - (paper - values) * gain, 0, 255).astype(np.uint8)


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


def _eligible(tried: list[Attempt], expected: int) -> list[Attempt]:
    """The attempts that count: once box lines were seen (a grid of half the boxes or more),
    characters split at gaps no longer do (a count that matched there would be a guess)."""
    grid_seen = any(r.method == "grid" and len(r.rects) >= expected // 2 for r, _ in tried)
    return [t for t in tried if t[0].method == "grid" or not grid_seen]


def _accepted(tried: list[Attempt], expected: int, final: bool) -> Attempt | None:
    """The first eligible attempt that found every box in a grid; characters split at gaps only
    when every attempt has been made (`final`) and none found the grid."""
    eligible = [t for t in _eligible(tried, expected) if t[0].ok]
    grid = [t for t in eligible if t[0].method == "grid"]
    return grid[0] if grid else (eligible[0] if eligible and final else None)


def _search_row(gray: np.ndarray, quad: FieldQuad, dark_ink: bool, expected: int) -> Attempt:
    """A located row refined, rectified and searched; when that finds part of the grid, the row
    is rectified again on the boxes found (their corners measured along the long lines, far more
    of them than the rough row had) and searched once more, and the better count kept."""
    quad = refine(gray, quad, dark_ink, expected) or quad
    result = search_rectified(gray, quad, dark_ink, expected)
    if result.method != "grid" or not MIN_ROW <= len(result.rects) < expected:
        return result, quad
    boxes = [_as_quad(outline) for outline in result.outlines()]
    row = [box for box in boxes if box is not None]
    if len(row) < MIN_ROW:
        return result, quad
    again = grid_quad(row)
    second = search_rectified(gray, again, dark_ink, expected)
    if second.method == "grid" and abs(len(second.rects) - expected) < abs(len(result.rects) - expected):
        return second, again
    return result, quad


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
        if attempt is None:
            tried.append((find_boxes(gray, expected), None))
        else:
            tried.append(_search_row(gray, *attempt, expected))
        if _accepted(tried, expected, final=False):
            break
    nearest = min(_eligible(tried, expected) or tried, key=lambda t: abs(len(t[0].rects) - expected))
    result, quad = _accepted(tried, expected, final=True) or nearest
    result.field_overlay = draw_field(gray, quad, result)
    return result

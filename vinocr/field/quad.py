"""Where a row of boxes (or characters) lies in an image: `FieldQuad`, one box interior
(`BoxQuad`), and the geometry of a row: its top and bottom lines fitted through every box corner,
its ends along the first and last box's sides towards the point where all box sides meet."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_ROW = 5  # a row has at least this many boxes (or characters)
MIN_ROUGH_ROW = 3  # boxes enough to try a row (glyphs touching the lines can split the others' holes)
PERSPECTIVE_FROM = 8  # boxes: a shorter row is also tried without perspective (row_corners)
MIN_BOX = 18  # px: the smallest box interior side looked for (it must hold a handwritten character)


@dataclass(frozen=True)
class FieldQuad:
    """Where a row of boxes (or characters) lies in an image."""

    corners: np.ndarray  # (4, 2) float: top-left, top-right, bottom-right, bottom-left of the row
    pitch: float  # px: distance between neighbouring boxes (or characters) along the row
    count: int  # boxes (or characters) found in it
    method: str  # "grid" (box interiors) or "text" (ink pieces in a line)
    boxes: np.ndarray | None = None  # (count, 4, 2) corners of each box interior found (grid only)


@dataclass(frozen=True)
class BoxQuad:
    """One box interior: corners tl, tr, br, bl and its size."""

    corners: np.ndarray  # (4, 2) float
    centre: np.ndarray  # (2,)
    width: float
    height: float
    direction: np.ndarray  # unit vector along its top and bottom sides, pointing right


def as_quad(points: np.ndarray) -> BoxQuad | None:
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
    return BoxQuad(corners, centre, float(width), float(height), direction)


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


def row_corners(row: list[BoxQuad], perspective: bool = True) -> np.ndarray:
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


def _pitch(row: list[BoxQuad]) -> float:
    """Distance between neighbouring boxes: the steps between found boxes, a missed box counted."""
    steps = np.linalg.norm(np.diff([q.centre for q in row], axis=0), axis=1)
    if len(steps) == 0:
        return row[0].width * 1.1
    counts = np.maximum(1, np.round(steps / float(np.min(steps))))
    return float(np.median(steps / counts))


def grid_quad(row: list[BoxQuad], perspective: bool = True) -> FieldQuad:
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

"""What a hand-held phone does to a photo of a form that a flat sheet under one homography does not:
paper that curls, a lens that bends straight lines, a hand that shakes.

* ``bend``: the sheet curls, so the field's row bows (a parabola across the sheet's width; the boxes
  at its ends lean by up to ``4 x bend`` radians);
* ``lens``: barrel distortion; a point at the frame's corner is pulled in by ``lens`` of its distance
  from the centre, the middle not at all;
* ``motion``: a straight blur ``motion`` px long (in a 2000-px-wide frame; scaled with the frame) at
  a random angle (camera shake).

Every function maps the known box centres with the image, so a benchmark still knows where each
box is. Used by `bench.eval_photos --bend/--lens/--motion`; nothing here is drawn unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Faults:
    """How far each fault goes in one photo (0 = absent)."""

    bend: float = 0.0  # signed: bow at the middle of the sheet, as a share of its width (+ = down)
    lens: float = 0.0  # barrel strength (share of the corner's distance it is pulled in by)
    motion: float = 0.0  # px in a 2000-px-wide frame: length of the shake blur
    motion_angle: float = 0.0  # degrees

    def __bool__(self) -> bool:
        return bool(self.bend or self.lens or self.motion)


NO_FAULTS = Faults()


def random_faults(rng: np.random.Generator, bend: float, lens: float, motion: float) -> Faults:
    """Each requested fault at 0.5-1 times its given maximum (a bend up or down, a shake at any angle);
    a maximum of 0 leaves the fault out. Draws from `rng` only for the faults asked for."""
    drawn = Faults()
    if bend:
        drawn = Faults(bend=float(rng.uniform(0.5, 1.0) * bend * rng.choice([-1.0, 1.0])))
    if lens:
        drawn = Faults(drawn.bend, lens=float(rng.uniform(0.5, 1.0) * lens))
    if motion:
        length, angle = float(rng.uniform(0.5, 1.0) * motion), float(rng.uniform(0.0, 180.0))
        drawn = Faults(drawn.bend, drawn.lens, length, angle)
    return drawn


def bend_sheet(sheet: np.ndarray, centres: np.ndarray, bow: float) -> tuple[np.ndarray, np.ndarray]:
    """(bent sheet, moved (N, 2) centres): each column shifted down by bow x width x (1 - u^2), u
    running -1..1 across the sheet. The sheet grows by the bow above and below, in its paper's grey."""
    height, width = sheet.shape
    reach = int(np.ceil(abs(bow) * width)) + 2
    paper = int(np.median(sheet))
    padded = cv2.copyMakeBorder(sheet, reach, reach, 0, 0, cv2.BORDER_CONSTANT, value=paper)

    def drop(x: np.ndarray) -> np.ndarray:
        u = 2.0 * x / max(width - 1, 1) - 1.0
        return bow * width * (1.0 - u * u)

    xs = np.arange(width, dtype=np.float32)
    map_x = np.broadcast_to(xs, padded.shape).copy()
    map_y = (np.arange(padded.shape[0], dtype=np.float32)[:, None] - drop(xs)[None, :]).astype(np.float32)
    bent = cv2.remap(padded, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    moved = centres.astype(np.float64) + [0.0, reach]
    moved[:, 1] += drop(moved[:, 0])
    return bent, moved


def _lens_frame(shape: tuple[int, ...]) -> tuple[float, float, float]:
    """(centre x, centre y, centre-to-corner distance) of an image."""
    cx, cy = (shape[1] - 1) / 2.0, (shape[0] - 1) / 2.0
    return cx, cy, float(np.hypot(cx, cy))


def barrel(image: np.ndarray, strength: float) -> np.ndarray:
    """The image seen through a lens with barrel distortion: the pixel at distance r from the
    centre shows what lay at r x (1 + strength x (r / corner)^2)."""
    cx, cy, corner = _lens_frame(image.shape)
    ys, xs = np.indices(image.shape[:2], dtype=np.float32)
    xs -= cx
    ys -= cy
    factor = 1.0 + strength * (xs * xs + ys * ys) / corner**2
    return cv2.remap(
        image, cx + xs * factor, cy + ys * factor, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def barrel_points(points: np.ndarray, shape: tuple[int, ...], strength: float) -> np.ndarray:
    """Where (N, 2) points of the undistorted image appear after `barrel` (Newton on the radius)."""
    cx, cy, corner = _lens_frame(shape)
    offset = points.astype(np.float64) - [cx, cy]
    wanted = np.hypot(offset[:, 0], offset[:, 1]) / corner  # r x (1 + s r^2) must equal this
    r = wanted.copy()
    for _ in range(20):
        r -= (r + strength * r**3 - wanted) / (1.0 + 3.0 * strength * r**2)
    scale = np.divide(r, wanted, out=np.ones_like(r), where=wanted > 0)
    return offset * scale[:, None] + [cx, cy]


def shake(image: np.ndarray, length: float, angle: float) -> np.ndarray:
    """A straight motion blur `length` px long at `angle` degrees."""
    size = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((size, size), np.float32)
    half, rad = (size - 1) / 2.0, np.deg2rad(angle)
    tip = np.array([np.cos(rad), -np.sin(rad)]) * length / 2.0
    start = np.round([half - tip[0], half - tip[1]]).astype(int)
    end = np.round([half + tip[0], half + tip[1]]).astype(int)
    cv2.line(kernel, tuple(int(v) for v in start), tuple(int(v) for v in end), 1.0, 1, cv2.LINE_AA)
    return cv2.filter2D(image, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REPLICATE)

"""Handwriting conventions that EMNIST lacks, as mouse strokes on the Draw page's 280x280 canvas:
a slashed zero, a 1 with a long flag and a foot, a barred 7 and a barred Z (issue 20).

The browser test moves the mouse through these points; the fast test renders the very same points
with OpenCV into an RGBA array like the one the canvas returns. Shared here so both draw alike.
"""

from __future__ import annotations

import cv2
import numpy as np

CANVAS_SIDE = 280  # the Draw page's one-character canvas (px)
PEN_WIDTH = 18  # the Draw page's default stroke width for one character (px)
STEP_PX = 7.0  # distance between successive mouse positions along a stroke
WOBBLE_PX = 2.5  # the hand's wobble: smooth deviations of about this size
SLANT = 0.2  # a right-leaning hand: x moves right by this much per px up (about 11 degrees)

Stroke = list[tuple[float, float]]


def _oval(cx: float, cy: float, rx: float, ry: float, start_deg: float, sweep_deg: float) -> Stroke:
    """Key points of an elliptic arc (counter-clockwise on screen for a negative sweep)."""
    angles = np.radians(start_deg + np.linspace(0.0, sweep_deg, 25))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


# name -> (character the Draw page must show, strokes in canvas pixels, in the order a person draws)
DRAWINGS: dict[str, tuple[str, list[Stroke]]] = {
    "slashed_zero": (
        "0",
        [
            # an oval from the top, round to the left and back, closing a little past where it began
            _oval(140, 145, 52, 84, -80, -380),
            # the slash, from upper right to lower left, through the oval and a little past it
            [(196, 44), (84, 246)],
        ],
    ),
    "one_with_flag_and_foot": (
        "1",
        [
            # the long flag, written from the top down to the left, then the stem from the top down
            [(150, 52), (86, 128)],
            [(150, 52), (150, 236)],
            # the foot: a horizontal bar under the stem
            [(104, 236), (196, 236)],
        ],
    ),
    "barred_seven": (
        "7",
        [
            [(72, 62), (206, 62), (122, 238)],  # top bar and diagonal in one stroke
            [(132, 152), (200, 148)],  # the short bar across the middle of the diagonal
        ],
    ),
    "barred_z": (
        "Z",
        [
            [(74, 62), (204, 62), (76, 234), (206, 234)],  # the Z in one stroke
            [(106, 150), (176, 146)],  # the short bar across the middle
        ],
    ),
}


def _densify(keys: Stroke, step: float = STEP_PX) -> np.ndarray:
    """Points every `step` px along the polyline through `keys` (the mouse's positions)."""
    out = [np.asarray(keys[0], np.float64)]
    for a, b in zip(keys, keys[1:]):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        out.extend(a + (b - a) * k / n for k in range(1, n + 1))
    return np.array(out)


def _wobble(n: int, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """Smooth (n, 2) offsets of about `amplitude` px: white noise low-passed along the stroke."""
    noise = rng.normal(0.0, 1.0, (n + 8, 2))
    kernel = np.hanning(9)
    smooth = np.stack([np.convolve(noise[:, i], kernel, mode="valid") for i in range(2)], axis=1)[:n]
    return smooth / max(float(np.abs(smooth).max()), 1e-9) * amplitude


def strokes(name: str, seed: int = 0, wobble: float = WOBBLE_PX, slant: float = SLANT) -> list[np.ndarray]:
    """The mouse positions of drawing `name`: one (n, 2) float array of canvas (x, y) per stroke,
    leaning right by `slant` and wobbling by about `wobble` px (seeded: the same every run)."""
    rng = np.random.default_rng(seed)
    paths = []
    for keys in DRAWINGS[name][1]:
        points = _densify(keys)
        points[:, 0] += slant * (CANVAS_SIDE / 2 - points[:, 1])
        points = points + _wobble(len(points), rng, wobble)
        paths.append(np.clip(points, 1.0, CANVAS_SIDE - 2.0))
    return paths


def render_rgba(paths: list[np.ndarray], side: int = CANVAS_SIDE, width: int = PEN_WIDTH) -> np.ndarray:
    """Strokes as the canvas returns them: (side, side, 4) uint8, white ink whose alpha is the
    coverage (anti-aliased, round caps and joins), see-through elsewhere."""
    shift = 4  # sub-pixel coordinates for cv2 (16ths of a pixel)
    ink = np.zeros((side, side), np.uint8)
    for path in paths:
        fixed = np.round(path * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(ink, [fixed], False, 255, width, cv2.LINE_AA, shift)
    white = np.full_like(ink, 255)
    return np.dstack([white, white, white, ink])

"""How sharp a picture's edges are, in the direction where they are least sharp: camera shake
smears every edge across the direction the camera moved and leaves edges along it sharp, so the
sharpest edges say nothing about shake; the weakest direction does (a picture out of focus is
weak in every direction)."""

from __future__ import annotations

import cv2
import numpy as np

MEASURE_WIDTH = 1280  # px: wider pictures are measured at this width (slopes are per pixel)
DIRECTIONS = (0.0, 30.0, 60.0, 90.0, 120.0, 150.0)  # degrees the slopes are taken along
EDGE_SHARE = 99.5  # percentile of a direction's slopes taken as its edges' slope (edges are few pixels)
DENOISE_SIGMA = 0.7  # px: a light blur first, so that sensor noise and JPEG blocks do not pass for edges
BLURRED = 0.085
"""edge_sharpness below this: the picture is smeared (shaken) or out of focus. Chosen on webcam frames
of Hershey-glyph forms (1280x720, fields 50-90% of the width, seed 11): 3% of sharp frames and 65%
of frames shaken by 5-10 px fall below it (1920x1080, seed 12: 0% and 45%)."""


def edge_sharpness(gray: np.ndarray) -> float:
    """The strong edges' slope per pixel over the picture's contrast, in the direction where it is
    lowest: about 1 / (the edges' width in px). A sharp webcam frame of a form gives 0.08-0.25, one
    shaken by 5-10 px 0.05-0.12, mostly below BLURRED (docs/camera.md). 0.0 for a picture with no contrast."""
    gray = np.asarray(gray)
    if gray.ndim != 2 or min(gray.shape) < 3:
        return 0.0
    if gray.shape[1] > MEASURE_WIDTH:
        height = max(3, round(gray.shape[0] * MEASURE_WIDTH / gray.shape[1]))
        gray = cv2.resize(gray, (MEASURE_WIDTH, height), interpolation=cv2.INTER_AREA)
    low, high = np.percentile(gray, (1, 99))
    if high - low < 1:
        return 0.0
    smooth = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), DENOISE_SIGMA)
    dx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8  # the 3x3 Sobel weighs a slope 8 times
    dy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8
    slopes = [
        float(np.percentile(np.abs(np.cos(a) * dx + np.sin(a) * dy), EDGE_SHARE))
        for a in np.deg2rad(DIRECTIONS)
    ]
    return min(slopes) / float(high - low)


def blurred(gray: np.ndarray) -> bool:
    """True when the picture's weakest edges are under BLURRED: what the pages call blurred."""
    return edge_sharpness(gray) < BLURRED

"""vinocr.field.sharpness: a shaken webcam frame is told from a sharp one by its least sharp
direction."""

from __future__ import annotations

import cv2
import numpy as np

from bench.eval_camera import hershey_frame
from vinocr.field.sharpness import BLURRED, edge_sharpness
from vinocr.synth.photo_faults import Faults


def frame(seed: int, motion: float = 0.0, angle: float = 0.0) -> np.ndarray:
    """A gray 1280x720 webcam frame of a form with the sample VIN in Hershey glyphs."""
    image = hershey_frame(seed=seed, faults=Faults(motion=motion, motion_angle=angle))
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def test_shaken_frames_score_below_the_advice_threshold_at_any_angle_and_sharp_ones_above():
    for seed, angle in ((1, 0.0), (2, 50.0), (3, 90.0), (4, 160.0)):
        sharp, moved = edge_sharpness(frame(seed)), edge_sharpness(frame(seed, 20.0, angle))
        assert sharp > BLURRED > moved, (seed, sharp, moved)


def test_a_picture_is_measured_at_1280_px_whatever_its_width():
    picture = frame(5)
    larger = cv2.resize(picture, (2560, 1440), interpolation=cv2.INTER_LINEAR)
    assert abs(edge_sharpness(larger) - edge_sharpness(picture)) < 0.2 * edge_sharpness(picture)


def test_pictures_without_contrast_or_pixels_score_zero():
    assert edge_sharpness(np.full((720, 1280), 128, np.uint8)) == 0.0
    assert edge_sharpness(np.zeros((2, 2), np.uint8)) == 0.0

"""ui.figures: thumbnails and images."""

from __future__ import annotations

import base64

import cv2
import numpy as np

from ui import figures


def test_thumbnails_and_images():
    big = np.zeros((300, 120), np.uint8)
    uri = figures.thumbnail_uri(big, 64)
    png = base64.b64decode(uri.split(",", 1)[1])
    assert cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED).shape == (64, 26)
    assert figures.thumbnail_uri(None) is None
    assert figures.enlarge(np.zeros((28, 28), np.float32), 84).shape == (84, 84)
    bgr = np.zeros((4, 4, 3), np.uint8)
    bgr[..., 0] = 255
    assert figures.to_display(bgr)[0, 0].tolist() == [0, 0, 255]

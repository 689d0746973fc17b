"""The drawing canvas: RGBA to white-on-black gray, ink test, the 17 guide cells."""

from __future__ import annotations

import cv2
import numpy as np

from ui.theme import GUIDE_LINE
from vinocr.vin.rules import VIN_LENGTH

DRAW_CELL_W, DRAW_CELL_H = 52, 88  # guide cells of the Draw page's VIN canvas (px)


def canvas_gray(image_data: np.ndarray | None) -> np.ndarray | None:
    """Canvas RGBA -> gray with white ink on black; see-through pixels count as background."""
    if image_data is None:
        return None
    data = np.asarray(image_data)
    if data.ndim == 2:
        return data.astype(np.uint8)
    rgb = data[..., :3].astype(np.float32)
    gray = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if data.shape[-1] == 4:
        gray = gray * (data[..., 3].astype(np.float32) / 255.0)
    return np.clip(gray + 0.5, 0, 255).astype(np.uint8)


def has_ink(gray: np.ndarray | None, threshold: int = 60, min_pixels: int = 12) -> bool:
    """True when a canvas holds at least a few bright (drawn) pixels."""
    return gray is not None and int(np.count_nonzero(gray > threshold)) >= min_pixels


def cell_bounds(width: int, cells: int = VIN_LENGTH) -> list[tuple[int, int]]:
    """[x0, x1) of each guide cell across a canvas `width` pixels wide."""
    edges = np.linspace(0, width, cells + 1).round().astype(int)
    return [(int(edges[i]), int(edges[i + 1])) for i in range(cells)]


def crop_cells(gray: np.ndarray, cells: int = VIN_LENGTH, inset: int = 3) -> list[np.ndarray]:
    """The `cells` equal cells of a guide canvas, each shrunk by `inset` px so guide lines stay out."""
    height = gray.shape[0]
    crops = []
    for x0, x1 in cell_bounds(gray.shape[1], cells):
        crops.append(gray[inset : height - inset, x0 + inset : x1 - inset].copy())
    return crops


def guide_image(width: int, height: int, cells: int = VIN_LENGTH, line: int = 2) -> np.ndarray:
    """RGB background for the 17-cell canvas: black with grey cell lines only (nothing inside a cell)."""
    image = np.zeros((height, width, 3), np.uint8)
    colour = GUIDE_LINE
    for x0, _ in cell_bounds(width, cells)[1:]:
        cv2.line(image, (x0, 0), (x0, height - 1), colour, line)
    cv2.rectangle(image, (0, 0), (width - 1, height - 1), colour, line)
    return image

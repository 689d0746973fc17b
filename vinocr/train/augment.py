"""Training-time augmentation with NumPy and OpenCV: what real box crops do to a glyph.

Random affine (shift, small rotation, scale, shear), stroke thickening/thinning and blur, applied
to each batch as it is drawn (`vinocr.train.batches`), so the saved model holds no augmentation
layers and training runs on any Keras backend (TensorFlow on this CPU, JAX on a GPU machine).
Every random choice comes from the generator passed in: the same seed gives the same batch.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CENTRE = 13.5  # centre of a 28-px image
KEEP = 0.15  # share of images left unwarped
THICKER, THINNER, BLUR = 0.2, 0.15, 0.25  # shares of images whose strokes are thickened / thinned, blurred
_SQUARE = np.ones((3, 3), np.uint8)


def _blur_kernel(sigma: float = 0.8) -> np.ndarray:
    """3x3 Gaussian kernel."""
    g = np.exp(-(np.array([-1.0, 0.0, 1.0]) ** 2) / (2 * sigma**2))
    g /= g.sum()
    return np.outer(g, g).astype(np.float32)


BLUR_KERNEL = _blur_kernel()


SHEAR = 0.15  # the shear range of stages 1 and 2; the writers' stage slants further (SLANT_SHEAR)
SLANT_SHEAR = 0.4  # real writers lean up to about 22 degrees (realdev's slanted H, U, 4)
WRITERS_ELASTIC = 0.4  # the writers' stage bends this share of images elastically (stages 1-2: none)
ELASTIC_ALPHA, ELASTIC_SIGMA = 2.5, 4.0  # at most 2.5 px moves of a field smoothed over 4 px (of 28)


def random_affine(rng: np.random.Generator, max_shear: float = SHEAR) -> np.ndarray:
    """A 2x3 output -> input pixel map about the image centre: rotation +-10 deg, scale 0.85-1.12,
    shear +-max_shear, shift +-2 px."""
    angle = math.radians(rng.uniform(-10.0, 10.0))
    scale = rng.uniform(0.85, 1.12)
    shear = rng.uniform(-max_shear, max_shear)
    tx, ty = rng.uniform(-2.0, 2.0, 2)
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    a0, a1, b0, b1 = cos, -sin + shear, sin, cos
    return np.array(
        [
            [a0, a1, CENTRE - a0 * CENTRE - a1 * CENTRE + tx],
            [b0, b1, CENTRE - b0 * CENTRE - b1 * CENTRE + ty],
        ],
        np.float64,
    )


def elastic_warp(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bend the strokes as a hand does (Simard et al. 2003): every pixel moved by a smooth random field
    of at most ELASTIC_ALPHA px."""
    shape = image.shape
    moves = []
    for _ in range(2):
        smooth = cv2.GaussianBlur(rng.uniform(-1, 1, shape).astype(np.float32), (0, 0), ELASTIC_SIGMA)
        moves.append(smooth * (ELASTIC_ALPHA / max(float(np.abs(smooth).max()), 1e-6)))
    ys, xs = np.indices(shape, dtype=np.float32)
    return cv2.remap(image, xs + moves[0], ys + moves[1], cv2.INTER_LINEAR, borderValue=0)


def augment_image(
    image: np.ndarray, rng: np.random.Generator, max_shear: float = SHEAR, elastic: float = 0.0
) -> np.ndarray:
    """One (28, 28) float32 0..255 image -> its augmented copy (same shape and range); `elastic`: the
    chance of an elastic warp first."""
    x = image
    if elastic and rng.random() < elastic:
        x = elastic_warp(x, rng)
    if rng.random() >= KEEP:
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        x = cv2.warpAffine(x, random_affine(rng, max_shear), (28, 28), flags=flags, borderValue=0)
    choice = rng.random()
    if choice < THICKER:
        x = 0.5 * (x + cv2.dilate(x, _SQUARE))
    elif choice > 1 - THINNER:
        x = 0.5 * (x + cv2.erode(x, _SQUARE))
    if rng.random() < BLUR:
        x = cv2.filter2D(x, -1, BLUR_KERNEL, borderType=cv2.BORDER_CONSTANT)
    return np.clip(x, 0.0, 255.0)


def augment_batch(
    images: np.ndarray, rng: np.random.Generator, max_shear: float = SHEAR, elastic: float = 0.0
) -> np.ndarray:
    """(B, 28, 28) float32 0..255 -> the augmented batch (a new array)."""
    if not len(images):
        return images.copy()
    return np.stack([augment_image(image, rng, max_shear, elastic) for image in images])

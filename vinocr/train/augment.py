"""Training-time augmentation, batched, with Keras ops: what real box crops do to a glyph.

Random affine (shift, small rotation, scale, shear), stroke thickening/thinning and blur. Applied in
the tf.data pipeline only, so the saved model holds no custom layers.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

CENTRE = 13.5  # centre of a 28-px image


def affine_rows(batch: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """(batch, 8) projective transforms (output -> input pixel mapping) about the image centre."""
    angle = rng.uniform([batch], -10.0, 10.0) * (math.pi / 180.0)
    scale = rng.uniform([batch], 0.85, 1.12)
    shear = rng.uniform([batch], -0.15, 0.15)
    tx = rng.uniform([batch], -2.0, 2.0)
    ty = rng.uniform([batch], -2.0, 2.0)
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    a0, a1, b0, b1 = cos, -sin + shear, sin, cos
    a2 = CENTRE - a0 * CENTRE - a1 * CENTRE + tx
    b2 = CENTRE - b0 * CENTRE - b1 * CENTRE + ty
    zeros = tf.zeros([batch])
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def _blur_kernel(sigma: float = 0.8) -> tf.Tensor:
    """3x3 Gaussian kernel shaped for a one-channel depthwise convolution."""
    x = tf.constant([-1.0, 0.0, 1.0])
    g = tf.exp(-(x**2) / (2 * sigma**2))
    g = g / tf.reduce_sum(g)
    return tf.reshape(tf.tensordot(g, g, axes=0), [3, 3, 1, 1])


def augment_batch(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """images: (B, 28, 28, 1) float32 0..255 -> augmented batch of the same shape."""
    batch = tf.shape(images)[0]
    warped = keras.ops.image.affine_transform(
        images, affine_rows(batch, rng), interpolation="bilinear", fill_mode="constant", fill_value=0
    )
    keep = rng.uniform([batch, 1, 1, 1]) < 0.15  # some samples stay untouched
    x = tf.where(keep, images, warped)

    thicker = 0.5 * (x + keras.ops.max_pool(x, 3, 1, "same"))
    thinner = 0.5 * (x - keras.ops.max_pool(-x, 3, 1, "same"))
    choice = rng.uniform([batch, 1, 1, 1])
    x = tf.where(choice < 0.2, thicker, tf.where(choice > 0.85, thinner, x))

    blurred = keras.ops.conv(x, _blur_kernel(), 1, "same")
    x = tf.where(rng.uniform([batch, 1, 1, 1]) < 0.25, blurred, x)
    return tf.clip_by_value(x, 0.0, 255.0)

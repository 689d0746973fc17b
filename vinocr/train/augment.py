"""Training-time augmentation in TensorFlow ops, batched: what real box crops do to a glyph.

Random affine (shift, small rotation, scale, shear), stroke thickening/thinning and blur. Applied
in the tf.data pipeline only, so the saved model holds no custom layers.
"""

from __future__ import annotations

import math

import tensorflow as tf


def _affine_matrices(batch: int, rng: tf.random.Generator) -> tf.Tensor:
    """(batch, 8) projective transforms (output -> input pixel mapping) about the image centre."""
    angle = rng.uniform([batch], -10.0, 10.0) * (math.pi / 180.0)
    scale = rng.uniform([batch], 0.85, 1.12)
    shear = rng.uniform([batch], -0.15, 0.15)
    tx = rng.uniform([batch], -2.0, 2.0)
    ty = rng.uniform([batch], -2.0, 2.0)
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    a0, a1 = cos, -sin + shear
    b0, b1 = sin, cos
    c = 13.5  # centre of a 28-px image
    a2 = c - a0 * c - a1 * c + tx
    b2 = c - b0 * c - b1 * c + ty
    zeros = tf.zeros([batch])
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def _gaussian_kernel(sigma: float = 0.8) -> tf.Tensor:
    x = tf.constant([-1.0, 0.0, 1.0])
    g = tf.exp(-(x**2) / (2 * sigma**2))
    g = g / tf.reduce_sum(g)
    return tf.reshape(tf.tensordot(g, g, axes=0), [3, 3, 1, 1])


def augment_batch(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """images: (B, 28, 28, 1) float32 0..255 -> augmented batch of the same shape."""
    batch = tf.shape(images)[0]
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=_affine_matrices(batch, rng),
        output_shape=tf.constant([28, 28]),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    keep = rng.uniform([batch, 1, 1, 1]) < 0.15  # some samples stay untouched
    x = tf.where(keep, images, warped)

    thicker = 0.5 * (x + tf.nn.max_pool2d(x, 3, 1, "SAME"))
    thinner = 0.5 * (x - tf.nn.max_pool2d(-x, 3, 1, "SAME"))
    choice = rng.uniform([batch, 1, 1, 1])
    x = tf.where(choice < 0.2, thicker, tf.where(choice > 0.85, thinner, x))

    blurred = tf.nn.conv2d(x, _gaussian_kernel(), 1, "SAME")
    x = tf.where(rng.uniform([batch, 1, 1, 1]) < 0.25, blurred, x)
    return tf.clip_by_value(x, 0.0, 255.0)

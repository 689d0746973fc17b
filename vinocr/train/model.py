"""The VIN-33 CNN and the inference graph built from it (Keras 3).

Input: (N, 28, 28, 1) float32 in 0..255, upright, white on black. A trained network ends in a
linear layer "logits" and a softmax "char". The inference graph that is saved and exported to ONNX
averages the logits of one or more trained networks (a snapshot ensemble) over optional one-pixel
shifts of the input (test-time augmentation), then applies the softmax. Only built-in layers are
used, so the saved model loads anywhere without custom code.
"""

from __future__ import annotations

import keras
from keras import layers

from vinocr.alphabet import NUM_CLASSES

SHIFT_SETS: dict[str, tuple[tuple[int, int], ...]] = {
    "none": ((0, 0),),
    "x2": ((0, 0), (0, 1)),
    "x3": ((0, 0), (0, 1), (0, -1)),
    "x5": ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)),
}
"""Test-time augmentation: (dy, dx) one-pixel shifts of the 28x28 input, averaged in logit space."""


def _conv_block(x, filters: int, convs: int):
    for _ in range(convs):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    return layers.MaxPooling2D()(x)


def build_model(dropout: float = 0.4, width: float = 1.0) -> keras.Model:
    """A compact VGG-style CNN: three conv blocks (32, 64, 128 filters times `width`), one dense
    layer, 33 logits and their softmax."""
    inputs = keras.Input(shape=(28, 28, 1), name="box")
    x = layers.Rescaling(1.0 / 255.0)(inputs)
    x = _conv_block(x, round(32 * width), 1)
    x = _conv_block(x, round(64 * width), 2)
    x = _conv_block(x, round(128 * width), 2)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(256, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(dropout)(x)
    logits = layers.Dense(NUM_CLASSES, name="logits")(x)
    outputs = layers.Activation("softmax", name="char")(logits)
    return keras.Model(inputs, outputs, name="vinocr_cnn")


def logit_network(model: keras.Model, name: str) -> keras.Model:
    """The trained network up to its "logits" layer, as a sub-model called `name`."""
    return keras.Model(model.inputs, model.get_layer("logits").output, name=name)


def _shifted(x, dy: int, dx: int, index: int):
    """The 28x28 input moved by (dy, dx) pixels, zero-filled (padding then cropping)."""
    if (dy, dx) == (0, 0):
        return x
    pad = ((max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0)))
    crop = ((max(-dy, 0), max(dy, 0)), (max(-dx, 0), max(dx, 0)))
    padded = layers.ZeroPadding2D(pad, name=f"shift_pad_{index}")(x)
    return layers.Cropping2D(crop, name=f"shift_crop_{index}")(padded)


def build_inference_model(members: list[keras.Model], shifts: str = "none") -> keras.Model:
    """One graph: softmax of the mean logits of every member over every shift of `SHIFT_SETS`."""
    inputs = keras.Input(shape=(28, 28, 1), name="box")
    networks = [logit_network(m, f"member_{i}") for i, m in enumerate(members)]
    logits = []
    for j, (dy, dx) in enumerate(SHIFT_SETS[shifts]):
        view = _shifted(inputs, dy, dx, j)
        logits.extend(net(view) for net in networks)
    mean = logits[0] if len(logits) == 1 else layers.Average(name="mean_logits")(logits)
    outputs = layers.Activation("softmax", name="char")(mean)
    return keras.Model(inputs, outputs, name="vinocr_inference")

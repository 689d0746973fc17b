"""The VIN-33 CNN (Keras 3). Input: (N, 28, 28, 1) float32 in 0..255, upright, white on black."""

from __future__ import annotations

import keras
from keras import layers

from vinocr.alphabet import NUM_CLASSES


def _conv_block(x, filters: int, convs: int):
    for _ in range(convs):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    return layers.MaxPooling2D()(x)


def build_model(dropout: float = 0.4) -> keras.Model:
    """A compact VGG-style CNN: three conv blocks, one dense layer, 33-way softmax."""
    inputs = keras.Input(shape=(28, 28, 1), name="box")
    x = layers.Rescaling(1.0 / 255.0)(inputs)
    x = _conv_block(x, 32, 1)
    x = _conv_block(x, 64, 2)
    x = _conv_block(x, 128, 2)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(256, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="char")(x)
    return keras.Model(inputs, outputs, name="vinocr_cnn")

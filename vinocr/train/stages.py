"""What every training stage shares: class weights, the augmented batches, the per-epoch callbacks
(validation macro recall, resume state, checkpoints, history) and one compile-and-fit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vinocr.alphabet import NUM_CLASSES

if TYPE_CHECKING:
    from vinocr.train.distill import Distillation


def class_weights(labels: np.ndarray, power: float = 0.5) -> dict[int, float]:
    """Inverse-frequency weights softened by `power`, normalised to a sample mean of 1."""
    counts = np.bincount(labels, minlength=NUM_CLASSES).astype(np.float64)
    weights = (counts.max() / np.maximum(counts, 1)) ** power
    weights /= (weights[labels]).mean()
    return {i: float(w) for i, w in enumerate(weights)}


def cycle_lengths(epochs: int, first_cycle: int, t_mul: float) -> list[int]:
    """Epochs per cosine cycle (each `t_mul` times the one before) until `epochs` are used up."""
    lengths, length = [], float(first_cycle)
    while sum(lengths) < epochs:
        lengths.append(min(max(1, round(length)), epochs - sum(lengths)))
        length *= t_mul
    return lengths


def training_batches(
    x: np.ndarray,
    y: np.ndarray,
    augment: np.ndarray,
    args: argparse.Namespace,
    seed: int,
    first_epoch: int,
    max_shear: float | None = None,
    elastic: float = 0.0,
    distill: Distillation | None = None,
):
    """`AugmentedBatches` of (N, 28, 28) uint8 images with class weights from `y` (the images where
    `augment` is True get the random augmentation of `vinocr.train.augment`; with a `distill`
    (vinocr.train.distill), batches carry soft targets instead of the labels)."""
    from vinocr.train.augment import SHEAR
    from vinocr.train.batches import AugmentedBatches

    weights = class_weights(y)
    shear = SHEAR if max_shear is None else max_shear
    return AugmentedBatches(
        x, y, augment, weights, args.batch_size, seed, first_epoch, args.data_workers, shear, elastic, distill
    )


def epoch_callbacks(work: Path, prefix: str, x_val: np.ndarray, y_val: np.ndarray, extra: list | None = None):
    """The per-epoch callbacks of a training stage, writing into `work` with file names starting with
    `prefix`: validation macro recall (first: the others read it), `extra` callbacks that add to the
    logs, resume state, the best checkpoint by val_macro_recall, one checkpoint per epoch (snapshot
    candidates) and the history file (last: an epoch in it has all its files saved)."""
    import keras

    from vinocr.train.callbacks import HistoryFile, ValidationMacroRecall

    work.mkdir(parents=True, exist_ok=True)
    return [
        ValidationMacroRecall(x_val, y_val),
        *(extra or []),
        keras.callbacks.BackupAndRestore(work / f"{prefix}backup"),
        keras.callbacks.ModelCheckpoint(
            work / f"{prefix}best.keras", monitor="val_macro_recall", mode="max", save_best_only=True
        ),
        keras.callbacks.ModelCheckpoint(work / f"{prefix}epoch-{{epoch:02d}}.keras"),
        HistoryFile(work / f"{prefix}history.jsonl"),
    ]


def fit_stage(
    model, schedule, batches, epochs: int, validation: tuple, callbacks: list, soft: bool = False
) -> None:
    """Compile `model` (Adam on `schedule`, cross-entropy: sparse, or on probability rows when `soft`)
    and fit it on `batches` (which carry their class weights) with `validation` (images, labels): the
    common part of the training stages."""
    import keras

    loss = keras.losses.SparseCategoricalCrossentropy()
    if soft:  # the validation labels become the same one-hot rows as the soft targets
        loss = keras.losses.CategoricalCrossentropy()
        x_val, y_val = validation
        validation = (x_val, np.eye(model.output_shape[-1], dtype=np.float32)[y_val])
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=loss,
        metrics=["accuracy"],
    )
    model.fit(
        batches,
        epochs=epochs,
        validation_data=validation,
        callbacks=callbacks,
        verbose=1 if sys.stdout.isatty() else 2,
    )

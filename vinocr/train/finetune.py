"""Stage 2 of `python -m vinocr.train`: fine-tune stage 1's best network on box-path inputs.

The train split is fed twice per epoch: the EMNIST arrays with the usual augmentation, and each
glyph once more as the box path sees it after drawing it in a random box style
(`vinocr.train.box_styles`), fed as it comes out of preprocessing. A short cosine schedule from a
low learning rate; checkpoints `box-epoch-NN.keras` and `box-history.jsonl` in the work folder, and
the stage resumes like stage 1. The validation glyphs are rendered the same way (their own seed) to
report `val_box_accuracy` each epoch; every choice is still made on the validation split.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import keras
import numpy as np

from vinocr.train.box_styles import TRAIN_FILE, VALIDATION_FILE, VALIDATION_SEED_OFFSET, cached_inputs
from vinocr.train.callbacks import read_history
from vinocr.train.stages import epoch_callbacks, fit_stage, training_batches

PREFIX = "box-"  # file names of this stage in the work folder


class BoxValidation(keras.callbacks.Callback):
    """Puts `val_box_accuracy` (accuracy on validation glyphs read through the box path) into the logs."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int = 1024) -> None:
        super().__init__()
        self.x, self.y, self.batch_size = x[..., None].astype(np.float32), y, batch_size

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        probs = self.model.predict(self.x, batch_size=self.batch_size, verbose=0)
        if logs is not None:
            logs["val_box_accuracy"] = float(np.mean(probs.argmax(1) == self.y))


def fine_tune(args: argparse.Namespace, split, work: Path, seed: int) -> float:
    """Run (or resume) stage 2 of one member from `work/best.keras`; return its wall time in seconds."""
    keras.utils.set_random_seed(seed + 1)
    started = time.time()
    x_train, y_train = split.x_train, split.y_train
    x_box, y_box = cached_inputs(work / TRAIN_FILE, x_train, y_train, seed)
    x_box_val, y_box_val = cached_inputs(
        work / VALIDATION_FILE, split.x_val, split.y_val, seed + VALIDATION_SEED_OFFSET
    )
    x = np.concatenate([x_train, x_box])
    y = np.concatenate([y_train, y_box])
    augment = np.concatenate([np.ones(len(y_train), bool), np.zeros(len(y_box), bool)])
    done = len(read_history(work / f"{PREFIX}history.jsonl"))
    batches = training_batches(x, y, augment, args, seed + 1, done)
    steps = args.box_epochs * len(batches)
    model = keras.models.load_model(work / "best.keras", compile=False)
    schedule = keras.optimizers.schedules.CosineDecay(args.box_lr, steps, alpha=0.01)
    x_val = split.x_val[..., None].astype(np.float32)
    callbacks = epoch_callbacks(work, PREFIX, x_val, split.y_val, [BoxValidation(x_box_val, y_box_val)])
    fit_stage(model, schedule, batches, args.box_epochs, (x_val, split.y_val), callbacks)
    return time.time() - started

"""Keras callbacks of the training run: validation macro recall into the logs, and a per-epoch
history file that survives a resumed run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras
import numpy as np

from vinocr.train.metrics import summarize


class ValidationMacroRecall(keras.callbacks.Callback):
    """Puts `val_macro_recall` (the EVALUATION.md headline) into the epoch logs, for the callbacks
    after it (e.g. ModelCheckpoint(monitor="val_macro_recall", mode="max"))."""

    def __init__(self, x_val: np.ndarray, y_val: np.ndarray, batch_size: int = 1024) -> None:
        super().__init__()
        self.x_val, self.y_val, self.batch_size = x_val, y_val, batch_size

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        probs = self.model.predict(self.x_val, batch_size=self.batch_size, verbose=0)
        if logs is not None:
            logs["val_macro_recall"] = summarize(self.y_val, probs.argmax(1))["macro_recall"]


class HistoryFile(keras.callbacks.Callback):
    """Appends one JSON line per epoch (logs, learning rate, seconds) to `path`; a resumed run keeps
    the lines of the epochs it does not repeat."""

    KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "val_macro_recall", "val_box_accuracy")

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.started = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.started = time.time()
        kept = [row for row in read_history(self.path) if row["epoch"] <= epoch]
        self.path.write_text("".join(json.dumps(row) + "\n" for row in kept))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        optimizer = self.model.optimizer
        rate = optimizer.learning_rate
        row = {"epoch": epoch + 1, **{k: float(logs[k]) for k in self.KEYS if k in logs}}
        row["learning_rate"] = float(rate(optimizer.iterations) if callable(rate) else rate)
        row["seconds"] = round(time.time() - self.started, 1)
        with self.path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)


def read_history(path: Path) -> list[dict]:
    """The epochs written so far by HistoryFile (empty when there is no file)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

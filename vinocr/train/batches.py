"""Training batches for `model.fit` on any Keras backend: shuffled, augmented, class-weighted.

A `keras.utils.PyDataset` over NumPy arrays. Batch i of epoch e is a pure function of (seed, e, i):
the order is a permutation drawn from (seed, e) and each batch's augmentation from (seed, e, i), so
a run is reproducible from its seed whatever the number of data workers, and a resumed run (told
the epoch it starts at) draws the same batches as an uninterrupted one.
"""

from __future__ import annotations

import keras
import numpy as np

from vinocr.train.augment import SHEAR, augment_batch
from vinocr.train.distill import Distillation


class AugmentedBatches(keras.utils.PyDataset):
    """(images (B, 28, 28, 1) float32 0..255, labels (B,), sample weights (B,)) batches of `x`
    (N, 28, 28) uint8; the images where `augment` is True are augmented, the others fed as they are.
    `weights` maps a class index to its loss weight. With a `distill` (vinocr.train.distill) a batch
    carries (B, classes) soft targets instead of the labels."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        augment: np.ndarray,
        weights: dict[int, float],
        batch_size: int,
        seed: int,
        first_epoch: int = 0,
        workers: int = 1,
        max_shear: float = SHEAR,
        elastic: float = 0.0,
        distill: Distillation | None = None,
    ) -> None:
        super().__init__(workers=workers, use_multiprocessing=False)
        self.x, self.y, self.augment = x, np.asarray(y, np.int64), np.asarray(augment, bool)
        self.class_weight = np.array([weights[i] for i in range(max(weights) + 1)], np.float32)
        self.batch_size, self.seed, self.max_shear, self.elastic = batch_size, seed, max_shear, elastic
        self.distill = distill
        self.set_epoch(first_epoch)

    def set_epoch(self, epoch: int) -> None:
        """Draw the order of `epoch` (0-based)."""
        self.epoch = epoch
        self.order = np.random.default_rng((self.seed, epoch)).permutation(len(self.y))

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.x[rows].astype(np.float32)
        chosen = self.augment[rows]
        if chosen.any():
            rng = np.random.default_rng((self.seed, self.epoch, index))
            images[chosen] = augment_batch(images[chosen], rng, self.max_shear, self.elastic)
        labels = self.y[rows]
        images = images[..., None]
        wanted = labels if self.distill is None else self.distill.targets(images, labels, rows)
        return images, wanted, self.class_weight[labels]

    def on_epoch_end(self) -> None:
        self.set_epoch(self.epoch + 1)

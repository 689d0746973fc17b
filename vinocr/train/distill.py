"""Distillation for the writers' stage: soft targets from the network the stage starts from.

The writers' stage teaches conventions EMNIST lacks with hard labels; on the census glyphs it also
fed, hard labels let the network drop the second choices the start network gave (a census J written
like a 5 kept some J), which whole-VIN decoding needs. With a `Distillation`, each batch's census
rows get `(1 - share) x one-hot + share x the teacher's probabilities` for the image *as augmented*
(the teacher sees the very view the student does, as consistent "function matching" distillation
asks); the other rows keep their one-hot labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Distillation:
    """A teacher ((B, 28, 28, 1) float32 images -> (B, classes) probabilities), which training rows
    are census glyphs (bool per row of the training arrays) and the teacher's share of their targets."""

    teacher: Callable[[np.ndarray], np.ndarray]
    census: np.ndarray
    share: float
    classes: int

    def targets(self, images: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(B, classes) float32 targets of a batch: one-hot, softened on its census rows."""
        targets = np.eye(self.classes, dtype=np.float32)[labels]
        census = self.census[rows]
        if self.share > 0 and census.any():
            probs = np.asarray(self.teacher(images[census]), np.float32)
            targets[census] = (1 - self.share) * targets[census] + self.share * probs
        return targets


def keras_teacher(model) -> Callable[[np.ndarray], np.ndarray]:
    """A Keras model as a teacher: its inference-mode output as a NumPy array."""
    import keras

    return lambda images: keras.ops.convert_to_numpy(model(images, training=False))

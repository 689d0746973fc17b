"""Distillation in the writers' stage: census rows get the teacher's probabilities for the image as
augmented, the other rows keep their labels."""

import numpy as np

from vinocr.train.batches import AugmentedBatches
from vinocr.train.distill import Distillation
from vinocr.train.stages import class_weights

CLASSES = 33


class RecordingTeacher:
    """A teacher whose probabilities depend on the image (its mean brightness picks the class)."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def __call__(self, images: np.ndarray) -> np.ndarray:
        self.seen.append(images.copy())
        probs = np.full((len(images), CLASSES), 0.5 / (CLASSES - 1), np.float32)
        probs[np.arange(len(images)), (images.mean(axis=(1, 2, 3)) % CLASSES).astype(int)] = 0.5
        return probs


def test_census_rows_mix_the_teachers_view_of_the_augmented_image_into_their_targets():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (200, 28, 28), dtype=np.uint8)
    y = rng.integers(0, CLASSES, 200)
    census = np.arange(200) % 3 != 0
    teacher = RecordingTeacher()
    distill = Distillation(teacher, census, 0.7, CLASSES)
    batches = AugmentedBatches(x, y, np.ones(200, bool), class_weights(y), 64, 1, distill=distill)
    images, targets, weights = batches[1]
    rows = batches.order[64:128]
    assert targets.shape == (64, CLASSES) and np.allclose(targets.sum(axis=1), 1.0)
    hard = ~census[rows]
    assert np.array_equal(targets[hard], np.eye(CLASSES)[y[rows][hard]])
    assert np.array_equal(teacher.seen[-1], images[census[rows]])  # the augmented view, census rows only
    expected = 0.3 * np.eye(CLASSES)[y[rows][~hard]] + 0.7 * teacher(images[~hard])
    assert np.allclose(targets[~hard], expected)
    assert not np.array_equal(images[..., 0], x[rows].astype(np.float32))  # the images were augmented
    assert np.allclose(weights, [class_weights(y)[int(label)] for label in y[rows]])


def test_without_distillation_batches_carry_the_labels():
    x = np.zeros((10, 28, 28), np.uint8)
    y = np.arange(10) % 4
    _, labels, _ = AugmentedBatches(x, y, np.zeros(10, bool), class_weights(y), 5, 1)[0]
    assert labels.ndim == 1 and set(labels) <= set(y)


def test_the_writers_stage_trains_with_distillation_and_photo_cuts(emnist_dir, tmp_path):
    import json

    from vinocr.train.writers import main

    work = tmp_path / "work"
    args = ["--from", "models/vinocr.keras", "--emnist-dir", str(emnist_dir), "--work-dir", str(work)]
    args += ["--limit", "600", "--writers-epochs", "1", "--font-renders", "0", "--train-only"]
    assert main([*args, "--writers-distill", "0.5", "--photo-cuts", "40"]) == 0
    rows = [json.loads(line) for line in (work / "writers-history.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["val_accuracy"] > 0.9  # a short soft-target epoch keeps the reading
    with np.load(work / "photo_inputs_train.npz") as cuts:  # a smoke run photographs 3 fields
        assert 17 <= len(cuts["labels"]) <= 51 and cuts["inputs"].shape[1:] == (28, 28)

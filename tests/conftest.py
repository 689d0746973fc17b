"""Shared fixtures: the EMNIST directory (tests needing it skip only when it is absent), the real
trained model loaded once per test session, the sample boxes as uploads, test-only training files,
and small helpers (as fixtures, so that no test module imports another)."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes
from vinocr.train.data import find_emnist_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def vin_split():
    """The EVALUATION.md split of the shared EMNIST files."""
    root = find_emnist_dir()
    if root is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    from vinocr.train.data import load_vin_split

    return load_vin_split(root)


@pytest.fixture(scope="session")
def recognizer():
    """The committed trained model."""
    from vinocr.box.recognizer import Recognizer

    return Recognizer.load(ROOT / "models")


@pytest.fixture(scope="session")
def emnist_dir() -> Path:
    """The EMNIST folder (the tests that need it skip only when it is absent)."""
    root = find_emnist_dir()
    if root is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    return root


def _sample_files() -> list[tuple[str, bytes, str]]:
    """The 17 sample boxes as uploads (name, PNG bytes, MIME type)."""
    return [(name, encode_png(image), "image/png") for name, image in sample_boxes()]


@pytest.fixture
def sample_files():
    """Callable: the 17 sample boxes as uploads (name, PNG bytes, MIME type)."""
    return _sample_files


def _matches(a: str, b: str) -> int:
    """How many positions agree."""
    return sum(x == y for x, y in zip(a, b, strict=False))


@pytest.fixture(scope="session")
def matches():
    """Callable: how many positions of two strings agree."""
    return _matches


def _fake_training_files(folder) -> None:
    """history.json and metrics.json in the trainer's schema, with made-up numbers (test-only)."""
    history = [
        {
            "epoch": e,
            "loss": 1 / e,
            "accuracy": 1 - 0.3 / e,
            "val_loss": 0.8 / e,
            "val_accuracy": 1 - 0.2 / e,
            "val_macro_recall": 1 - 0.25 / e,
            "learning_rate": 1e-3,
            "seconds": 60.0,
        }
        for e in range(1, 5)
    ]
    matrix = np.diag(np.full(33, 100))
    matrix[VIN_ALPHABET.index("8"), VIN_ALPHABET.index("B")] = 9
    matrix[VIN_ALPHABET.index("5"), VIN_ALPHABET.index("S")] = 4
    totals = matrix.sum(axis=1)
    test = {
        "accuracy": float(np.trace(matrix) / matrix.sum()),
        "macro_recall": float(np.mean(np.diag(matrix) / totals)),
        "per_class_recall": {c: float(matrix[i, i] / totals[i]) for i, c in enumerate(VIN_ALPHABET)},
        "support": {c: int(totals[i]) for i, c in enumerate(VIN_ALPHABET)},
        "confusion_matrix": matrix.tolist(),
        "n": int(matrix.sum()),
    }
    metrics = {
        "test": test,
        "validation_best_epoch": {"epoch": 4, "val_accuracy": 0.95, "val_macro_recall": 0.94},
        "prior_correction": {"alpha": 0.3, "rule": "logits - alpha * log prior"},
        "onnx_file": "vinocr.onnx",
        "onnx_bytes": 1_900_000,
        "split_sizes": {"pool": 100, "train": 80, "validation": 10, "test": 10},
        "data_files": {"emnist-byclass-test-images-idx3-ubyte.gz": "0" * 64},
        "parameters": {"epochs": 4, "batch_size": 128, "trainable_params": 1234},
        "seed": 1,
        "training_seconds": 240.0,
        "model_bytes": 2_000_000,
        "versions": {"python": "3.11"},
        "machine": "test",
    }
    (folder / "history.json").write_text(json.dumps(history))
    (folder / "metrics.json").write_text(json.dumps(metrics))


@pytest.fixture(scope="session")
def fake_training_files():
    """Callable: write history.json and metrics.json with made-up numbers into a folder."""
    return _fake_training_files


def _blank_png(width: int, height: int) -> bytes:
    """A real, valid grayscale PNG of any size (streamed, so 20,000 px a side costs ~1 s)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    row = bytes(width + 1)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def blank_png():
    """Callable: a real, valid grayscale PNG of any size (streamed, cheap even when huge)."""
    return _blank_png

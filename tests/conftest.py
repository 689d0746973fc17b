"""Shared fixtures: the EMNIST directory (tests needing it skip only when it is absent) and the
real trained model, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from vinocr.train.data import find_emnist_dir as emnist_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def vin_split():
    """The EVALUATION.md split of the shared EMNIST files."""
    root = emnist_dir()
    if root is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    from vinocr.train.data import load_vin_split

    return load_vin_split(root)


@pytest.fixture(scope="session")
def recognizer():
    """The committed trained model."""
    from vinocr.box.recognizer import Recognizer

    return Recognizer.load(ROOT / "models")

"""Shared fixtures: the EMNIST directory (tests needing it skip only when it is absent) and the
real trained model, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMNIST = ROOT.parent / "shared" / "data" / "emnist"


def emnist_dir() -> Path | None:
    """VINOCR_EMNIST_DIR, else ../shared/data/emnist; None when absent."""
    path = Path(os.environ.get("VINOCR_EMNIST_DIR", DEFAULT_EMNIST))
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def vin_split():
    """The EVALUATION.md split of the shared EMNIST files."""
    root = emnist_dir()
    if root is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    from vinocr.data import load_vin_split

    return load_vin_split(root)


@pytest.fixture(scope="session")
def recognizer():
    """The committed trained model."""
    from vinocr.recognizer import Recognizer

    return Recognizer.load(ROOT / "models")

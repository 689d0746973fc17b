"""Where the trained model lives and what its files are called (one home for these names)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
KERAS_FILE = "vinocr.keras"  # the trained Keras model (training, export)
ONNX_FILE = "vinocr.onnx"  # its ONNX export, what the app and the CLIs run
ALPHABET_FILE = "alphabet.json"
HISTORY_FILE = "history.json"  # per-epoch training curves
METRICS_FILE = "metrics.json"  # test results and the model card


def model_dir_from_env() -> Path:
    """The model folder: VINOCR_MODEL_DIR, else the project's committed models/."""
    return Path(os.environ.get("VINOCR_MODEL_DIR", DEFAULT_MODEL_DIR))

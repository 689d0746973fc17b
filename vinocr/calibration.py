"""Calibrated probabilities at run time: the temperature and the VIN accept threshold of a model folder.

`python -m vinocr.train.calibrate` fits both on the validation split and writes them to
`calibration.json` beside the model. The recognizer reads that file when it loads and applies the
temperature to every probability it returns: p_T = softmax(log(p) / T). The ONNX model outputs
softmax probabilities of logits that already carry the class-prior correction, so dividing log(p)
by T is the same as dividing those logits by T (the log-sum-exp constant cancels).

A missing file means T = 1 and the default threshold, with a note saying so. A file that is there
but cannot be used (unreadable, malformed, out of range, or not fitted for this model: the file
records the sha256 of the ONNX file it was fitted on, and one that records none is not used either)
gives the same with a note, or with `strict` (what Recognizer.load, and so the CLIs and the app,
use) a CalibrationError: a model must never be run silently with another model's calibration.
Numpy only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = "calibration.json"
TARGET_PRECISION = 0.995
"""Share of accepted VINs that must be exactly right (the issue's target)."""
DEFAULT_ACCEPT_THRESHOLD = TARGET_PRECISION
"""Used without a fitted threshold: for a calibrated VIN probability, accepting p >= t keeps the
expected precision of accepted VINs at or above t."""
LOG_FLOOR = 1e-12


class CalibrationError(ValueError):
    """A calibration.json is there but cannot be used for this model (the message says why)."""


@dataclass(frozen=True)
class Calibration:
    """Temperature for the box probabilities and the VIN accept threshold (identity by default)."""

    temperature: float = 1.0
    accept_threshold: float = DEFAULT_ACCEPT_THRESHOLD
    source: str = ""  # the calibration file used, "" when none
    note: str = ""  # why no fitted calibration is used, "" when one is

    @property
    def fitted(self) -> bool:
        """True when a calibration file for this model is in use."""
        return bool(self.source)

    def apply(self, probs: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (same shape and dtype)."""
        return apply_temperature(probs, self.temperature)


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log(p) / T) along the last axis; T = 1 returns `probs` unchanged."""
    probs = np.asarray(probs)
    if temperature == 1.0 or probs.size == 0:
        return probs
    logits = np.log(np.maximum(probs.astype(np.float64), LOG_FLOOR)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    scaled = np.exp(logits)
    scaled /= scaled.sum(axis=-1, keepdims=True)
    return scaled.astype(probs.dtype if np.issubdtype(probs.dtype, np.floating) else np.float64)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_calibration_file(folder: Path) -> dict[str, Any] | None:
    """The parsed calibration.json of a model folder, None when missing or unreadable."""
    try:
        data = json.loads((Path(folder) / CALIBRATION_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load_calibration(folder: Path, model_file: Path | None = None, strict: bool = False) -> Calibration:
    """The calibration for `model_file` from `folder`/calibration.json; identity (with a note) when the
    file is missing, and when it is unreadable, malformed or fitted for another model, unless `strict`:
    then those raise CalibrationError."""
    path = Path(folder) / CALIBRATION_FILE
    if not path.exists():
        return Calibration(note=f"{path} is missing: probabilities are uncalibrated (T = 1)")
    problem = _calibration_problem(path, model_file)
    if isinstance(problem, Calibration):
        return problem
    if strict:
        raise CalibrationError(problem)
    return Calibration(note=f"{problem} (probabilities are uncalibrated until then)")


def _calibration_problem(path: Path, model_file: Path | None) -> Calibration | str:
    """The calibration in an existing calibration.json, or why it cannot be used."""
    refit = "run `python -m vinocr.train.calibrate`"
    data = read_calibration_file(path.parent)
    if data is None:
        return f"{path} could not be read: {refit}"
    try:
        temperature = float(data["temperature"])
        threshold = float(data.get("accept", {}).get("threshold", DEFAULT_ACCEPT_THRESHOLD))
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"{path} has no usable temperature: {refit}"
    if not (0.05 <= temperature <= 20 and 0 < threshold <= 1):
        return f"{path}: temperature {temperature} or threshold {threshold} out of range: {refit}"
    wanted = data.get("model_sha256")
    if model_file is not None and not wanted:
        return f"{path} names no model (no model_sha256), so it cannot be told to belong to it: {refit}"
    if model_file is not None and Path(model_file).exists() and file_sha256(model_file) != wanted:
        return (
            f"{path} was fitted for another model (its model_sha256 is not the sha256 of "
            f"{Path(model_file).name}): {refit}"
        )
    return Calibration(temperature, threshold, str(path))

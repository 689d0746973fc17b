"""vinocr.calibration: the temperature applied at run time, and how a calibration.json is found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from vinocr.box.recognizer import Recognizer
from vinocr.calibration import (
    CALIBRATION_FILE,
    DEFAULT_ACCEPT_THRESHOLD,
    apply_temperature,
    file_sha256,
    load_calibration,
)
from vinocr.synth.samples import sample_boxes

MODELS = Path(__file__).resolve().parents[2] / "models"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def test_temperature_on_probabilities_equals_temperature_on_logits():
    logits = np.random.default_rng(0).normal(0, 4, size=(50, 33))
    probs = softmax(logits)
    for temperature in (0.5, 1.3, 3.0):
        assert np.allclose(apply_temperature(probs, temperature), softmax(logits / temperature), atol=1e-9)
    flatter = apply_temperature(probs.astype(np.float32), 2.0)
    assert flatter.dtype == np.float32 and np.allclose(flatter.sum(1), 1, atol=1e-5)
    assert (flatter.max(1) < probs.max(1)).all() and (flatter.argmax(1) == probs.argmax(1)).all()
    assert apply_temperature(probs, 1.0) is probs


def model_folder(tmp_path: Path) -> Path:
    """The committed model files without any calibration.json."""
    for name in ("vinocr.onnx", "alphabet.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    return tmp_path


def write_calibration(
    folder: Path, temperature: float, threshold: float = 0.97, sha: str | None = None
) -> None:
    data = {
        "temperature": temperature,
        "accept": {"threshold": threshold},
        "model_sha256": sha or file_sha256(folder / "vinocr.onnx"),
    }
    (folder / CALIBRATION_FILE).write_text(json.dumps(data))


def test_missing_broken_or_stale_calibration_means_temperature_one(tmp_path):
    folder = model_folder(tmp_path)
    missing = load_calibration(folder, folder / "vinocr.onnx")
    assert missing.temperature == 1.0 and not missing.fitted and "is missing" in missing.note
    assert missing.accept_threshold == DEFAULT_ACCEPT_THRESHOLD
    (folder / CALIBRATION_FILE).write_text("{not json")
    assert "could not be read" in load_calibration(folder, folder / "vinocr.onnx").note
    (folder / CALIBRATION_FILE).write_text(json.dumps({"temperature": "warm"}))
    assert load_calibration(folder).temperature == 1.0
    write_calibration(folder, 1.5, sha="0" * 64)
    stale = load_calibration(folder, folder / "vinocr.onnx")
    assert stale.temperature == 1.0 and "fitted for another model" in stale.note
    write_calibration(folder, 1.5, 0.97)
    fitted = load_calibration(folder, folder / "vinocr.onnx")
    assert (fitted.temperature, fitted.accept_threshold, fitted.note) == (1.5, 0.97, "") and fitted.fitted


def test_the_recognizer_applies_the_folder_calibration(tmp_path):
    folder = model_folder(tmp_path)
    boxes = [image for _, image in sample_boxes()]
    plain = Recognizer.load(folder)  # no calibration.json: no crash, T = 1
    assert plain.calibration.temperature == 1.0
    write_calibration(folder, 2.0, 0.9)
    calibrated = Recognizer.load(folder)
    raw = Recognizer.load(folder, calibrated=False)
    assert calibrated.calibration.temperature == 2.0 and calibrated.calibration.accept_threshold == 0.9
    results, raw_results = calibrated.recognize_arrays(boxes), raw.recognize_arrays(boxes)
    for result, base in zip(results, raw_results, strict=True):
        assert result.char == base.char
        assert np.allclose(result.probs, apply_temperature(base.probs, 2.0), atol=1e-6)
        assert result.confidence == pytest.approx(float(result.probs.max()), abs=1e-6)
        assert result.confidence < base.confidence or base.confidence > 0.999999
    assert np.allclose(plain.predict_inputs(np.zeros((2, 28, 28))), raw.predict_inputs(np.zeros((2, 28, 28))))

"""The shipped calibration belongs to the shipped model, and another model's calibration fails loudly
(never a silent fall-back to T = 1 and the default threshold)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import pytest

from vinocr.box.cli import main as box_main
from vinocr.box.recognizer import Recognizer
from vinocr.calibration import CALIBRATION_FILE, CalibrationError, file_sha256, load_calibration
from vinocr.synth.samples import sample_boxes
from vinocr.vin.cli import main as vin_main

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_the_shipped_calibration_names_the_shipped_model():
    data = json.loads((MODELS / CALIBRATION_FILE).read_text())
    assert data["model_file"] == "vinocr.onnx"
    assert data["model_sha256"] == file_sha256(MODELS / "vinocr.onnx"), (
        "models/calibration.json was fitted for another vinocr.onnx: run python -m vinocr.train.calibrate"
    )
    shipped = load_calibration(MODELS, MODELS / "vinocr.onnx", strict=True)
    assert shipped.fitted and shipped.temperature == data["temperature"]
    assert shipped.accept_threshold == data["accept"]["threshold"]
    assert Recognizer.load(MODELS).calibration == shipped


def stale_model_folder(tmp_path: Path) -> Path:
    """The shipped model files with the shipped calibration edited to name another model."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("vinocr.onnx", "alphabet.json"):
        shutil.copy(MODELS / name, folder / name)
    data = json.loads((MODELS / CALIBRATION_FILE).read_text())
    data["model_sha256"] = "0" * 64
    (folder / CALIBRATION_FILE).write_text(json.dumps(data))
    return folder


def test_another_models_calibration_fails_loudly(tmp_path, capsys):
    folder = stale_model_folder(tmp_path)
    with pytest.raises(CalibrationError, match="fitted for another model"):
        Recognizer.load(folder)
    assert Recognizer.load(folder, calibrated=False).calibration.temperature == 1.0  # what calibrate uses
    boxes = tmp_path / "boxes"
    boxes.mkdir()
    for name, image in sample_boxes():
        cv2.imwrite(str(boxes / name), image)
    for main in (box_main, vin_main):
        assert main([str(boxes), "--model-dir", str(folder)]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("error: ") and "was fitted for another model" in err
        assert "python -m vinocr.train.calibrate" in err and err.count("\n") == 1


def test_a_broken_calibration_fails_loudly(tmp_path):
    folder = stale_model_folder(tmp_path)
    (folder / CALIBRATION_FILE).write_text('{"temperature": "warm"}')
    with pytest.raises(CalibrationError, match="no usable temperature"):
        Recognizer.load(folder)
    data = json.loads((MODELS / CALIBRATION_FILE).read_text())
    del data["model_sha256"]
    (folder / CALIBRATION_FILE).write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match="names no model"):
        Recognizer.load(folder)
    (folder / CALIBRATION_FILE).write_text("{not json")
    with pytest.raises(CalibrationError, match="could not be read"):
        Recognizer.load(folder)
    (folder / CALIBRATION_FILE).unlink()  # a fresh model folder, not fitted yet: T = 1, said in a note
    assert "is missing" in Recognizer.load(folder).calibration.note

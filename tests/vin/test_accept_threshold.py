"""Every surface that reads a VIN accepts it against the model folder's fitted threshold, not the
default one: a calibration whose threshold lies on the other side of the VIN's probability than the
default (0.995) must change the status, for a folder of boxes, a ZIP and a field image."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import cv2
import pytest

from vinocr.box.image_io import encode_png
from vinocr.calibration import CALIBRATION_FILE, DEFAULT_ACCEPT_THRESHOLD
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes, sample_field
from vinocr.vin.cli import main
from vinocr.vin.many import iter_path_jobs

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The sample VIN as a folder of 17 boxes, a ZIP of one such folder, and a field image."""
    root = tmp_path_factory.mktemp("inputs")
    folder = root / "boxes"
    folder.mkdir()
    with zipfile.ZipFile(root / "one.zip", "w") as archive:
        for name, image in sample_boxes():
            cv2.imwrite(str(folder / name), image)
            archive.writestr(f"vin/{name}", encode_png(image))
    cv2.imwrite(str(root / "field.png"), sample_field())
    return {"folder": folder, "zip": root / "one.zip", "field": root / "field.png"}


def model_with_threshold(folder: Path, threshold: float) -> Path:
    """The shipped model and its calibration (same temperature, same model hash), another threshold."""
    folder.mkdir()
    for name in ("vinocr.onnx", "alphabet.json"):
        shutil.copy(MODELS / name, folder / name)
    data = json.loads((MODELS / CALIBRATION_FILE).read_text())
    data["accept"]["threshold"] = threshold
    (folder / CALIBRATION_FILE).write_text(json.dumps(data))
    return folder


@pytest.mark.parametrize("kind", ["folder", "zip", "field"])
def test_the_fitted_threshold_decides_accept_or_review(kind, inputs, recognizer, tmp_path, capsys):
    [job] = [item for item in iter_path_jobs(recognizer, inputs[kind], "prefer") if not isinstance(item, str)]
    probability = job.reading.probability
    assert job.reading.vin == SAMPLE_VIN and probability is not None
    assert abs(probability - DEFAULT_ACCEPT_THRESHOLD) > 1e-4  # clearly on one side of the default
    # a fitted threshold on the other side of the VIN's probability than the default
    above = probability > DEFAULT_ACCEPT_THRESHOLD
    threshold = (probability + 1) / 2 if above else probability / 2
    expected = "review" if above else "accept"
    model = model_with_threshold(tmp_path / "model", threshold)
    out = tmp_path / "out.csv"
    main([str(inputs[kind]), "--model-dir", str(model), "--csv", str(out)])
    capsys.readouterr()
    [row] = list(csv.DictReader(out.open()))
    assert row["vin"] == SAMPLE_VIN
    assert row["status"] == expected, (probability, threshold)

"""The Metrics page in AppTest: curves, results, model card, missing files."""

from __future__ import annotations

import json
import shutil

import pytest

import vinocr.train.data
from ui import inputs


def test_metrics_page_shows_curves_results_and_model_card(
    tmp_path, monkeypatch, open_page, fake_training_files
):
    fake_training_files(tmp_path)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert not at.error
    assert len(at.get("vega_lite_chart")) >= 4  # loss, accuracy, per-class recall, confusion matrix
    assert [m.label for m in at.metric][:2] == ["Accuracy", "Macro recall"]
    pairs = at.dataframe[0].value
    assert (pairs.iloc[0]["true"], pairs.iloc[0]["predicted"], pairs.iloc[0]["count"]) == ("8", "B", 9)
    card = at.dataframe[1].value
    assert "Split sizes" in set(card["field"]) and "Training time (all networks)" in set(card["field"])


def test_metrics_page_without_training_files_says_so(tmp_path, monkeypatch, open_page, texts):
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert "No training results" in texts(at.info)


def test_metrics_page_without_emnist_says_so(tmp_path, monkeypatch, open_page, texts, fake_training_files):
    fake_training_files(tmp_path)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("VINOCR_EMNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(vinocr.train.data, "DEFAULT_EMNIST_DIR", tmp_path / "nowhere")
    at = open_page("pages/metrics.py")
    assert "EMNIST files are not available" in texts(at.info)


def test_metrics_page_gallery_of_misclassified_test_images(
    tmp_path, monkeypatch, open_page, texts, fake_training_files
):
    if vinocr.train.data.find_emnist_dir() is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    fake_training_files(tmp_path)
    for path in (
        inputs.ROOT / "models"
    ).iterdir():  # the model files (Keras, ONNX, alphabet), not the metrics
        if path.is_file() and path.name not in ("history.json", "metrics.json"):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    at.button[[b.label for b in at.button].index("Find the misclassified test images")].click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "test images are misclassified" in texts(at.caption)
    gallery = [m.value for m in at.markdown if "<figure" in m.value]
    assert gallery and gallery[0].count("<figure") > 10 and " → <b>" in gallery[0]


def fake_calibration() -> dict:
    """A calibration.json in the calibrator's schema, with made-up numbers (test-only)."""
    bins = [
        {"low": b / 15, "high": (b + 1) / 15, "count": 10, "confidence": (b + 0.5) / 15, "accuracy": b / 15}
        for b in range(15)
    ]
    curve = [{"coverage": c / 10, "precision": 1 - c / 100, "threshold": 1 - c / 20} for c in range(1, 11)]
    chosen = {"threshold": 0.99, "coverage": 0.2, "precision": 0.996, "accepted": 200, "wrong_accepted": 1}
    return {
        "temperature": 1.25,
        "test_boxes": {
            "ece_before": 0.008,
            "ece_after": 0.004,
            "reliability_before": bins,
            "reliability_after": bins,
        },
        "accept": {"threshold": 0.99, "target_precision": 0.995, "rule": "chosen on validation"},
        "test_vins": {"seeds": {"0": {"curve": curve, "table": [chosen], "at_threshold": chosen}}},
        "command": "python -m vinocr.train.calibrate --emnist-dir DIR --model-dir models",
    }


def test_metrics_page_shows_the_calibration_and_the_accept_curve(
    tmp_path, monkeypatch, open_page, texts, fake_training_files
):
    fake_training_files(tmp_path)
    (tmp_path / "calibration.json").write_text(json.dumps(fake_calibration()))
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    assert "Calibration: accept or review" in [s.value for s in at.subheader]
    labels = [m.label for m in at.metric]
    assert {"Temperature", "Box ECE (test)", "Accept threshold"} <= set(labels)
    assert at.metric[labels.index("Temperature")].value == "1.250"
    assert len(at.get("vega_lite_chart")) >= 6  # + reliability diagram and precision/coverage
    table = next(d.value for d in at.dataframe if "accept from" in d.value.columns)
    assert list(table["accept from"]) == ["0.9900 (chosen)"] and table["precision"].iloc[0] == 0.996
    assert "python -m vinocr.train.calibrate" in texts(at.caption)


def test_metrics_page_without_calibration_says_how_to_make_it(
    tmp_path, monkeypatch, open_page, texts, fake_training_files
):
    fake_training_files(tmp_path)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert "No calibration.json for this model" in texts(at.info)

"""The Metrics page in AppTest: curves, results, model card, missing files."""

from __future__ import annotations

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
    assert "Split sizes" in set(card["field"]) and "Training time" in set(card["field"])


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

"""The Metrics page in AppTest: curves, results, model card, missing files."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

import vinocr.train.data
from ui import inputs, real_handwriting
from vinocr.box.image_io import encode_png


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


def fake_real_handwriting() -> dict:
    """A `real_handwriting` entry in the export's schema, with made-up numbers (test-only)."""
    return {
        "dataset": "realdev",
        "command": "python -m bench.eval_real --realdev-dir DIR",
        "images": 180,
        "right": 167,
        "sources": [
            {"source": "wacky9/note2tex", "images": 120, "right": 110},
            {"source": "wblachowski/bhmsds", "images": 60, "right": 57},
        ],
        "misread": [
            {"file": "note2tex_001.png", "char": "0", "read": "D", "probability": 0.61},
            {"file": "bhmsds_010.png", "char": "1", "read": "7", "probability": 0.91},
        ],
        "vins": {"count": 200, "accepted": 90, "accepted_wrong": 0, "exact": 150},
    }


def with_real_handwriting(folder, fake_training_files, entry) -> None:
    """The fake training files, metrics.json holding `entry` as its real_handwriting figures."""
    fake_training_files(folder)
    metrics = json.loads((folder / "metrics.json").read_text())
    metrics["real_handwriting"] = entry
    (folder / "metrics.json").write_text(json.dumps(metrics))


def fake_realdev(folder, files=("note2tex_001.png", "bhmsds_010.png")):
    """A realdev-like folder (labels.csv, images/) with small dark-on-white PNGs (test-only)."""
    (folder / "images").mkdir(parents=True)
    rows = ["file,char,source,origin"]
    for name in files:
        image = np.full((28, 28), 255, np.uint8)
        cv2.line(image, (14, 4), (14, 24), 0, 2)
        (folder / "images" / name).write_bytes(encode_png(image))
        source = "wacky9/note2tex" if name.startswith("note2tex") else "wblachowski/bhmsds"
        rows.append(f"{name},1,{source},x.png@0")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture
def no_default_realdev(tmp_path, monkeypatch):
    """Neither VINOCR_REALDEV_DIR nor a ../shared/data/realdev folder."""
    monkeypatch.delenv("VINOCR_REALDEV_DIR", raising=False)
    monkeypatch.setattr(real_handwriting, "DEFAULT_REALDEV_DIR", tmp_path / "no_realdev")


def real_handwriting_table(at):
    return next(d.value for d in at.dataframe if "data" in d.value.columns)


def test_metrics_page_shows_real_handwriting_per_source_beside_the_test_split(
    tmp_path, monkeypatch, open_page, texts, fake_training_files, no_default_realdev
):
    with_real_handwriting(tmp_path, fake_training_files, fake_real_handwriting())
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    assert "Other people's handwriting" in [s.value for s in at.subheader]
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("Real handwriting")].value == "92.78%"
    assert at.metric[labels.index("Read right")].value == "167 of 180"
    table = real_handwriting_table(at)
    assert list(table["data"]) == [
        "wacky9/note2tex",
        "wblachowski/bhmsds",
        "all of realdev",
        "EMNIST test split",
    ]
    assert list(table["right"][:3]) == [110, 57, 167] and table["accuracy"].iloc[1] == pytest.approx(0.95)
    test_n = json.loads((tmp_path / "metrics.json").read_text())["test"]["n"]
    assert table["images"].iloc[3] == test_n
    assert "200, 150 read exactly right, 90 accepted (45%), 0 of the accepted wrong" in texts(at.markdown)
    assert "python -m bench.eval_real --realdev-dir DIR" in texts(at.caption)
    # without the realdev folder: one line on where to point the page, and no misread images
    assert "set VINOCR_REALDEV_DIR to the realdev folder" in texts(at.info)
    assert not any("read as" in d.value.columns for d in at.dataframe)


def test_metrics_page_shows_the_misread_realdev_images_when_the_folder_is_set(
    tmp_path, monkeypatch, open_page, texts, table_with, fake_training_files, no_default_realdev
):
    models = tmp_path / "models"
    models.mkdir()
    with_real_handwriting(models, fake_training_files, fake_real_handwriting())
    realdev = fake_realdev(tmp_path / "realdev")
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(models))
    monkeypatch.setenv("VINOCR_REALDEV_DIR", str(realdev))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error and not at.warning, texts(at.warning)
    misread = table_with(at, "read as")
    assert list(misread["file"]) == ["bhmsds_010.png", "note2tex_001.png"]  # most confident first
    assert list(misread["label"]) == ["1", "0"] and list(misread["read as"]) == ["7", "D"]
    assert list(misread["probability"]) == [0.91, 0.61]
    assert list(misread["source"]) == ["wblachowski/bhmsds", "wacky9/note2tex"]
    assert all(str(uri).startswith("data:image/png;base64,") for uri in misread["image"])
    assert "VINOCR_REALDEV_DIR" not in texts(at.info)
    assert len(real_handwriting_table(at)) == 4  # the per-source table stays


def test_metrics_page_uses_the_default_realdev_folder_only_when_it_exists(
    tmp_path, monkeypatch, open_page, table_with, fake_training_files
):
    models = tmp_path / "models"
    models.mkdir()
    with_real_handwriting(models, fake_training_files, fake_real_handwriting())
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(models))
    monkeypatch.delenv("VINOCR_REALDEV_DIR", raising=False)
    monkeypatch.setattr(real_handwriting, "DEFAULT_REALDEV_DIR", fake_realdev(tmp_path / "shared_realdev"))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    assert len(table_with(at, "read as")) == 2


def test_metrics_page_names_a_missing_realdev_image_and_a_wrong_folder(
    tmp_path, monkeypatch, open_page, texts, table_with, fake_training_files, no_default_realdev
):
    models = tmp_path / "models"
    models.mkdir()
    with_real_handwriting(models, fake_training_files, fake_real_handwriting())
    realdev = fake_realdev(tmp_path / "realdev", files=("note2tex_001.png",))
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(models))
    monkeypatch.setenv("VINOCR_REALDEV_DIR", str(realdev))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    warnings = texts(at.warning)
    assert "bhmsds_010.png" in warnings and "labels.csv" in warnings
    misread = table_with(at, "read as")
    assert misread["image"].isna().tolist() == [True, False]  # the row stays, without its image
    monkeypatch.setenv("VINOCR_REALDEV_DIR", str(tmp_path / "nowhere"))
    at = open_page("pages/metrics.py")
    assert not at.exception
    assert f"VINOCR_REALDEV_DIR={tmp_path / 'nowhere'} is not a folder" in texts(at.info)


def test_metrics_page_without_or_with_a_broken_real_handwriting_entry(
    tmp_path, monkeypatch, open_page, texts, fake_training_files, no_default_realdev
):
    fake_training_files(tmp_path)  # no real_handwriting key at all
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    assert "no real-handwriting figures yet" in texts(at.info)
    assert "Model card" in [s.value for s in at.subheader]  # the rest of the page still shows
    broken = fake_real_handwriting()
    broken["sources"][0].pop("right")
    with_real_handwriting(tmp_path, fake_training_files, broken)
    at = open_page("pages/metrics.py")
    assert not at.exception and not at.error
    assert "`real_handwriting` entry could not be read" in texts(at.warning)
    assert "Model card" in [s.value for s in at.subheader]

"""Real-writing folders (vinocr.train.realdev) and their benchmark (bench.eval_real), on a folder in the
realdev layout made here from the project's own Hershey glyphs (the real realdev is never committed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.eval_real import main as eval_real_main
from vinocr.alphabet import VIN_ALPHABET
from vinocr.calibration import file_sha256
from vinocr.synth.samples import draw_glyph
from vinocr.train.calibrate import real_writers_report
from vinocr.train.realdev import compose_vins, evaluate, find_realdev_dir, full_sources, read_labels
from vinocr.vin.rules import check_digit_ok

ROOT_MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Source "full": every VIN character twice; source "digits": each digit once (dark on white)."""
    root = tmp_path_factory.mktemp("realdev")
    (root / "images").mkdir()
    rng = np.random.default_rng(4)
    rows = ["file,char,source,origin"]
    for source, chars, copies in (("full", VIN_ALPHABET, 2), ("digits", "0123456789", 1)):
        for char in chars:
            for k in range(copies):
                name = f"{source}_{char}_{k}.png"
                glyph = cv2.resize(draw_glyph(char, rng), (48, 48), interpolation=cv2.INTER_AREA)
                cv2.imwrite(str(root / "images" / name), 255 - glyph)
                rows.append(f"{name},{char},{source},made-here")
    (root / "labels.csv").write_text("\n".join(rows) + "\n")
    return root


def test_the_folder_is_found_from_the_flag_or_the_environment(folder, monkeypatch, tmp_path):
    monkeypatch.delenv("VINOCR_REALDEV_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ../shared/data/realdev from here
    assert find_realdev_dir(None) is None
    assert find_realdev_dir(folder) == folder
    monkeypatch.setenv("VINOCR_REALDEV_DIR", str(folder))
    assert find_realdev_dir(None) == folder


def test_evaluate_counts_per_source_and_names_each_misread_image(folder, recognizer):
    result = evaluate(recognizer, folder)
    sources = {row["source"]: row for row in result["sources"]}
    assert sources["full"]["images"] == 66 and sources["digits"]["images"] == 10
    assert result["images"] == 76 and result["right"] == sum(row["right"] for row in result["sources"])
    assert result["right"] >= 60  # the shipped model reads clean Hershey glyphs
    assert len(result["misread"]) == 76 - result["right"]
    labels = {c.path.name: c.char for c in read_labels(folder)}
    for miss in result["misread"]:
        assert labels[miss["file"]] == miss["char"] != miss["read"]


def test_vins_are_spelled_with_one_full_source_and_keep_their_check_digit(folder):
    chars = read_labels(folder)
    assert full_sources(chars, VIN_ALPHABET) == ["full"]
    vins = compose_vins(chars, "full", 50, seed=1)
    assert len(vins) == 50 and vins == compose_vins(chars, "full", 50, seed=1)
    for vin, rows in vins:
        assert len(vin) == 17 and check_digit_ok(vin)
        assert [chars[i].char for i in rows] == list(vin) and {chars[i].source for i in rows} == {"full"}


def test_real_writers_report_counts_accepted_and_wrong(folder):
    from vinocr.box.recognizer import Recognizer

    raw = Recognizer.load(ROOT_MODELS, calibrated=False)
    strict = real_writers_report(raw, folder, temperature=1.0, threshold=1.01, count=40)
    assert set(strict) == {"full"} and strict["full"]["accepted"] == 0
    loose = real_writers_report(raw, folder, temperature=1.0, threshold=0.0, count=40)["full"]
    assert loose["accepted"] == 40 and loose["wrong_accepted"] == round((1 - loose["exact_vin"]) * 40)
    assert real_writers_report(raw, folder, temperature=1.0, threshold=0.5, count=0) == {}  # no VINs asked


def test_eval_real_without_vins_reports_the_characters_only(folder, capsys):
    assert eval_real_main(["--realdev-dir", str(folder), "--model-dir", str(ROOT_MODELS), "--vins", "0"]) == 0
    out = capsys.readouterr().out
    assert "| **all** | 76 |" in out and "VINs spelled" not in out


def test_eval_real_writes_the_metrics_entry_the_metrics_page_reads(folder, tmp_path, capsys):
    models = tmp_path / "models"
    shutil.copytree(ROOT_MODELS, models)
    assert json.loads((models / "calibration.json").read_text())["model_sha256"] == file_sha256(
        models / "vinocr.onnx"
    )
    code = eval_real_main(
        ["--realdev-dir", str(folder), "--model-dir", str(models), "--vins", "30", "--write-metrics"]
    )
    assert code == 0
    entry = json.loads((models / "metrics.json").read_text())["real_handwriting"]
    assert {"images", "right", "sources", "misread", "vins"} <= set(entry)
    assert entry["vins"]["count"] == 30 and 0 <= entry["vins"]["accepted_wrong"] <= entry["vins"]["accepted"]
    out = capsys.readouterr().out
    assert "| **all** | 76 |" in out and "VINs spelled with full: 30" in out

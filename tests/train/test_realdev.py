"""Real-writing folders (vinocr.train.realdev) and their benchmark (bench.eval_real), on a folder in the
realdev layout made here from the project's own Hershey glyphs (the real realdev is never committed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.eval_photos import main as eval_photos_main
from bench.eval_real import main as eval_real_main
from vinocr.alphabet import VIN_ALPHABET
from vinocr.calibration import file_sha256
from vinocr.synth.samples import draw_glyph
from vinocr.train.calibrate import real_writers_report
from vinocr.train.realdev import (
    as_glyph,
    compose_vins,
    evaluate,
    find_realdev_dir,
    full_sources,
    read_labels,
    source_glyphs,
)
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
    assert find_realdev_dir(tmp_path) is None  # a folder named that is not one: not replaced by another


def test_a_named_folder_that_is_not_one_is_not_replaced_by_the_default(folder, monkeypatch, tmp_path):
    shared = tmp_path / "work"
    (shared / "project").mkdir(parents=True)
    default = shared / "shared" / "data" / "realdev"
    shutil.copytree(folder, default)
    monkeypatch.delenv("VINOCR_REALDEV_DIR", raising=False)
    monkeypatch.chdir(shared / "project")
    assert find_realdev_dir(None) == Path("..") / "shared" / "data" / "realdev"  # nothing named: the default
    assert find_realdev_dir(tmp_path / "typo") is None
    monkeypatch.setenv("VINOCR_REALDEV_DIR", str(tmp_path / "typo"))
    assert find_realdev_dir(None) is None


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


def test_eval_real_names_a_folder_that_is_not_a_realdev_folder(tmp_path, capsys):
    assert eval_real_main(["--realdev-dir", str(tmp_path / "typo"), "--model-dir", str(ROOT_MODELS)]) == 2
    assert f"{tmp_path / 'typo'}: no labels.csv there" in capsys.readouterr().err


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


def test_a_real_image_becomes_a_glyph_like_emnists_whatever_its_paper():
    rng = np.random.default_rng(2)
    ink = draw_glyph("K", rng)  # white on black, 0..255
    paper = np.clip(200 - ink.astype(np.int16) * 0.6 + rng.normal(0, 3, ink.shape), 0, 255).astype(np.uint8)
    for image in (paper, 255 - paper):  # grey paper with dark ink, and the same inverted
        glyph = as_glyph(image)
        assert glyph.dtype == np.uint8 and glyph.shape == ink.shape
        assert np.median(glyph) == 0 and glyph.max() == 255  # background black, the ink's bright end white
        assert glyph[ink > 200].mean() > 200 and glyph[ink == 0].mean() < 10  # the strokes where they were


def test_a_sources_glyphs_carry_its_labels(folder):
    chars = read_labels(folder)
    glyphs, labels = source_glyphs(chars, "digits", VIN_ALPHABET)
    assert len(glyphs) == 10 and [VIN_ALPHABET[k] for k in labels] == list("0123456789")
    assert all(g.dtype == np.uint8 and np.median(g) == 0 for g in glyphs)


def test_eval_photos_writes_the_vins_with_a_real_source(folder, capsys):
    code = eval_photos_main(["--realdev-dir", str(folder), "--per-tilt", "2", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0 and "source full" in out
    assert "| all | 8 |" in out  # 2 photos at each of the 4 tilt levels, all read


def test_eval_photos_names_a_source_that_cannot_spell_a_vin(folder, capsys):
    assert eval_photos_main(["--realdev-dir", str(folder), "--source", "digits", "--per-tilt", "1"]) == 2
    assert "no source named 'digits' holds all 33 VIN characters" in capsys.readouterr().err
    assert eval_photos_main(["--realdev-dir", str(folder.parent / "nowhere"), "--per-tilt", "1"]) == 2
    assert "nowhere: no labels.csv there" in capsys.readouterr().err

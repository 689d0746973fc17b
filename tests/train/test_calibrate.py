"""vinocr.train.calibrate: temperature fit, ECE, threshold choice, curves, and the whole command on a
few VINs (it writes a calibration.json the recognizer then uses)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from vinocr.box.recognizer import Recognizer
from vinocr.calibration import CALIBRATION_FILE, apply_temperature
from vinocr.train.calibrate import (
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
    main,
    precision_coverage_curve,
    reliability_table,
    wilson_lower,
)

MODELS = Path(__file__).resolve().parents[2] / "models"


def sampled(temperature: float, n: int = 20000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Softmax outputs of random logits and labels drawn from softmax(logits / temperature): the
    outputs are over-confident by exactly `temperature`."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, 33))
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    truth = apply_temperature(probs, temperature)
    labels = (truth.cumsum(1) > rng.random(n)[:, None]).argmax(1)
    return probs, labels


def test_fit_temperature_recovers_the_true_temperature():
    probs, labels = sampled(1.6)
    fitted = fit_temperature(probs, labels)
    assert fitted == pytest.approx(1.6, rel=0.05)
    assert expected_calibration_error(apply_temperature(probs, fitted), labels) < expected_calibration_error(
        probs, labels
    )
    assert expected_calibration_error(apply_temperature(probs, fitted), labels) < 0.02


def test_reliability_table_and_ece_by_hand():
    probs = np.array([[0.95, 0.05], [0.95, 0.05], [0.55, 0.45], [0.55, 0.45]])
    labels = np.array([0, 1, 0, 0])  # 95% bin: half right; 55% bin: all right
    table = reliability_table(probs, labels, bins=15)
    used = [row for row in table if row["count"]]
    assert [(row["count"], row["accuracy"]) for row in used] == [(2, 1.0), (2, 0.5)]
    assert expected_calibration_error(probs, labels, bins=15) == pytest.approx(0.5 * 0.45 + 0.5 * 0.45)
    assert len(table) == 15 and table[0]["low"] == 0.0 and table[-1]["high"] == 1.0


def test_threshold_is_the_highest_coverage_meeting_the_target():
    probability = np.array([0.999, 0.998, 0.997, 0.996, 0.995, 0.9, 0.8, 0.0])
    correct = np.array([True, True, True, True, True, False, True, False])
    point = {"z": 0.0}  # the counted share itself, no confidence bound
    assert choose_threshold(probability, correct, target=0.85, **point) == 0.8  # 6 of 7 right, mean 0.955
    assert choose_threshold(probability, correct, target=0.86, **point) == 0.995  # 5 of 6 is too few
    assert choose_threshold(probability, correct, target=0.99, **point) == 0.995
    # all right when counted, but their mean probability (0.93 from 0.9 down) promises less than 0.95
    assert choose_threshold(np.array([0.99, 0.9, 0.9]), np.ones(3, bool), target=0.95, **point) == 0.99
    assert choose_threshold(probability, np.zeros(8, bool), target=0.5, **point) == 1.0  # nothing qualifies
    curve = precision_coverage_curve(probability, correct, points=4)
    assert [round(p["coverage"], 3) for p in curve] == [0.25, 0.5, 0.75, 1.0]
    assert curve[0]["precision"] == 1.0 and curve[-1]["precision"] == 6 / 8


def test_the_threshold_leaves_room_for_chance():
    """Precision exactly at the target on validation is not enough: it must clear it at 95% confidence."""
    probability = np.linspace(1.0, 0.9985, 4000)  # mean probability above the target throughout
    correct = np.ones(4000, bool)
    correct[[999, 1999, 2999]] = False  # 1 mistake per 1,000 down to the 1,000th, 2 to the 2,000th...
    point = choose_threshold(probability, correct, target=0.999, z=0.0)
    bounded = choose_threshold(probability, correct, target=0.999)
    assert point == probability[-1]  # 3 of 4,000 wrong: 0.99925 counted
    assert bounded > point  # the lower bound needs more VINs per mistake: a higher threshold
    assert wilson_lower(np.array([995]), np.array([1000]), 1.645)[0] == pytest.approx(0.9895, abs=5e-4)


def test_the_command_writes_a_calibration_the_recognizer_uses(tmp_path, emnist_dir):
    for name in ("vinocr.onnx", "alphabet.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    args = ["--emnist-dir", str(emnist_dir), "--model-dir", str(tmp_path), "--val-vins", "60"]
    args += ["--unchecked-vins", "20", "--test-vins", "30", "--seeds", "0", "--test-boxes", "600"]
    assert main(args) == 0
    data = json.loads((tmp_path / CALIBRATION_FILE).read_text())
    assert 0.5 < data["temperature"] < 4 and 0 < data["accept"]["threshold"] <= 1
    assert data["fitted_on"]["split"] == "validation" and data["ece_bins"] == 15
    assert data["test_boxes"]["n"] <= 600 and len(data["test_boxes"]["reliability_after"]) == 15
    run = data["test_vins"]["seeds"]["0"]
    assert run["vins"] == 30 and 0 <= run["at_threshold"]["coverage"] <= 1 and run["curve"]
    margins = data["prefer_margin"]
    assert margins["current"] == "ln 100" and len(margins["rows"]) == 9
    assert math.isclose(sum(r["margin"] is None for r in margins["rows"]), 1)
    recognizer = Recognizer.load(tmp_path)
    assert recognizer.calibration.temperature == pytest.approx(data["temperature"])
    assert recognizer.calibration.accept_threshold == pytest.approx(data["accept"]["threshold"])
    assert main(["--emnist-dir", str(tmp_path / "nowhere"), "--model-dir", str(tmp_path)]) == 2

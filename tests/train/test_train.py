"""`python -m vinocr.train` end to end on a small slice (2 epochs, 2 members, all three stages): every
output file and its schema."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.recognizer import Recognizer
from vinocr.train.callbacks import read_history
from vinocr.train.export import choose_members, choose_prior_alpha
from vinocr.train.fit import main
from vinocr.train.stages import class_weights


def test_class_weights_favour_rare_classes():
    labels = np.array([0] * 100 + [1] * 25 + list(range(2, 33)) * 25)
    weights = class_weights(labels)
    assert weights[1] == 2 * weights[0]  # (100 / 25) ** 0.5
    assert abs(np.mean([weights[i] for i in labels]) - 1.0) < 1e-9


def test_prior_alpha_is_chosen_on_validation():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 33, 500)
    probs = np.full((500, 33), 0.01)
    probs[np.arange(500), y] = 0.6
    alpha, table = choose_prior_alpha(probs, y, np.log(np.full(33, 1 / 33)))
    assert alpha == 0.0 and table[0.0] == (1.0, 1.0)


@pytest.mark.timeout(1200)  # three stages, two members, blends, finalize: 295 s alone on a 2-core VM
def test_training_writes_a_usable_model(vin_split, emnist_dir, tmp_path, capsys):
    out = tmp_path / "models"
    args = [
        "--emnist-dir",
        str(emnist_dir),
        "--epochs",
        "2",
        "--first-cycle",
        "1",
        "--limit",
        "3000",
        "--batch-size",
        "32",
        "--box-epochs",
        "1",
        "--writers-epochs",
        "1",
        "--members",
        "2",
    ]
    args += ["--out", str(out), "--work-dir", str(tmp_path / "work")]
    assert main(args) == 0
    assert {"vinocr.keras", "vinocr.onnx", "alphabet.json", "history.json", "metrics.json"} <= {
        p.name for p in out.iterdir()
    }
    history = json.loads((out / "history.json").read_text())
    assert [row["epoch"] for row in history] == [
        1,
        2,
        3,
        4,
    ]  # 2 epochs of stage 1, 1 of stage 2, 1 of stage 3
    keys = {"loss", "accuracy", "val_loss", "val_accuracy", "val_macro_recall", "learning_rate", "seconds"}
    assert keys <= set(history[0]) and "stage" not in history[0]
    assert history[2]["stage"] == "box path" and 0 <= history[2]["val_box_accuracy"] <= 1
    assert history[3]["stage"] == "writers" and 0 <= history[3]["val_box_accuracy"] <= 1
    work = tmp_path / "work"
    assert (work / "epoch-02.keras").exists() and (work / "best.keras").exists()
    assert (work / "box-epoch-01.keras").exists() and (work / "member-1" / "box-epoch-01.keras").exists()
    assert (work / "writers-epoch-01.keras").exists() and (
        work / "member-1" / "writers-epoch-01.keras"
    ).exists()
    metrics = json.loads((out / "metrics.json").read_text())
    # chosen among the blends of the final stage's checkpoints of both members with their starts
    assert set(metrics["ensemble"]["members"]) <= {
        "writers-blend-epoch-01.keras",
        "member-1/writers-blend-epoch-01.keras",
    }
    assert metrics["parameters"]["writers_stage"]["epochs"] == 1
    assert metrics["parameters"]["members"] == 2 and metrics["parameters"]["member_seeds"] == [3779, 4779]
    assert metrics["split_sizes"]["test"] == 15469 and metrics["test"]["n"] == 15469
    assert metrics["seed"] == 3779 and metrics["parameters"]["limit"] == 3000
    assert 1 <= len(metrics["ensemble"]["members"]) <= 2 and metrics["ensemble"]["passes"] <= 3
    steps = [row["step"] for row in metrics["ablation_validation"]]
    assert steps[-2] == "+ class-prior correction (final)" and steps[-1].endswith("ONNX graph (shipped)")
    int8 = metrics["int8_validation_loss"]  # int8 ships only when it loses <= 0.001 against float32
    assert int8["shipped"] == ("int8" if int8["loss"] <= 0.001 else "float32")
    if int8["shipped"] == "int8":
        assert metrics["quantization"]["validation_agreement_with_keras"] > 0.95
    else:
        assert metrics["quantization"] is None and steps[-1] == "+ float32 ONNX graph (shipped)"
    assert len(metrics["data_files"]) == 6 and all(len(h) == 64 for h in metrics["data_files"].values())
    # chance is 0.076 (always "1"); a label or transpose mix-up stays there, 2 short epochs reach ~0.17
    assert metrics["test"]["accuracy"] > 0.12
    recognizer = Recognizer.load(out)
    assert recognizer.alphabet == VIN_ALPHABET
    probs = recognizer.predict_inputs(vin_split.x_test[:10].astype(np.float32))
    assert probs.shape == (10, 33) and np.allclose(probs.sum(1), 1, atol=1e-4)


@pytest.mark.timeout(1200)  # two short training runs and one finalize on a 2-core machine
def test_an_interrupted_run_resumes_where_it_stopped(vin_split, emnist_dir, tmp_path):
    """Kill the training process after its first epoch; the same command finishes the run from the
    saved state: epoch 1 is not trained again and both epochs end up in the history."""
    work = tmp_path / "work"
    command = [sys.executable, "-m", "vinocr.train", "--emnist-dir", str(emnist_dir), "--epochs", "2"]
    command += [
        "--first-cycle",
        "1",
        "--limit",
        "2000",
        "--batch-size",
        "32",
        "--box-epochs",
        "0",
        "--writers-epochs",
        "0",
        "--members",
        "1",
    ]
    command += ["--out", str(tmp_path / "models"), "--work-dir", str(work)]
    history = work / "history.jsonl"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not (history.exists() and history.read_text().count("\n") >= 1):
            assert process.poll() is None, "training ended before its first epoch was written"
            assert time.monotonic() < deadline
            time.sleep(0.1)  # polling the file, not waiting for a result
    finally:
        process.kill()
        process.wait()
    first = read_history(history)
    assert len(first) == 1 and not (work / "epoch-02.keras").exists()
    assert subprocess.run(command, capture_output=True).returncode == 0
    rows = read_history(history)
    assert [row["epoch"] for row in rows] == [1, 2]
    assert rows[0] == first[0]  # resumed after epoch 1, not started again
    assert (tmp_path / "models" / "vinocr.onnx").exists()


def test_a_second_snapshot_must_earn_its_cost():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 33, 2000)
    good = rng.normal(0, 1, (2000, 33))
    good[np.arange(2000), y] += 3.0  # mostly right
    noisy = good + rng.normal(0, 0.01, good.shape)  # a near copy: no real gain
    assert len(choose_members({"a": good, "b": noisy}, y)) == 1
    other = rng.normal(0, 1, (2000, 33))
    other[np.arange(2000), y] += 3.0  # independent errors: the mean is clearly better
    assert sorted(choose_members({"a": good, "c": other}, y)) == ["a", "c"]
    assert len(choose_members({"a": good, "c": other}, y, most=1)) == 1  # one pass: no ensemble

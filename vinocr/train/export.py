"""Finish a training run: choose on validation the ensemble (among every member's checkpoints), the
test-time shifts and the class-prior correction; write the inference model (`vinocr.keras`, float32)
and its ONNX export (static int8, what the recognizer runs); evaluate that ONNX graph on the test
split once; write history.json, metrics.json and alphabet.json.

Every choice is made on the validation split (EVALUATION.md): the score of a choice is
min(accuracy, macro recall), so that neither figure is traded away for the other.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vinocr.alphabet import NUM_CLASSES, VIN_ALPHABET
from vinocr.model_files import ALPHABET_FILE, HISTORY_FILE, KERAS_FILE, METRICS_FILE, ONNX_FILE
from vinocr.train.data import sha256_file
from vinocr.train.members import checkpoint_member, member_dir, member_seed
from vinocr.train.metrics import summarize

MAX_MEMBERS = 3  # the Keras file holds every member in float32 (2.4 MB each): all model files under 10 MB
MIN_GAIN = 0.001  # a second network or more input shifts must buy this much on validation to be kept
MAX_PASSES = 3  # members x shifts; the ONNX graph runs in int8 (vinocr.train.quantize), where three
# passes cost about 1.4 float32 passes (20 inputs: 4.8 ms float32, 2.6 ms int8 per pass, measured here)
QUANTIZE_SEED = 11  # picks the calibration images of the int8 graph (training glyphs only)
INT8_MAX_LOSS = 0.001  # the int8 graph ships when it loses at most this much validation accuracy
# (arrays and box inputs) against float32; otherwise the float32 graph ships (a blend of two networks
# quantized 0.0025 worse: see docs/training.md)


def prior_alpha_grid() -> np.ndarray:
    """Strengths of the class-prior correction tried on validation."""
    return np.round(np.arange(0.0, 1.01, 0.1), 2)


def choose_prior_alpha(val_probs: np.ndarray, y_val: np.ndarray, log_prior: np.ndarray) -> tuple[float, dict]:
    """Pick alpha for p(c|x) / prior(c)**alpha maximising min(accuracy, macro recall) on validation."""
    best_alpha, best_score, table = 0.0, -1.0, {}
    for alpha in prior_alpha_grid():
        pred = (np.log(val_probs + 1e-12) - alpha * log_prior).argmax(1)
        result = summarize(y_val, pred)
        table[float(alpha)] = (round(result["accuracy"], 5), round(result["macro_recall"], 5))
        score = min(result["accuracy"], result["macro_recall"])
        if score > best_score + 1e-9:
            best_alpha, best_score = float(alpha), score
    return best_alpha, table


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def score(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, macro recall) of the argmax of `logits`."""
    result = summarize(y, logits.argmax(1))
    return result["accuracy"], result["macro_recall"]


def shift_images(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """(N, 28, 28, 1) images moved by (dy, dx) pixels, zero-filled (as the inference graph does)."""
    out = np.zeros_like(x)
    h, w = x.shape[1:3]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def choose_members(
    val_logits: dict[str, np.ndarray], y_val: np.ndarray, most: int = MAX_MEMBERS
) -> list[str]:
    """Greedy snapshot ensemble: the best single checkpoint, then the partner (if any) whose mean
    logits raise min(accuracy, macro recall) on validation by at least MIN_GAIN (each member doubles
    the inference cost and the file size), up to `most`."""

    def value(names: list[str]) -> float:
        return min(score(np.mean([val_logits[n] for n in names], axis=0), y_val))

    chosen = [max(val_logits, key=lambda n: value([n]))]
    while len(chosen) < most:
        rest = [n for n in val_logits if n not in chosen]
        if not rest:
            break
        partner = max(rest, key=lambda n: value([*chosen, n]))
        if value([*chosen, partner]) < value(chosen) + MIN_GAIN:
            break
        chosen.append(partner)
    return chosen


def export_onnx(model, path: Path, calibration: np.ndarray | None = None) -> None:
    """Write the ONNX export the recognizer runs (the model must have been called once); with
    `calibration` images, as the static int8 graph of `vinocr.train.quantize`."""
    import tempfile

    from vinocr.train.quantize import quantize_onnx

    model.predict_on_batch(np.zeros((1, 28, 28, 1), np.float32))
    if calibration is None:
        model.export(str(path), format="onnx", verbose=False)
        return
    with tempfile.TemporaryDirectory(prefix="vinocr-export-") as work:
        float_graph = Path(work) / "float32.onnx"
        model.export(str(float_graph), format="onnx", verbose=False)
        quantize_onnx(float_graph, path, calibration)


def int8_ships(int8_loss: float) -> bool:
    """The rule: the int8 graph ships when it loses at most INT8_MAX_LOSS of validation accuracy."""
    return int8_loss <= INT8_MAX_LOSS


def ship_onnx(
    final, path: Path, split, checks: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[Callable[[np.ndarray], np.ndarray], list[np.ndarray], float, float]:
    """Export the inference model `final` as the static int8 graph, and keep it when it loses at most
    INT8_MAX_LOSS of accuracy against float32 on each of `checks` ((inputs, labels): validation
    arrays, box inputs); else export the float32 graph. Returns the shipped graph, its probabilities
    on each check, the int8 graph's larger loss and its argmax agreement with float32 on the first."""
    export_onnx(final, path, quantization_images(split.x_train, split.y_train))
    float_probs = [final.predict(x, batch_size=1024, verbose=0) for x, _ in checks]
    int8_graph = onnx_reader(path)
    int8_probs = [int8_graph(x) for x, _ in checks]
    int8_loss = max(  # the larger loss of validation accuracy against float32
        score(f, y)[0] - score(q, y)[0] for f, q, (_, y) in zip(float_probs, int8_probs, checks, strict=True)
    )
    agreement = float(np.mean(int8_probs[0].argmax(1) == float_probs[0].argmax(1)))
    if int8_ships(int8_loss):
        return int8_graph, int8_probs, int8_loss, agreement
    print(f"the int8 graph loses {int8_loss:.4f} of validation accuracy: shipping float32")
    export_onnx(final, path)
    float_graph = onnx_reader(path)
    return float_graph, [float_graph(x) for x, _ in checks], int8_loss, agreement


def graph_metrics(int8_loss: float, agreement: float) -> dict:
    """metrics.json's entries on the shipped ONNX graph: how it was quantized, and the rule's verdict."""
    int8 = int8_ships(int8_loss)
    return {
        "quantization": {
            "onnx": "static int8 QDQ (vinocr.train.quantize: per-channel 7-bit weights (reduce_range), uint8 "
            "activations, Percentile calibration; softmax and logits in float)",
            "calibration_images": "2,048: half training arrays, half training glyphs through the box path "
            f"(seed {QUANTIZE_SEED})",
            "validation_agreement_with_keras": agreement,
        }
        if int8
        else None,
        "int8_validation_loss": {
            "loss": round(int8_loss, 5),
            "rule": f"int8 ships when it loses at most {INT8_MAX_LOSS} of validation accuracy (arrays and "
            "box inputs, the larger loss) against float32; else float32",
            "shipped": "int8" if int8 else "float32",
        },
    }


def quantization_images(x_train: np.ndarray, y_train: np.ndarray, seed: int = QUANTIZE_SEED) -> np.ndarray:
    """The int8 graph's calibration images: half training arrays, half training glyphs drawn in
    random box styles and put through the box path (what the recognizer feeds it)."""
    from vinocr.train.box_styles import render_inputs
    from vinocr.train.quantize import CALIBRATION_COUNT, calibration_sample

    count = min(CALIBRATION_COUNT, len(y_train))  # a smoke run may train on fewer
    picks = np.random.default_rng(seed).choice(len(y_train), count, replace=False)
    boxed, _ = render_inputs(x_train[picks], y_train[picks], seed, workers=1)
    return calibration_sample([x_train, boxed], CALIBRATION_COUNT, seed)


def onnx_reader(path: Path) -> Callable[[np.ndarray], np.ndarray]:
    """The exported graph, loaded once, as the recognizer runs it: (N, 28, 28, 1) inputs -> outputs."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def probabilities(x: np.ndarray) -> np.ndarray:
        return np.concatenate([session.run(None, {name: x[i : i + 1024]})[0] for i in range(0, len(x), 1024)])

    return probabilities


def finalize(
    out: Path,
    work: Path,
    split,
    histories: list[list[dict]],
    params: dict,
    seed: int,
    train_seconds: float,
    prefix: str = "",
    max_passes: int = MAX_PASSES,
    epochs: str = "*",
    prior_correction: bool = True,
) -> dict:
    """Choose, build, export and evaluate the final model from the checkpoints whose names start
    with `prefix` (the last training stage's) in the folders of the members (`work`, then
    `work/member-1`, ...); `histories` holds each member's epochs (history.json gets those of the
    member whose network leads the ensemble). `epochs` narrows the checkpoints (a glob: "02" takes
    only each member's epoch 2)."""
    import keras
    import tensorflow as tf

    from vinocr.train.model import SHIFT_SETS, build_inference_model, logit_network

    out.mkdir(parents=True, exist_ok=True)
    previous = _previous_summary(out / METRICS_FILE)
    x_val = split.x_val[..., None].astype(np.float32)
    y_val = split.y_val
    paths, nets = {}, {}
    for member in range(len(histories)):
        for path in sorted(member_dir(work, member).glob(f"{prefix}epoch-{epochs}.keras")):
            name = path.relative_to(work).as_posix()  # "box-epoch-03.keras", "member-1/box-epoch-03.keras"
            try:  # a checkpoint cut short by an interrupted run is left out, not fatal
                nets[name] = logit_network(keras.models.load_model(path, compile=False), "net")
                paths[name] = path
            except (OSError, ValueError) as exc:
                print(f"skipping {path}: {exc}")
    val_logits = {name: net.predict(x_val, batch_size=1024, verbose=0) for name, net in nets.items()}
    last = [name for name in paths if checkpoint_member(name) == 0][-1]  # member 0's last epoch
    best_single = max(val_logits, key=lambda n: score(val_logits[n], y_val)[1])
    members = choose_members(val_logits, y_val, min(MAX_MEMBERS, max_passes))

    shifted = {
        key: ensemble_logits(nets, members, shifts, x_val)
        for key, shifts in SHIFT_SETS.items()
        if len(shifts) * len(members) <= max_passes
    }
    baseline = min(score(shifted["none"], y_val))
    worth = [k for k in shifted if k == "none" or min(score(shifted[k], y_val)) >= baseline + MIN_GAIN]
    shift_key = max(worth, key=lambda k: (min(score(shifted[k], y_val)), -len(SHIFT_SETS[k])))

    counts = np.bincount(split.y_train, minlength=NUM_CLASSES).astype(np.float64)
    log_prior = np.log(counts / counts.sum())
    alpha, table = choose_prior_alpha(softmax(shifted[shift_key]), y_val, log_prior)
    if not prior_correction:
        alpha = 0.0
    corrected = shifted[shift_key] - alpha * log_prior

    box_val = _box_validation(work)

    box_logits: dict[tuple, np.ndarray] = {}  # the rows share networks: each is run once on the boxes

    def row(name: str, names: list[str], shifts: str, a: float, logits: np.ndarray, source=nets) -> dict:
        box = None
        if box_val is not None:
            key = (id(source), tuple(names), shifts)
            if key not in box_logits:
                box_logits[key] = ensemble_logits(source, names, SHIFT_SETS[shifts], box_val[0])
            box = box_logits[key] - a * log_prior
        return _row(name, names, shifts, a, logits, y_val, box, box_val)

    ablation = []
    if prefix and (work / "best.keras").exists():  # what stage 1 alone gave
        stage1 = {
            "best.keras": logit_network(keras.models.load_model(work / "best.keras", compile=False), "s1")
        }
        logits1 = stage1["best.keras"].predict(x_val, batch_size=1024, verbose=0)
        name = "stage 1 alone (its best epoch, before box-path fine-tuning)"
        ablation.append(row(name, ["best.keras"], "none", 0.0, logits1, stage1))
    ablation += [
        row("last epoch alone", [last], "none", 0.0, val_logits[last]),
        row("best epoch by val macro recall", [best_single], "none", 0.0, val_logits[best_single]),
        row("+ ensemble (members, snapshots)", members, "none", 0.0, shifted["none"]),
        row("+ test-time shifts", members, shift_key, 0.0, shifted[shift_key]),
        row("+ class-prior correction (final)", members, shift_key, alpha, corrected),
    ]

    member_models = []
    for name in members:
        model = keras.models.load_model(paths[name], compile=False)
        head = model.get_layer("logits")
        kernel, bias = head.get_weights()
        head.set_weights([kernel, bias - alpha * log_prior.astype(bias.dtype)])
        member_models.append(model)
    final = build_inference_model(member_models, shift_key)
    model_path = out / KERAS_FILE
    final.save(model_path)
    checks = [(x_val, y_val)] + ([] if box_val is None else [box_val])  # arrays, box inputs
    shipped_graph, shipped_probs, int8_loss, agreement = ship_onnx(final, out / ONNX_FILE, split, checks)
    int8 = int8_ships(int8_loss)
    val_probs = shipped_probs[0]
    box_shipped = None if box_val is None else np.log(shipped_probs[1] + 1e-12)
    name = f"+ {'int8' if int8 else 'float32'} ONNX graph (shipped)"  # prior correction in its bias
    shipped = np.log(val_probs + 1e-12)
    ablation.append(_row(name, members, shift_key, alpha, shipped, y_val, box_shipped, box_val))
    val = summarize(y_val, val_probs.argmax(1))
    test_probs = shipped_graph(split.x_test[..., None].astype(np.float32))
    test = summarize(split.y_test, test_probs.argmax(1))  # the one evaluation of the test split

    lead = checkpoint_member(members[0])
    history = histories[lead]
    best_epoch = max(history, key=lambda r: r.get("val_macro_recall", 0)) if history else {}
    metrics = {
        "protocol": "../shared/EVALUATION.md (VIN-33 pool, sha256 split)",
        "test": test,
        "validation": {"accuracy": val["accuracy"], "macro_recall": val["macro_recall"]},
        "validation_best_epoch": {
            k: best_epoch.get(k) for k in ("epoch", "val_accuracy", "val_macro_recall")
        },
        "ensemble": {
            "members": members,
            "shifts": shift_key,
            "passes": len(members) * len(SHIFT_SETS[shift_key]),
            "rule": "greedy snapshot ensemble (mean logits) and test-time shift set chosen on validation "
            f"by min(accuracy, macro recall), each kept only when it gains >= {MIN_GAIN}; "
            f"at most {MAX_MEMBERS} members and {max_passes} passes (members x shifts)",
        },
        "ablation_validation": ablation,
        "members_trained": [
            {"member": k, "seed": member_seed(seed, k), "epochs": len(rows), **_last_validation(rows)}
            for k, rows in enumerate(histories)
        ],
        "history_of_member": lead,
        **graph_metrics(int8_loss, agreement),
        "prior_correction": {
            "alpha": alpha,
            "rule": "mean logits - alpha * log(train class prior), alpha chosen on validation "
            "to maximise min(accuracy, macro recall); folded into each member's logits bias",
            "validation_table (alpha: accuracy, macro recall)": table,
        },
        "previous_model": previous,
        "split_sizes": split.sizes,
        "data_files": {p.name: sha256_file(p) for source in split.sources for p in source.files},
        "parameters": {**params, "trainable_params": int(final.count_params())},
        "seed": seed,
        "training_seconds": round(train_seconds, 1),
        "model_file": KERAS_FILE,
        "model_bytes": model_path.stat().st_size,
        "onnx_file": ONNX_FILE,
        "onnx_bytes": (out / ONNX_FILE).stat().st_size,
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    (out / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    (out / ALPHABET_FILE).write_text(json.dumps({"alphabet": VIN_ALPHABET}) + "\n")
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"members {members}, shifts {shift_key}, prior alpha {alpha}")
    print(f"test accuracy {test['accuracy']:.4f}, macro recall {test['macro_recall']:.4f} -> {model_path}")
    return metrics


def _row(
    name: str,
    members: list[str],
    shifts: str,
    alpha: float,
    logits: np.ndarray,
    y: np.ndarray,
    box_logits: np.ndarray | None = None,
    box_val: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict:
    """One line of the validation ablation table (with the accuracy on validation boxes read through
    the box path, when those were rendered)."""
    accuracy, macro_recall = score(logits, y)
    line = {
        "step": name,
        "members": members,
        "shifts": shifts,
        "alpha": alpha,
        "val_accuracy": round(accuracy, 5),
        "val_macro_recall": round(macro_recall, 5),
    }
    if box_logits is not None and box_val is not None:
        line["val_box_accuracy"] = round(float(np.mean(box_logits.argmax(1) == box_val[1])), 5)
    return line


def _last_validation(rows: list[dict]) -> dict:
    """A member's validation figures at its last epoch."""
    keys = ("val_accuracy", "val_macro_recall", "val_box_accuracy")
    return {k: round(rows[-1][k], 5) for k in keys if rows and k in rows[-1]}


def ensemble_logits(nets: dict, names: list[str], shifts, x: np.ndarray) -> np.ndarray:
    """Mean logits of the named networks over the (dy, dx) input shifts (as the inference graph)."""
    views = [shift_images(x, dy, dx) for dy, dx in shifts]
    return np.mean([nets[n].predict(v, batch_size=1024, verbose=0) for v in views for n in names], axis=0)


def _box_validation(work: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The validation glyphs as the box path saw them in stage 2 (inputs (N, 28, 28, 1), labels), if any."""
    from vinocr.train.box_styles import VALIDATION_FILE, read_cached

    saved = read_cached(work / VALIDATION_FILE)
    return None if saved is None else (saved[0][..., None].astype(np.float32), saved[1])


def _previous_summary(path: Path) -> dict | None:
    """Headline figures of the model about to be replaced (for the model card's comparison)."""
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return {
        "test_accuracy": old.get("test", {}).get("accuracy"),
        "test_macro_recall": old.get("test", {}).get("macro_recall"),
        "validation": old.get("validation"),
        "parameters": old.get("parameters"),
        "model_bytes": old.get("model_bytes"),
        "onnx_bytes": old.get("onnx_bytes"),
        "quantization": old.get("quantization"),
        "training_seconds": old.get("training_seconds"),
        "previous": None,
    }

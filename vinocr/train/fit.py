"""Train the VIN-33 CNN: `python -m vinocr.train [--emnist-dir DIR] [--epochs N] [--out models]`.

Trains on the EVALUATION.md train split with augmentation and class weights, keeps the epoch with
the best validation macro recall, evaluates the test split once and writes into the output folder:
vinocr.keras, alphabet.json, history.json and metrics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from vinocr.alphabet import NUM_CLASSES, VIN_ALPHABET
from vinocr.model_files import ALPHABET_FILE, HISTORY_FILE, KERAS_FILE, METRICS_FILE, ONNX_FILE
from vinocr.train.data import load_vin_split, resolve_emnist_dir, sha256_file
from vinocr.train.metrics import summarize


def class_weights(labels: np.ndarray, power: float = 0.5) -> dict[int, float]:
    """Inverse-frequency weights softened by `power`, normalised to a sample mean of 1."""
    counts = np.bincount(labels, minlength=NUM_CLASSES).astype(np.float64)
    weights = (counts.max() / np.maximum(counts, 1)) ** power
    weights /= (weights[labels]).mean()
    return {i: float(w) for i, w in enumerate(weights)}


def strip_optimizer(path: Path):
    """Re-save the model at `path` without optimizer state (3x smaller); return the bare model."""
    import keras

    trained = keras.models.load_model(path, compile=False)
    bare = keras.models.clone_model(trained)
    bare.set_weights(trained.get_weights())
    bare.save(path)
    return bare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vinocr.train", description=__doc__.split("\n")[0])
    parser.add_argument("--emnist-dir")
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=3779)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images (smoke runs)")
    parser.add_argument(
        "--finalize",
        action="store_true",
        help="skip training: strip, calibrate, export and evaluate the freshly trained model in --out",
    )
    args = parser.parse_args(argv)
    if args.finalize:
        old = json.loads((args.out / METRICS_FILE).read_text())
        split = load_vin_split(resolve_emnist_dir(args.emnist_dir))
        params = {k: v for k, v in old["parameters"].items() if k != "trainable_params"}
        finalize(args.out, split, params, old["seed"], old["training_seconds"])
        return 0

    import keras
    import tensorflow as tf

    from vinocr.train.augment import augment_batch
    from vinocr.train.model import build_model

    keras.utils.set_random_seed(args.seed)
    started = time.time()
    root = resolve_emnist_dir(args.emnist_dir)
    split = load_vin_split(root)
    x_train, y_train = split.x_train, split.y_train
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    weights = class_weights(y_train)
    sample_w = np.array([weights[i] for i in range(NUM_CLASSES)], dtype=np.float32)[y_train]

    rng = tf.random.Generator.from_seed(args.seed)
    train_ds = (
        tf.data.Dataset.from_tensor_slices((x_train[..., None].astype(np.float32), y_train, sample_w))
        .shuffle(len(y_train), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch_size)
        .map(lambda x, y, w: (augment_batch(x, rng), y, w))
        .prefetch(2)
    )
    x_val = split.x_val[..., None].astype(np.float32)

    steps = args.epochs * int(np.ceil(len(y_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(
        1e-4, steps, warmup_target=args.lr, warmup_steps=steps // 20, alpha=0.01
    )
    optimizer = keras.optimizers.Adam(schedule)
    model = build_model()
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / KERAS_FILE
    history: list[dict] = []
    best = -1.0

    class Tracker(keras.callbacks.Callback):
        """Per-epoch history with validation macro recall; saves the best epoch."""

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.time()

        def on_epoch_end(self, epoch, logs=None):
            nonlocal best
            probs = self.model.predict(x_val, batch_size=1024, verbose=0)
            val = summarize(split.y_val, probs.argmax(1))
            lr = float(schedule(optimizer.iterations))
            row = {
                "epoch": epoch + 1,
                "loss": float(logs["loss"]),
                "accuracy": float(logs["accuracy"]),
                "val_loss": float(np.mean(-np.log(probs[np.arange(len(probs)), split.y_val] + 1e-12))),
                "val_accuracy": val["accuracy"],
                "val_macro_recall": val["macro_recall"],
                "learning_rate": lr,
                "seconds": round(time.time() - self.t0, 1),
            }
            history.append(row)
            if val["macro_recall"] > best:
                best = val["macro_recall"]
                self.model.save(model_path)
                row["saved"] = True
            print(json.dumps(row), flush=True)

    model.fit(
        train_ds,
        epochs=args.epochs,
        callbacks=[Tracker()],
        verbose=1 if sys.stdout.isatty() else 2,
    )
    train_seconds = time.time() - started
    (args.out / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    params = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "peak_learning_rate": args.lr,
        "schedule": "linear warm-up 5% then cosine decay",
        "class_weights": "inverse frequency ** 0.5",
        "augmentation": "affine (rot +-10 deg, scale 0.85-1.12, shear +-0.15, shift +-2 px), "
        "stroke thicken/thin, blur",
        "limit": args.limit,
        "selection": "epoch with the best validation macro recall",
    }
    finalize(args.out, split, params, args.seed, train_seconds)
    return 0


def export_onnx(model, path: Path) -> None:
    """Write the ONNX export the recognizer runs (needs tf2onnx; the model must have been called)."""
    model.predict_on_batch(np.zeros((1, 28, 28, 1), np.float32))
    model.export(str(path), format="onnx", verbose=False)


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


def finalize(out: Path, split, params: dict, seed: int, train_seconds: float) -> dict:
    """Strip the optimizer, fold the validation-chosen prior correction into the output bias,
    evaluate the test split once and write alphabet.json and metrics.json."""
    import keras
    import tensorflow as tf

    model_path = out / KERAS_FILE
    model = strip_optimizer(model_path)
    x_val = split.x_val[..., None].astype(np.float32)
    val_probs = model.predict(x_val, batch_size=1024, verbose=0)
    counts = np.bincount(split.y_train, minlength=NUM_CLASSES).astype(np.float64)
    log_prior = np.log(counts / counts.sum())
    alpha, table = choose_prior_alpha(val_probs, split.y_val, log_prior)
    head = model.get_layer("char")
    kernel, bias = head.get_weights()
    head.set_weights([kernel, bias - alpha * log_prior.astype(bias.dtype)])
    model.save(model_path)
    export_onnx(model, out / ONNX_FILE)
    val = summarize(split.y_val, model.predict(x_val, batch_size=1024, verbose=0).argmax(1))
    test_probs = model.predict(split.x_test[..., None].astype(np.float32), batch_size=1024, verbose=0)
    test = summarize(split.y_test, test_probs.argmax(1))
    history = json.loads((out / HISTORY_FILE).read_text())
    best_epoch = max(history, key=lambda r: r["val_macro_recall"])
    metrics = {
        "protocol": "../shared/EVALUATION.md (VIN-33 pool, sha256 split)",
        "test": test,
        "validation": {"accuracy": val["accuracy"], "macro_recall": val["macro_recall"]},
        "validation_best_epoch": {k: best_epoch[k] for k in ("epoch", "val_accuracy", "val_macro_recall")},
        "prior_correction": {
            "alpha": alpha,
            "rule": "logits - alpha * log(train class prior), alpha chosen on validation "
            "to maximise min(accuracy, macro recall); folded into the output layer's bias",
            "validation_table (alpha: accuracy, macro recall)": table,
        },
        "split_sizes": split.sizes,
        "data_files": {p.name: sha256_file(p) for source in split.sources for p in source.files},
        "parameters": {
            **params,
            "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        },
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
    (out / ALPHABET_FILE).write_text(json.dumps({"alphabet": VIN_ALPHABET}) + "\n")
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"prior alpha {alpha}; test accuracy {test['accuracy']:.4f}", end=", ")
    print(f"macro recall {test['macro_recall']:.4f}")
    print(f"trained in {train_seconds / 60:.1f} min -> {model_path}")
    return metrics


if __name__ == "__main__":
    sys.exit(main())

"""Tables and files: box and batch tables, CSV bytes, gallery order, metrics files as frames, model card."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vinocr.alphabet import UNREAD, VIN_ALPHABET
from vinocr.box.recognizer import BoxResult
from vinocr.train.members import checkpoint_member


def top_frame(result: BoxResult, k: int = 5) -> pd.DataFrame:
    """The k most probable characters of a result as a (character, probability) table."""
    if result.status != "ok" or result.probs is None:
        return pd.DataFrame({"character": [], "probability": []})
    probs = np.asarray(result.probs, dtype=np.float64)
    order = np.argsort(probs)[::-1][:k]
    return pd.DataFrame({"character": [VIN_ALPHABET[i] for i in order], "probability": probs[order]})


def top_text(result: BoxResult) -> str:
    """E.g. "M 0.97 · N 0.02 · H 0.01"."""
    return " · ".join(f"{char} {prob:.2f}" for char, prob in result.top)


def box_table(
    results: Sequence[BoxResult],
    final: str | None = None,
    corrections: dict[int, str] | None = None,
    changed: Sequence[int] = (),
) -> pd.DataFrame:
    """One row per box of a VIN (in VIN order): what the model read and what the VIN shows.

    `final` is the VIN string shown (one character per box), `changed` the 1-based positions the
    rules changed and `corrections` the 0-based boxes corrected by hand.
    """
    corrections = corrections or {}
    rows = []
    for i, result in enumerate(results):
        shown = final[i] if final is not None and i < len(final) else (result.char or UNREAD)
        rows.append(
            {
                "position": i + 1,
                "file": result.name,
                "read": result.char or "",
                "confidence": round(result.confidence, 4) if result.status == "ok" else None,
                "top 3": top_text(result),
                "status": result.status,
                "corrected": corrections.get(i, ""),
                "changed by rules": (i + 1) in changed,
                "vin char": shown,
                "ascii": ord(shown) if shown and shown != UNREAD else None,
                "message": result.message,
            }
        )
    frame = pd.DataFrame(rows)
    if not rows:
        return frame
    frame["ascii"] = frame["ascii"].astype("Int64")
    frame["confidence"] = frame["confidence"].astype("Float64")
    return frame


def batch_table(results: Sequence[BoxResult], thumbnails: Sequence[str | None] | None = None) -> pd.DataFrame:
    """The batch contract (ASCII code, file name) plus character, status, confidence, top 3, message."""
    rows = []
    for i, result in enumerate(results):
        row: dict[str, Any] = {
            "ascii": result.ascii_code,
            "file": result.name,
            "char": result.char or "",
            "status": result.status,
            "confidence": round(result.confidence, 4) if result.status == "ok" else None,
            "top 3": top_text(result),
            "message": result.message,
        }
        if thumbnails is not None:
            row = {"image": thumbnails[i], **row}
        rows.append(row)
    frame = pd.DataFrame(rows)
    if rows:
        frame["ascii"] = frame["ascii"].astype("Int64")
        frame["confidence"] = frame["confidence"].astype("Float64")
    return frame


def csv_bytes(frame: pd.DataFrame, drop: Sequence[str] = ("image",)) -> bytes:
    """UTF-8 CSV of a table without its image columns."""
    return frame.drop(columns=[c for c in drop if c in frame.columns]).to_csv(index=False).encode("utf-8")


def gallery_order(results: Sequence[BoxResult]) -> list[int]:
    """Indices for the gallery: empty boxes first, then recognised ones from least to most confident."""
    shown = [i for i, r in enumerate(results) if r.status in ("ok", "empty")]
    return sorted(shown, key=lambda i: (results[i].status == "ok", results[i].confidence, i))


def load_json(path: Path) -> Any | None:
    """Parsed JSON, or None when the file is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def history_frame(history: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Long table (epoch, metric, split, value) of loss and accuracy, train vs validation (and the
    accuracy on validation boxes read through the box path, logged by the fine-tuning stage)."""
    pairs = {
        ("loss", "train"): "loss",
        ("loss", "validation"): "val_loss",
        ("accuracy", "train"): "accuracy",
        ("accuracy", "validation"): "val_accuracy",
        ("macro recall", "validation"): "val_macro_recall",
        ("box accuracy", "validation"): "val_box_accuracy",
    }
    rows = [
        {"epoch": int(row["epoch"]), "metric": metric, "split": split, "value": float(row[key])}
        for row in history
        for (metric, split), key in pairs.items()
        if row.get(key) is not None and "epoch" in row
    ]
    return pd.DataFrame(rows, columns=["epoch", "metric", "split", "value"])


def per_class_frame(test: dict[str, Any]) -> pd.DataFrame:
    """Per-class recall and support of the test split, in alphabet order."""
    recall = test.get("per_class_recall", {})
    support = test.get("support", {})
    rows = [
        {"character": c, "recall": recall.get(c), "support": support.get(c)}
        for c in VIN_ALPHABET
        if c in recall
    ]
    return pd.DataFrame(rows, columns=["character", "recall", "support"])


def confusion_frame(matrix: Sequence[Sequence[int]], hide_diagonal: bool = False) -> pd.DataFrame:
    """Long table (true, predicted, count, share of the true class) of the confusion matrix."""
    counts = np.asarray(matrix, dtype=np.int64)
    totals = counts.sum(axis=1)
    rows = []
    for t, true_char in enumerate(VIN_ALPHABET[: counts.shape[0]]):
        for p, pred_char in enumerate(VIN_ALPHABET[: counts.shape[1]]):
            count = int(counts[t, p])
            if hide_diagonal and t == p:
                count = 0
            share = count / totals[t] if totals[t] else 0.0
            rows.append({"true": true_char, "predicted": pred_char, "count": count, "share": share})
    return pd.DataFrame(rows)


def confused_pairs_frame(matrix: Sequence[Sequence[int]], top: int = 10) -> pd.DataFrame:
    """The most frequent mistakes as (true, predicted, count, share of the true class)."""
    from vinocr.train.metrics import most_confused_pairs

    counts = np.asarray(matrix, dtype=np.int64)
    totals = dict(zip(VIN_ALPHABET, counts.sum(axis=1), strict=True))
    rows = [
        {"true": t, "predicted": p, "count": n, "share of true": n / totals[t] if totals[t] else 0.0}
        for t, p, n in most_confused_pairs(counts, top)
    ]
    return pd.DataFrame(rows, columns=["true", "predicted", "count", "share of true"])


def model_card(metrics: dict[str, Any], model_bytes: int | None = None) -> list[tuple[str, str]]:
    """(field, value) lines describing the trained model: data, split, parameters, size, time, versions."""
    lines: list[tuple[str, str]] = []
    if metrics.get("protocol"):
        lines.append(("Protocol", str(metrics["protocol"])))
    sizes = metrics.get("split_sizes") or {}
    if sizes:
        lines.append(("Split sizes", ", ".join(f"{k} {v:,}" for k, v in sizes.items())))
    for name, digest in (metrics.get("data_files") or {}).items():
        lines.append((f"Data file {name}", f"sha256 {digest}"))
    for key, value in (metrics.get("parameters") or {}).items():
        lines.append(
            (key.replace("_", " ").capitalize(), f"{value:,}" if isinstance(value, int) else str(value))
        )
    if "seed" in metrics:
        lines.append(("Seed", str(metrics["seed"])))
    best = metrics.get("validation_best_epoch") or {}
    if best:
        lines.append(
            (
                "Best validation epoch",
                f"{best.get('epoch')} (accuracy {best.get('val_accuracy', 0):.4f}, "
                f"macro recall {best.get('val_macro_recall', 0):.4f})",
            )
        )
    prior = metrics.get("prior_correction") or {}
    if "alpha" in prior:
        lines.append(
            (
                "Class-prior correction",
                f"alpha {prior['alpha']} (chosen on validation): {prior.get('rule', '')}",
            )
        )
    if metrics.get("onnx_bytes"):
        lines.append(
            (
                "Inference file",
                f"{metrics.get('onnx_file', 'vinocr.onnx')}, {metrics['onnx_bytes'] / 1e6:.1f} MB",
            )
        )
    size = metrics.get("model_bytes", model_bytes)
    if size:
        lines.append(("Model file", f"{metrics.get('model_file', 'vinocr.keras')}, {size / 1e6:.1f} MB"))
    if "training_seconds" in metrics:
        lines.append(("Training time (all networks)", f"{metrics['training_seconds'] / 60:.1f} min"))
    versions = metrics.get("versions") or {}
    if versions:
        lines.append(("Versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    if metrics.get("machine"):
        lines.append(("Machine", str(metrics["machine"])))
    return lines


PARAMS = "trainable_params"


def model_comparison_frame(metrics: dict[str, Any]) -> pd.DataFrame:
    """This model against the one it replaced: test figures, validation, size, parameters, time."""
    previous = metrics.get("previous_model") or {}
    if not previous:
        return pd.DataFrame(columns=["", "previous model", "this model"])
    test = metrics.get("test", {})
    params = metrics.get("parameters", {})
    old_params = previous.get("parameters") or {}

    def mb(value: Any) -> str:
        return f"{value / 1e6:.1f} MB" if value else ""

    def pct(value: Any) -> str:
        return f"{value:.2%}" if isinstance(value, int | float) else ""

    rows = [
        ("test accuracy", pct(previous.get("test_accuracy")), pct(test.get("accuracy"))),
        ("test macro recall", pct(previous.get("test_macro_recall")), pct(test.get("macro_recall"))),
        (
            "validation accuracy / macro recall",
            " / ".join(pct(v) for v in (previous.get("validation") or {}).values()),
            " / ".join(pct(v) for v in (metrics.get("validation") or {}).values()),
        ),
        ("epochs", str(old_params.get("epochs", "")), str(params.get("epochs", ""))),
        ("schedule", str(old_params.get("schedule", "")), str(params.get("schedule", ""))),
        ("networks x input shifts", "1 x 1", _passes(metrics)),
        (
            "networks trained (independent seeds)",
            str(old_params.get("members", 1)),
            str(params.get("members", 1)),
        ),
        ("ONNX graph", _precision(previous), _precision(metrics)),
        (
            "trained on",
            str(old_params.get("trained_on", "this machine")),
            str(params.get("trained_on", "this machine")),
        ),
        (
            "parameters",
            f"{old_params.get('trainable_params', 0):,}",
            f"{params.get('trainable_params', 0):,}",
        ),
        ("ONNX file", mb(previous.get("onnx_bytes")), mb(metrics.get("onnx_bytes"))),
        (
            "training time",
            f"{(previous.get('training_seconds') or 0) / 60:.0f} min",
            f"{(metrics.get('training_seconds') or 0) / 60:.0f} min",
        ),
    ]
    return pd.DataFrame(rows, columns=["", "previous model", "this model"])


def _precision(metrics: dict[str, Any]) -> str:
    """ "int8" for a quantized ONNX graph, else "float32"."""
    return "int8" if metrics.get("quantization") else "float32"


def members_frame(metrics: dict[str, Any]) -> pd.DataFrame:
    """Each independently trained network at its last epoch (validation), and whether it was kept."""
    kept = {checkpoint_member(name) for name in (metrics.get("ensemble") or {}).get("members", [])}
    rows = [
        {
            "network": row["member"],
            "seed": row["seed"],
            "epochs": row["epochs"],
            "validation accuracy": row.get("val_accuracy"),
            "validation macro recall": row.get("val_macro_recall"),
            "validation boxes (box path)": row.get("val_box_accuracy"),
            "in the shipped model": row["member"] in kept,
        }
        for row in metrics.get("members_trained") or []
    ]
    return pd.DataFrame(rows)


def _passes(metrics: dict[str, Any]) -> str:
    """E.g. "2 x 2" for a two-snapshot ensemble read with two input shifts."""
    ensemble = metrics.get("ensemble") or {}
    members = len(ensemble.get("members") or []) or 1
    return f"{members} x {ensemble.get('passes', members) // members}"


def ablation_frame(metrics: dict[str, Any]) -> pd.DataFrame:
    """What each ingredient of the final model bought, measured on validation."""
    rows = metrics.get("ablation_validation") or []
    columns = ["step", "val_accuracy", "val_macro_recall", "val_box_accuracy", "shifts", "alpha"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame["val_box_accuracy"].isna().all():
        frame = frame.drop(columns="val_box_accuracy")
    return frame.rename(
        columns={
            "val_accuracy": "validation accuracy",
            "val_macro_recall": "validation macro recall",
            "val_box_accuracy": "validation boxes (box path)",
        }
    )

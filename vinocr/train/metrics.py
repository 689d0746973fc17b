"""Evaluation metrics of ../shared/EVALUATION.md, in plain numpy."""

from __future__ import annotations

import numpy as np

from vinocr.alphabet import NUM_CLASSES, VIN_ALPHABET


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts, rows = true class, columns = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def per_class_recall(matrix: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no true samples)."""
    support = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(matrix) / support


def summarize(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Accuracy, macro-average recall (headline), per-class recall and the confusion matrix."""
    matrix = confusion_matrix(y_true, y_pred)
    recall = per_class_recall(matrix)
    return {
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
        "macro_recall": float(np.nanmean(recall)),
        "per_class_recall": {c: float(r) for c, r in zip(VIN_ALPHABET, recall)},
        "support": {c: int(n) for c, n in zip(VIN_ALPHABET, matrix.sum(axis=1))},
        "confusion_matrix": matrix.tolist(),
        "n": int(len(y_true)),
    }


def most_confused_pairs(matrix: np.ndarray, top: int = 10) -> list[tuple[str, str, int]]:
    """The largest off-diagonal cells as (true, predicted, count)."""
    off = np.array(matrix, dtype=np.int64)
    np.fill_diagonal(off, 0)
    flat = np.argsort(off, axis=None)[::-1][:top]
    rows, cols = np.unravel_index(flat, off.shape)
    return [(VIN_ALPHABET[r], VIN_ALPHABET[c], int(off[r, c])) for r, c in zip(rows, cols) if off[r, c] > 0]

"""Pure helpers behind the Streamlit pages: ordering, tables, CSV bytes, thumbnails, canvas crops,
VIN markup and the metrics files. Nothing here imports Streamlit or TensorFlow, so every function can
be tested on its own.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd
from natsort import natsort_keygen

from vinocr.alphabet import VIN_ALPHABET
from vinocr.image_io import encode_png, is_image_name
from vinocr.recognizer import BoxResult
from vinocr.vin_rules import VIN_LENGTH, VinReport

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BOX_DIR = ROOT / "samples" / "boxes"
MAX_BOXES = VIN_LENGTH
DRAW_CELL_W, DRAW_CELL_H = 52, 88  # guide cells of the Draw page's VIN canvas (px)
UNREAD = "?"

RULE_TITLES: dict[str, str] = {
    "characters": "Allowed characters",
    "length": "Length",
    "check_digit": "Check digit (position 9)",
    "model_year": "Model year (position 10)",
    "wmi": "Region / country (positions 1-3)",
}
MODE_LABELS: dict[str, str] = {
    "enforce": "Enforce (North-American VIN)",
    "prefer": "Prefer (soft evidence)",
    "ignore": "Ignore the check digit",
}

Item = tuple[str, bytes]


# --------------------------------------------------------------------------- inputs and ordering


def natural_order(names: Sequence[str]) -> list[int]:
    """Indices of `names` in natural filename order (box2 before box10), ties kept stable."""
    key = natsort_keygen()
    return sorted(range(len(names)), key=lambda i: (key(names[i]), i))


def apply_order(positions: Sequence[Any]) -> list[int]:
    """Item indices sorted by the wanted 1-based positions (ties and blanks keep their current place).

    A blank or non-numeric position goes after every numbered one.
    """

    def sort_key(i: int) -> tuple[float, int]:
        value = positions[i]
        try:
            number = float(value)
        except (TypeError, ValueError):
            return math.inf, i
        return (math.inf if math.isnan(number) else number), i

    return sorted(range(len(positions)), key=sort_key)


def limit_boxes(items: Sequence[Item], limit: int = MAX_BOXES) -> tuple[list[Item], list[Item]]:
    """Items in natural name order, split into the first `limit` (used) and the rest (ignored)."""
    ordered = [items[i] for i in natural_order([name for name, _ in items])]
    return ordered[:limit], ordered[limit:]


def signature(items: Sequence[Item]) -> str:
    """Short digest of names and contents: a new upload gets new widget keys and new results."""
    digest = hashlib.sha1()
    for name, data in items:
        digest.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha1(data).digest())
    return digest.hexdigest()[:12]


def sample_box_items() -> list[Item]:
    """The project's 17 sample boxes as (file name, PNG bytes): the committed files, else drawn anew."""
    files = sorted(SAMPLE_BOX_DIR.glob("box*.png")) if SAMPLE_BOX_DIR.is_dir() else []
    if len(files) == VIN_LENGTH:
        return [(path.name, path.read_bytes()) for path in files]
    from vinocr.samples import sample_boxes

    return [(name, encode_png(image)) for name, image in sample_boxes()]


def sample_field_item() -> Item:
    """The sample whole-field image as (file name, PNG bytes)."""
    from vinocr.samples import sample_field

    return "sample_field.png", encode_png(sample_field())


def split_image_items(items: Sequence[Item]) -> tuple[list[Item], list[str]]:
    """Keep items with an image file name; the others come back as messages naming the file."""
    kept, refused = [], []
    for name, data in items:
        if is_image_name(name):
            kept.append((name, data))
        else:
            refused.append(f"{name}: not an image file name (PNG, JPEG or BMP expected)")
    return kept, refused


# --------------------------------------------------------------------------- images


def to_display(image: np.ndarray) -> np.ndarray:
    """An image Streamlit shows as intended: gray stays gray, BGR becomes RGB."""
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return image


def enlarge(image: np.ndarray, side: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement (for the 28x28 input: every model pixel stays visible)."""
    image = np.clip(image, 0, 255).astype(np.uint8)
    return cv2.resize(image, (side, side), interpolation=cv2.INTER_NEAREST)


def fit_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Scale down (never up) so the longer side is at most `max_side`."""
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def thumbnail_uri(image: np.ndarray | None, max_side: int = 64) -> str | None:
    """A data:image/png;base64 thumbnail (for ImageColumn cells and HTML galleries); None for None."""
    if image is None:
        return None
    small = fit_side(np.clip(image, 0, 255).astype(np.uint8), max_side)
    return "data:image/png;base64," + base64.b64encode(encode_png(small)).decode("ascii")


def figures_html(figures: Sequence[tuple[np.ndarray, str]], height: int = 84, max_side: int = 160) -> str:
    """A row of small images with captions as one HTML block (inline data URIs, no extra requests).

    Images of 28x28 or smaller are drawn with crisp (pixelated) scaling.
    """
    parts = []
    for image, caption in figures:
        uri = thumbnail_uri(to_display(image), max_side)
        crisp = "image-rendering:pixelated;" if max(image.shape[:2]) <= 28 else ""
        parts.append(
            "<figure style='margin:0 8px 6px 0;display:inline-block;text-align:center;vertical-align:top'>"
            f"<img src='{uri}' alt='{html.escape(caption)}' style='height:{height}px;object-fit:contain;"
            f"max-width:{2 * height}px;{crisp}border:1px solid #d5d9e0;border-radius:4px;background:#000'/>"
            "<figcaption style='font-size:0.72rem;color:#6b7280;line-height:1.15;"
            f"max-width:{max(height, 84)}px'>"
            f"{html.escape(caption)}</figcaption></figure>"
        )
    return "<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>" + "".join(parts) + "</div>"


def box_card_html(index: int, result: BoxResult) -> str:
    """One box as HTML: number and file, the box and its 28x28 input, the character, confidence, top 3."""
    head = (
        f"<div style='font-weight:600'>Box {index + 1}</div>"
        f"<div style='font-size:0.75rem;color:#6b7280;word-break:break-all'>{html.escape(result.name)}</div>"
    )
    figures = []
    original = first_image(result)
    if original is not None:
        figures.append((original, "box"))
    if result.input28 is not None:
        figures.append((result.input28, "28x28 input"))
    body = figures_html(figures, 64) if figures else ""
    if result.status == "ok":
        colour = "#b45309" if result.low_confidence else "#1f2430"
        flag = "<div style='color:#b45309;font-size:0.8rem;font-weight:600'>low confidence</div>"
        body += (
            f"<div class='box-prediction'><span style='font-family:ui-monospace,monospace;font-size:2rem;"
            f"font-weight:700;color:{colour}'>{html.escape(result.char or '')}</span>&nbsp; "
            f"{result.confidence:.1%}</div>"
            + (flag if result.low_confidence else "")
            + f"<div style='font-size:0.75rem;color:#6b7280'>top 3: {html.escape(top_text(result))}</div>"
        )
    elif result.status == "empty":
        body += "<div style='color:#b45309;font-weight:600'>no character found</div>"
    return f"<div style='line-height:1.35'>{head}{body}</div>"


def first_image(result: BoxResult) -> np.ndarray | None:
    """The decoded grayscale box image of a result (None for unreadable files)."""
    return result.steps[0][1] if result.steps else None


# --------------------------------------------------------------------------- drawing canvas


def canvas_gray(image_data: np.ndarray | None) -> np.ndarray | None:
    """Canvas RGBA -> gray with white ink on black; see-through pixels count as background."""
    if image_data is None:
        return None
    data = np.asarray(image_data)
    if data.ndim == 2:
        return data.astype(np.uint8)
    rgb = data[..., :3].astype(np.float32)
    gray = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if data.shape[-1] == 4:
        gray = gray * (data[..., 3].astype(np.float32) / 255.0)
    return np.clip(gray + 0.5, 0, 255).astype(np.uint8)


def has_ink(gray: np.ndarray | None, threshold: int = 60, min_pixels: int = 12) -> bool:
    """True when a canvas holds at least a few bright (drawn) pixels."""
    return gray is not None and int(np.count_nonzero(gray > threshold)) >= min_pixels


def cell_bounds(width: int, cells: int = VIN_LENGTH) -> list[tuple[int, int]]:
    """[x0, x1) of each guide cell across a canvas `width` pixels wide."""
    edges = np.linspace(0, width, cells + 1).round().astype(int)
    return [(int(edges[i]), int(edges[i + 1])) for i in range(cells)]


def crop_cells(gray: np.ndarray, cells: int = VIN_LENGTH, inset: int = 3) -> list[np.ndarray]:
    """The `cells` equal cells of a guide canvas, each shrunk by `inset` px so guide lines stay out."""
    height = gray.shape[0]
    crops = []
    for x0, x1 in cell_bounds(gray.shape[1], cells):
        crops.append(gray[inset : height - inset, x0 + inset : x1 - inset].copy())
    return crops


def guide_image(width: int, height: int, cells: int = VIN_LENGTH, line: int = 2) -> np.ndarray:
    """RGB background for the 17-cell canvas: black with grey cell lines only (nothing inside a cell)."""
    image = np.zeros((height, width, 3), np.uint8)
    colour = (96, 100, 112)
    for x0, _ in cell_bounds(width, cells)[1:]:
        cv2.line(image, (x0, 0), (x0, height - 1), colour, line)
    cv2.rectangle(image, (0, 0), (width - 1, height - 1), colour, line)
    return image


def top_frame(result: BoxResult, k: int = 5) -> pd.DataFrame:
    """The k most probable characters of a result as a (character, probability) table."""
    if result.status != "ok" or result.probs is None:
        return pd.DataFrame({"character": [], "probability": []})
    probs = np.asarray(result.probs, dtype=np.float64)
    order = np.argsort(probs)[::-1][:k]
    return pd.DataFrame({"character": [VIN_ALPHABET[i] for i in order], "probability": probs[order]})


def probability_bars_html(result: BoxResult, k: int = 5) -> str:
    """A horizontal bar chart (plain HTML) of the k most probable characters."""
    rows = []
    for char, prob in zip(*top_frame(result, k).to_dict("list").values(), strict=True):
        rows.append(
            "<div style='display:flex;align-items:center;margin:3px 0'>"
            f"<span style='width:1.6em;font-family:ui-monospace,monospace;font-size:1.15rem;font-weight:700'>"
            f"{html.escape(char)}</span>"
            "<span style='flex:1;background:#eef1f6;border-radius:4px;height:18px;margin:0 8px'>"
            f"<span style='display:block;height:18px;border-radius:4px;background:#1f5fbf;"
            f"width:{max(prob * 100, 0.5):.1f}%'></span></span>"
            f"<span style='width:4.2em;text-align:right;font-size:0.85rem'>{prob:.1%}</span></div>"
        )
    return "<div class='probability-bars' style='max-width:420px'>" + "".join(rows) + "</div>"


# --------------------------------------------------------------------------- tables and CSV


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


# --------------------------------------------------------------------------- VIN markup and rules


def vin_html(
    vin: str,
    low: Sequence[int] = (),
    changed: Sequence[int] = (),
    corrected: Sequence[int] = (),
    titles: Sequence[str] | None = None,
) -> str:
    """The VIN in large monospace, one cell per character; positions are 1-based.

    Low-confidence or unread boxes are amber, boxes the rules changed are blue and underlined,
    boxes corrected by hand are green.
    """
    cells = []
    for i, char in enumerate(vin):
        position = i + 1
        style = "background:#f1f3f6;color:#1f2430;"
        kind = "read"
        if position in corrected:
            style, kind = "background:#d7f5dd;color:#0f5b25;", "corrected by hand"
        elif position in changed:
            style = "background:#dbe8ff;color:#123d8f;text-decoration:underline;"
            kind = "changed by the rules"
        elif position in low or char == UNREAD:
            style, kind = "background:#ffe7b3;color:#6b4500;", "low confidence"
        title = titles[i] if titles and i < len(titles) else f"position {position}: {kind}"
        cells.append(
            f'<span class="vin-char" title="{html.escape(title)}" style="display:inline-block;'
            f'min-width:1.15em;text-align:center;margin:0 2px;padding:2px 0;border-radius:6px;{style}">'
            f"{html.escape(char)}</span>"
        )
    return (
        '<div class="vin-display" style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;'
        'font-size:2.4rem;font-weight:600;letter-spacing:0.02em;line-height:1.5;margin:0.2rem 0 0.4rem 0;">'
        + "".join(cells)
        + "</div>"
    )


VIN_LEGEND = (
    '<span style="background:#ffe7b3;padding:0 6px;border-radius:4px">low confidence / unread</span> '
    '<span style="background:#dbe8ff;padding:0 6px;border-radius:4px;text-decoration:underline">'
    "changed by the rules</span> "
    '<span style="background:#d7f5dd;padding:0 6px;border-radius:4px">corrected by hand</span>'
)


def rule_rows(report: VinReport) -> list[dict[str, str]]:
    """One dict per rule: status (pass / fail / unknown), a Markdown icon, title, level and reason."""
    marks = {
        True: ("pass", ":green[:material/check_circle:]"),
        False: ("fail", ":red[:material/cancel:]"),
        None: ("unknown", ":gray[:material/help:]"),
    }
    return [
        {
            "status": marks[rule.passed][0],
            "icon": marks[rule.passed][1],
            "title": RULE_TITLES.get(rule.name, rule.name),
            "level": rule.level,
            "reason": rule.reason,
        }
        for rule in report.rules
    ]


def clean_corrections(choices: dict[int, str | None]) -> dict[int, str]:
    """Box index -> character for the boxes where a VIN character was chosen."""
    return {i: c for i, c in choices.items() if c and len(c) == 1 and c in VIN_ALPHABET}


# --------------------------------------------------------------------------- metrics files


def load_json(path: Path) -> Any | None:
    """Parsed JSON, or None when the file is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def history_frame(history: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Long table (epoch, metric, split, value) of loss and accuracy, train vs validation."""
    pairs = {
        ("loss", "train"): "loss",
        ("loss", "validation"): "val_loss",
        ("accuracy", "train"): "accuracy",
        ("accuracy", "validation"): "val_accuracy",
        ("macro recall", "validation"): "val_macro_recall",
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
    from vinocr.metrics import most_confused_pairs

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
        lines.append(("Training time", f"{metrics['training_seconds'] / 60:.1f} min"))
    versions = metrics.get("versions") or {}
    if versions:
        lines.append(("Versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    if metrics.get("machine"):
        lines.append(("Machine", str(metrics["machine"])))
    return lines

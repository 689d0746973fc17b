"""Measure preprocessing + recognition on synthetic real-world boxes made from test-split glyphs."""

from __future__ import annotations

import numpy as np

from vinocr.synth.boxes import STYLES, random_style, render_box


def make_boxes(glyphs: np.ndarray, labels: np.ndarray, per_style: int, seed: int = 0):
    """(style, label, box image) triples: `per_style` random glyphs rendered in each style."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(glyphs), size=per_style * len(STYLES), replace=False)
    out = []
    for k, index in enumerate(picks):
        style = STYLES[k % len(STYLES)]
        out.append((style, int(labels[index]), render_box(glyphs[index], random_style(rng, style), rng)))
    return out


def accuracy_by_style(recognizer, boxes) -> dict[str, float]:
    """Share of boxes whose recognised character is right, per style and overall ("all")."""
    results = recognizer.recognize_arrays([b for _, _, b in boxes])
    right: dict[str, list[bool]] = {}
    for (style, label, _), result in zip(boxes, results):
        ok = result.status == "ok" and result.char == recognizer.alphabet[label]
        right.setdefault(style, []).append(ok)
        right.setdefault("all", []).append(ok)
    return {style: float(np.mean(v)) for style, v in right.items()}

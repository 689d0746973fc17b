"""Measure preprocessing + recognition on synthetic real-world boxes made from test-split glyphs."""

from __future__ import annotations

import numpy as np

from vinocr.synth.boxes import CROP_STYLES, SCAN_STYLES, random_style, render_box


def make_boxes(glyphs: np.ndarray, labels: np.ndarray, per_style: int, seed: int = 0):
    """(style, label, box image) triples: `per_style` random glyphs rendered in each style.

    The SCAN_STYLES boxes come from `seed` exactly as before the CROP_STYLES existed (so their
    figures stay comparable); the CROP_STYLES boxes from a second stream of the same seed.
    """
    out = []
    for styles, rng in (
        (SCAN_STYLES, np.random.default_rng(seed)),
        (CROP_STYLES, np.random.default_rng((seed, 1))),
    ):
        picks = rng.choice(len(glyphs), size=per_style * len(styles), replace=False)
        for k, index in enumerate(picks):
            style = styles[k % len(styles)]
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


def blank_boxes(styles: tuple[str, ...], count: int, seed: int = 0) -> list[np.ndarray]:
    """`count` boxes with no character, the styles taken in turn."""
    rng = np.random.default_rng(seed)
    blank = np.zeros((28, 28), np.uint8)
    return [render_box(blank, random_style(rng, styles[k % len(styles)]), rng) for k in range(count)]


def emnist_as_is(recognizer, glyphs: np.ndarray, labels: np.ndarray) -> tuple[float, float, int]:
    """(model accuracy on the arrays, accuracy through the box path, boxes reported empty).

    The box path reads each uint8 array as a decoded PNG of it would be (PNG is lossless).
    """
    arrays = np.concatenate(
        [
            recognizer.predict_inputs(glyphs[i : i + 4096].astype(np.float32))
            for i in range(0, len(glyphs), 4096)
        ]
    ).argmax(1)
    results = [
        r
        for i in range(0, len(glyphs), 1024)
        for r in recognizer.recognize_arrays(list(glyphs[i : i + 1024]))
    ]
    chars = np.array([recognizer.alphabet.index(r.char) if r.status == "ok" else -1 for r in results])
    return float(np.mean(arrays == labels)), float(np.mean(chars == labels)), int(np.sum(chars < 0))

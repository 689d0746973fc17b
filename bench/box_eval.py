"""Measure preprocessing + recognition on synthetic real-world boxes made from test-split glyphs."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vinocr.box.skew import turn
from vinocr.synth.boxes import CROP_STYLES, SCAN_STYLES, random_style, render_box


class SyntheticBox(NamedTuple):
    """One benchmark box: its style, the glyph's label, the rendered image and the glyph's index."""

    style: str
    label: int
    image: np.ndarray
    glyph: int


def make_boxes(glyphs: np.ndarray, labels: np.ndarray, per_style: int, seed: int = 0) -> list[SyntheticBox]:
    """`per_style` random glyphs rendered in each style.

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
            box = render_box(glyphs[index], random_style(rng, style), rng)
            out.append(SyntheticBox(style, int(labels[index]), box, int(index)))
    return out


def leaning(boxes: list[SyntheticBox], degrees: float) -> list[SyntheticBox]:
    """The boxes turned by `degrees`, one way and the other in turn (unchanged for 0)."""
    if not degrees:
        return boxes
    return [box._replace(image=turn(box.image, degrees * (-1) ** k)) for k, box in enumerate(boxes)]


def by_style(boxes: list[SyntheticBox], values: np.ndarray) -> dict[str, np.ndarray]:
    """One value per box, grouped per style (in the boxes' order) and overall ("all")."""
    values = np.asarray(values)
    styles = np.array([b.style for b in boxes])
    return {**{style: values[styles == style] for style in dict.fromkeys(styles.tolist())}, "all": values}


def right_by_style(recognizer, boxes: list[SyntheticBox]) -> dict[str, np.ndarray]:
    """Per style and overall ("all"): whether each box's recognised character is right."""
    results = recognizer.recognize_arrays([b.image for b in boxes])
    right = [
        result.status == "ok" and result.char == recognizer.alphabet[box.label]
        for box, result in zip(boxes, results)
    ]
    return by_style(boxes, np.array(right, bool))


def accuracy_by_style(recognizer, boxes: list[SyntheticBox]) -> dict[str, float]:
    """Share of boxes whose recognised character is right, per style and overall ("all")."""
    return {style: float(v.mean()) for style, v in right_by_style(recognizer, boxes).items()}


def array_accuracy_by_style(recognizer, boxes: list[SyntheticBox], glyphs: np.ndarray) -> dict[str, float]:
    """The model on the 28x28 arrays of the glyphs each style drew (what the box path could reach)."""
    chosen = np.array([b.glyph for b in boxes])
    right = recognizer.predict_inputs(glyphs[chosen].astype(np.float32)).argmax(1) == [b.label for b in boxes]
    return {style: float(v.mean()) for style, v in by_style(boxes, right).items()}


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

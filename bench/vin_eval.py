"""Measure whole-VIN reading: random valid VINs written with test-split glyphs in synthetic boxes,
read per box (plain) and with the rules (prefer / enforce)."""

from __future__ import annotations

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, VIN_ALPHABET
from vinocr.synth.boxes import random_style, render_box
from vinocr.vin.decode import decode_vin
from vinocr.vin.rules import YEAR_CODES, check_digit, check_vin

try:
    from vininfo.dicts import WMI as _WMI
except ImportError:  # pragma: no cover - vininfo is pinned
    _WMI = {}
REAL_WMIS = sorted(w for w in _WMI if len(w) == 3 and all(c in CHAR_TO_INDEX for c in w)) or [
    "1M8",
    "WVW",
    "JHM",
]


def random_valid_vin(rng: np.random.Generator) -> str:
    """A VIN with a real WMI, a real model-year code and a correct check digit."""
    chars = list(str(rng.choice(REAL_WMIS)))
    chars += [str(rng.choice(list(VIN_ALPHABET))) for _ in range(5)]
    chars += ["0", str(rng.choice(list(YEAR_CODES)))]
    chars += [str(rng.choice(list(VIN_ALPHABET))) for _ in range(7)]
    vin = "".join(chars)
    vin = vin[:8] + check_digit(vin) + vin[9:]
    assert check_vin(vin, "enforce").ok, vin
    return vin


def glyph_index(labels: np.ndarray) -> dict[int, np.ndarray]:
    """Class -> indices of its test glyphs."""
    return {c: np.flatnonzero(labels == c) for c in range(len(VIN_ALPHABET))}


def evaluate_vins(recognizer, glyphs: np.ndarray, labels: np.ndarray, count: int, seed: int = 0) -> dict:
    """Exact-VIN and character accuracy of plain, prefer and enforce decoding over `count` VINs."""
    rng = np.random.default_rng(seed)
    by_class = glyph_index(labels)
    modes = ("ignore", "prefer", "enforce")
    exact = {m: 0 for m in modes}
    chars = {m: 0 for m in modes}
    unread = 0
    for _ in range(count):
        vin = random_valid_vin(rng)
        boxes = [
            render_box(glyphs[rng.choice(by_class[CHAR_TO_INDEX[c]])], random_style(rng), rng) for c in vin
        ]
        results = recognizer.recognize_arrays(boxes)
        if any(r.status != "ok" for r in results):
            unread += 1  # counts as wrong in every mode
            continue
        probs = np.stack([r.probs for r in results]).astype(np.float64)
        for mode in modes:
            guess = decode_vin(probs, mode=mode).chosen
            exact[mode] += guess == vin
            chars[mode] += sum(a == b for a, b in zip(guess, vin))
    names = {"ignore": "plain (per box)", "prefer": "rule-aware, prefer", "enforce": "rule-aware, enforce"}
    return {
        "vins": count,
        "unread_vins": unread,
        "rows": [
            {"decoding": names[m], "exact_vin": exact[m] / count, "char_accuracy": chars[m] / (17 * count)}
            for m in modes
        ],
    }

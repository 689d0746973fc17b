"""Generated VINs for measurements: random valid VINs (real WMIs, real year codes, a correct check
digit, digits in positions 14-17 as ISO 3779 asks), each character a glyph of a chosen split drawn
into a random synthetic box style.

The random stream is fixed by the seed: `generate_vins(..., seed=0)` gives the same VINs and boxes
in every run (the README's whole-VIN figures use seeds 0 and 7 on the test split).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, VIN_ALPHABET
from vinocr.synth.boxes import random_style, render_box
from vinocr.vin.rules import CHECK_DIGIT_POSITION, DIGITS, YEAR_CODES, check_digit, check_vin

try:
    from vininfo.dicts import WMI as _WMI
except ImportError:  # pragma: no cover - vininfo is pinned
    _WMI = {}
REAL_WMIS: list[str] = sorted(w for w in _WMI if len(w) == 3 and all(c in CHAR_TO_INDEX for c in w)) or [
    "1M8",
    "WVW",
    "JHM",
]
CHECK_CHARS = "0123456789X"

VinMaker = Callable[[np.random.Generator], str]


def random_valid_vin(rng: np.random.Generator) -> str:
    """A VIN with a real WMI, a real model-year code, a correct check digit and a numeric serial end
    (positions 14-17); positions 4-8 and 11-13 are any VIN characters."""
    chars = list(str(rng.choice(REAL_WMIS)))
    chars += [str(rng.choice(list(VIN_ALPHABET))) for _ in range(5)]
    chars += ["0", str(rng.choice(list(YEAR_CODES)))]
    chars += [str(rng.choice(list(VIN_ALPHABET))) for _ in range(3)]
    chars += [str(rng.choice(list(DIGITS))) for _ in range(4)]
    vin = "".join(chars)
    vin = vin[:8] + check_digit(vin) + vin[9:]
    assert check_vin(vin, "enforce").ok, vin
    return vin


def random_unchecked_vin(rng: np.random.Generator) -> str:
    """A VIN like `random_valid_vin` whose position 9 is a wrong check character (as on a VIN whose
    maker does not use the check digit)."""
    vin = random_valid_vin(rng)
    index = CHECK_DIGIT_POSITION - 1
    wrong = [c for c in CHECK_CHARS if c != vin[index]]
    return vin[:index] + str(rng.choice(wrong)) + vin[index + 1 :]


def glyph_index(labels: np.ndarray) -> dict[int, np.ndarray]:
    """Class -> indices of its glyphs."""
    return {c: np.flatnonzero(labels == c) for c in range(len(VIN_ALPHABET))}


def vin_glyphs(
    vin: str, glyphs: np.ndarray, by_class: dict[int, np.ndarray], rng: np.random.Generator
) -> list[np.ndarray]:
    """Per character of `vin` a random glyph of its class (the photo benchmark's fields)."""
    return [glyphs[rng.choice(by_class[CHAR_TO_INDEX[c]])] for c in vin]


def render_vin_boxes(
    vin: str, glyphs: np.ndarray, by_class: dict[int, np.ndarray], rng: np.random.Generator
) -> list[np.ndarray]:
    """17 box images: per character a random glyph of its class in a random box style."""
    return [render_box(glyphs[rng.choice(by_class[CHAR_TO_INDEX[c]])], random_style(rng), rng) for c in vin]


def generate_vins(
    glyphs: np.ndarray,
    labels: np.ndarray,
    count: int,
    seed: int = 0,
    make_vin: VinMaker = random_valid_vin,
) -> Iterator[tuple[str, list[np.ndarray]]]:
    """`count` (VIN, 17 box images) pairs written with `glyphs` (upright 28x28, class `labels`)."""
    rng = np.random.default_rng(seed)
    by_class = glyph_index(labels)
    for _ in range(count):
        vin = make_vin(rng)
        yield vin, render_vin_boxes(vin, glyphs, by_class, rng)

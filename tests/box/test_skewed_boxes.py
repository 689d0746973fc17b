"""Boxes cut by an upright rectangle from a form scanned a few degrees askew: their lines lean. The
box path measures the lean, stands the box upright and reads it as it reads a straight box; a straight
box is left untouched."""

from __future__ import annotations

import re

import numpy as np
import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.preprocess import preprocess_box
from vinocr.box.recognizer import Recognizer
from vinocr.box.skew import box_lean, turn
from vinocr.synth.boxes import random_style, render_box
from vinocr.synth.samples import draw_glyph

STYLES = ("border", "inverted", "jpeg")  # a box line on every side: thin, thick, dark or light paper
COUNT = 60


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer.load()


@pytest.fixture(scope="module")
def boxes() -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """Characters, their boxes (Hershey glyphs) and as many blank boxes, in the styles in turn."""
    rng = np.random.default_rng(0)
    chars, glyphs, blanks = [], [], []
    for k in range(COUNT):
        style = random_style(rng, STYLES[k % len(STYLES)])
        char = str(rng.choice(list(VIN_ALPHABET)))
        chars.append(char)
        glyphs.append(render_box(draw_glyph(char, rng), style, rng))
        blanks.append(render_box(np.zeros((28, 28), np.uint8), style, rng))
    return chars, glyphs, blanks


def leaning(images: list[np.ndarray], degrees: float) -> list[np.ndarray]:
    return [turn(image, degrees * (-1) ** k) for k, image in enumerate(images)]


def test_the_lean_of_a_box_is_measured(boxes):
    """Measured right to 0.6 degrees, or not at all (a box whose lines have mostly left the image)."""
    _, _, blanks = boxes
    measured = []
    for degrees in (-4.0, -2.0, 2.0, 4.0):
        for blank in blanks[:12]:
            step = preprocess_box(turn(blank, degrees)).steps[1][0]
            said = re.search(r"stood upright \(they leaned ([-+][0-9.]+) degrees\)", step)
            if said:
                assert abs(float(said.group(1)) - degrees) <= 0.6, f"turned {degrees}: {step}"
            measured.append(bool(said))
    assert sum(measured) >= 0.9 * len(measured), f"{sum(measured)} of {len(measured)} measured"  # 48 of 48


def test_straight_boxes_are_left_as_they_are(boxes):
    _, glyphs, blanks = boxes
    for image in glyphs + blanks:
        assert "stood upright" not in preprocess_box(image).steps[1][0]
    assert box_lean(np.zeros((128, 128), np.uint8)) == 0.0


@pytest.mark.parametrize("degrees", [2.0, 3.0, 4.0])
def test_leaning_boxes_are_read(recognizer, boxes, degrees):
    chars, glyphs, _ = boxes
    results = recognizer.recognize_arrays(leaning(glyphs, degrees))
    right = sum(r.char == c for r, c in zip(results, chars))
    assert right >= 57, f"{right} of {COUNT} read right at +-{degrees} degrees"  # 42-48 unturned


@pytest.mark.parametrize("degrees", [2.0, 3.0, 4.0])
def test_leaning_blank_boxes_stay_empty(recognizer, boxes, degrees):
    _, _, blanks = boxes
    empty = sum(r.status == "empty" for r in recognizer.recognize_arrays(leaning(blanks, degrees)))
    assert empty >= 57, f"{empty} of {COUNT} blank boxes empty at +-{degrees} degrees"  # 60; 5-29 unturned

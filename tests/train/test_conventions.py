"""Convention variants (vinocr.synth.conventions) and font renders (vinocr.synth.fonts): each variant
adds or removes ink where its convention says, keeps the glyph's pen, and is framed as the box path
frames a glyph; the same seed gives the same data."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import ImageFont

from vinocr.alphabet import VIN_ALPHABET
from vinocr.synth import conventions as conv
from vinocr.synth.fonts import distort, elastic, render_font_glyphs


def drawn(points: list[list[tuple[int, int]]], pen: int = 3) -> np.ndarray:
    """A 28x28 white-on-black glyph drawn as polylines (EMNIST's look)."""
    image = np.zeros((28, 28), np.uint8)
    for line in points:
        cv2.polylines(image, [np.array(line, np.int32)], False, 255, pen, cv2.LINE_AA)
    return image


ZERO = drawn([[(14, 3), (20, 6), (22, 14), (20, 22), (14, 25), (8, 22), (6, 14), (8, 6), (14, 3)]])
ONE = drawn([[(14, 3), (14, 25)]])
SEVEN = drawn([[(6, 4), (22, 4), (12, 25)]])
ZED = drawn([[(6, 4), (22, 4), (6, 24), (22, 24)]])
FOUR = drawn([[(16, 3), (5, 18), (23, 18)], [(17, 3), (17, 25)]])


def test_slashed_zero_has_ink_on_its_diagonal_inside_the_oval():
    mask = conv.slashed_zero(ZERO, np.random.default_rng(0))
    plain = conv.glyph_mask(ZERO)
    centre = mask.shape[0] // 2
    assert plain[centre - 3 : centre + 4, centre - 3 : centre + 4].sum() == 0  # the plain 0 is hollow
    assert mask[centre - 3 : centre + 4, centre - 3 : centre + 4].sum() > 0


NARROW_ZERO = drawn([[(14, 3), (18, 6), (19, 14), (18, 22), (14, 25), (10, 22), (9, 14), (10, 6), (14, 3)]])


def test_a_narrow_zero_is_often_slashed_out_past_its_sides():
    """The slash of a narrow, upright 0 reaches beyond the oval's left or right side in a good share of
    draws (as real writers slash theirs), and never in none or all of them."""
    plain = conv.glyph_mask(NARROW_ZERO)
    x, _, w, _ = cv2.boundingRect(plain)
    rng = np.random.default_rng(5)
    wider = [cv2.boundingRect(conv.slashed_zero(NARROW_ZERO, rng)) for _ in range(40)]
    past = sum(bx < x - 0.25 * w or bx + bw > x + w + 0.25 * w for bx, _, bw, _ in wider)
    assert 10 <= past <= 39


def test_flagged_one_has_a_flag_left_of_its_top_and_often_a_foot():
    feet = 0
    for seed in range(20):
        mask = conv.flagged_one(ONE, np.random.default_rng(seed))
        plain = conv.glyph_mask(ONE)
        ys, xs = np.nonzero(plain)
        top, stem_x, bottom = ys.min(), int(np.median(xs)), ys.max()
        upper_left = mask[top : top + (bottom - top) // 2, : stem_x - 6]
        assert upper_left.sum() > 0, f"seed {seed}: no flag"
        feet += mask[bottom - 4 : bottom + 4, stem_x + 8 :].sum() > 0
    assert 5 <= feet <= 17  # a foot on about half of them


@pytest.mark.parametrize("glyph, make", [(SEVEN, conv.barred_seven), (ZED, conv.barred_z)])
def test_barred_glyphs_gain_a_horizontal_bar_in_the_middle(glyph, make):
    mask = make(glyph, np.random.default_rng(3))
    plain = conv.glyph_mask(glyph)
    x, y, w, h = cv2.boundingRect(plain)
    middle = slice(y + int(0.4 * h), y + int(0.65 * h))
    widest_after = (mask[middle] > 0).sum(1).max()
    widest_before = (plain[middle] > 0).sum(1).max()
    assert widest_after >= widest_before + 0.25 * w


def test_open_four_loses_ink_between_its_slant_and_the_top_of_its_stem():
    mask = conv.open_four(FOUR, np.random.default_rng(1))
    plain = conv.glyph_mask(FOUR)
    assert mask is not None and mask.sum() < plain.sum()
    assert (plain - mask).min() >= 0  # only taken away


def test_variants_keep_the_glyph_pen():
    mask = conv.barred_z(ZED, np.random.default_rng(0))
    assert abs(conv.pen(mask) - conv.pen(conv.glyph_mask(ZED))) <= 2


def test_convention_variants_are_28x28_inputs_of_their_class_and_reproducible():
    x = np.stack([ZERO, ONE, SEVEN, ZED, FOUR] * 10)
    y = np.array([VIN_ALPHABET.index(c) for c in "017Z4"] * 10)
    shares = {c: 1.0 for c in "017Z4"}
    images, labels = conv.convention_variants(x, y, VIN_ALPHABET, 5, shares)
    again, labels_again = conv.convention_variants(x, y, VIN_ALPHABET, 5, shares)
    assert images.shape[1:] == (28, 28) and images.dtype == np.uint8 and len(images) >= 45
    assert np.array_equal(images, again) and np.array_equal(labels, labels_again)
    assert set(labels.tolist()) <= set(y.tolist())
    assert images.max() == 255  # framed and scaled as the box path does
    rows, cols = np.nonzero(images.max(0) > 128)
    assert rows.min() >= 1 and cols.min() >= 1 and rows.max() <= 26 and cols.max() <= 26


def test_elastic_distortion_moves_strokes_but_keeps_the_ink():
    mask = np.zeros((80, 80), np.uint8)
    mask[10:70, 38:42] = 1
    moved = elastic(mask, np.random.default_rng(0), alpha=8, sigma=8)
    assert not np.array_equal(moved, mask)
    assert 0.7 * mask.sum() <= moved.sum() <= 1.3 * mask.sum()


def test_distort_returns_a_padded_working_size_glyph():
    glyph = np.ones((40, 10), np.uint8)
    out = distort(glyph, np.random.default_rng(2))
    assert out.shape == (conv.WORK + 2 * conv.PAD,) * 2 and out.any()


def test_font_renders_cover_every_character_with_its_label():
    font = ImageFont.load_default(size=96)  # Pillow's bundled font: no download in tests
    images, labels = render_font_glyphs([font], VIN_ALPHABET, 2, seed=0)
    assert images.shape == (66, 28, 28) and sorted(set(labels.tolist())) == list(range(33))
    assert np.array_equal(images, render_font_glyphs([font], VIN_ALPHABET, 2, seed=0)[0])


def test_elastic_warp_bends_strokes_by_at_most_its_alpha():
    from vinocr.train.augment import ELASTIC_ALPHA, elastic_warp

    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 255.0
    bent = elastic_warp(image, np.random.default_rng(3))
    assert bent.shape == image.shape and not np.allclose(bent, image)
    cols = np.nonzero(bent.max(0) > 128)[0]
    assert cols.min() >= 13 - ELASTIC_ALPHA - 1 and cols.max() <= 14 + ELASTIC_ALPHA + 1

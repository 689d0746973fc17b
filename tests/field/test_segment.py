"""Whole-field segmentation on fields generated at run time (no field image is ever stored)."""

import cv2
import numpy as np
import pytest

from vinocr.box.preprocess import preprocess_box
from vinocr.field.grid import find_boxes
from vinocr.field.result import NO_BOXES, SegmentResult
from vinocr.synth.fields import STYLES, centres_match, make_field, random_style

VIN = "1HGCM82633A004352"


def _glyph(char: str) -> np.ndarray:
    """A printed character as an upright 28x28 white-on-black glyph (no EMNIST needed)."""
    glyph = np.zeros((28, 28), np.uint8)
    (w, h), _ = cv2.getTextSize(char, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
    cv2.putText(glyph, char, ((28 - w) // 2, (28 + h) // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    return glyph


GLYPHS = [_glyph(c) for c in VIN]


def _in_order(result: SegmentResult, truth: np.ndarray) -> bool:
    """ok, and the i-th found box sits on the i-th true box."""
    return result.ok and centres_match(result.to_input(result.centres), truth)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("style", STYLES)
def test_every_style_is_segmented_in_order(style, seed):
    image, truth = make_field(GLYPHS, np.random.default_rng(seed), style, return_truth=True)
    result = find_boxes(image)
    assert result.ok, result.message
    assert len(result.boxes) == len(result.rects) == 17
    assert _in_order(result, truth)
    assert [r[0] for r in result.rects] == sorted(r[0] for r in result.rects)
    if style == "no_boxes":
        assert result.method == "gaps" and result.message == "found 17 characters (no box lines)"
    else:
        assert result.method == "grid" and result.message == "found 17 boxes"


@pytest.mark.parametrize("style", STYLES)
def test_every_crop_holds_its_character(style):
    image = make_field(GLYPHS, np.random.default_rng(11), style)
    result = find_boxes(image)
    assert result.ok, result.message
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    background = np.median(gray)
    for box in result.boxes:
        assert box.ndim == 2 and box.dtype == np.uint8 and min(box.shape) >= 20
        assert abs(float(np.median(box)) - background) < 60  # the input's own polarity
        assert not preprocess_box(box).empty


@pytest.mark.parametrize("angle", [5.0, -5.0])
@pytest.mark.parametrize("style", ["boxes_light", "no_boxes"])
def test_a_field_rotated_5_degrees(style, angle):
    image, truth = make_field(GLYPHS, np.random.default_rng(3), style, return_truth=True, angle=angle)
    result = find_boxes(image)
    assert _in_order(result, truth), result.message
    assert result.angle == pytest.approx(angle, abs=0.25 if style == "no_boxes" else 0.1)


@pytest.mark.parametrize("style", ["boxes_dark", "form", "no_boxes"])
def test_a_wide_margin_with_noise_and_specks(style):
    rng = np.random.default_rng(5)
    image, truth = make_field(GLYPHS, rng, style, return_truth=True, margin=450)
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    noisy = gray.astype(np.float32) + rng.normal(0, 10, gray.shape).astype(np.float32)
    ink = 0 if np.median(gray) > 127 else 255
    for _ in range(60):  # dust all over the margin
        centre = (int(rng.integers(0, gray.shape[1])), int(rng.integers(0, gray.shape[0])))
        cv2.circle(noisy, centre, int(rng.integers(1, 3)), ink, -1)
    result = find_boxes(np.clip(noisy, 0, 255).astype(np.uint8))
    assert _in_order(result, truth), result.message


def test_colour_input_gives_the_same_boxes():
    image = make_field(GLYPHS, np.random.default_rng(8), "boxes_dark")
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert find_boxes(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)).rects == find_boxes(gray).rects


@pytest.mark.parametrize("count", [16, 18])
@pytest.mark.parametrize("style", ["boxes_dark", "boxes_light", "no_boxes"])
def test_a_wrong_count_is_reported_and_never_padded(style, count):
    glyphs = (GLYPHS * 2)[:count]
    image, truth = make_field(glyphs, np.random.default_rng(count), style, return_truth=True)
    result = find_boxes(image)
    assert not result.ok
    assert len(result.rects) == len(result.boxes) == count  # what was found, where, nothing added
    noun = "characters (no box lines)" if style == "no_boxes" else "boxes"
    assert result.message == f"found {count} {noun}, expected 17"
    assert centres_match(result.to_input(result.centres), truth)  # and where they are
    assert find_boxes(image, expected=count).ok


@pytest.mark.parametrize(("gap", "found"), [(0.2, 17), (2.5, 16)])
def test_a_box_far_off_the_row_does_not_complete_it(gap, found):
    image = make_field(GLYPHS[:16], np.random.default_rng(6), "boxes_light", angle=0.0, margin=400)
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    x, y, w, h = find_boxes(gray, expected=16).rects[-1]
    far = x + w + int(gap * w)  # a copy of the last box, `gap` box widths to its right
    gray[y : y + h, far : far + w] = gray[y : y + h, x : x + w]
    result = find_boxes(gray)
    assert len(result.rects) == found and result.ok == (found == 17), result.message


def _noise() -> np.ndarray:
    return np.clip(np.random.default_rng(0).normal(128, 20, (150, 1700)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((150, 1700), np.uint8),
        np.full((150, 1700, 3), 255, np.uint8),
        _noise(),
        np.zeros((4, 4), np.uint8),
        np.zeros((0, 0), np.uint8),
    ],
    ids=["black", "white-bgr", "noise", "tiny", "empty"],
)
def test_blank_images_find_nothing(image):
    result = find_boxes(image)
    assert not result.ok and result.message == NO_BOXES
    assert result.boxes == [] and result.rects == []
    assert result.overlay is not None and result.overlay.ndim == 3


def test_blank_form_with_dust_finds_nothing():
    rng = np.random.default_rng(2)
    image = np.full((150, 1700), 230, np.uint8)
    for _ in range(25):
        cv2.circle(
            image, (int(rng.integers(0, 1700)), int(rng.integers(0, 150))), int(rng.integers(1, 3)), 30, -1
        )
    assert find_boxes(image).message == NO_BOXES


def test_an_empty_grid_still_gives_its_17_boxes():
    blank = [np.zeros((28, 28), np.uint8)] * 17
    image, truth = make_field(blank, np.random.default_rng(4), "boxes_light", return_truth=True)
    result = find_boxes(image)
    assert _in_order(result, truth) and all(preprocess_box(b).empty for b in result.boxes)


def test_overlay_and_coordinates():
    image, truth = make_field(GLYPHS, np.random.default_rng(9), "boxes_light", return_truth=True, angle=3.0)
    result = find_boxes(image)
    assert result.ok and result.overlay.ndim == 3 and result.overlay.dtype == np.uint8
    height, width = result.overlay.shape[:2]
    for x, y, w, h in result.rects:
        assert 0 <= x and 0 <= y and x + w <= width and y + h <= height
    back = result.to_input(result.centres)
    assert np.abs(back - truth).max() < 10
    with pytest.raises(ValueError):
        find_boxes(image, expected=0)


def test_fieldgen_contract():
    rng = np.random.default_rng(0)
    assert {random_style(rng) for _ in range(60)} == set(STYLES)
    image, truth = make_field(GLYPHS, np.random.default_rng(1), "boxes_dark", return_truth=True)
    again = make_field(GLYPHS, np.random.default_rng(1), "boxes_dark")
    assert np.array_equal(image, again) and image.dtype == np.uint8 and truth.shape == (17, 2)
    assert np.all(np.diff(truth[:, 0]) > 0)
    assert min(image.shape[:2]) > 40 + 40  # margins of at least 20 px around boxes of 40 px or more
    with pytest.raises(ValueError, match="unknown style"):
        make_field(GLYPHS, rng, "cursive")


def test_emnist_test_split_fields(vin_split):
    rng = np.random.default_rng(21)
    for i in range(8):
        picks = rng.choice(len(vin_split.x_test), 17, replace=False)
        style = STYLES[i % len(STYLES)]
        image, truth = make_field(list(vin_split.x_test[picks]), rng, style, return_truth=True)
        result = find_boxes(image)
        assert _in_order(result, truth), f"{style}: {result.message}"

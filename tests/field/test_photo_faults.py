"""The hand-held photo faults (curled sheet, barrel lens, shake) move the known box centres with the
image, and leave the default photo generator exactly as it was when none is asked for."""

import cv2
import numpy as np
import pytest

from vinocr.synth import photos
from vinocr.synth.photo_faults import Faults, barrel, barrel_points, bend_sheet, random_faults, shake


def _dot_image(shape: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """Black image with a small white dot at each point."""
    image = np.zeros(shape, np.float32)
    for x, y in points:
        cv2.circle(image, (round(x), round(y)), 3, 255.0, -1)
    return image


def _dot_centres(image: np.ndarray) -> np.ndarray:
    """Centroids of the bright dots, sorted by x."""
    count, _, stats, centroids = cv2.connectedComponentsWithStats((image > 100).astype(np.uint8))
    return centroids[1:][np.argsort(centroids[1:, 0])]


def test_barrel_points_land_where_the_dots_are_drawn():
    points = np.array([[40, 30], [320, 240], [600, 450], [100, 420], [560, 60]], np.float64)
    bent = barrel(_dot_image((480, 640), points), 0.12)
    found = _dot_centres(bent)
    expected = barrel_points(points, (480, 640), 0.12)
    expected = expected[np.argsort(expected[:, 0])]
    assert np.abs(found - expected).max() < 0.6
    assert np.linalg.norm(expected[0] - points[0]) > 10  # a corner point really moved
    assert np.allclose(barrel_points(points[1:2], (480, 640), 0.12), [[319.5, 239.5]], atol=0.6)


@pytest.mark.parametrize("bow", [0.04, -0.03])
def test_bend_sheet_moves_the_centres_with_the_columns(bow):
    points = np.array([[20, 100], [150, 100], [300, 100], [380, 100]], np.float64)
    sheet = 255 - _dot_image((200, 400), points).astype(np.uint8)  # dark dots on white paper
    bent, moved = bend_sheet(sheet, points, bow)
    assert bent.shape[0] > sheet.shape[0] and bent[0, 0] == 255
    found = _dot_centres(255 - bent.astype(np.float32))
    assert np.abs(found - moved).max() < 0.6
    middle_drop = moved[2, 1] - moved[0, 1]
    assert np.sign(middle_drop) == np.sign(bow) and abs(middle_drop) > 0.5 * abs(bow) * 400


def test_shake_smears_along_its_angle_and_keeps_the_light():
    image = np.zeros((81, 81), np.float32)
    image[40, 40] = 1000.0
    smeared = shake(image, 21.0, 0.0)
    assert smeared.sum() == pytest.approx(1000.0, rel=1e-3)
    rows, cols = np.nonzero(smeared > 1.0)
    assert cols.max() - cols.min() >= 18 and rows.max() - rows.min() <= 2  # horizontal
    rows, cols = np.nonzero(shake(image, 21.0, 90.0) > 1.0)
    assert rows.max() - rows.min() >= 18 and cols.max() - cols.min() <= 2  # vertical


def test_no_fault_asked_draws_nothing_and_changes_no_photo():
    rng = np.random.default_rng(4)
    before = rng.bit_generator.state
    assert not random_faults(rng, 0.0, 0.0, 0.0)
    assert rng.bit_generator.state == before
    drawn = random_faults(np.random.default_rng(4), 0.02, 0.1, 6.0)
    assert 0.01 <= abs(drawn.bend) <= 0.02 and 0.05 <= drawn.lens <= 0.1 and 3.0 <= drawn.motion <= 6.0
    glyphs = [np.full((28, 28), 0, np.uint8)] * 17
    plain = photos.make_photo(glyphs, np.random.default_rng(9), "boxes_light", 0.03)
    again = photos.make_photo(glyphs, np.random.default_rng(9), "boxes_light", 0.03, faults=Faults())
    assert plain.data == again.data and np.array_equal(plain.truth, again.truth)

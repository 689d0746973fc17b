"""A photo of a curled sheet: its row of boxes is curved, so no homography makes it straight. The
bow is measured on the box interiors found and the field straightened column by column
(vinocr.field.bow); a flat sheet's row is left as it was."""

import numpy as np
import pytest

from tests.field.hershey_photos import hershey_photo
from vinocr.field.bow import Bow, field_to_image, measure_bow, unbend
from vinocr.field.photo import decode_photo
from vinocr.field.pipeline import find_field
from vinocr.field.quad import FieldQuad
from vinocr.synth.fields import centres_match


def _row(sag: float, count: int = 9, box: float = 40.0) -> FieldQuad:
    """A row of `count` boxes whose centres follow a parabola sagging `sag` px in the middle."""
    u = np.arange(count) * box * 1.1 + 20
    middle = (u[0] + u[-1]) / 2
    v = 60 + sag * (1 - ((u - middle) / (middle - u[0])) ** 2)
    boxes = np.stack(
        [[[x - 18, y - 18], [x + 18, y - 18], [x + 18, y + 18], [x - 18, y + 18]] for x, y in zip(u, v)]
    )
    corners = np.array([[0, 42], [u[-1] + 20, 42], [u[-1] + 20, 78], [0, 78]], np.float64)
    return FieldQuad(corners, box * 1.1, count, "grid", boxes.astype(np.float64))


def test_a_flat_row_has_no_bow_and_a_sagging_one_is_measured():
    assert measure_bow(_row(1.5), np.eye(3)) is None  # a few px of scatter: left straight
    bow = measure_bow(_row(14.0), np.eye(3))
    assert bow is not None
    quad = _row(14.0)
    centres = quad.boxes.mean(axis=1)
    assert np.abs(bow.shift(centres[:, 0]) - (centres[:, 1] - 60)).max() < 0.5
    # beyond the boxes found the row goes on along its tangent, not up the parabola's far arm
    slope_end = np.polyval(np.polyder(bow.coefficients), bow.high)
    assert bow.shift(np.array([bow.high + 50]))[0] == pytest.approx(
        bow.shift(np.array([bow.high]))[0] + 50 * slope_end
    )
    assert measure_bow(FieldQuad(quad.corners, quad.pitch, 4, "grid", quad.boxes[:4]), np.eye(3)) is None


def test_unbend_straightens_the_row_and_points_map_back():
    bow = Bow(np.array([0.001, -0.4, 100.0]), 60.0, 0.0, 400.0)
    field = np.zeros((120, 400), np.uint8)
    columns = np.arange(400)
    rows = np.round(60 + bow.shift(columns)).astype(int)
    field[rows, columns] = 255  # a curved line through the row's centre
    straight = unbend(field, bow)
    assert np.abs(np.argmax(straight, axis=0) - 60).max() <= 1
    point = np.array([[300.0, 60.0]])
    assert field_to_image(point, np.eye(3), bow)[0] == pytest.approx(
        [300.0, 60 + bow.shift(np.array([300.0]))[0]]
    )


def test_curled_sheets_are_found_box_by_box():
    # before the bow: 5 of 30 such photos found (bend 1.5-3% of the sheet's width), 1 wrong
    found = 0
    for seed in range(12):
        photo, faults = hershey_photo(1000 + seed, bend=0.03)
        decoded = decode_photo(photo.data)
        result = find_field(decoded.gray)
        right = result.ok and centres_match(result.to_input(result.centres), photo.truth * decoded.scale)
        assert right or not result.ok, (seed, faults, result.message)  # never 17 wrong boxes
        found += right
    assert found >= 11


def test_a_flat_sheet_is_not_bent():
    for seed in range(6):
        photo, _ = hershey_photo(2000 + seed)
        decoded = decode_photo(photo.data)
        result = find_field(decoded.gray)
        assert result.ok and result.bow is None, result.message

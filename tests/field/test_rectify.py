"""Finding the field in a photo: known homographies undone, light flattened, failures reported."""

import cv2
import numpy as np
import pytest

from vinocr.field.grid import find_boxes
from vinocr.field.light import PAPER, flatten_light
from vinocr.field.pipeline import find_field
from vinocr.synth.fields import centres_match, make_field
from vinocr.synth.samples import SAMPLE_VIN, sample_field

CELL, MARGIN = 96, 40  # the sample field's geometry (vinocr.synth.samples.sample_field)
ABOVE = 300  # px of paper above the field on its sheet


def _glyph(char: str) -> np.ndarray:
    """A printed character as an upright 28x28 white-on-black glyph (no EMNIST needed)."""
    glyph = np.zeros((28, 28), np.uint8)
    (w, h), _ = cv2.getTextSize(char, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
    cv2.putText(glyph, char, ((28 - w) // 2, (28 + h) // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    return glyph


def _homography(shape: tuple[int, int], tilt: float, angle: float, seed: int) -> np.ndarray:
    """Known 3x3 map of a sheet of `shape` into a 2400x1800 photo: turned by `angle` degrees, each
    corner moved by `tilt` of the sheet's width in a random direction, 75% of the frame wide."""
    h, w = shape
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) - [w / 2, h / 2]
    rad = np.deg2rad(angle)
    corners = corners @ np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]]).T
    corners *= 1800 / w
    directions = np.random.default_rng(seed).uniform(0, 2 * np.pi, 4)
    corners += tilt * 1800 * np.stack([np.cos(directions), np.sin(directions)], axis=1) + [1200, 900]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(source, corners.astype(np.float32))


def _photograph(image: np.ndarray, matrix: np.ndarray, desk: int = 70) -> np.ndarray:
    """The image warped into a 2400x1800 frame over a darker desk, slightly blurred."""
    photo = cv2.warpPerspective(image, matrix, (2400, 1800), flags=cv2.INTER_LINEAR, borderValue=desk)
    return cv2.GaussianBlur(photo, (0, 0), 0.8)


def _sheet(field: np.ndarray) -> np.ndarray:
    """The field on a page-like sheet of its paper (1.5 times as wide as tall), ABOVE px from the top."""
    below = round(field.shape[1] / 1.5) - field.shape[0] - ABOVE
    return cv2.copyMakeBorder(field, ABOVE, below, 0, 0, cv2.BORDER_CONSTANT, value=int(np.median(field)))


def _true_centres() -> np.ndarray:
    """The sample field's 17 box centres on its sheet."""
    return np.array([(MARGIN + (i + 0.5) * CELL, ABOVE + MARGIN + CELL / 2) for i in range(17)], np.float64)


def _through(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2)


@pytest.mark.parametrize(
    ("tilt", "angle"), [(0.0, 0.0), (0.03, -5.0), (0.06, 9.0), (0.10, 15.0), (0.10, -15.0)]
)
def test_a_known_homography_is_undone(tilt, angle):
    sheet = _sheet(sample_field())
    known = _homography(sheet.shape, tilt, angle, seed=int(100 * tilt + angle) + 50)
    result = find_field(_photograph(sheet, known))
    assert result.ok and result.method == "grid", result.message
    assert result.homography is not None
    # every box found where the known map put it
    truth = _through(known, _true_centres())
    assert centres_match(result.to_input(result.centres), truth)
    assert np.abs(result.to_input(result.centres) - truth).max() < 0.1 * CELL
    # field -> photo -> rectified field is a similarity: the evenly spaced boxes stay in a straight,
    # level, evenly spaced row
    rectified = _through(result.homography @ known, _true_centres())
    steps = np.diff(rectified[:, 0])
    assert np.ptp(rectified[:, 1]) < 0.02 * steps.mean() + 1.5
    assert steps.std() < 0.02 * steps.mean()
    # at the size the row had in the photo
    photo_row = np.linalg.norm(truth[-1] - truth[0])
    assert steps.sum() == pytest.approx(photo_row, rel=0.1)


def test_the_sample_field_is_read_through_a_strong_tilt(recognizer):
    from vinocr.vin.reader import read_field

    sheet = _sheet(sample_field())
    reading = read_field(recognizer, _photograph(sheet, _homography(sheet.shape, 0.1, 12.0, 3)))
    assert reading.vin == SAMPLE_VIN


def test_uneven_light_and_a_shadow_edge_are_flattened():
    field = sample_field().astype(np.float32)
    h, w = field.shape
    light = np.linspace(1.0, 0.7, w, dtype=np.float32)[None, :].repeat(h, axis=0)
    light[:, w // 2 :] *= 0.6  # the sharp edge of a shadow across the middle
    flat, mask = flatten_light(np.clip(field * light, 0, 255).astype(np.uint8))
    paper = flat[mask == 0]
    assert abs(float(np.median(paper)) - PAPER) < 4 and np.percentile(paper, 5) > PAPER - 25
    for half in (flat[:, : w // 2 - 5], flat[:, w // 2 + 5 :]):  # both sides of the edge look alike
        assert abs(float(np.median(half)) - PAPER) < 4
    assert find_field(np.clip(field * light, 0, 255).astype(np.uint8)).ok


def test_light_ink_on_dark_paper():
    sheet = 255 - _sheet(sample_field())
    result = find_field(_photograph(sheet, _homography(sheet.shape, 0.06, -8.0, 4), desk=170))
    assert result.ok, result.message


def test_characters_without_boxes_in_a_tilted_photo():
    glyphs = [_glyph(c) for c in SAMPLE_VIN]
    field, centres = make_field(glyphs, np.random.default_rng(2), "no_boxes", True, angle=0, degrade=False)
    known = _homography(_sheet(field).shape, 0.04, 10.0, 5)
    result = find_field(_photograph(_sheet(field), known))
    assert result.ok and result.method == "gaps", result.message
    assert centres_match(result.to_input(result.centres), _through(known, centres + [0, ABOVE]))


@pytest.mark.parametrize("style", ["boxes_dark", "boxes_light", "form", "no_boxes"])
def test_scans_are_found_as_before(style):
    glyphs = [_glyph(c) for c in SAMPLE_VIN]
    image, truth = make_field(glyphs, np.random.default_rng(7), style, return_truth=True)
    result = find_field(image)
    assert result.ok and centres_match(result.to_input(result.centres), truth), result.message
    assert result.rects == find_boxes(image).rects or result.homography is not None


def test_a_photo_of_16_boxes_says_so_and_shows_where():
    field = sample_field()
    short = field[:, : MARGIN + 16 * CELL + 3]  # the 17th box cut away
    short = _sheet(cv2.copyMakeBorder(short, 0, 0, 0, MARGIN, cv2.BORDER_CONSTANT, value=250))
    known = _homography(short.shape, 0.05, 6.0, 6)
    result = find_field(_photograph(short, known))
    assert not result.ok
    assert result.message == "found 16 boxes, expected 17"
    assert len(result.outlines()) == len(result.boxes) == 16
    assert centres_match(result.to_input(result.centres), _through(known, _true_centres()[:16]))
    assert result.field_overlay is not None and result.field_overlay.ndim == 3
    assert max(result.field_overlay.shape[:2]) <= 1280


def test_nothing_to_find():
    result = find_field(np.full((900, 1200), 200, np.uint8))
    assert not result.ok and result.rects == [] and result.field_overlay is not None
    with pytest.raises(ValueError):
        find_field(np.zeros((100, 100), np.uint8), expected=0)

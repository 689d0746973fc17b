"""ui.camera: what the page says to change when a camera photo's field is not found, and about a
camera photo's size."""

from __future__ import annotations

import cv2
import numpy as np

from ui import camera
from vinocr.synth.photo_faults import shake


def sharp_picture(width: int, height: int) -> np.ndarray:
    """Paper (220) with ink dots (30) on a grid: good light and sharp edges in every direction."""
    picture = np.full((height, width), 220, np.uint8)
    for y in range(20, height, 40):
        for x in range(20, width, 40):
            cv2.circle(picture, (x, y), 8, 30, -1)
    return picture


LIT = sharp_picture(640, 360)


def boxes(
    x0: float, x1: float, y: float = 150.0, left_h: float = 40.0, right_h: float = 40.0, count: int = 17
):
    """`count` box outlines (4, 2) from x0 to x1 along y, heights growing from left_h to right_h."""
    xs, heights = np.linspace(x0, x1, count + 1), np.linspace(left_h, right_h, count)
    return [
        np.array([(a, y - h / 2), (b, y - h / 2), (b, y + h / 2), (a, y + h / 2)], np.float64)
        for a, b, h in zip(xs[:-1], xs[1:], heights, strict=True)
    ]


def test_a_dark_picture_asks_for_more_light():
    advice = camera.framing_advice((LIT * 0.3).astype(np.uint8), [])
    assert advice[0].startswith("**More light:** the picture is dark")


def test_a_flat_grey_picture_asks_for_more_light():
    flat = np.full((360, 640), 120, np.uint8)
    flat[::7, ::5] = 150
    assert camera.framing_advice(flat, boxes(100, 600))[0].startswith("**More light:** ink and paper")


def test_no_boxes_seen_asks_to_come_closer_with_the_share():
    advice = camera.framing_advice(LIT, [])
    share = f"{camera.MIN_FIELD_SHARE:.0%}"
    assert advice == [f"**Closer:** no boxes were seen; the field should fill at least {share} of the width."]


def test_a_few_small_boxes_ask_to_come_closer_and_say_how_much_they_span():
    advice = camera.framing_advice(LIT, boxes(100, 260, count=9))
    assert advice[0].startswith("**Closer:** the boxes found span 25% of the width")


def test_a_field_leaning_away_asks_for_a_flatter_hold():
    advice = camera.framing_advice(LIT, boxes(40, 600, left_h=30, right_h=50))
    assert advice == [advice[0]] and advice[0].startswith("**Flatter:**")


def test_a_turned_field_asks_to_hold_it_level():
    turned = [outline + [[0, 0.4 * outline[:, 0].mean()]] for outline in boxes(40, 600)]
    advice = camera.framing_advice(LIT, turned)
    assert len(advice) == 1 and advice[0].startswith("**Straighter:** the field is turned by 2")


def test_a_1080p_picture_needs_a_smaller_share():
    wide = sharp_picture(1920, 1080)
    assert camera.framing_advice(wide, [])[0].endswith(f"at least {camera.SHARE_1080P:.0%} of the width.")
    assert camera.SHARE_1080P < camera.MIN_FIELD_SHARE


def test_nothing_to_point_at_gives_the_general_note():
    assert camera.framing_advice(LIT, boxes(40, 600)) == [camera.share_note()]


def test_the_size_note_warns_below_720p_only():
    assert camera.size_note((1280, 720)) == "Camera photo: 1280x720 px."
    assert "too small to find" in camera.size_note((640, 480))


def test_a_shaken_picture_asks_to_hold_still_and_a_sharp_one_does_not():
    for angle in (0, 35, 90, 140):
        advice = camera.framing_advice(shake(LIT, 15, angle), [])
        assert advice[0].startswith("**Hold still:** the picture is blurred"), angle
    assert not any("Hold still" in line for line in camera.framing_advice(shake(LIT, 2, 35), []))


def test_a_flat_picture_is_not_called_blurred():
    flat = np.full((360, 640), 120, np.uint8)  # no contrast: nothing to judge sharpness on
    assert not any("Hold still" in line for line in camera.framing_advice(flat, []))

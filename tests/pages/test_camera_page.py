"""The camera inputs in AppTest: a webcam frame of a form on the Recognize page, a too-small field
(what to change is said), and a photo of one character on the Draw page. The frames are drawn
with the project's generators (Hershey glyphs, vinocr.synth), as st.camera_input sends them (JPEG)."""

from __future__ import annotations

import cv2
import numpy as np

from bench.eval_camera import hershey_frame
from ui import camera
from vinocr.synth.photo_faults import Faults
from vinocr.synth.photos import encode_jpeg
from vinocr.synth.samples import SAMPLE_VIN


def camera_jpeg(bgr: np.ndarray) -> tuple[str, bytes, str]:
    """A frame as st.camera_input uploads it."""
    return "image.jpg", encode_jpeg(bgr, 95), "image/jpeg"


def shaken_frame(seed: int, style: str, share: float, motion: float) -> np.ndarray:
    """A 1280x720 frame of the sample VIN in Hershey glyphs, the camera moved `motion` px (at 2000
    px wide) at 35 degrees while it was taken."""
    faults = Faults(motion=motion, motion_angle=35.0)
    return hershey_frame(share=share, seed=seed, style=style, faults=faults)


def recognize_with_camera(open_page):
    """The Recognize page with "Take a photo" chosen."""
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("Take a photo").run()
    assert not at.exception
    return at


def test_a_webcam_frame_of_the_form_is_read_like_an_uploaded_photo(open_page, vin_shown, texts):
    at = recognize_with_camera(open_page)
    assert len(at.camera_input) == 1 and at.camera_input[0].resolution == camera.RESOLUTION
    assert "Take a photo above" in texts(at.info)
    assert f"at least {camera.MIN_FIELD_SHARE:.0%} of the picture's width" in texts(at.caption)
    at.camera_input[0].upload(*camera_jpeg(hershey_frame(share=0.75))).run()
    assert not at.exception and not at.error, texts(at.error)
    assert vin_shown(at) == SAMPLE_VIN
    assert "Camera photo: 1280x720 px." in texts(at.caption)
    assert "too small" not in texts(at.caption)
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert any("the field found (blue)" in c for c in captions), captions  # the outline found
    assert any("rectified" in c for c in captions), captions  # the rectified field
    assert "**Accept**" in texts(at.success) or "**Review**" in texts(at.warning)
    assert "looks blurred" not in texts(at.caption)


def test_a_shaken_frame_not_found_says_to_hold_still(open_page, vin_shown, texts):
    at = recognize_with_camera(open_page)
    at.camera_input[0].upload(*camera_jpeg(shaken_frame(0, "form", 0.8, 20.0))).run()
    assert not at.exception and at.error and vin_shown(at) is None
    assert "**Hold still:** the picture is blurred" in texts(at.markdown)


def test_a_shaken_frame_that_is_read_asks_for_a_steadier_photo(open_page, vin_shown, texts):
    at = recognize_with_camera(open_page)
    at.camera_input[0].upload(*camera_jpeg(shaken_frame(5, "boxes_dark", 0.85, 10.0))).run()
    assert not at.exception and not at.error, texts(at.error)
    assert vin_shown(at) is not None
    assert "The picture looks blurred" in texts(at.caption)


def test_a_field_too_small_in_the_frame_says_to_come_closer(open_page, vin_shown, texts):
    at = recognize_with_camera(open_page)
    at.camera_input[0].upload(*camera_jpeg(hershey_frame(share=0.3, frame=(640, 480)))).run()
    assert not at.exception
    assert vin_shown(at) is None  # nothing guessed
    assert at.error, "a field not found must be said"
    assert "**Closer:**" in texts(at.markdown)
    assert "Below 1280x720 the boxes are often too small" in texts(at.caption)
    assert f"at least {camera.MIN_FIELD_SHARE:.0%}" in texts(at.markdown)


def test_a_photo_of_one_character_is_read_through_the_box_path(open_page, glyph_in, texts):
    at = open_page("pages/draw.py")
    at.radio(key="draw_kind").set_value("Photo of one character").run()
    assert not at.exception and len(at.camera_input) == 1
    assert not at.slider, "the stroke width belongs to the canvases"
    glyph = glyph_in(1280, 720, "K", np.random.default_rng(5)).astype(np.float32)
    paper = np.linspace(215, 175, 1280, dtype=np.float32)[None, :] - 0.7 * glyph
    paper += np.random.default_rng(6).normal(0, 3, paper.shape).astype(np.float32)
    frame = cv2.cvtColor(np.clip(paper, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    at.camera_input[0].upload(*camera_jpeg(frame)).run()
    assert not at.exception and not at.warning, texts(at.warning)
    prediction = next(m.value for m in at.markdown if "draw-prediction" in m.value)
    assert ">K</span>" in prediction, prediction
    assert "Preprocessing steps" in texts(at.markdown)


def test_a_blank_page_photo_on_the_draw_page_says_what_to_change(open_page, texts):
    at = open_page("pages/draw.py")
    at.radio(key="draw_kind").set_value("Photo of one character").run()
    blank = np.full((720, 1280, 3), 200, np.uint8)
    at.camera_input[0].upload(*camera_jpeg(blank)).run()
    assert not at.exception
    assert "Hold the paper closer" in texts(at.warning)

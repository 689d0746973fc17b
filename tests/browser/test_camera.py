"""The camera input in a real Chromium: a rendered webcam frame of a filled form is played by
Chromium's fake camera (a .y4m file written here with OpenCV, Hershey-glyph handwriting from
vinocr.synth), "Take Photo" is clicked and the VIN shown is checked; without a camera the page says
so and the upload still works. One `streamlit run` server for the module."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.eval_camera import hershey_frame
from bench.streamlit_server import VIN
from ui import camera
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_field

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
NO_CAMERA_SHOWN = "This app would like to use your camera"  # st.camera_input's own line
ASK_CAMERA = "() => navigator.mediaDevices.getUserMedia({video: true}).then(() => 'granted', e => e.name)"


def write_y4m(path: Path, bgr: np.ndarray, frames: int = 2) -> Path:
    """A Y4M video (4:2:0) showing `bgr` for `frames` frames: what Chromium's fake camera plays."""
    height, width = bgr.shape[:2]
    planes = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@pytest.fixture(scope="module")
def server(start_server):
    """`streamlit run app.py` on a free local port, for the module."""
    with start_server("streamlit_camera.log") as url:
        yield url


@pytest.fixture(scope="module")
def form_video(tmp_path_factory) -> Path:
    """A 1280x720 video of a form with the sample VIN, its field 75% of the frame's width."""
    return write_y4m(tmp_path_factory.mktemp("camera") / "form.y4m", hershey_frame(share=0.75))


@pytest.fixture(scope="module")
def camera_chromium(launch_chromium, fake_camera, form_video):
    """Chromium whose camera plays the form video, the permission prompt accepted."""
    browser = launch_chromium(fake_camera(form_video))
    yield browser
    browser.close()


def open_camera_input(context, server: str):
    """A tab on the Recognize page with "Take a photo" chosen."""
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(f"{server}/recognize")
    tab.get_by_text("Take a photo", exact=True).click()
    tab.get_by_test_id("stCameraInput").wait_for()
    return tab


def test_a_photo_taken_with_the_camera_shows_the_vin(server, camera_chromium):
    context = camera_chromium.new_context(viewport=VIEWPORT, permissions=["camera"])
    tab = open_camera_input(context, server)
    button = tab.get_by_role("button", name="Take Photo")
    tab.wait_for_function(
        "() => { const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === "
        "'Take Photo'); return b && !b.disabled; }"
    )
    # the fake camera's stream must be playing frames before the shot (on a loaded machine the button
    # is enabled before the first frame arrives, and a blank frame has no field in it)
    tab.wait_for_function(
        "() => { const v = document.querySelector('video'); "
        "return v && v.readyState >= 2 && v.videoWidth > 0; }"
    )
    button.click()
    tab.locator(VIN).wait_for(state="visible")
    assert tab.locator(VIN).inner_text().replace("\n", "").strip() == SAMPLE_VIN
    # the camera's own frame comes back, not one shrunk to the widget's width
    tab.get_by_text("Camera photo: 1280x720 px").wait_for()
    tab.get_by_text("the field found (blue)").first.wait_for()  # waits: the page may still be drawing
    tab.get_by_text("Accept", exact=True).or_(tab.get_by_text("Review", exact=True)).first.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "recognize_camera.png"), full_page=True)
    context.close()


def test_without_a_camera_the_page_says_so_and_uploads_still_work(server, chromium, tmp_path):
    context = chromium.new_context(viewport=VIEWPORT)  # no fake camera, no camera permission
    tab = open_camera_input(context, server)
    tab.get_by_text(NO_CAMERA_SHOWN).wait_for()
    assert tab.evaluate(ASK_CAMERA) == "NotFoundError"  # what the widget was told
    assert tab.get_by_text(camera.NO_CAMERA, exact=True).count() == 1
    assert tab.get_by_role("button", name="Take Photo").is_disabled()
    field = tmp_path / "field.png"
    field.write_bytes(encode_png(sample_field()))
    tab.get_by_text("One image of the whole field", exact=True).click()
    tab.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(field))
    tab.locator(VIN).wait_for(state="visible")
    assert tab.locator(VIN).inner_text().replace("\n", "").strip() == SAMPLE_VIN
    context.close()


def test_a_refused_camera_permission_is_said_and_nothing_is_read(
    server, launch_chromium, fake_camera, form_video
):
    browser = launch_chromium(fake_camera(form_video, prompt_accepted=False))
    context = browser.new_context(viewport=VIEWPORT)  # a camera is there; the prompt is refused
    tab = open_camera_input(context, server)
    tab.get_by_text(NO_CAMERA_SHOWN).wait_for()
    assert tab.evaluate(ASK_CAMERA) == "NotAllowedError"
    tab.wait_for_timeout(1000)  # long enough for a granted camera to enable the button
    assert tab.get_by_role("button", name="Take Photo").is_disabled()
    assert tab.locator(VIN).count() == 0
    assert tab.get_by_text(camera.NO_CAMERA, exact=True).count() == 1
    browser.close()

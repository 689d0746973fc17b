"""The camera inputs of the Recognize and Draw pages: st.camera_input at the camera's own
resolution, the one line said about the camera, and what to change when a camera photo's field
is not found (more light, hold still, closer, flatter, straighter)."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from vinocr.field.sharpness import blurred

# Asking for a resolution makes st.camera_input return the camera's own frame; without one it
# returns a frame shrunk to the widget's displayed size (704 px wide for a 1280x720 stream in a
# centred layout), where the boxes of a field are too small to read (docs/camera.md).
RESOLUTION = "1080p"  # a request: a 720p webcam gives its 1280x720
MIN_FIELD_SHARE = 0.7  # bench.eval_camera at 1280x720: found 77 of 80 frames at 70%, 53 of 80 at 60%
SHARE_1080P = 0.5  # bench.eval_camera at 1920x1080: found 40 of 40 frames at 50%, 35 of 40 at 40%
NO_CAMERA = (
    "Needs a camera and the browser's permission; without either the box below says so, "
    "and the other inputs still work."
)
DARK = 90  # grey level: the brightest paper of a picture below this is too dark
FLAT = 60  # grey levels between the darkest ink and the paper below which the picture is too flat
TILTED = 1.25  # the field's end boxes differ in height by more than this: the form leans away
TURNED = 12.0  # degrees


def share_note(share: float = MIN_FIELD_SHARE) -> str:
    """How large the field must be in the picture."""
    return (
        f"Hold the form so that the VIN field fills at least {share:.0%} of the picture's width "
        f"({SHARE_1080P:.0%} with a 1080p camera), flat and square to the camera, in even light."
    )


def size_note(size: tuple[int, int]) -> str:
    """What the page says about a camera photo's size: a camera below 1280 px wide is too coarse."""
    width, height = size
    note = f"Camera photo: {width}x{height} px."
    if width < 1280:
        note += (
            " Below 1280x720 the boxes are often too small to find even when the field fills the "
            "picture: use a better camera, or upload a phone photo."
        )
    return note


def take_photo(label: str, key: str, note: str) -> UploadedFile | None:
    """The camera widget (full width, the camera's own resolution) under `note` and one line about
    the camera; the captured JPEG, or None before "Take Photo"."""
    st.caption(note)
    st.caption(NO_CAMERA)
    return st.camera_input(label, key=key, resolution=RESOLUTION)


def _field_span(outlines: list[np.ndarray], width: int) -> float:
    """Share of the picture's width covered by the boxes found."""
    points = np.concatenate(outlines)
    return float(points[:, 0].max() - points[:, 0].min()) / max(1, width)


def _end_ratio(outlines: list[np.ndarray]) -> float:
    """Height of the taller end box over the shorter one (1.0 when the form faces the camera)."""
    heights = [float(np.ptp(outline[:, 1])) for outline in (outlines[0], outlines[-1])]
    return max(heights) / max(1.0, min(heights))


def _turn(outlines: list[np.ndarray]) -> float:
    """Degrees between the picture's horizontal and the line from the first box found to the last."""
    (x0, y0), (x1, y1) = outlines[0].mean(axis=0), outlines[-1].mean(axis=0)
    return float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))


def blur_note(gray: np.ndarray, found: bool) -> str:
    """For a photo (camera or upload) whose edges are blurred in some direction (vinocr.field.sharpness):
    what to do about it, whether its boxes were `found` or not; "" for a sharp picture."""
    if not blurred(gray):
        return ""
    if not found:
        return (
            "**Hold still:** the photo looks blurred (a shaking hand or the camera's focus), which can "
            "keep its boxes from being found; hold the form and the camera still and take it again."
        )
    return (
        "The picture looks blurred (a shaking hand or the camera's focus): if a character below is "
        "misread, hold the form and the camera still and take the photo again."
    )


def needed_share(width: int) -> float:
    """The share of the picture's width the field must fill, for a picture `width` px wide."""
    return SHARE_1080P if width >= 1920 else MIN_FIELD_SHARE


def framing_advice(gray: np.ndarray, outlines: list[np.ndarray], share: float | None = None) -> list[str]:
    """What to change when a camera photo's 17 boxes were not found, from the picture's light and
    the boxes found (each box's four corners in the picture, in reading order), if any; the field
    must fill `share` of the width (by default as the picture's width needs)."""
    share = needed_share(gray.shape[1]) if share is None else share
    advice = []
    low, high = np.percentile(gray, (2, 98)) if gray.size else (0.0, 0.0)
    if high < DARK:
        advice.append("**More light:** the picture is dark; face a window or a lamp, avoid your own shadow.")
    elif high - low < FLAT:
        advice.append("**More light:** ink and paper hardly differ; light the form evenly, without glare.")
    elif blurred(gray):  # judged only with enough light and contrast
        advice.append(
            "**Hold still:** the picture is blurred; keep the form and the camera still (rest your "
            "elbows) and let the camera focus before you take the photo."
        )
    if not outlines:
        advice.append(
            f"**Closer:** no boxes were seen; the field should fill at least {share:.0%} of the width."
        )
    else:
        span = _field_span(outlines, gray.shape[1])
        if len(outlines) < 17 and span < share:
            advice.append(
                f"**Closer:** the boxes found span {span:.0%} of the width; the whole field should fill "
                f"at least {share:.0%} of it (all 17 boxes inside the picture)."
            )
        elif len(outlines) > 1 and _end_ratio(outlines) > TILTED:
            advice.append(
                "**Flatter:** one end of the field looks taller than the other; hold the form square to "
                "the camera, not leaning away."
            )
        if len(outlines) > 1 and abs(_turn(outlines)) > TURNED:
            turn = abs(_turn(outlines))
            advice.append(f"**Straighter:** the field is turned by {turn:.0f} degrees; hold it level.")
    if not advice:
        advice.append(share_note(share))
    return advice

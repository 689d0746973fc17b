"""Draw: write one character (or a whole VIN in 17 guide cells) with the mouse and watch vinocr read it."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from ui import camera, canvas, figures
from ui.model import recognizer_or_stop
from ui.navigation import page_header
from ui.theme import CANVAS_BG, CANVAS_INK, TEXT, WARN
from ui.vin_display import mode_radio, show_report, show_verdict, show_vin
from vinocr.box.recognizer import BoxResult
from vinocr.vin.reader import read_boxes
from vinocr.vin.rules import VIN_LENGTH

SINGLE, FIELD, PHOTO = "One character", "A whole VIN (17 cells)", "Photo of one character"
CHAR_SIDE = 280
CELL_W, CELL_H = canvas.DRAW_CELL_W, canvas.DRAW_CELL_H
COUNTER_KEY = "draw_clear_n"

ss = st.session_state
ss.setdefault(COUNTER_KEY, 0)


def clear_canvas() -> None:
    """Button callback: a new canvas key gives an empty canvas."""
    ss[COUNTER_KEY] += 1


@st.cache_data(show_spinner=False)
def guide_background(width: int, height: int) -> Image.Image:
    """The 17-cell guide drawn behind the VIN canvas (not part of the returned drawing)."""
    return Image.fromarray(canvas.guide_image(width, height, VIN_LENGTH))


def draw_single(stroke: int) -> None:
    """One 280x280 canvas: steps, prediction and top probabilities as the user draws."""
    left, right = st.columns([1, 1.3])
    with left:
        drawn = st_canvas(
            stroke_width=stroke,
            stroke_color=CANVAS_INK,
            background_color=CANVAS_BG,
            height=CHAR_SIDE,
            width=CHAR_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            key=f"draw_single_{ss[COUNTER_KEY]}",
        )
    with right:
        gray = canvas.canvas_gray(drawn.image_data)
        if not canvas.has_ink(gray):
            st.info("Draw a character in the black square (a digit or a capital letter; no I, O or Q).")
            return
        result = recognizer_or_stop().recognize_arrays([gray], ["drawing"], has_border=False)[0]
        if result.status != "ok":
            st.info("Draw a character: nothing readable yet.")
            return
        show_prediction(result)
    show_steps(result)


def show_prediction(result: BoxResult) -> None:
    """The character read, its confidence and the most probable characters."""
    colour = WARN if result.low_confidence else TEXT
    st.markdown(
        f"<div class='draw-prediction' style='font-size:1rem'>Prediction: "
        "<span style='font-family:ui-monospace,monospace;font-size:3.2rem;font-weight:700;"
        f"color:{colour}'>"
        f"{result.char}</span> &nbsp; {result.confidence:.1%}"
        + (f" · <b style='color:{WARN}'>low confidence</b>" if result.low_confidence else "")
        + "</div>",
        unsafe_allow_html=True,
    )
    st.markdown("**Most probable characters**")
    st.markdown(figures.probability_bars_html(result, 5), unsafe_allow_html=True)


def show_steps(result: BoxResult) -> None:
    """The preprocessing steps from the input to the model's 28x28 input."""
    st.markdown("**Preprocessing steps**")
    steps = [(img, label) for label, img in result.steps[1:]]
    st.markdown(figures.figures_html(steps, 112), unsafe_allow_html=True)


def photo_single() -> None:
    """A camera photo of one character on paper, read as an uploaded box image is."""
    shot = camera.take_photo(
        "Take a photo of one character",
        f"draw_camera_{ss[COUNTER_KEY]}",
        "Write one character large on paper (a box around it is fine) and hold it up: at least a "
        "third of the picture's height.",
    )
    if shot is None:
        st.info("Take a photo of one handwritten character (a digit or a capital letter; no I, O or Q).")
        return
    result = recognizer_or_stop().recognize_bytes([("camera photo", shot.getvalue())])[0]
    if result.status != "ok":
        st.warning(
            f"{result.message or 'camera photo: no character found'}. Hold the paper closer: the "
            "character should be at least a third of the picture's height, dark on light paper."
        )
        return
    show_prediction(result)
    show_steps(result)


def draw_field(stroke: int) -> None:
    """A wide canvas with 17 guide cells, cropped by fixed geometry and read as a VIN."""
    width, height = CELL_W * VIN_LENGTH, CELL_H
    st.caption(
        "Write one character per cell. The grey guide lines are only a background: they are never read."
    )
    drawn = st_canvas(
        stroke_width=stroke,
        stroke_color=CANVAS_INK,
        background_image=guide_background(width, height),
        height=height,
        width=width,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"draw_field_{ss[COUNTER_KEY]}",
    )
    gray = canvas.canvas_gray(drawn.image_data)
    if not canvas.has_ink(gray):
        st.info("Draw the 17 characters of a VIN, one per cell.")
        return
    cells = canvas.crop_cells(gray, VIN_LENGTH)
    names = [f"cell {i + 1}" for i in range(VIN_LENGTH)]
    recognizer = recognizer_or_stop()
    results = recognizer.recognize_arrays(cells, names, has_border=False)
    mode = mode_radio("draw_mode")
    reading = read_boxes(results, mode, None, recognizer.calibration.accept_threshold)
    show_vin(reading)
    show_verdict(reading)
    with st.expander("Model inputs of the 17 cells"):
        blank = np.zeros((28, 28), np.uint8)
        inputs28 = [
            (r.input28 if r.input28 is not None else blank, f"{i + 1}: {r.char or '-'}")
            for i, r in enumerate(results)
        ]
        st.markdown(figures.figures_html(inputs28, 56), unsafe_allow_html=True)
    empty = [str(i + 1) for i, r in enumerate(results) if r.status != "ok"]
    if empty:
        st.info(
            f"{VIN_LENGTH - len(empty)} of {VIN_LENGTH} cells hold a character (empty: {', '.join(empty)}). "
            "The rule report appears when every cell is written."
        )
        return
    if reading.vin != reading.plain:
        st.info(
            f"Per-box reading `{reading.plain}`; the rules changed the blue position(s). {reading.message}"
        )
    elif reading.message:
        st.caption(reading.message)
    show_report(reading)


page_header()
st.title("Draw")
mode_choice = st.radio("Canvas", [SINGLE, FIELD, PHOTO], horizontal=True, key="draw_kind")
if mode_choice == PHOTO:
    photo_single()
else:
    controls = st.columns([2, 1, 3])
    default_stroke = 18 if mode_choice == SINGLE else 6
    stroke_width = controls[0].slider("Stroke width", 2, 40, default_stroke, key=f"stroke_{mode_choice}")
    controls[1].button("Clear", on_click=clear_canvas, icon=":material/ink_eraser:")
    if mode_choice == SINGLE:
        draw_single(stroke_width)
    else:
        draw_field(stroke_width)

"""Home: what vinocr does, how good the model is, and where to go next."""

from __future__ import annotations

import streamlit as st

from ui import tables
from ui.navigation import BATCH_PAGE, DRAW_PAGE, METRICS_PAGE, RECOGNIZE_PAGE, page_header
from vinocr.model_files import KERAS_FILE, METRICS_FILE, model_dir_from_env

REQUEST_KEY = "recognize_sample_request"  # handled by the Recognize page: "boxes" or "field"


def try_sample() -> None:
    """Ask the Recognize page to load the sample boxes, then go there."""
    st.session_state[REQUEST_KEY] = "boxes"
    st.switch_page(RECOGNIZE_PAGE)


page_header()
st.title("vinocr: handwritten VIN recognition")
st.markdown(
    "vinocr reads a Vehicle Identification Number written by hand, one character per box, "
    "with a neural network trained on the 33 characters a VIN may contain. "
    "Each box is cleaned up the way the EMNIST training images were made (border removed, "
    "cropped, centred, scaled to 28x28) before the model reads it. "
    "The 17 readings are then checked against the VIN rules (check digit, model year, region), "
    "which can also pick the most probable valid VIN when a box is unclear."
)

folder = model_dir_from_env()
metrics = tables.load_json(folder / METRICS_FILE)
model_path = folder / KERAS_FILE
cols = st.columns(3)
if metrics and "test" in metrics:
    test = metrics["test"]
    cols[0].metric(
        "Test accuracy", f"{test['accuracy']:.2%}", help=f"{test.get('n', 0):,} EMNIST test images"
    )
    cols[1].metric("Macro recall", f"{test['macro_recall']:.2%}", help="mean of the 33 per-character recalls")
else:
    cols[0].metric("Test accuracy", "n/a")
    cols[1].metric("Macro recall", "n/a")
    st.info("No test results yet (models/metrics.json appears when training finishes).")
size = (metrics or {}).get("model_bytes") or (model_path.stat().st_size if model_path.exists() else None)
cols[2].metric("Model file", f"{size / 1e6:.1f} MB" if size else "missing", help=KERAS_FILE)

if st.button("Try a sample VIN", type="primary", icon=":material/play_arrow:", key="home_sample"):
    try_sample()

st.subheader("Pages")
st.page_link(RECOGNIZE_PAGE, label="Recognize VIN: upload 17 box images or one photo of the whole field")
st.page_link(DRAW_PAGE, label="Draw: write a character (or a whole VIN) with the mouse")
st.page_link(BATCH_PAGE, label="Batch: many box images at once, as a table and a CSV file")
st.page_link(METRICS_PAGE, label="Metrics: training curves, test results and the model card")

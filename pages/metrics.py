"""Metrics: training curves, test results (per-class recall, confusion matrix, most-confused pairs),
accuracy on other people's handwriting (realdev, per source; its misread images when that folder is
at hand), calibration (reliability diagram, precision against coverage of accepted VINs), the model
card, and a gallery of misclassified test images when the EMNIST files are at hand."""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import figures, tables
from ui.calibration_view import show_calibration
from ui.navigation import page_header
from ui.real_handwriting import show_real_handwriting
from ui.theme import MUTED, PRIMARY, WARN
from vinocr.alphabet import VIN_ALPHABET
from vinocr.calibration import CALIBRATION_FILE, load_calibration
from vinocr.model_files import HISTORY_FILE, KERAS_FILE, METRICS_FILE, ONNX_FILE, model_dir_from_env
from vinocr.train.data import find_emnist_dir

GALLERY_KEY = "metrics_gallery"
GALLERY_SIZE = 96


@st.cache_data(show_spinner=False)
def read_json(path: str, stamp: float) -> object | None:
    """A JSON file, re-read when its modification time changes."""
    return tables.load_json(Path(path))


def stamp_of(path: Path) -> float:
    """Modification time (0 for a missing file)."""
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=2)
def misclassified(root: str, model_stamp: float, limit: int = GALLERY_SIZE) -> dict:
    """The test images the model gets wrong, most confident mistakes first (needs TF and EMNIST)."""
    from ui.model import get_recognizer
    from vinocr.train.data import load_vin_split

    split = load_vin_split(root)
    recognizer = get_recognizer()
    probs = np.concatenate(
        [recognizer.predict_inputs(split.x_test[i : i + 2048]) for i in range(0, len(split.x_test), 2048)]
    )
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != split.y_test)
    confidence = probs[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")][:limit]
    return {
        "images": split.x_test[order],
        "true": [VIN_ALPHABET[i] for i in split.y_test[order]],
        "predicted": [VIN_ALPHABET[i] for i in predicted[order]],
        "confidence": probs[order, predicted[order]].tolist(),
        "wrong": int(len(wrong)),
        "n": int(len(split.y_test)),
    }


def curve(frame: pd.DataFrame, metrics: list[str]) -> alt.Chart:
    """Chosen metrics per epoch, one line per split and metric."""
    data = frame[frame["metric"].isin(metrics)].assign(series=lambda d: d["split"] + " " + d["metric"])
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("value:Q", title=" / ".join(metrics), scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top", direction="horizontal")),
            tooltip=["epoch", "series", alt.Tooltip("value:Q", format=".4f")],
        )
    )


def recall_chart(frame: pd.DataFrame, macro: float) -> alt.LayerChart:
    """Per-class recall bars (axis from just below the weakest class) with the macro average as a rule."""
    low = max(0.0, np.floor((float(frame["recall"].min()) - 0.02) * 20) / 20)
    scale = alt.Scale(domain=[low, 1.0])
    bars = (
        alt.Chart(frame)
        .mark_bar(clip=True)
        .encode(
            x=alt.X(
                "character:N",
                sort=list(VIN_ALPHABET),
                title=None,
                axis=alt.Axis(labelAngle=0, labelFontSize=13),
            ),
            y=alt.Y("recall:Q", scale=scale, axis=alt.Axis(format="%", title="recall")),
            color=alt.condition(alt.datum.recall < macro, alt.value(WARN), alt.value(PRIMARY)),
            tooltip=["character", alt.Tooltip("recall:Q", format=".4f"), "support"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"macro": [macro]}))
        .mark_rule(color=MUTED, strokeDash=[4, 4])
        .encode(y=alt.Y("macro:Q", scale=scale))
    )
    return bars + rule


def confusion_chart(frame: pd.DataFrame) -> alt.Chart:
    """33x33 heatmap: rows true, columns predicted, colour = share of the true class."""
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("predicted:N", sort=list(VIN_ALPHABET), axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("true:N", sort=list(VIN_ALPHABET)),
            color=alt.Color("share:Q", scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")),
            tooltip=["true", "predicted", "count", alt.Tooltip("share:Q", format=".2%")],
        )
    )


def gallery_html(found: dict) -> str:
    """Misclassified test images with the true and predicted characters."""
    tiles = [
        (
            figures.thumbnail_uri(figures.enlarge(image, 56), 56),
            f"{html.escape(true)} → <b>{html.escape(pred)}</b> {conf:.0%}",
        )
        for image, true, pred, conf in zip(
            found["images"], found["true"], found["predicted"], found["confidence"], strict=True
        )
    ]
    return figures.tile_grid_html(tiles, image_height=56, width=76)


page_header()
st.title("Model metrics")
folder = model_dir_from_env()
history_path, metrics_path, model_path = folder / HISTORY_FILE, folder / METRICS_FILE, folder / KERAS_FILE
history = read_json(str(history_path), stamp_of(history_path))
metrics = read_json(str(metrics_path), stamp_of(metrics_path))
if not history and not metrics:
    st.info(
        f"No training results in {folder} yet: history.json and metrics.json are written when "
        "`python -m vinocr.train` finishes."
    )
    st.stop()

st.subheader("Training")
if isinstance(history, list) and history:
    frame = tables.history_frame(history)
    left, right = st.columns(2)
    with left:
        st.markdown("**Loss per epoch**")
        st.altair_chart(curve(frame, ["loss"]), width="stretch", height=320)
    with right:
        st.markdown("**Accuracy per epoch** (and validation macro recall)")
        st.altair_chart(
            curve(frame, ["accuracy", "macro recall", "box accuracy"]), width="stretch", height=320
        )
    seconds = sum(float(row.get("seconds", 0)) for row in history)
    tuned = [int(row["epoch"]) for row in history if row.get("stage")]
    stages = (
        f" Epochs {tuned[0]}-{tuned[-1]}: fine-tuning on box-path inputs (the train glyphs drawn "
        "in random box styles and preprocessed); box accuracy = validation glyphs read through the box path."
        if tuned
        else ""
    )
    st.caption(f"{len(history)} epochs, {seconds / 60:.1f} min of training steps.{stages}")
else:
    st.info("No training history (history.json) found.")

if not isinstance(metrics, dict) or "test" not in metrics:
    st.info("No test results (metrics.json) found.")
    st.stop()

test = metrics["test"]
st.subheader("Test results")
recall = tables.per_class_frame(test)
cols = st.columns(4)
cols[0].metric("Accuracy", f"{test['accuracy']:.2%}")
cols[1].metric(
    "Macro recall", f"{test['macro_recall']:.2%}", help="mean of the 33 per-class recalls (headline)"
)
cols[2].metric("Test images", f"{test.get('n', 0):,}")
if not recall.empty:
    worst = recall.sort_values("recall").iloc[0]
    cols[3].metric(
        "Weakest character", f"{worst['character']}", f"recall {worst['recall']:.2%}", delta_color="off"
    )
    st.markdown("**Per-class recall** (orange: below the macro average, dashed line)")
    st.altair_chart(recall_chart(recall, float(test["macro_recall"])), width="stretch", height=300)

matrix = test.get("confusion_matrix")
if matrix:
    heat, pairs = st.columns([3, 2])
    with heat:
        hide = st.toggle("Hide the diagonal (show only the mistakes)", value=True)
        st.markdown(
            "**Confusion matrix**" + (", mistakes only" if hide else "") + " (rows: true, columns: predicted)"
        )
        st.altair_chart(confusion_chart(tables.confusion_frame(matrix, hide)), width="stretch", height=620)
    with pairs:
        st.markdown("**Most confused pairs**")
        st.dataframe(
            tables.confused_pairs_frame(matrix, 12),
            hide_index=True,
            column_config={
                "share of true": st.column_config.ProgressColumn(min_value=0.0, max_value=0.2, format="%.3f")
            },
        )

show_real_handwriting(metrics)

calibration_path = folder / CALIBRATION_FILE
calibration = read_json(str(calibration_path), stamp_of(calibration_path))
in_use = load_calibration(folder, folder / ONNX_FILE)
show_calibration(calibration, in_use.note if calibration_path.exists() else "")

st.subheader("Model card")
card = tables.model_card(metrics, model_path.stat().st_size if model_path.exists() else None)
st.dataframe(pd.DataFrame(card, columns=["field", "value"]), hide_index=True, width="stretch")
comparison = tables.model_comparison_frame(metrics)
if len(comparison):
    st.markdown("**What changed against the previous model**")
    st.dataframe(comparison, hide_index=True, width="stretch")
members = tables.members_frame(metrics)
if len(members) > 1:
    st.markdown("**Independently trained networks** (the ensemble keeps those that pay on validation)")
    st.dataframe(members, hide_index=True, width="stretch")
ablation = tables.ablation_frame(metrics)
if len(ablation):
    st.markdown("**What each ingredient bought** (validation split; every choice was made there)")
    st.dataframe(ablation, hide_index=True, width="stretch")

st.subheader("Misclassified test images")
emnist = find_emnist_dir()
if emnist is None:
    st.info(
        "The EMNIST files are not available here (set VINOCR_EMNIST_DIR to the folder), "
        "so the misclassified test images can't be shown."
    )
else:
    if st.button("Find the misclassified test images", icon=":material/search:"):
        st.session_state[GALLERY_KEY] = True
    if st.session_state.get(GALLERY_KEY):
        try:
            with st.spinner("Reading the EMNIST test split and running the model (up to a minute) ..."):
                found = misclassified(str(emnist), stamp_of(model_path))
        except Exception as exc:  # unreadable data or model: a message, never a traceback
            st.error(f"{emnist}: the test images could not be read ({exc})")
        else:
            st.caption(
                f"{found['wrong']:,} of {found['n']:,} test images are misclassified; "
                f"the {len(found['true'])} most confident mistakes (true → predicted, confidence):"
            )
            st.markdown(gallery_html(found), unsafe_allow_html=True)
    else:
        st.caption(
            f"EMNIST files found in {emnist}; reading them and running the model takes up to a minute."
        )

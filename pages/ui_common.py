"""Streamlit pieces shared by the pages (this module is not a page): the cached model, box cards,
the VIN display and the rule report."""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from vinocr import app_support as sup
from vinocr.recognizer import BoxResult, Recognizer
from vinocr.vin_reader import VinReading
from vinocr.vin_rules import MODES

RECOGNIZE_PAGE = "pages/recognize.py"
DRAW_PAGE = "pages/draw.py"
BATCH_PAGE = "pages/batch.py"
METRICS_PAGE = "pages/metrics.py"
NAVIGATION_KEY = "_vinocr_navigation_checked"


def use_app_navigation() -> None:
    """Make sure the page runs under app.py's st.navigation.

    Streamlit still treats a `pages/` folder the old way until the first st.navigation call of the
    server process: when a fresh server's first request is a page URL (e.g. /metrics), it runs that
    file directly with an automatic sidebar. Here the page notices that, turns the old mode off and
    reruns, so app.py sets up the real navigation and opens the same page.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a later Streamlit without the old mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(NAVIGATION_KEY):  # not yet run under app.py in this session
            st.session_state[NAVIGATION_KEY] = True
            st.rerun()


@st.cache_resource(show_spinner="Loading the model (once per server) ...")
def get_recognizer() -> Recognizer:
    """The trained model, loaded once per server process and warmed up with one call."""
    recognizer = Recognizer.load()
    recognizer.predict_inputs(np.zeros((1, 28, 28), np.float32))
    return recognizer


_PREFETCH: list[threading.Thread] = []  # at most one per server process


def prefetch_recognizer() -> None:
    """Start loading the model in the background (TensorFlow takes seconds to import), once per
    server, so that it is usually ready by the time the first file is uploaded or drawn."""
    if _PREFETCH:
        return

    def load() -> None:
        try:
            get_recognizer()
        except Exception:  # recognizer_or_stop() reports the problem when the model is needed
            pass

    thread = threading.Thread(target=load, name="vinocr-model-prefetch", daemon=True)
    _PREFETCH.append(thread)
    thread.start()


def recognizer_or_stop() -> Recognizer:
    """The recognizer, or an error message and the end of this page run when it can't be loaded."""
    try:
        return get_recognizer()
    except Exception as exc:  # a missing or broken model file must not show a traceback
        st.error(f"The model could not be loaded: {exc}")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def mode_radio(key: str) -> str:
    """The enforce / prefer / ignore choice for the check-digit rule."""
    return st.radio(
        "Check-digit rule",
        MODES,
        index=MODES.index("prefer"),
        format_func=sup.MODE_LABELS.get,
        horizontal=True,
        key=key,
        help="The check digit is mandatory only for North-American VINs: enforce it for those, "
        "prefer treats it as soft evidence, ignore switches it off.",
    )


def show_vin(reading: VinReading, changed_marks: bool = True) -> None:
    """The VIN in large monospace with low-confidence, rule-changed and corrected boxes marked."""
    low = [i + 1 for i, b in enumerate(reading.boxes) if b.low_confidence or b.status != "ok"]
    low = [p for p in low if p - 1 not in reading.corrections]
    titles = []
    for i, char in enumerate(reading.vin):
        box = reading.boxes[i] if i < len(reading.boxes) else None
        if box is not None and box.status == "ok":
            titles.append(f"box {i + 1} ({box.name}): read {box.char} at {box.confidence:.0%}, shown {char}")
        else:
            titles.append(f"box {i + 1}: {box.message if box else 'missing'}")
    corrected = [i + 1 for i in reading.corrections]
    changed = reading.changed_positions if changed_marks else []
    st.markdown(sup.vin_html(reading.vin, low, changed, corrected, titles), unsafe_allow_html=True)
    st.markdown(sup.VIN_LEGEND, unsafe_allow_html=True)


def show_report(reading: VinReading) -> None:
    """The rule report: a verdict and one line per rule."""
    report = reading.report
    if "?" in reading.vin or len(reading.vin) != 17:
        st.warning("The VIN is incomplete, so the rules can only be checked in part.")
    elif report.ok and not report.failures():
        st.success("Every rule passes.")
    elif report.ok:
        st.info("The mandatory rules pass; see the advisory notes below.")
    else:
        st.error("A mandatory rule fails: check the marked boxes.")
    lines = [
        f"{row['icon']} **{row['title']}** <span style='color:#6b7280'>({row['level']})</span>: "
        f"{row['reason']}"
        for row in sup.rule_rows(report)
    ]
    st.markdown("  \n".join(lines), unsafe_allow_html=True)


def show_box_card(index: int, result: BoxResult, show_steps: bool = True) -> None:
    """One box: the image, the 28x28 model input, the character, confidence, top 3 and the steps."""
    st.markdown(sup.box_card_html(index, result), unsafe_allow_html=True)
    if result.status == "error":
        st.error(result.message)
        return
    if show_steps and result.steps:
        with st.expander("Steps"):
            st.markdown(
                sup.figures_html([(img, label) for label, img in result.steps], 64), unsafe_allow_html=True
            )

"""The trained model for the app: loaded once per server process (about 0.2 s with onnxruntime)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vinocr.box.recognizer import Recognizer


@st.cache_resource(show_spinner="Loading the model (once per server) ...")
def get_recognizer() -> Recognizer:
    """The trained model, loaded once per server process and warmed up with one call."""
    recognizer = Recognizer.load()
    recognizer.predict_inputs(np.zeros((1, 28, 28), np.float32))
    return recognizer


def recognizer_or_stop() -> Recognizer:
    """The recognizer, or an error message and the end of this page run when it can't be loaded."""
    try:
        return get_recognizer()
    except Exception as exc:  # a missing or broken model file must not show a traceback
        st.error(f"The model could not be loaded: {exc}")
        st.stop()
        raise  # unreachable: st.stop() ends the run

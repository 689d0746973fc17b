"""vinocr web demo: `streamlit run app.py`. Sets up the page navigation; each page lives in pages/."""

from __future__ import annotations

import streamlit as st

from pages.ui_common import NAVIGATION_KEY

st.set_page_config(
    page_title="vinocr: handwritten VIN reader", page_icon=":material/directions_car:", layout="wide"
)

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/recognize.py", title="Recognize VIN", icon=":material/pin:"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
    st.Page("pages/batch.py", title="Batch", icon=":material/table_view:"),
    st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
]

page = st.navigation(PAGES)
st.session_state[NAVIGATION_KEY] = True  # this session runs under this navigation (see use_app_navigation)
page.run()

"""vinocr web demo: `streamlit run app.py`. Registers the pages (each lives in pages/ and draws the
menu itself, see ui/navigation.py) and runs the one the URL names."""

from __future__ import annotations

import streamlit as st

from ui.navigation import PAGES

pages = [st.Page(spec.path, title=spec.title, icon=spec.icon, default=i == 0) for i, spec in enumerate(PAGES)]
st.navigation(pages, position="hidden").run()

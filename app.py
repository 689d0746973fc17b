"""vinocr web demo: `streamlit run app.py`. Registers the pages (each lives in pages/ and draws the
menu itself, see ui/navigation.py) and runs the one the URL names."""

from __future__ import annotations

import streamlit as st

from ui.navigation import PAGES
from ui.uploads import limit_malloc_arenas

limit_malloc_arenas()  # early, before the sessions' script threads take malloc arenas (ui/uploads.py)
pages = [st.Page(spec.path, title=spec.title, icon=spec.icon, default=i == 0) for i, spec in enumerate(PAGES)]
st.navigation(pages, position="hidden").run()

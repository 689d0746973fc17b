"""The pages and the app's own navigation menu, with public Streamlit APIs only.

`.streamlit/config.toml` sets `client.showSidebarNavigation = false`, so Streamlit never draws its
automatic page list (not even on a fresh server's first request, which Streamlit runs in its old
`pages/`-folder mode with the page file alone). Every page calls `page_header()` first, which draws
the menu below with `st.page_link`: the same menu whether app.py's `st.navigation` or that old mode
runs the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

APP_TITLE = "vinocr: handwritten VIN reader"
APP_ICON = ":material/directions_car:"


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: its file, menu title and icon."""

    path: str
    title: str
    icon: str


HOME_PAGE = "pages/home.py"
RECOGNIZE_PAGE = "pages/recognize.py"
DRAW_PAGE = "pages/draw.py"
BATCH_PAGE = "pages/batch.py"
METRICS_PAGE = "pages/metrics.py"

PAGES: tuple[PageSpec, ...] = (
    PageSpec(HOME_PAGE, "Home", ":material/home:"),
    PageSpec(RECOGNIZE_PAGE, "Recognize VIN", ":material/pin:"),
    PageSpec(DRAW_PAGE, "Draw", ":material/draw:"),
    PageSpec(BATCH_PAGE, "Batch", ":material/table_view:"),
    PageSpec(METRICS_PAGE, "Metrics", ":material/monitoring:"),
)


def page_header() -> None:
    """Page setup shared by every page: wide layout, tab title and the sidebar menu."""
    st.set_page_config(page_title=APP_TITLE, page_icon=APP_ICON, layout="wide")
    with st.sidebar:
        st.markdown(f"**{APP_TITLE}**")
        for spec in PAGES:
            st.page_link(spec.path, label=spec.title, icon=spec.icon)

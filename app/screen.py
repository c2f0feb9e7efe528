"""Presentation mode (`?present=1`): the meeting screen, without sidebar or toolbar, large type."""

from __future__ import annotations

import streamlit as st


def presenting() -> bool:
    """`?present=1`: the meeting-screen mode (no sidebar or toolbar, large type)."""
    return st.query_params.get("present") == "1"


PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
html { font-size: 20px; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1rem 2rem !important; }
[data-testid="stMetricValue"] { font-size: 3rem !important; }
h1 { font-size: 2.6rem !important; }
</style>"""


def apply_presentation_mode() -> None:
    if presenting():
        st.html(PRESENTATION_CSS)

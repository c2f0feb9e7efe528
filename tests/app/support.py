"""What the app tests share: opening a page of the real app (dashboard.py) with Streamlit's
AppTest, and reading what it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_page(page: str, lang: str, present: bool = False, check: bool = False, **state: Any) -> AppTest:
    """A fresh app on `page`, with widget values preset in the session state.

    The app runs once before switching: AppTest identifies pages by the url paths that
    st.navigation registers only after a first run. `present` opens it as a meeting screen
    (`?present=1`); `check` fails on any exception the page shows.
    """
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if present:
        at.query_params["present"] = "1"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    if check:
        assert not at.exception, [e.message for e in at.exception]
    return at


def table_with(at: AppTest, *columns: str) -> Any:
    """The first table showing all these columns (AppTest does not expose a dataframe's key)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with {columns}")


def metrics(at: AppTest) -> dict[str, str]:
    """The st.metric labels and values of the page."""
    return {m.label: m.value for m in at.metric}


def markdown_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def page_downloads(at: AppTest) -> list[Any]:
    """The page's own download buttons: every page also has the sidebar's Download PDF, which
    is left out here (its own tests are in test_page_pdf)."""
    return [b for b in at.get("download_button") if "pdf_download" not in b.proto.id]

"""The entry of the app: page config, the navigation over the pages grouped by the process's
three modules plus Data, and the shared sidebar (filters, language). Nothing else."""

import streamlit as st

from app import layout, queries, screen, session, sidebar, texts
from app.texts import t


def _page(path: str, title_key: str, url: str, icon: str) -> st.Page:
    if not url:
        return st.Page(path, title=t(title_key), icon=icon, default=True)
    return st.Page(path, title=t(title_key), icon=icon, url_path=url)


layout.frame_guard()
st.set_page_config(page_title="salesmgmt", page_icon="📈", layout="wide")
queries.ensure_database()
queries.begin_run()  # the whole run sees one state of the data (queries.begin_run)
try:
    session.require_sign_in()
    current = st.navigation(
        {
            (t(section) if section else ""): [_page(*p) for p in entries]
            for section, entries in layout.visible_pages().items()
        },
        position="hidden" if screen.presenting() else "sidebar",
        expanded=True,
    )
    screen.apply_presentation_mode()
    texts.language_switch()
    sidebar.sidebar_filters()
    session.account_box()
    current.run()
finally:
    queries.end_run()

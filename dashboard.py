"""The entry of the app: page config, the navigation over the pages grouped by the process's
three modules plus Data, and the shared sidebar (filters, language). Nothing else."""

import streamlit as st

import ui


def _page(path: str, title_key: str, url: str, icon: str) -> st.Page:
    if not url:
        return st.Page(path, title=ui.t(title_key), icon=icon, default=True)
    return st.Page(path, title=ui.t(title_key), icon=icon, url_path=url)


ui.frame_guard()
st.set_page_config(page_title="salesmgmt", page_icon="📈", layout="wide")
ui.ensure_database()
ui.begin_run()  # the whole run sees one state of the data (ui.begin_run)
try:
    ui.require_sign_in()
    current = st.navigation(
        {
            (ui.t(section) if section else ""): [_page(*p) for p in entries]
            for section, entries in ui.visible_pages().items()
        },
        position="hidden" if ui.presenting() else "sidebar",
        expanded=True,
    )
    ui.apply_presentation_mode()
    ui.language_switch()
    ui.sidebar_filters()
    ui.account_box()
    current.run()
finally:
    ui.end_run()

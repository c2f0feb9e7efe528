"""The user's language and translated texts; errors shown in that language."""

from __future__ import annotations

from typing import Any

import streamlit as st

from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import LANGS, normalise_lang
from salesmgmt.i18n import t as _t


def lang() -> str:
    """The user's language: the sidebar switch, else ?lang= in the URL, else the browser's
    locale, else English."""
    if "lang" not in st.session_state:
        chosen = normalise_lang(st.query_params.get("lang"))
        if chosen is None:
            try:
                chosen = normalise_lang(st.context.locale)
            except Exception:  # no browser context (AppTest, bare mode)
                chosen = None
        st.session_state["lang"] = chosen or "en"
    return st.session_state["lang"]


def t(key: str, **values: Any) -> str:
    return _t(key, lang(), **values)


def language_switch() -> None:
    """The sidebar's language switch; keeps ?lang= in the URL in step."""
    current = lang()
    labels = {"zh": "中文", "en": "English"}
    choice = st.sidebar.segmented_control(
        "Language / 语言",
        options=list(LANGS),
        format_func=labels.get,
        default=current,
        key="lang_switch",
        label_visibility="collapsed",
    )
    if choice and choice != current:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    elif st.query_params.get("lang") != current:
        st.query_params["lang"] = current


def show_error(exc: Exception) -> None:
    """One way to show an error: the user's language for ours, a short text for anything else."""
    if isinstance(exc, SalesmgmtError):
        st.error(exc.message(lang()), icon=":material/warning:")
    else:
        st.error(t("error.unexpected", detail=str(exc)), icon=":material/error:")

"""Streamlit pieces shared by module 3's pages (Rankings, the three meetings, Sales school):
sections that rotate on a timer in presentation mode, the meeting-pack download, the team
picker, translated labels of the domain's keys. Tables are `tables.show`.

Presentation mode itself (`?present=1`: no sidebar or toolbar, large type) is the app frame's
(`screen.presenting()`, `screen.apply_presentation_mode()`); this module only adds the rotation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from app import queries, screen, sidebar, texts
from app.texts import t
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.periods import Period, parse_day

#: Seconds each section stays on the meeting screen before the next one.
ROTATE_SECONDS = 20


def sections(parts: Sequence[tuple[str, Callable[[], None]]], key: str, tabs: bool = False) -> None:
    """Draw (title, draw) sections one after the other, or as tabs of which only the open one
    runs (`tabs`: for a meeting whose sections each read much of the company); in presentation
    mode show one at a time, moving on every ROTATE_SECONDS (a fragment reruns only itself)."""
    if not parts:
        return
    if not screen.presenting() and tabs:
        shown = st.tabs([title for title, _ in parts], key=f"{key}_tab", on_change="rerun")
        for tab, (_title, draw) in zip(shown, parts):
            if tab.open:
                with tab:
                    draw()
        return
    if not screen.presenting():
        for title, draw in parts:
            st.subheader(title)
            draw()
        return

    @st.fragment(run_every=ROTATE_SECONDS)
    def rotate() -> None:
        index = st.session_state.get(f"{key}_slide", -1) + 1
        st.session_state[f"{key}_slide"] = index
        title, draw = parts[index % len(parts)]
        st.subheader(title)
        draw()
        st.caption(
            t("m3.present.position", n=index % len(parts) + 1, total=len(parts), seconds=ROTATE_SECONDS)
        )

    rotate()


def deck_button(
    period: Period, filters: Filters, as_of: date, team: str | None, week_of: date | None, key: str
) -> None:
    """The meeting pack (PowerPoint) of this meeting; built only when clicked (not shown on the
    meeting screen)."""
    from salesmgmt import pack

    if screen.presenting():  # nobody downloads from the meeting screen
        return
    lang = texts.lang()
    name = pack.file_name(period, team, lang)
    # Built when clicked (Streamlit calls `data` then, outside the script run: no st.* inside).
    st.download_button(
        t("m3.deck.download"),
        data=lambda: queries.call(pack.build_deck_for, period, filters, as_of, lang, team, week_of),
        file_name=name,
        key=key,
        icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        help=t("m3.deck.help"),
    )


def client_type(key: object) -> str:
    return t(f"client_type.{key}") if isinstance(key, str) and key else ""


def stage(key: object) -> str:
    if not isinstance(key, str) or not key:
        return ""
    text = t(f"stage.{key}")
    return key if text == f"stage.{key}" else text


def stage_labels() -> dict[str, str]:
    from salesmgmt.stages import STAGE_ORDER

    return {s: stage(s) for s in STAGE_ORDER}


def type_labels() -> dict[str, str]:
    return {
        k: client_type(k) for k in ("design_institute", "steel_structure", "construction", "owner", "other")
    }


def team_choice(options: list[str], key: str) -> str | None:
    """A team picker defaulting to the one team of the sidebar filter (or of ?team= in the URL)."""
    if not options:
        return None
    chosen = sidebar.filters().teams
    default = chosen[0] if len(chosen) == 1 and chosen[0] in options else options[0]
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    return st.selectbox(t("m3.team"), options, key=key)


def day_from_url(default: date) -> date:
    """`?week=YYYY-MM-DD` (any day of the meeting's week), so a meeting-screen link can pin the
    week; else `default`."""
    value = st.query_params.get("week")
    if not value:
        return default
    try:
        return parse_day(value)
    except SalesmgmtError as error:
        sidebar.url_ignored("week", error)
        return default

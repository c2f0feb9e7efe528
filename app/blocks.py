"""Streamlit pieces shared by module 1's pages (Forecast, Monthly plan, Action review, Regional
review): charts in the house style, labels with the money unit, the strongest and weakest of a
long chart, the scorecard download, a message shown after a rerun."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import formats, queries, sidebar, texts
from app.charts import theme
from app.texts import t
from salesmgmt import scorecard
from salesmgmt.i18n import t as translate
from salesmgmt.metrics import core


def with_unit(key: str, **values: Any) -> str:
    """A label with the money unit: 'Won (CNY)' / '赢单（万元）'."""
    return formats.with_unit(t(key, **values))


def chart(fig: Any, key: str, height: int | None = None) -> None:
    """A plotly figure in the house style, at the height the builder chose (else 380 px)."""
    st.plotly_chart(theme.style_figure(fig, height=height or fig.layout.height or 380), key=key)


#: Above this many people (teams) a chart shows the strongest and weakest only.
CHART_ROWS = 30
#: How many of the strongest (and of the weakest) such a chart shows.
CHART_ENDS = 15


def strongest_and_weakest(
    frame: pd.DataFrame, by: str, noun: str, rows: int | None = None, ends: int | None = None
) -> tuple[pd.DataFrame, str | None]:
    """`frame` for a chart with a bar per row: all of it up to `rows` (CHART_ROWS) rows;
    beyond, the `ends` (CHART_ENDS) rows highest by `by` then as many lowest (rows without a
    value left out), and a caption that says so (`noun`: 'engineers' or 'teams'). Tables and
    downloads stay whole. A narrow chart, or one with several bars a row, asks for fewer."""
    rows = CHART_ROWS if rows is None else min(rows, CHART_ROWS)
    ends = CHART_ENDS if ends is None else min(ends, CHART_ENDS)
    if len(frame) <= rows:
        return frame, None
    ranked = frame.sort_values(by, ascending=False, na_position="last", kind="stable")
    known = ranked[ranked[by].notna()]
    shown = pd.concat([known.head(ends), known.iloc[ends:].tail(ends)])
    return shown, t(f"m1.chart.ends.{noun}", n=ends, total=formats.count(len(frame)))


def scorecard_download(key: str, default_level: str = "rep") -> None:
    """A bordered box: level, format and the download button; the same table as
    `python -m salesmgmt scorecard` for the period, filters and as-of date the page shows."""
    period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
    with st.container(key=key, border=True):
        st.markdown("**" + t("sc.title") + "**")
        st.caption(t("sc.caption", period=period.label(lang), as_of=as_of.isoformat()))
        left, middle, right = st.columns([3, 2, 2], vertical_alignment="bottom")
        level = (
            left.segmented_control(
                t("sc.level"),
                scorecard.LEVELS,
                default=default_level,
                key=f"{key}_level",
                format_func=lambda value: translate(f"sc.level.{value}", lang),
            )
            or default_level
        )
        fmt = (
            middle.segmented_control(
                t("sc.format"),
                scorecard.FORMATS,
                default="xlsx",
                key=f"{key}_format",
                format_func=str.upper,
            )
            or "xlsx"
        )
        # Built when clicked (Streamlit calls it then), not on every run of the page.
        right.download_button(
            t("sc.download"),
            mime=scorecard.MIME[fmt],
            data=lambda: queries.call(scorecard.export, period, filters, as_of, level, fmt),
            file_name=scorecard.file_name(period, level, fmt),
            key=f"{key}_button",
            icon=":material/download:",
        )


def flash(message: str) -> None:
    """A message to show after the next rerun (a save, a signature)."""
    st.session_state["m1_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("m1_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def first_days_note(key: str, period: Any, last: Any, **values: Any) -> None:
    """In the first days of `period` (`last` its last complete period, else None: nothing shown)
    the page's note `key` with now, until (the end of the first complete week) and last."""
    if last is None:
        return
    lang = texts.lang()
    until = formats.date_text(core.first_complete_week_end(period))
    st.info(
        t(key, now=period.label(lang), until=until, last=last.label(lang), **values), icon=":material/info:"
    )

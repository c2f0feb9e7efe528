"""Streamlit pieces shared by module 1's pages (Forecast, Monthly plan, Action review, Regional
review): tables with the house formats, labels with the money unit, the scorecard download."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import ui
from salesmgmt import scorecard
from salesmgmt.i18n import t as translate

#: Column kinds of `show_table`: how a value is shown.
KINDS = ("text", "money", "pct", "delta", "count", "number", "date", "stage", "client_type", "status")


def with_unit(key: str, **values: Any) -> str:
    """A label with the money unit: 'Won (CNY)' / '赢单（万元）'."""
    unit = ui.money_unit()
    return ui.t(key, **values) + (f"（{unit}）" if ui.lang() == "zh" else f" ({unit})")


def show_table(frame: pd.DataFrame, spec: list[tuple[str, str, str]], key: str,
               **kwargs: Any) -> Any:
    """`frame`'s columns of `spec` (column, label key, kind) as a read-only table: money in 万元
    (zh) or CNY (en) with the unit in the header, ratios as percents, stages and client types
    in the user's language."""
    shown = pd.DataFrame(index=frame.index)
    config: dict[str, Any] = {}
    zh = ui.lang() == "zh"
    for column, label_key, kind in spec:
        values = frame[column]
        if kind == "money":
            shown[column] = (values.astype("float64") / (10_000 if zh else 1)).round(1 if zh else 0)
            config[column] = st.column_config.NumberColumn(with_unit(label_key), format="localized")
        elif kind == "pct":
            shown[column] = (values.astype("float64") * 100).round(0)
            config[column] = st.column_config.NumberColumn(ui.t(label_key), format="%.0f%%")
        elif kind == "delta":  # a change as a signed percent: +12%, -30%
            shown[column] = (values.astype("float64") * 100).round(0)
            config[column] = st.column_config.NumberColumn(ui.t(label_key), format="%+.0f%%")
        elif kind == "count":
            shown[column] = values
            config[column] = st.column_config.NumberColumn(ui.t(label_key), format="%d")
        elif kind == "number":
            shown[column] = values.astype("float64").round(1)
            config[column] = st.column_config.NumberColumn(ui.t(label_key), format="%.1f")
        elif kind == "date":
            shown[column] = values.map(ui.date_text)
            config[column] = st.column_config.TextColumn(ui.t(label_key))
        elif kind in ("stage", "client_type", "status"):
            prefix = {"stage": "stage", "client_type": "client_type", "status": "plan.status"}[kind]
            shown[column] = values.map(lambda v: ui.t(f"{prefix}.{v}") if isinstance(v, str) else "–")
            config[column] = st.column_config.TextColumn(ui.t(label_key))
        else:
            shown[column] = values.map(lambda v: "–" if v is None or (isinstance(v, float) and pd.isna(v))
                                       else str(v))
            config[column] = st.column_config.TextColumn(ui.t(label_key))
    return st.dataframe(shown, column_config=config, hide_index=True, key=key,
                        width="stretch", **kwargs)


def chart(fig: Any, key: str, height: int | None = None) -> None:
    """A plotly figure in the house style, at the height the builder chose (else 380 px)."""
    st.plotly_chart(ui.style_figure(fig, height=height or fig.layout.height or 380), key=key)


#: Above this many people (teams) a chart shows the strongest and weakest only.
CHART_ROWS = 30
#: How many of the strongest (and of the weakest) such a chart shows.
CHART_ENDS = 15


def strongest_and_weakest(frame: pd.DataFrame, by: str, noun: str, rows: int | None = None,
                          ends: int | None = None) -> tuple[pd.DataFrame, str | None]:
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
    return shown, ui.t(f"m1.chart.ends.{noun}", n=ends, total=ui.count(len(frame)))


def scorecard_download(key: str, default_level: str = "rep") -> None:
    """A bordered box: level, format and the download button; the same table as
    `python -m salesmgmt scorecard` for the period, filters and as-of date the page shows."""
    period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()
    with st.container(key=key, border=True):
        st.markdown("**" + ui.t("sc.title") + "**")
        st.caption(ui.t("sc.caption", period=period.label(lang), as_of=as_of.isoformat()))
        left, middle, right = st.columns([3, 2, 2], vertical_alignment="bottom")
        level = left.segmented_control(
            ui.t("sc.level"), scorecard.LEVELS, default=default_level, key=f"{key}_level",
            format_func=lambda value: translate(f"sc.level.{value}", lang)) or default_level
        fmt = middle.segmented_control(
            ui.t("sc.format"), scorecard.FORMATS, default="xlsx", key=f"{key}_format",
            format_func=str.upper) or "xlsx"
        # Built when clicked (Streamlit calls it then), not on every run of the page.
        right.download_button(ui.t("sc.download"), mime=scorecard.MIME[fmt],
                              data=lambda: ui.call(scorecard.export, period, filters, as_of,
                                                   level, fmt),
                              file_name=scorecard.file_name(period, level, fmt),
                              key=f"{key}_button", icon=":material/download:")


def flash(message: str) -> None:
    """A message to show after the next rerun (a save, a signature)."""
    st.session_state["m1_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("m1_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")

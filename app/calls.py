"""The Forecast page's Weekly call view (每周预测提交): the switch between the forecast and the
call, the week's board, the form to call or adjust, who has not called, a unit's history and the
accuracy of past calls. The rules and figures are in salesmgmt.metrics.calls / call_records."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app import blocks, formats, queries, sidebar, tables, texts
from app.charts import calls as charts
from app.tables import Column
from app.texts import t
from salesmgmt.errors import SalesmgmtError
from salesmgmt.metrics import call_records, calls
from salesmgmt.metrics.call_records import Unit, week_of
from salesmgmt.periods import Period

VIEWS = ("figures", "calls")

BOARD_SPEC = [
    Column("detail", column="level_name", label="calls.col.level"),
    Column("detail", column="unit_name", label="calls.col.unit"),
    "commit",
    "best_case",
    "below_commit",
    Column("detail", column="below_status", label="calls.col.below_called"),
    "adjustment",
    "forecast",
    "won_amount",
    "target",
    "adjusted_commit",
    Column("person", column="adjusted_by", label="calls.col.adjusted_by"),
    Column("notes", column="adjustment_note", label="calls.col.adjustment_note"),
    Column("person", column="submitted_by", label="calls.col.submitted_by"),
    Column("detail", column="at_text", label="calls.col.submitted_at"),
    Column("notes", column="note", label="calls.col.note"),
]

PEOPLE_SPEC = [
    Column("person", column="submitted_by", label="calls.col.person"),
    Column("closed", column="calls", label="calls.col.calls"),
    "call_bias",
    "call_abs_error",
]

ACCURACY_SPEC = [
    Column("person", column="submitted_by", label="calls.col.person"),
    Column("detail", column="unit_name", label="calls.col.unit"),
    Column("closed", column="week_number", label="calls.col.week_number"),
    Column("day", column="week", label="calls.col.week"),
    "commit",
    "won_amount",
    "call_error",
]


def switch() -> None:
    """The Forecast page's two views; with the Weekly call chosen, draw it and stop the page (only
    the open view runs)."""
    view = st.segmented_control(
        t("calls.tab.calls"),
        VIEWS,
        default="figures",
        format_func=lambda v: t(f"calls.tab.{v}"),
        key="fc_view",
        label_visibility="collapsed",
    )
    if view == "calls":
        section()
        st.stop()


def unit_name(level: str, unit: str) -> str:
    """How a unit is named on the page: the company in the user's language, else its name."""
    return t("calls.company") if level == "company" else unit


def _shown(board: pd.DataFrame) -> pd.DataFrame:
    """The board with the words a table shows: the level and unit in the user's language, the
    time of the call to the minute."""
    return board.assign(
        level_name=[t(f"calls.level.{level}") for level in board["level"]],
        unit_name=[unit_name(level, unit) for level, unit in zip(board["level"], board["unit"])],
        at_text=[
            formats.date_text(v) + pd.Timestamp(v).strftime(" %H:%M") if pd.notna(v) else None
            for v in board["submitted_at"]
        ],
        below_status=[
            f"{int(n)}/{int(m)}" if pd.notna(m) else None
            for n, m in zip(board["below_called"], board["below_units"])
        ],
    )


def _unit_labels(shown: pd.DataFrame) -> list[str]:
    """'Team · 龙 Dragon', 'Rep · 李娜'; the company by its name alone."""
    return [
        name if level == "company" else f"{level_name} · {name}"
        for level, level_name, name in zip(shown["level"], shown["level_name"], shown["unit_name"])
    ]


def _periods(today: date) -> list[Period]:
    """What a call can be for: the sidebar's period when it is a month or quarter, and the
    current month and quarter."""
    found = [Period.containing(today, "month"), Period.containing(today, "quarter")]
    chosen = sidebar.period()
    if chosen.kind in ("month", "quarter") and chosen not in found:
        found.insert(0, chosen)
    return found


def section() -> None:
    """The Weekly call view."""
    blocks.show_flash()
    lang, filters, today = texts.lang(), sidebar.filters(), queries.today()
    left, right = st.columns(2)
    options = _periods(today)
    period = left.selectbox(
        t("calls.period"), options, format_func=lambda p: p.label(lang), key="calls_period"
    )
    picked = right.date_input(t("calls.week"), value=today, max_value=today, key="calls_week")
    monday = week_of(picked if isinstance(picked, date) else today)
    board = queries.query(calls.week_board, period, filters, monday, period.as_of(today))
    st.subheader(t("calls.title", period=period.label(lang), week=formats.date_text(monday)))
    st.caption(t("calls.caption"))
    if board.empty:
        st.info(t("calls.no_units"), icon=":material/info:")
        return
    shown = _shown(board)
    _submit(shown, period, monday, today)
    st.markdown("#### " + t("calls.board"))
    if board["commit"].isna().all():
        st.info(t("calls.no_call_yet"), icon=":material/info:")
    tables.show(shown, BOARD_SPEC, key="calls_board")
    _missing(shown)
    _history(shown, period, today)
    _accuracy(period, today)


def _submit(shown: pd.DataFrame, period: Period, monday: date, today: date) -> None:
    """The form: the units the user may call for (their own call) or adjust, the computed
    forecast as the starting value."""
    st.markdown("#### " + t("calls.submit.title"))
    if monday != week_of(today):
        st.info(t("calls.submit.past_week", week=formats.date_text(monday)), icon=":material/lock:")
        return
    user = st.session_state.get("user")
    levels = call_records.role_levels(user)
    mine = shown[shown["level"].isin(list(levels))].reset_index(drop=True)
    if user is not None and user.role == "rep":
        mine = mine[mine["unit_key"] == str(user.rep_id)].reset_index(drop=True)
    if mine.empty:
        st.info(t("calls.submit.nothing"), icon=":material/info:")
        return
    labels = _unit_labels(mine)
    index = st.selectbox(
        t("calls.submit.unit"), range(len(mine)), format_func=labels.__getitem__, key="calls_unit"
    )
    row = mine.iloc[index or 0]
    kind = levels[row["level"]]
    divisor = formats.money_divisor()
    # An adjustment starts from the week's adjusted figure, else the unit's own call; a call
    # from the week's call; either, when there is none, from the computed forecast.
    start, best_start = row["commit"], row["best_case"]
    if kind == "adjustment" and pd.notna(row["adjusted_commit"]):
        start, best_start = row["adjusted_commit"], row["adjusted_best_case"]
    if pd.isna(start):
        start, best_start = row["forecast"], row["forecast"]
    st.caption(t("calls.submit.start", forecast=formats.money(row["forecast"])))
    if kind == "adjustment":
        st.caption(t("calls.submit.as_adjustment", unit=formats.md(row["unit_name"])))
    suffix = f"{row['level']}_{row['unit_key']}_{period}"
    with st.form(key="calls_form"):
        a, b = st.columns(2)
        step = 1.0 if divisor > 1 else 10_000.0
        commit, best = (
            column.number_input(
                formats.with_unit(t(f"calls.submit.{name}")),
                min_value=0.0,
                value=round(float(value) / divisor, 1),
                step=step,
                format="%.1f" if divisor > 1 else "%.0f",
                key=f"calls_{key}_{suffix}",
            )
            for column, name, key, value in (
                (a, "commit", "commit", start),
                (b, "best_case", "best", best_start),
            )
        )
        note = st.text_input(
            t("calls.submit.note"), key=f"calls_note_{suffix}", max_chars=call_records.NOTE_MAX
        )
        label = t("calls.submit.adjust_button" if kind == "adjustment" else "calls.submit.button")
        sent = st.form_submit_button(label, type="primary")
    if sent:
        unit = Unit(str(row["level"]), str(row["unit_key"]), str(row["unit"]))
        try:
            made = queries.write(
                call_records.submit_call,
                user,
                period,
                unit,
                float(commit) * divisor,
                float(best) * divisor,
                note=note,
                week=monday,
                today=today,
            )
        except SalesmgmtError as exc:
            texts.show_error(exc)
            return
        blocks.flash(
            t(
                "calls.submit.done",
                unit=row["unit_name"],
                commit=formats.money(made.commit),
                best_case=formats.money(made.best_case),
            )
        )
        st.rerun()


def _missing(shown: pd.DataFrame) -> None:
    """Who has not called this week, by level."""
    missing = calls.not_submitted(shown)
    st.markdown("#### " + t("calls.missing"))
    if missing.empty:
        st.success(t("calls.missing_none"), icon=":material/check:")
        return
    lines = []
    for level in ("company", "region", "team", "rep"):
        names = missing.loc[missing["level"] == level, "unit_name"]
        if len(names):
            lines.append(
                f"- **{formats.md(t(f'calls.level.{level}'))}** ({len(names)}): "
                + ", ".join(formats.md(n) for n in names)
            )
    st.markdown("\n".join(lines))


def _history(shown: pd.DataFrame, period: Period, today: date) -> None:
    """A unit's calls week by week beside the computed forecast, won and target."""
    st.markdown("#### " + t("calls.history"))
    labels = _unit_labels(shown)
    index = st.selectbox(
        t("calls.history.unit"), range(len(shown)), format_func=labels.__getitem__, key="calls_history_unit"
    )
    row = shown.iloc[index or 0]
    history = queries.query(
        calls.call_history, period, sidebar.filters(), str(row["level"]), str(row["unit_key"]), today
    )
    if history.empty:
        st.info(t("calls.history.none"), icon=":material/info:")
        return
    blocks.chart(
        charts.call_history(
            history,
            formats.money_divisor(),
            {
                "title": t("calls.history.chart", unit=row["unit_name"]),
                "commit": t("calls.history.commit"),
                "adjusted": t("calls.history.adjusted"),
                "forecast": t("calls.history.forecast"),
                "won": t("calls.history.won"),
                "target": t("calls.history.target"),
                "money_axis": t("axis.money", unit=formats.money_unit()),
            },
        ),
        key="calls_history_chart",
    )


def _accuracy(period: Period, today: date) -> None:
    """How past calls compared with what was won: the chosen period once closed, else the one
    before it."""
    judged = period if period.end <= today else period.previous()
    lang = texts.lang()
    st.markdown("#### " + t("calls.accuracy", period=judged.label(lang)))
    if judged is not period:
        st.caption(t("calls.accuracy.open", period=period.label(lang)))
    accuracy = queries.query(calls.call_accuracy, judged, sidebar.filters(), today)
    if accuracy.empty:
        st.info(t("calls.accuracy.none", period=judged.label(lang)), icon=":material/info:")
        return
    tables.show(calls.accuracy_by_person(accuracy), PEOPLE_SPEC, key="calls_people")
    st.caption(t("calls.accuracy.caption"))
    st.markdown("##### " + t("calls.accuracy.by_week"))
    named = accuracy.assign(
        unit_name=[unit_name(level, unit) for level, unit in zip(accuracy["level"], accuracy["unit"])]
    )
    tables.show(named, ACCURACY_SPEC, key="calls_accuracy")

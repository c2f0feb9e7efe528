"""The shared filter bar in the sidebar (period, regions, teams, reps) and what pages read of it."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from app import queries
from app.formats import md
from app.queries import today
from app.session import scope_filters
from app.texts import lang, t
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import t as _t
from salesmgmt.periods import Period, recent_periods

PERIOD_KINDS = ("month", "quarter", "year")


def _options() -> dict[str, Any]:
    from salesmgmt.metrics.directory import filter_options

    return queries.query(filter_options, scope_filters())


def sidebar_filters() -> None:
    """Draw the period, region, team and rep filters in the sidebar; pages read `filters()`."""
    opts = _options()
    sb = st.sidebar
    language = lang()  # bound now: format functions may be called outside a script run
    filters_from_url()
    kind = sb.selectbox(
        t("filter.period_kind"), PERIOD_KINDS, key="f_kind", format_func=lambda k: _t(f"period.{k}", language)
    )
    periods = recent_periods(today(), kind, {"month": 24, "quarter": 8, "year": 3}[kind])
    options = [str(p) for p in periods]
    if st.session_state.get("f_period") and _parsed(st.session_state["f_period"]) is None:
        st.session_state.pop("f_period")  # not a period: start again from the default
    if st.session_state.get("f_period") not in options:
        if st.session_state.get("f_period"):
            options.append(st.session_state["f_period"])  # a period from the URL, kept
        else:
            st.session_state.pop("f_period", None)
    sb.selectbox(
        t("filter.period"), options, key="f_period", format_func=lambda s: Period.parse(s).label(language)
    )
    for key, allowed in (("f_regions", opts["regions"]), ("f_teams", [tm for tm, _ in opts["team_regions"]])):
        if st.session_state.get(key):  # drop choices outside the scope (or from an old URL)
            st.session_state[key] = [v for v in st.session_state[key] if v in allowed]
    sb.multiselect(t("filter.region"), opts["regions"], key="f_regions", placeholder=t("filter.all"))
    teams = [
        tm
        for tm, rg in opts["team_regions"]
        if not st.session_state.get("f_regions") or rg in st.session_state["f_regions"]
    ]
    sb.multiselect(t("filter.team"), sorted(set(teams)), key="f_teams", placeholder=t("filter.all"))
    reps = opts["reps"]
    sel_regions, sel_teams = st.session_state.get("f_regions"), st.session_state.get("f_teams")
    if sel_regions:
        reps = reps[reps["region"].isin(sel_regions)]
    if sel_teams:
        reps = reps[reps["team"].isin(sel_teams)]
    names = dict(zip(reps["rep_id"], reps["name"]))
    sb.multiselect(
        t("filter.rep"),
        list(names),
        key="f_reps",
        format_func=lambda i: names.get(i, str(i)),
        placeholder=t("filter.all"),
    )


def filters_from_url() -> None:
    """Seed the filters once per session from the URL (`?period=2026-Q3&team=...&region=...`),
    so a link or a meeting screen opens on the right selection."""
    if st.session_state.get("_url_seeded"):
        return
    st.session_state["_url_seeded"] = True
    value = st.query_params.get("period")
    if value:
        try:
            chosen = Period.parse(value)
        except SalesmgmtError as error:
            url_ignored("period", error)
        else:
            st.session_state["f_kind"] = chosen.kind
            st.session_state["f_period"] = str(chosen)
    for param, key in (("team", "f_teams"), ("region", "f_regions")):
        values = st.query_params.get_all(param)
        if values:
            st.session_state[key] = values
    reps = [int(v) for v in st.query_params.get_all("rep") if v.isdigit()]  # ids (a printed page's)
    if reps:
        st.session_state["f_reps"] = reps


def url_ignored(param: str, error: SalesmgmtError) -> None:
    """Say that the link's `param` was left out and why (the value is the visitor's: inert)."""
    st.warning(
        t("url.ignored", param=md(param), reason=md(error.message(lang()))), icon=":material/link_off:"
    )


def _parsed(value: object) -> Period | None:
    """The period a widget value names, or None for anything else (a label left in the session
    state by a language switch during a reload, a stale value)."""
    try:
        return Period.parse(str(value)) if value else None
    except SalesmgmtError:
        return None


def period() -> Period:
    """The chosen period; the month of today when none (or nothing valid) is chosen."""
    return _parsed(st.session_state.get("f_period")) or Period.month_of(today())


def filters() -> Filters:
    """The sidebar's selection within the user's scope; the chosen reps carry their names, so
    captions and printed filters say who, not which id."""
    scope = scope_filters()
    reps = tuple(st.session_state.get("f_reps") or ())
    labels: tuple[str, ...] = ()
    if reps:
        known = _options()["reps"]
        names = dict(zip(known["rep_id"], known["name"]))
        labels = tuple(str(names.get(rep_id, rep_id)) for rep_id in reps)
    return Filters(
        regions=tuple(st.session_state.get("f_regions") or ()),
        teams=tuple(st.session_state.get("f_teams") or ()),
        rep_ids=reps,
        labels=labels,
        scope_regions=scope.scope_regions,
        scope_teams=scope.scope_teams,
        scope_rep_ids=scope.scope_rep_ids,
    )


def as_of() -> date:
    """The date figures are read at: today, or the period's last day for a past period."""
    p = period()
    return min(today(), p.last_day)

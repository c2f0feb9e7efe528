"""The weekly team meeting of module 3 (a team and a Monday-to-Sunday week): the week's wins and
who won them, who is behind on the plan, next week's planned visits; and the pieces the other
meetings share (the meeting's week, the teams in the filter, plain dates, row masks). The success
cases of the week are in `success_cases`.

Scope rule: that of `salesmgmt.metrics.meetings` (every function takes a Filters and returns
nothing outside it: a fact belongs to a rep, and only reps in the filter are read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics import plans
from salesmgmt.metrics.core import NO_GROUP, figures, first_days
from salesmgmt.metrics.overview import _elapsed_share
from salesmgmt.metrics.rankings import team_filters
from salesmgmt.periods import Period
from salesmgmt.query import run

#: A rep is behind on the month when won to date is under this share of the pro-rata target.
BEHIND_PACE_SHARE = 0.8


def meeting_week(day: date) -> tuple[date, date]:
    """(Monday, next Monday) of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


TEAMS_SQL = """
SELECT DISTINCT r.team FROM reps r WHERE r.team IS NOT NULL AND {where} ORDER BY r.team
"""


def teams(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The teams with reps in the filter."""
    return run(con, TEAMS_SQL, filters)["team"].tolist()


def row_mask(values: pd.Series, test: Callable[[Any], object]) -> pd.Series:
    """A boolean row mask from a test on each value (an empty frame gives an empty mask, not a
    column selection)."""
    return pd.Series([bool(test(v)) for v in values], index=values.index, dtype=bool)


def plain_dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`columns` of `frame` as plain dates (missing ones None), in place."""
    for col in columns:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date.astype(object)
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame


# ------------------------------------------------------------------------------------------
# Weekly team meeting

WINS_SQL = (
    """
SELECT o.opp_id, o.name, o.project, o.product, c.client_id, c.name AS client, c.client_type,
       o.rep_id, r.name AS rep, coalesce(r.team, '"""
    + NO_GROUP
    + """') AS team,
       CAST(o.amount AS DOUBLE) AS amount, o.created_date, o.close_date,
       date_diff('day', o.created_date, o.close_date) AS cycle_days
FROM opportunities o
JOIN reps r ON r.rep_id = o.rep_id
LEFT JOIN clients c ON c.client_id = o.client_id
WHERE o.status = 'won' AND o.close_date >= $start AND o.close_date < $end AND {where}
ORDER BY o.amount DESC, o.close_date, o.opp_id
"""
)


def week_wins(
    con: duckdb.DuckDBPyConnection, team: str | None, week_start: date, filters: Filters
) -> pd.DataFrame:
    """The deals the team (None: every team in the filter, in one read) won in the week starting
    `week_start`, biggest first: opp_id, name, project, product, client, client_type, rep_id, rep,
    team, amount, created_date, close_date, cycle_days."""
    narrowed = filters if team is None else team_filters(filters, team)
    frame = run(
        con, WINS_SQL, narrowed or filters, {"start": week_start, "end": week_start + timedelta(days=7)}
    )
    if narrowed is None:
        frame = frame.iloc[0:0]
    elif team is None:  # reps without a team (a director) hold no team meeting
        frame = frame[frame["team"] != NO_GROUP].reset_index(drop=True)
    return plain_dates(frame, "created_date", "close_date")


SCHEDULED_VISITS_SQL = """
SELECT v.visit_date AS planned_date, v.rep_id, r.name AS rep, v.client_id, c.name AS client,
       c.client_type, v.purpose
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.planned AND v.visit_date >= $start AND v.visit_date < $end AND {where}
ORDER BY v.visit_date, r.name, c.name
"""


def planned_visits(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: date, end: date, as_of: date
) -> pd.DataFrame:
    """Visits of the latest revision of each monthly plan dated in [start, end), with done_on
    and status ('done', 'missed', 'upcoming'): module 1's `plans.plan_visit_status`."""
    return plans.plan_visit_status(con, Period("days", start, end), filters, as_of)


def next_week_visits(
    con: duckdb.DuckDBPyConnection, team: str, week_start: date, filters: Filters
) -> pd.DataFrame:
    """Next week's planned visits of the team: from the monthly plans (plan_visits of each
    plan's latest revision); when the plans hold none for that week, the visits marked planned
    in the imported schedule (visits.planned) dated that week. Columns: planned_date, rep_id,
    rep, client_id, client, client_type, purpose, source ('plan' or 'schedule')."""
    narrowed = team_filters(filters, team)
    start, end = week_start + timedelta(days=7), week_start + timedelta(days=14)
    columns = ["planned_date", "rep_id", "rep", "client_id", "client", "client_type", "purpose", "source"]
    if narrowed is None:
        return pd.DataFrame(columns=columns)
    frame = planned_visits(con, narrowed, start, end, start)
    frame["source"] = "plan"
    if frame.empty:
        frame = plain_dates(
            run(con, SCHEDULED_VISITS_SQL, narrowed, {"start": start, "end": end}), "planned_date"
        )
        frame["source"] = "schedule"
    return frame[columns].reset_index(drop=True)


WEEK_VISITS_SQL = """
SELECT v.rep_id, count(*) AS visits FROM visits v JOIN reps r ON r.rep_id = v.rep_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where}
GROUP BY 1
"""


def week_norm_so_far(week_start: date, day: date) -> int:
    """The visits a sales engineer should have made in the week starting `week_start` by `day`:
    the weekly norm times the share of the week's five working days gone, rounded down."""
    workdays = sum(1 for i in range(min((day - week_start).days + 1, 7)) if i < 5)
    return int(VISIT_NORM_PER_WEEK * workdays / 5)


def behind_on_plan(
    con: duckdb.DuckDBPyConnection, team: str, week_start: date, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The team's sales engineers behind on the plan in the meeting's week (see the glossary's
    behind_on_plan), most behind first: rep_id, rep, target, won_amount, expected_by_now,
    forecast_attainment, visits_this_week, planned_missed, planned_due, reasons (a tuple of
    'won_behind_pace', 'visits_below_norm', 'planned_visits_missed')."""
    columns = [
        "rep_id",
        "rep",
        "target",
        "won_amount",
        "expected_by_now",
        "forecast_attainment",
        "visits_this_week",
        "planned_missed",
        "planned_due",
        "reasons",
    ]
    narrowed = team_filters(filters, team)
    if narrowed is None:
        return pd.DataFrame(columns=columns)
    week_end = week_start + timedelta(days=7)
    day = min(as_of, week_end - timedelta(days=1))
    month = Period.month_of(day)
    reps = figures(con, month, narrowed, day, "rep", with_probability=False)
    reps = reps[reps["role"] == "sales_engineer"].copy()
    reps["expected_by_now"] = reps["target"] * _elapsed_share(month, day)
    visits = run(
        con,
        WEEK_VISITS_SQL,
        narrowed,
        {"start": week_start, "end": min(week_end, day + timedelta(days=1))},
    )
    reps["visits_this_week"] = (
        reps["rep_id"].map(visits.set_index("rep_id")["visits"]).fillna(0).astype("int64")
    )
    plan = planned_visits(con, narrowed, month.start, min(month.end, week_end), day)
    due = plan[plan["status"].isin(["done", "missed"])]
    missed = due[due["status"] == "missed"]
    reps["planned_due"] = reps["rep_id"].map(due.groupby("rep_id").size()).fillna(0).astype("int64")
    reps["planned_missed"] = reps["rep_id"].map(missed.groupby("rep_id").size()).fillna(0).astype("int64")
    # Judged fairly early on: no pace in the month's first days (a day or two against the whole
    # month), and the week's visit norm pro rata of its working days so far (a Tuesday is not a
    # week).
    pace_judged = not first_days(month, day)
    norm_by_now = week_norm_so_far(week_start, day)
    reasons: list[tuple[str, ...]] = []
    row: Any
    for row in reps.itertuples():
        why: list[str] = []
        if pace_judged and pd.notna(row.target) and row.won_amount < BEHIND_PACE_SHARE * row.expected_by_now:
            why.append("won_behind_pace")
        if row.visits_this_week < norm_by_now:
            why.append("visits_below_norm")
        if row.planned_missed > 0:
            why.append("planned_visits_missed")
        reasons.append(tuple(why))
    reps["reasons"] = reasons
    out = reps[reps["reasons"].map(len) > 0].copy()
    out["_n"] = out["reasons"].map(len)
    out["_pace"] = (out["won_amount"] / out["expected_by_now"].where(out["expected_by_now"] > 0)).fillna(1)
    out = out.sort_values(["_n", "_pace", "rep"], ascending=[False, True, True], kind="stable")
    return out[columns].reset_index(drop=True)

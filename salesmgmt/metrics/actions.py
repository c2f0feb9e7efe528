"""The Action review: are the planned actions done? Client visits per sales engineer per week
against the norm, planned against done, the client types visited, engineers below the norm for
several weeks in a row, and the visits that were followed by progress on an opportunity.

Weeks are the counted weeks of the visit norm (`core.week_window`: Monday-to-Sunday weeks whose
Monday lies in the period and on or before the as-of date). Every query joins its facts to the
reps in the Filters.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import VISIT_NORM_PER_WEEK, Measure
from salesmgmt.metrics.core import NO_GROUP, _ratio, first_days, week_window
from salesmgmt.metrics.plans import LATEST_PLANS, PLANNED_VISITS_SQL, stage_rank_sql
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

#: Weeks in a row below the norm after which an engineer is listed.
BELOW_NORM_STREAK = 3
#: Days after a visit in which an opportunity's progress counts as following it.
PROGRESS_DAYS = 14
#: Visits with progress listed on the page (the most recent).
PROGRESS_LIST = 200
CLIENT_TYPES = ("design_institute", "steel_structure", "construction", "owner", "other")
GROUPS = {
    "rep": "r.name",
    "team": f"coalesce(r.team, '{NO_GROUP}')",
    "region": f"coalesce(r.region, '{NO_GROUP}')",
    "total": "'all'",
}

MEASURES: list[Measure] = [
    Measure(
        "weekly_visits",
        "Client visits per week",
        "每周客户拜访",
        "count",
        "Client visits (type visit) of an active sales engineer in one counted week; the week "
        f"meets the norm at {VISIT_NORM_PER_WEEK} or more.",
    ),
    Measure(
        "below_norm_streak",
        "Weeks below the norm in a row",
        "连续未达标周数",
        "count",
        "The longest run of consecutive counted weeks of the period in which an active sales "
        f"engineer made fewer than {VISIT_NORM_PER_WEEK} client visits. Listed from "
        f"{BELOW_NORM_STREAK} weeks (adjustable on the page).",
    ),
    Measure(
        "client_type_share",
        "Share of visits by client type",
        "客户类型拜访占比",
        "percent",
        "Client visits in the period to clients of a type / all client visits in the period "
        "(design institutes, steel-structure companies, construction companies, owners, other).",
    ),
    Measure(
        "plan_visits_done_share",
        "Planned visits done",
        "计划拜访完成率",
        "percent",
        "Planned visits of the latest plan revisions dated in the period that are done / those "
        "done or missed (see plan_visit_done); upcoming ones are left out.",
    ),
    Measure(
        "visit_progress_share",
        "Visits followed by progress",
        "拜访后推进率",
        "percent",
        "Client visits in the period after which, within the next "
        f"{PROGRESS_DAYS} days, an opportunity of the same rep and client (the visit's own "
        "opportunity when it names one) moved up a stage or was won, according to the "
        "opportunity history / the client visits in the period whose "
        f"{PROGRESS_DAYS} days are over by the as-of date (visit date + {PROGRESS_DAYS} days "
        "on or before it). Visits still inside their window are left out until it closes; "
        "when no visit's window is over yet there is no share.",
    ),
]

WEEKLY_VISITS_SQL = f"""
WITH fr AS (
    SELECT r.rep_id, r.name, coalesce(r.team, '{NO_GROUP}') AS team,
           coalesce(r.region, '{NO_GROUP}') AS region
    FROM reps r WHERE r.role = 'sales_engineer' AND r.active AND {{where}}
),
weeks AS (
    SELECT CAST(w AS DATE) AS week
    FROM range(CAST($week_from AS TIMESTAMP), CAST($week_to AS TIMESTAMP), INTERVAL 7 DAY) t(w)
),
counts AS (
    SELECT v.rep_id, CAST(date_trunc('week', v.visit_date) AS DATE) AS week, count(*) AS visits
    FROM visits v JOIN fr USING (rep_id)
    WHERE v.visit_type = 'visit' AND v.visit_date >= $week_from AND v.visit_date < $week_to
    GROUP BY ALL
)
SELECT fr.rep_id, fr.name AS rep, fr.team, fr.region, weeks.week,
       coalesce(counts.visits, 0) AS visits
FROM fr CROSS JOIN weeks LEFT JOIN counts ON counts.rep_id = fr.rep_id AND counts.week = weeks.week
ORDER BY fr.team, fr.name, weeks.week
"""

REP_VISITS_SQL = f"""
SELECT r.rep_id, r.name AS rep, coalesce(r.team, '{NO_GROUP}') AS team, r.role,
       count(v.visit_key) AS visits,
       count(v.visit_key) FILTER (WHERE v.planned) AS visits_marked_planned
FROM reps r
LEFT JOIN visits v ON v.rep_id = r.rep_id AND v.visit_type = 'visit'
     AND v.visit_date >= $start AND v.visit_date < $end
WHERE {{where}}
GROUP BY ALL
ORDER BY team, rep
"""

PLAN_DONE_SQL = f"""
SELECT rep_id, count(*) AS planned, count(done_on) AS planned_done,
       count(*) FILTER (WHERE done_on IS NULL AND week + INTERVAL 6 DAY < $as_of) AS planned_missed
FROM ({compose(PLANNED_VISITS_SQL, plans=LATEST_PLANS)}) pv
GROUP BY rep_id
"""

CLIENT_TYPE_SQL = """
SELECT {group} AS grp, coalesce(c.client_type, 'other') AS client_type, count(*) AS visits
FROM visits v JOIN reps r ON r.rep_id = v.rep_id
LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where}
GROUP BY ALL
"""

_RANK = stage_rank_sql("h.stage")

#: Each visit of the period and the first progress of a matching opportunity after it.
VISIT_PROGRESS_SQL = f"""
WITH fr AS (SELECT r.rep_id, r.name, coalesce(r.team, '{NO_GROUP}') AS team FROM reps r WHERE {{where}}),
vis AS (
    SELECT v.visit_key, v.visit_date, v.rep_id, v.client_id, v.opp_id,
           v.visit_date + $days <= $as_of AS window_over
    FROM visits v JOIN fr USING (rep_id)
    WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end
      AND v.visit_date <= $as_of
),
steps AS (
    SELECT h.opp_id, h.rep_id, h.client_id, h.valid_from AS day, h.stage,
           {_RANK} AS rank_now,
           lag(h.stage) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS stage_before,
           lag({_RANK}) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS rank_before
    FROM opportunity_history h
    WHERE h.client_id IN (SELECT client_id FROM vis) AND h.valid_from <= $as_of
      -- opportunities that changed in the window, with their states before (for the lag)
      AND h.opp_id IN (SELECT opp_id FROM opportunity_history
                       WHERE valid_from > $start AND valid_from <= $as_of)
),
progress AS (
    SELECT * FROM steps
    WHERE rank_now > rank_before AND rank_before >= 0 AND day > $start AND day <= $as_of
),
linked AS (
    SELECT v.visit_key, v.visit_date, v.rep_id, v.client_id,
           arg_min(p.opp_id, p.day) AS opp_id, min(p.day) AS progress_date,
           arg_min(p.stage_before, p.day) AS stage_before, arg_min(p.stage, p.day) AS stage_after
    FROM vis v JOIN progress p
      ON v.window_over AND p.rep_id = v.rep_id AND p.client_id = v.client_id
     AND (v.opp_id IS NULL OR v.opp_id = p.opp_id)
     AND p.day > v.visit_date AND p.day <= v.visit_date + $days
    GROUP BY ALL
)
"""

PROGRESS_BY_REP_SQL = (
    VISIT_PROGRESS_SQL
    + """
SELECT fr.rep_id, fr.name AS rep, fr.team,
       count(vis.visit_key) FILTER (WHERE vis.window_over) AS visits,
       count(linked.visit_key) AS visits_with_progress,
       count(vis.visit_key) FILTER (WHERE NOT vis.window_over) AS visits_in_window
FROM fr LEFT JOIN vis USING (rep_id) LEFT JOIN linked USING (visit_key)
GROUP BY ALL
HAVING count(vis.visit_key) > 0
ORDER BY fr.team, fr.name
"""
)

PROGRESS_LIST_SQL = (
    VISIT_PROGRESS_SQL
    + """
SELECT l.visit_date, fr.name AS rep, fr.team, c.name AS client,
       coalesce(c.client_type, 'other') AS client_type, l.opp_id,
       coalesce(o.name, l.opp_id) AS opportunity,
       l.stage_before, l.stage_after, l.progress_date,
       date_diff('day', l.visit_date, l.progress_date) AS days_after
FROM linked l JOIN fr USING (rep_id)
LEFT JOIN clients c ON c.client_id = l.client_id
LEFT JOIN opportunities o ON o.opp_id = l.opp_id
ORDER BY l.visit_date DESC, fr.name, l.visit_key
LIMIT $limit
"""
)


def weekly_visits(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """Client visits of each active sales engineer in each counted week (zeros included).

    Columns: rep_id, rep, team, region, week (Monday), visits, meets_norm.
    """
    week_from, week_to, _ = week_window(period, as_of)
    frame = run(con, WEEKLY_VISITS_SQL, filters, {"week_from": week_from, "week_to": week_to})
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    frame["visits"] = frame["visits"].astype("int64")
    frame["meets_norm"] = frame["visits"] >= VISIT_NORM_PER_WEEK
    return frame


def norm_streaks(weekly: pd.DataFrame) -> pd.DataFrame:
    """Per engineer of `weekly_visits`: weeks, weeks_below, longest_streak (weeks below the norm
    in a row), current_streak (ending with the last counted week), visits, visits_per_week."""
    columns = [
        "rep_id",
        "rep",
        "team",
        "weeks",
        "weeks_below",
        "longest_streak",
        "current_streak",
        "visits",
        "visits_per_week",
    ]
    if weekly.empty:
        return pd.DataFrame(columns=columns)
    # Engineers in the order they come, each one's weeks in order.
    order, _ = pd.factorize(weekly["rep_id"])
    frame = weekly.assign(order=order).sort_values(["order", "week"], kind="stable")
    group = frame["order"].to_numpy()
    below = ~frame["meets_norm"].to_numpy(bool)
    # A run starts where the engineer or the below flag changes; count within each run.
    starts = np.r_[True, (group[1:] != group[:-1]) | (below[1:] != below[:-1])]
    run = np.cumsum(starts)
    position = np.arange(len(run)) - np.flatnonzero(starts)[run - 1]
    frame["run"] = np.where(below, position + 1, 0)
    by = frame.groupby("order", sort=True)
    out = by[["rep_id", "rep", "team"]].first().astype({"rep_id": "int64"})
    out["weeks"] = by.size()
    out["weeks_below"] = (out["weeks"] - by["meets_norm"].sum()).astype("int64")
    out["longest_streak"] = by["run"].max().astype("int64")
    out["current_streak"] = by["run"].last().astype("int64")
    out["visits"] = by["visits"].sum().astype("int64")
    out["visits_per_week"] = by["visits"].mean().astype("float64")
    return out[columns].reset_index(drop=True)


def weeks_judged(period: Period, as_of: date) -> tuple[Period, date]:
    """The period and as-of date whose weeks the norm is judged on: `period` at `as_of`, but in
    its first days (core.first_days: no complete week yet) the previous period, the last complete
    one, up to the last Sunday before `as_of` (its last week, which runs into `period`, counted
    only once complete), so that every week shown is a week that happened."""
    if first_days(period, as_of):
        previous = period.previous()
        last_sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        return previous, min(previous.last_day, last_sunday)
    return period, as_of


def reps_below_norm(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    streak: int = BELOW_NORM_STREAK,
) -> pd.DataFrame:
    """Engineers below the norm `streak` or more weeks in a row, the longest runs first."""
    streaks = norm_streaks(weekly_visits(con, period, filters, as_of))
    out = streaks[streaks["longest_streak"] >= streak]
    return out.sort_values(["longest_streak", "visits_per_week"], ascending=[False, True]).reset_index(
        drop=True
    )


def planned_vs_done(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """Per rep in the filters: visits made, visits marked planned in the exports, and the
    planned visits of the monthly plans (latest revisions) dated in the period: planned,
    planned_done, planned_missed, planned_done_share (see the measures).

    Only reps with a visit or a planned visit are listed.
    """
    named = {"start": period.start, "end": period.end}
    reps = run(con, REP_VISITS_SQL, filters, named)
    plan = run(
        con,
        PLAN_DONE_SQL,
        filters,
        {**named, "as_of": as_of, "first_month": Period.month_of(period.start).start},
    )
    out = reps.merge(plan, on="rep_id", how="left")
    for col in ("planned", "planned_done", "planned_missed"):
        out[col] = out[col].fillna(0).astype("int64")
    out["visits"] = out["visits"].astype("int64")
    out["visits_marked_planned"] = out["visits_marked_planned"].astype("int64")
    out["planned_done_share"] = _ratio(out["planned_done"], out["planned_done"] + out["planned_missed"])
    out["marked_planned_share"] = _ratio(out["visits_marked_planned"], out["visits"])
    out = out[(out["visits"] > 0) | (out["planned"] > 0)]
    return out.reset_index(drop=True)


def client_type_share(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, by: str = "team"
) -> pd.DataFrame:
    """Client visits of the period per group (`by`: rep, team, region or total) and client type.

    Columns: group, client_type, visits, share (of the group's visits); every type present for
    every group, in CLIENT_TYPES order.
    """
    if by not in GROUPS:
        raise ValueError(by)
    frame = run(
        con,
        compose(CLIENT_TYPE_SQL, group=GROUPS[by]),
        filters,
        {"start": period.start, "end": period.end},
    )
    if frame.empty:
        return pd.DataFrame(columns=["group", "client_type", "visits", "share"])
    groups = sorted(frame["grp"].unique())
    grid = pd.MultiIndex.from_product([groups, CLIENT_TYPES], names=["grp", "client_type"])
    out = frame.set_index(["grp", "client_type"])["visits"].reindex(grid, fill_value=0).reset_index()
    out["visits"] = out["visits"].astype("int64")
    totals = out.groupby("grp")["visits"].transform("sum")
    out["share"] = _ratio(out["visits"], totals)
    return out.rename(columns={"grp": "group"})


def visit_progress(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, days: int = PROGRESS_DAYS
) -> dict[str, pd.DataFrame]:
    """Visits followed by opportunity progress (see the measure).

    Only visits whose `days` are over by `as_of` are judged (visits, visits_with_progress,
    share, the list); the others are counted in visits_in_window.

    {'by_rep': rep_id, rep, team, visits, visits_with_progress, visits_in_window, share;
     'visits': the most recent PROGRESS_LIST such visits with the opportunity, its stage before
     and after, and the date of the progress}.
    """
    named = {"start": period.start, "end": period.end, "as_of": as_of, "days": int(days)}
    by_rep = run(con, PROGRESS_BY_REP_SQL, filters, named)
    by_rep["share"] = _ratio(by_rep["visits_with_progress"], by_rep["visits"])
    visits = run(con, PROGRESS_LIST_SQL, filters, {**named, "limit": PROGRESS_LIST})
    for col in ("visit_date", "progress_date"):
        visits[col] = pd.to_datetime(visits[col]).dt.date
    return {"by_rep": by_rep, "visits": visits}

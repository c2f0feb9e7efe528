"""The Regional review: each region against its target, its growth, pipeline coverage, win rate
and how far it reaches into each client type; the drill-down region -> team -> rep; the regions
month by month.

A region's figures are its reps' (a rep's region is the one in `reps`); its target follows
`core.group_targets_by_month` (own, else its teams'). Every query joins its facts to the reps in
the Filters.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import Measure
from salesmgmt.metrics.actions import CLIENT_TYPES
from salesmgmt.metrics.core import NO_GROUP, _ratio, group_targets_by_month
from salesmgmt.metrics.forecast import gap_analysis
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

KEYS = {"rep": "rep_id", "team": "team", "region": "region"}
_GROUP_SQL = {
    "rep": "r.rep_id",
    "team": f"coalesce(r.team, '{NO_GROUP}')",
    "region": f"coalesce(r.region, '{NO_GROUP}')",
}

MEASURES: list[Measure] = [
    Measure(
        "growth_yoy",
        "Growth vs last year",
        "同比增长",
        "percent",
        "won_amount / won_amount of the same period a year earlier - 1, like for like: while "
        "the period is under way, both count only the same number of days from the start "
        "(to the as-of date); empty when nothing was won then.",
    ),
    Measure(
        "growth_prev",
        "Growth vs previous period",
        "环比增长",
        "percent",
        "won_amount / won_amount of the previous period - 1, like for like as growth_yoy.",
    ),
    Measure(
        "client_penetration",
        "Client-type penetration",
        "客户类型渗透率",
        "percent",
        "Of the clients of a type that belong to the group (through their owner rep; a client "
        "without an owner belongs to the rep of its latest visit), the share reached in the "
        "period: visited (type visit), or with an opportunity won in the period or open.",
    ),
]

WON_SQL = """
SELECT {group} AS key, CAST(sum(o.amount) AS DOUBLE) AS won_amount
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
WHERE o.status = 'won' AND o.close_date >= $start AND o.close_date < $end AND {where}
GROUP BY ALL
"""

PENETRATION_SQL = f"""
WITH fr AS (
    SELECT r.rep_id, r.name, coalesce(r.team, '{NO_GROUP}') AS team,
           coalesce(r.region, '{NO_GROUP}') AS region
    FROM reps r WHERE {{where}}
),
last_rep AS (SELECT client_id, arg_max(rep_id, visit_date) AS rep_id FROM visits GROUP BY client_id),
belongs AS (
    SELECT c.client_id, coalesce(c.client_type, 'other') AS client_type,
           coalesce(c.owner_rep_id, lr.rep_id) AS rep_id
    FROM clients c LEFT JOIN last_rep lr USING (client_id)
),
reached AS (
    SELECT v.client_id FROM visits v JOIN fr USING (rep_id)
    WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end
    UNION
    SELECT o.client_id FROM opportunities o JOIN fr USING (rep_id)
    WHERE (o.status = 'won' AND o.close_date >= $start AND o.close_date < $end)
       OR (o.status = 'open' AND (o.created_date IS NULL OR o.created_date < $end))
)
SELECT {{group}} AS key, b.client_type, count(*) AS clients,
       count(*) FILTER (WHERE b.client_id IN (SELECT client_id FROM reached)) AS reached
FROM belongs b JOIN fr USING (rep_id)
GROUP BY ALL
"""

MONTHLY_WON_SQL = f"""
SELECT coalesce(r.region, '{NO_GROUP}') AS region,
       CAST(date_trunc('month', o.close_date) AS DATE) AS month,
       CAST(sum(o.amount) AS DOUBLE) AS won_amount
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
WHERE o.status = 'won' AND o.close_date >= $first AND o.close_date < $end AND {{where}}
GROUP BY ALL
"""


def narrow(filters: Filters, region: str | None = None, team: str | None = None) -> Filters:
    """The filters with the drill-down's region / team chosen; the user's scope is kept."""
    if region is not None:
        filters = replace(filters, regions=(region,))
    if team is not None:
        filters = replace(filters, teams=(team,))
    return filters


def _window(period: Period, other: Period, as_of: date) -> tuple[date, date]:
    """The part of `other` that matches the elapsed part of `period` (all of it when over)."""
    if as_of >= period.last_day:
        return other.start, other.end
    days = max((as_of - period.start).days + 1, 0)
    return other.start, min(other.start + timedelta(days=days), other.end)


def won_between(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: date, end: date, level: str
) -> pd.Series:
    """Won amount with a close date in [start, end) per rep_id, team or region."""
    frame = run(con, compose(WON_SQL, group=_GROUP_SQL[level]), filters, {"start": start, "end": end})
    return frame.set_index("key")["won_amount"]


def region_review(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, level: str = "region"
) -> pd.DataFrame:
    """Per region (or team, rep for the drill-down): the core figures with gap analysis, plus
    won_last_year, growth_yoy, won_previous, growth_prev (like for like, see MEASURES)."""
    if level not in KEYS:
        raise ValueError(level)
    frame = gap_analysis(con, period, filters, as_of, level=level)
    key = KEYS[level]
    for name, other in (("last_year", period.same_last_year()), ("previous", period.previous())):
        start, end = _window(period, other, as_of)
        before = won_between(con, filters, start, end, level)
        frame[f"won_{name}"] = frame[key].map(before).fillna(0.0).astype("float64")
    frame["growth_yoy"] = _ratio(frame["won_amount"], frame["won_last_year"]) - 1
    frame["growth_prev"] = _ratio(frame["won_amount"], frame["won_previous"]) - 1
    return frame


def client_penetration(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, level: str = "region"
) -> pd.DataFrame:
    """Per group and client type: clients, reached, penetration (see MEASURES); every type of
    CLIENT_TYPES present for every group that has clients."""
    if level not in KEYS:
        raise ValueError(level)
    group = {"rep": "fr.rep_id", "team": "fr.team", "region": "fr.region"}[level]
    frame = run(
        con,
        compose(PENETRATION_SQL, group=group),
        filters,
        {"start": period.start, "end": period.end},
    )
    if frame.empty:
        return pd.DataFrame(columns=[KEYS[level], "client_type", "clients", "reached", "penetration"])
    grid = pd.MultiIndex.from_product(
        [sorted(frame["key"].unique()), CLIENT_TYPES], names=["key", "client_type"]
    )
    out = (
        frame.set_index(["key", "client_type"])[["clients", "reached"]]
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    for col in ("clients", "reached"):
        out[col] = out[col].astype("int64")
    out["penetration"] = _ratio(out["reached"], out["clients"])
    return out.rename(columns={"key": KEYS[level]})


def regions_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, months: int = 12
) -> pd.DataFrame:
    """Won, target and attainment per region per month, for the `months` months ending with
    `last`'s last month (every region of the filter in every month)."""
    end = last.end
    first = Period.month_of(last.last_day).shift(-(months - 1)).start
    won = run(con, MONTHLY_WON_SQL, filters, {"first": first, "end": end})
    won["month"] = pd.to_datetime(won["month"]).dt.date
    targets = group_targets_by_month(con, Period("month", first, end), filters)
    targets = targets[targets["level"] == "region"].rename(columns={"key": "region"})
    regions = sorted(set(won["region"]) | set(targets["region"]))
    all_months = Period("month", first, end).month_starts()
    grid = pd.MultiIndex.from_product([regions, all_months], names=["region", "month"]).to_frame(index=False)
    out = grid.merge(won, on=["region", "month"], how="left").merge(
        targets[["region", "month", "target"]], on=["region", "month"], how="left"
    )
    out["won_amount"] = out["won_amount"].fillna(0.0)
    out["target"] = out["target"].astype("float64")
    out["attainment"] = _ratio(out["won_amount"], out["target"])
    return out


def drill_down(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    region: str | None = None,
    team: str | None = None,
) -> pd.DataFrame:
    """The review one level down: a region's teams, or a team's reps (all regions without one)."""
    if team is not None:
        return region_review(con, period, narrow(filters, region, team), as_of, level="rep")
    if region is not None:
        return region_review(con, period, narrow(filters, region), as_of, level="team")
    return region_review(con, period, filters, as_of, level="region")

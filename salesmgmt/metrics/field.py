"""Field work: were the visits made at the client? Check-ins (DingTalk 签到, WeCom 外出打卡, see
`importer.checkins`) per rep: how many, how many on site (`geo.on_site`), and the share of the
client visits that a check-in made or confirmed.

Scope rule: a check-in belongs to its rep; every query joins the facts to the reps in the
Filters. Check-ins and visits count in the period by their day.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.geo import ON_SITE_METRES
from salesmgmt.measures import Measure
from salesmgmt.metrics.core import _ratio
from salesmgmt.periods import Period
from salesmgmt.query import run

MEASURES: list[Measure] = [
    Measure(
        "checkins",
        "Check-ins",
        "签到次数",
        "count",
        "Field check-ins made in the period (DingTalk 签到, WeCom 外出打卡, imported from their "
        "exports), counted by the day of the check-in.",
    ),
    Measure(
        "on_site_checkins",
        "On site",
        "现场签到",
        "count",
        f"Check-ins made at the client. When the client has coordinates of its own (geo_source "
        f"'coordinates') and the check-in has coordinates: within {ON_SITE_METRES:.0f} m, on the "
        "sphere (coordinates from China's map apps are GCJ-02 and converted to WGS-84 first). "
        "When the client is known by its address only: the check-in's address lies in the "
        "client's district (its city when the client's address names no district). Otherwise "
        "it cannot be told.",
    ),
    Measure(
        "off_site_checkins",
        "Away from client",
        "非现场签到",
        "count",
        "Check-ins whose place could be told and that were not at the client (see On site).",
    ),
    Measure(
        "on_site_rate",
        "On-site rate",
        "现场签到率",
        "percent",
        "On-site check-ins ÷ check-ins whose place could be told (on site or away from the "
        "client). Check-ins without a client, or without a location on either side, are left out.",
    ),
    Measure(
        "visits_checked_in",
        "Visits with a check-in",
        "有签到的拜访",
        "count",
        "Client visits (type visit) in the period that a check-in made or confirmed (a check-in "
        "by the same rep at the same client on the same day).",
    ),
    Measure(
        "checked_in_share",
        "Visits checked in",
        "拜访签到率",
        "percent",
        "Visits with a check-in ÷ client visits (type visit) in the period.",
    ),
    Measure(
        "median_distance_m",
        "Median distance (m)",
        "距离中位数（米）",
        "number",
        "The median distance in metres between a check-in and its client, over the check-ins "
        "where both have coordinates of their own.",
    ),
]

PER_REP_SQL = """
WITH k AS (
    SELECT k.rep_id, count(*) AS checkins,
           count(*) FILTER (WHERE k.on_site) AS on_site,
           count(*) FILTER (WHERE NOT k.on_site) AS off_site,
           median(k.distance_m) AS median_distance_m
    FROM checkins k JOIN reps r ON r.rep_id = k.rep_id
    WHERE k.checked_at >= $start AND k.checked_at < $end AND {where}
    GROUP BY 1
),
v AS (
    SELECT v.rep_id, count(*) AS visits,
           count(*) FILTER (WHERE v.visit_key IN (SELECT visit_key FROM checkins
                                                  WHERE visit_key IS NOT NULL)) AS visits_checked_in
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where}
    GROUP BY 1
)
SELECT r.rep_id, r.name AS rep, r.team, r.region,
       coalesce(k.checkins, 0) AS checkins, coalesce(k.on_site, 0) AS on_site_checkins,
       coalesce(k.off_site, 0) AS off_site_checkins, k.median_distance_m,
       coalesce(v.visits, 0) AS visits, coalesce(v.visits_checked_in, 0) AS visits_checked_in
FROM reps r LEFT JOIN k ON k.rep_id = r.rep_id LEFT JOIN v ON v.rep_id = r.rep_id
WHERE (k.rep_id IS NOT NULL OR v.rep_id IS NOT NULL) AND {where}
ORDER BY r.team, r.name
"""


def on_site_by_rep(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pd.DataFrame:
    """Per rep with check-ins or client visits in the period (the measures of MEASURES): rep_id,
    rep, team, region, checkins, on_site_checkins, off_site_checkins, on_site_rate (NaN when no
    check-in's place could be told), median_distance_m, visits (client visits),
    visits_checked_in, checked_in_share (NaN without visits)."""
    frame = run(con, PER_REP_SQL, filters, {"start": period.start, "end": period.end})
    counts = ("checkins", "on_site_checkins", "off_site_checkins", "visits", "visits_checked_in")
    for column in counts:
        frame[column] = frame[column].astype("int64")
    known = frame["on_site_checkins"] + frame["off_site_checkins"]
    frame["on_site_rate"] = _ratio(frame["on_site_checkins"], known)
    frame["checked_in_share"] = _ratio(frame["visits_checked_in"], frame["visits"])
    frame["median_distance_m"] = frame["median_distance_m"].astype("float64")
    return frame


@dataclass(frozen=True)
class OnSiteSummary:
    """The period's check-ins of everyone in the Filters, added up."""

    checkins: int
    on_site: int
    #: Check-ins whose place could be told (on site or away).
    known: int
    #: on_site / known; None when no check-in's place could be told.
    on_site_rate: float | None
    visits: int
    visits_checked_in: int


def on_site_summary(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> OnSiteSummary:
    """`on_site_by_rep` added up over the reps in the Filters."""
    frame = on_site_by_rep(con, period, filters)
    on_site, off_site = int(frame["on_site_checkins"].sum()), int(frame["off_site_checkins"].sum())
    known = on_site + off_site
    return OnSiteSummary(
        checkins=int(frame["checkins"].sum()),
        on_site=on_site,
        known=known,
        on_site_rate=on_site / known if known else None,
        visits=int(frame["visits"].sum()),
        visits_checked_in=int(frame["visits_checked_in"].sum()),
    )

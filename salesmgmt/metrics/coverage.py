"""Field coverage on the map: clients, visits, open pipeline and check-ins by province and city;
the gaps (key accounts not visited for COLD_ACCOUNT_DAYS days, cities with open pipeline and no
visit in the period); each engineer's footprint of the week and of the month.

Where a thing is: a client's location (address resolved to its district's adcode, or
coordinates; salesmgmt.db migration 9), a visit or a deal at its client's, a check-in where it
was made (else at its client's). `salesmgmt.maps.area_code` finds the province or city
boundary of each place. Scope: a client belongs to the filters through its owner rep (as the
health score's clients); visits, deals and check-ins through their own rep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from salesmgmt import maps
from salesmgmt.filters import Filters
from salesmgmt.measures import COLD_ACCOUNT_DAYS, Measure
from salesmgmt.metrics.deals import as_dates
from salesmgmt.periods import Period
from salesmgmt.query import run

__all__ = ["COLD_ACCOUNT_DAYS", "MAP_MEASURES", "MEASURES"]

MEASURES: list[Measure] = [
    Measure(
        "area_clients",
        "Clients",
        "客户数",
        "count",
        "Clients with a known location in the area (province or city of their address or "
        "coordinates), counted for the filters through their owner rep.",
    ),
    Measure(
        "area_visits",
        "Visits",
        "拜访次数",
        "count",
        "Visits of type 'visit' in the period (to the as-of date) by reps in the filters, at "
        "clients located in the area.",
    ),
    Measure(
        "area_pipeline",
        "Open pipeline",
        "在途商机",
        "money",
        "Sum of the amounts of every open opportunity (whatever its expected close date) of reps "
        "in the filters, created by the as-of date, at clients located in the area.",
    ),
    Measure(
        "area_open_deals",
        "Open deals",
        "在途商机数",
        "count",
        "Number of the open opportunities counted in area_pipeline.",
    ),
    Measure(
        "area_checkins",
        "Check-ins",
        "签到次数",
        "count",
        "Field check-ins (DingTalk 签到, WeCom 外出打卡) in the period (to the as-of date) by reps "
        "in the filters, where they were made (else at their client's location).",
    ),
    Measure(
        "cities_visited",
        "Cities visited",
        "到访城市数",
        "count",
        "Distinct cities (prefecture level; a county-level city under its province counts as "
        "one) of an engineer's visits (at the client's location) and check-ins in the window.",
    ),
    Measure(
        "districts_visited",
        "Districts visited",
        "到访区县数",
        "count",
        "Distinct districts and counties (by adcode) of an engineer's visits and check-ins in "
        "the window, as cities_visited.",
    ),
]

#: What a coverage map can colour its areas by: the measure keys of `by_area`'s columns.
MAP_MEASURES = ("area_clients", "area_visits", "area_pipeline", "area_checkins")


@dataclass(frozen=True)
class Located:
    """How many clients in scope there are and how many of them have a location."""

    clients: int
    located: int


LOCATED_SQL = """
SELECT count(*) AS clients,
       count(*) FILTER (WHERE c.adcode IS NOT NULL OR c.province IS NOT NULL) AS located
FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
WHERE {where}
"""

#: One row per raw place (adcode, province, city) and kind of fact, counts and amounts; mapped
#: to boundaries in Python (a few thousand places at most, whatever the number of clients).
PLACES_SQL = """
WITH loc AS (
    SELECT client_id, adcode, province, city FROM clients
    WHERE adcode IS NOT NULL OR province IS NOT NULL
)
SELECT loc.adcode, loc.province, loc.city, count(*) AS area_clients
FROM clients c JOIN loc USING (client_id) LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
WHERE {where}
GROUP BY ALL
UNION ALL BY NAME
SELECT loc.adcode, loc.province, loc.city, count(*) AS area_visits
FROM visits v JOIN loc USING (client_id) JOIN reps vr ON vr.rep_id = v.rep_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where_visit}
GROUP BY ALL
UNION ALL BY NAME
SELECT loc.adcode, loc.province, loc.city, count(*) AS area_open_deals,
       CAST(sum(o.amount) AS DOUBLE) AS area_pipeline
FROM opportunities o JOIN loc USING (client_id) JOIN reps orp ON orp.rep_id = o.rep_id
WHERE o.status = 'open' AND (o.created_date IS NULL OR o.created_date <= $as_of) AND {where_opp}
GROUP BY ALL
UNION ALL BY NAME
SELECT coalesce(k.adcode, kc.adcode) AS adcode, coalesce(k.province, kc.province) AS province,
       coalesce(k.city, kc.city) AS city, count(*) AS area_checkins
FROM checkins k LEFT JOIN clients kc ON kc.client_id = k.client_id JOIN reps kr ON kr.rep_id = k.rep_id
WHERE k.checked_at >= $start AND k.checked_at < $end AND {where_checkin}
  AND coalesce(k.adcode, kc.adcode, k.province, kc.province) IS NOT NULL
GROUP BY ALL
"""
_PLACES_SCOPES = {"where": "r", "where_visit": "vr", "where_opp": "orp", "where_checkin": "kr"}
_AREA_COLUMNS = ["area_clients", "area_visits", "area_open_deals", "area_pipeline", "area_checkins"]

#: Key accounts in scope with the day of their last visit (of any type, by anyone, by the as-of
#: date: the health score's days_since_visit).
KEY_ACCOUNTS_SQL = """
WITH ka AS (
    SELECT c.client_id, c.name AS client, c.province, c.city, c.district, c.adcode,
           c.longitude, c.latitude, r.name AS owner
    FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE c.key_account AND {where}
),
lv AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit
    FROM visits v JOIN ka USING (client_id) WHERE v.visit_date <= $as_of GROUP BY 1
)
SELECT ka.*, lv.last_visit, date_diff('day', lv.last_visit, $as_of) AS days_since_visit
FROM ka LEFT JOIN lv USING (client_id)
"""

#: Each engineer's places of the window: visits at their client's place, check-ins at theirs.
FOOTPRINT_SQL = """
WITH fr AS (SELECT r.rep_id, r.name AS rep, r.team FROM reps r
            WHERE r.role = 'sales_engineer' AND {where})
SELECT v.rep_id, v.visit_date AS day, 'visit' AS kind, c.adcode, c.province, c.city
FROM visits v JOIN fr USING (rep_id) JOIN clients c ON c.client_id = v.client_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date <= $as_of
UNION ALL
SELECT k.rep_id, CAST(k.checked_at AS DATE) AS day, 'checkin' AS kind,
       coalesce(k.adcode, kc.adcode), coalesce(k.province, kc.province), coalesce(k.city, kc.city)
FROM checkins k JOIN fr USING (rep_id) LEFT JOIN clients kc ON kc.client_id = k.client_id
WHERE k.checked_at >= $start AND k.checked_at < $after
"""
_ENGINEERS_SQL = """
SELECT r.rep_id, r.name AS rep, r.team FROM reps r
WHERE r.role = 'sales_engineer' AND r.active AND {where} ORDER BY r.name
"""

#: Points of a map, one per district (clients) so that 100,000 clients draw as a few thousand.
CLIENT_POINTS_SQL = """
SELECT c.adcode, any_value(c.province) AS province, any_value(c.city) AS city,
       any_value(c.district) AS district,
       avg(c.longitude) AS longitude, avg(c.latitude) AS latitude, count(*) AS area_clients
FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
WHERE c.longitude IS NOT NULL AND c.latitude IS NOT NULL AND {where}
GROUP BY c.adcode
"""


def _window(period: Period, as_of: date) -> tuple[date, date]:
    """The period up to the as-of date: [start, end)."""
    return period.start, min(period.end, as_of + timedelta(days=1))


def located(con: duckdb.DuckDBPyConnection, filters: Filters) -> Located:
    """The clients in scope and how many of them have a location (a map needs some)."""
    row = run(con, LOCATED_SQL, filters).iloc[0]
    return Located(int(row["clients"]), int(row["located"]))


def _with_area(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """`frame` (adcode, province, city) with `adcode_area`: the code of its `level` boundary."""
    keys = [
        tuple(None if pd.isna(v) else str(v) for v in place)
        for place in frame[["adcode", "province", "city"]].itertuples(index=False)
    ]
    codes = {key: maps.area_code(level, *key) for key in set(keys)}
    frame = frame.copy()
    frame["adcode_area"] = [codes[key] for key in keys]
    return frame


def by_area(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    area_level: str = "province",
) -> pd.DataFrame:
    """Per province or city (`area_level`, a level of salesmgmt.maps) with anything in it:
    adcode, area (its Chinese name), province, and the MEASURES area_clients, area_visits, area_open_deals, area_pipeline,
    area_checkins; the largest pipeline first. Places the boundaries do not know are left out."""
    start, end = _window(period, as_of)
    raw = run(con, PLACES_SQL, filters, {"start": start, "end": end, "as_of": as_of}, _PLACES_SCOPES)
    for column in _AREA_COLUMNS:
        if column not in raw:
            raw[column] = 0
    raw = _with_area(raw, area_level).dropna(subset=["adcode_area"])
    sums = raw.groupby("adcode_area")[_AREA_COLUMNS].sum(min_count=0).fillna(0)
    names = {a.adcode: a for a in maps.areas(area_level)}
    out = sums.reset_index().rename(columns={"adcode_area": "adcode"})
    out.insert(1, "area", [names[c].name for c in out["adcode"]])
    out.insert(2, "province", [names[c].province for c in out["adcode"]])
    for column in _AREA_COLUMNS:
        out[column] = out[column].astype("float64" if column == "area_pipeline" else "int64")
    return out.sort_values(
        ["area_pipeline", "area_clients", "adcode"], ascending=[False, False, True]
    ).reset_index(drop=True)


def key_accounts_not_visited(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, days: int = COLD_ACCOUNT_DAYS
) -> pd.DataFrame:
    """Key accounts in scope whose last visit (any type, by anyone, by `as_of`) is `days` days
    ago or more, or who were never visited: client_id, client, province, city, district,
    owner, last_visit, days_since_visit (NaN: never), longitude, latitude; never visited
    first, then the longest since."""
    frame = run(con, KEY_ACCOUNTS_SQL, filters, {"as_of": as_of})
    frame = as_dates(frame, "last_visit")
    frame["days_since_visit"] = frame["days_since_visit"].astype("float64")
    gap = frame[frame["days_since_visit"].isna() | (frame["days_since_visit"] >= days)]
    return gap.sort_values(
        ["days_since_visit", "client"], ascending=[False, True], na_position="first"
    ).reset_index(drop=True)


def cities_without_visits(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """Cities with open pipeline (area_open_deals > 0) and no visit in the period to the as-of
    date: by_area's columns at city level, the largest pipeline first."""
    cities = by_area(con, period, filters, as_of, "city")
    return cities[(cities["area_open_deals"] > 0) & (cities["area_visits"] == 0)].reset_index(drop=True)


def footprint_windows(as_of: date) -> tuple[date, date]:
    """The first days of the footprint's week (Monday) and month, both to the as-of date."""
    return as_of - timedelta(days=as_of.weekday()), as_of.replace(day=1)


def footprint(con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date) -> pd.DataFrame:
    """Each active sales engineer in scope: rep_id, rep, team, and for the week (Monday to the
    as-of date) and the month (1st to the as-of date) — week_/month_ cities_visited,
    districts_visited, area_visits, area_checkins. Visits count at their client's location
    (a visit to a client with no location counts as a visit but adds no place)."""
    week_start, month_start = footprint_windows(as_of)
    start = min(week_start, month_start)
    params = {"start": start, "as_of": as_of, "after": as_of + timedelta(days=1)}
    rows = run(con, FOOTPRINT_SQL, filters, params)
    rows = as_dates(rows, "day")
    rows = _with_area(rows, "city")
    engineers = run(con, _ENGINEERS_SQL, filters).set_index("rep_id")
    out = engineers.copy()
    for name, first in (("week", week_start), ("month", month_start)):
        part = rows[[d >= first for d in rows["day"]]] if len(rows) else rows
        grouped = part.groupby("rep_id")
        out[f"{name}_cities_visited"] = grouped["adcode_area"].nunique()
        out[f"{name}_districts_visited"] = grouped["adcode"].nunique()
        out[f"{name}_area_visits"] = part[part["kind"] == "visit"].groupby("rep_id").size()
        out[f"{name}_area_checkins"] = part[part["kind"] == "checkin"].groupby("rep_id").size()
    counts = [c for c in out.columns if c.startswith(("week_", "month_"))]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out.reset_index()


def client_points(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Clients in scope with coordinates, one point per district (adcode): adcode, province,
    city, district, longitude and latitude (the mean of its clients'), area_clients."""
    return run(con, CLIENT_POINTS_SQL, filters)

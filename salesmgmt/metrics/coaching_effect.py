"""Before and after coaching (module 2, part 6): a coached sales engineer's visit rate and win
rate in the days before a ride-along against the days from it.

Ride-alongs are matched as `salesmgmt.metrics.ride_alongs` says. Scope: a visit and a deal belong
to their rep; only active sales engineers in the Filters are compared. The page reads these
through `salesmgmt.metrics.coaching` (the glossary's visit_rate is defined there).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.metrics.core import _ratio
from salesmgmt.metrics.deals import as_dates
from salesmgmt.metrics.ride_alongs import ride_pairs
from salesmgmt.query import compose, run

#: The before/after comparison looks this many days either side of the coaching date...
BEFORE_AFTER_DAYS = 90
#: ...and by default picks the latest ride-along with at least this many days after it.
MIN_DAYS_AFTER = 30

ENGINEERS_SQL = """
SELECT r.rep_id, r.name AS rep, coalesce(r.team, '—') AS team
FROM reps r WHERE r.role = 'sales_engineer' AND r.active AND {where}
"""

BEFORE_AFTER_SQL = """
WITH a AS (SELECT * FROM {anchors}),
vis AS (
    SELECT a.rep_id,
           count(*) FILTER (WHERE v.visit_date >= a.before_from AND v.visit_date < a.coached_on)
               AS visits_before,
           count(*) FILTER (WHERE v.visit_date >= a.coached_on AND v.visit_date < a.after_to)
               AS visits_after
    FROM a JOIN visits v ON v.rep_id = a.rep_id AND v.visit_type = 'visit'
     AND v.visit_date >= a.before_from AND v.visit_date < a.after_to
    GROUP BY a.rep_id
),
deals AS (
    SELECT a.rep_id,
           count(*) FILTER (WHERE o.status = 'won' AND o.close_date < a.coached_on) AS won_before,
           count(*) FILTER (WHERE o.status = 'lost' AND o.close_date < a.coached_on) AS lost_before,
           count(*) FILTER (WHERE o.status = 'won' AND o.close_date >= a.coached_on) AS won_after,
           count(*) FILTER (WHERE o.status = 'lost' AND o.close_date >= a.coached_on) AS lost_after
    FROM a JOIN opportunities o ON o.rep_id = a.rep_id AND o.status IN ('won', 'lost')
     AND o.close_date >= a.before_from AND o.close_date < a.after_to
    GROUP BY a.rep_id
)
SELECT a.rep_id, a.coached_on, a.before_from, a.after_to,
       coalesce(vis.visits_before, 0) AS visits_before, coalesce(vis.visits_after, 0) AS visits_after,
       coalesce(deals.won_before, 0) AS won_before, coalesce(deals.lost_before, 0) AS lost_before,
       coalesce(deals.won_after, 0) AS won_after, coalesce(deals.lost_after, 0) AS lost_after
FROM a LEFT JOIN vis USING (rep_id) LEFT JOIN deals USING (rep_id)
"""


#: Each coached sales engineer's default ride-along to compare around: the latest with at least
#: MIN_DAYS_AFTER days after it up to as_of, else the latest.
ANCHORS_SQL = """
SELECT v.rep_id,
       coalesce(max(v.visit_date) FILTER (WHERE v.visit_date <= $settled), max(v.visit_date))
           AS coached_on
FROM visits v
JOIN reps r ON r.rep_id = v.rep_id
JOIN {pairs} p ON p.accompanied_by = v.accompanied_by AND p.manager = r.manager
WHERE v.visit_type = 'visit' AND v.visit_date <= $as_of
  AND r.role = 'sales_engineer' AND r.active AND {where}
GROUP BY v.rep_id
"""

RIDE_DATES_SQL = """
SELECT DISTINCT v.visit_date
FROM visits v
JOIN reps r ON r.rep_id = v.rep_id
JOIN {pairs} p ON p.accompanied_by = v.accompanied_by AND p.manager = r.manager
WHERE v.visit_type = 'visit' AND v.visit_date <= $as_of AND {where}
ORDER BY v.visit_date DESC
"""


def ride_along_dates(
    con: duckdb.DuckDBPyConnection, filters: Filters, rep_id: int, as_of: date
) -> list[date]:
    """The dates of a rep's ride-alongs up to as_of, newest first (empty outside the scope)."""
    scope = filters.one_rep(rep_id)
    with ride_pairs(con, scope) as pairs:
        frame = run(con, compose(RIDE_DATES_SQL, pairs=pairs), scope, {"as_of": as_of})
    return list(as_dates(frame, "visit_date")["visit_date"])


def before_after(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    days: int = BEFORE_AFTER_DAYS,
    coached_on: date | None = None,
    rep_id: int | None = None,
) -> pd.DataFrame:
    """Visit rate and win rate of each coached sales engineer before and after a ride-along.

    The ride-along is `coached_on` when given (with `rep_id`: that rep's comparison around that
    date), else each rep's latest ride-along at least MIN_DAYS_AFTER days before as_of (else
    their latest). Windows: [coached_on - days, coached_on) and [coached_on, coached_on + days),
    the second cut at as_of. Columns: rep_id, rep, team, coached_on, before_days, after_days,
    visits_before/after, visit_rate_before/after (per week), won/lost_before/after,
    win_rate_before/after, visit_rate_change, win_rate_change.
    """
    scope = filters if rep_id is None else filters.one_rep(rep_id)
    engineers = run(con, ENGINEERS_SQL, scope)
    if coached_on is not None:
        table = pd.DataFrame({"rep_id": engineers["rep_id"], "coached_on": coached_on})
    else:
        with ride_pairs(con, scope) as pairs:
            table = run(
                con,
                compose(ANCHORS_SQL, pairs=pairs),
                scope,
                {"as_of": as_of, "settled": as_of - timedelta(days=MIN_DAYS_AFTER)},
            )
        as_dates(table, "coached_on")
    table["before_from"] = [d - timedelta(days=days) for d in table["coached_on"]]
    table["after_to"] = [
        min(d + timedelta(days=days), as_of + timedelta(days=1)) for d in table["coached_on"]
    ]
    if table.empty:
        return _before_after_frame(
            table.assign(
                visits_before=0, visits_after=0, won_before=0, lost_before=0, won_after=0, lost_after=0
            ),
            engineers,
        )
    name = f"coaching_anchors_{uuid.uuid4().hex[:10]}"
    con.register(name, table[["rep_id", "coached_on", "before_from", "after_to"]])
    try:
        frame = con.execute(compose(BEFORE_AFTER_SQL, anchors=name)).df()
    finally:
        con.unregister(name)
    return _before_after_frame(frame, engineers)


def _before_after_frame(frame: pd.DataFrame, engineers: pd.DataFrame) -> pd.DataFrame:
    as_dates(frame, "coached_on", "before_from", "after_to")
    frame = frame.merge(engineers[["rep_id", "rep", "team"]], on="rep_id", how="left")
    frame["before_days"] = [(c - b).days for c, b in zip(frame["coached_on"], frame["before_from"])]
    frame["after_days"] = [(a - c).days for a, c in zip(frame["after_to"], frame["coached_on"])]
    for side in ("before", "after"):
        frame[f"visit_rate_{side}"] = _ratio(frame[f"visits_{side}"], frame[f"{side}_days"].astype(float) / 7)
        frame[f"win_rate_{side}"] = _ratio(frame[f"won_{side}"], frame[f"won_{side}"] + frame[f"lost_{side}"])
    frame["visit_rate_change"] = frame["visit_rate_after"] - frame["visit_rate_before"]
    frame["win_rate_change"] = frame["win_rate_after"] - frame["win_rate_before"]
    return (
        frame[
            [
                "rep_id",
                "rep",
                "team",
                "coached_on",
                "before_days",
                "after_days",
                "visits_before",
                "visits_after",
                "visit_rate_before",
                "visit_rate_after",
                "won_before",
                "lost_before",
                "won_after",
                "lost_after",
                "win_rate_before",
                "win_rate_after",
                "visit_rate_change",
                "win_rate_change",
            ]
        ]
        .sort_values(["team", "rep"])
        .reset_index(drop=True)
    )

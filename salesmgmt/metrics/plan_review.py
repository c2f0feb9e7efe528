"""The weekly review of a rep's monthly plan: planned against actual, week by week (visits
planned and made, deals won and advanced), against the visit norm.

Like every plan function it takes the user's Filters and a rep inside them (see
`plan_records.rep_in_scope`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics.plan_records import plan_detail, plan_month, plan_weeks, rep_in_scope, rep_only
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import STAGE_ORDER


def stage_rank_sql(stage_col: str) -> str:
    """A SQL expression for a stage's place in the funnel (won highest; lost and unknown -1)."""
    cases = " ".join(f"WHEN '{key}' THEN {i}" for i, key in enumerate(STAGE_ORDER) if key != "lost")
    return f"CASE {stage_col} {cases} ELSE -1 END"


#: Per day of the month: the rep's client visits, deals won and deals that moved up a stage.
REP_ACTIVITY_SQL = f"""
WITH vis AS (
    SELECT v.visit_date AS day, count(*) AS visits
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.rep_id = $rep_id AND v.visit_type = 'visit' AND v.visit_date >= $start
      AND v.visit_date < $end AND {{where}}
    GROUP BY 1
),
won AS (
    SELECT o.close_date AS day, count(*) AS won_count, sum(CAST(o.amount AS DOUBLE)) AS won_amount
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.rep_id = $rep_id AND o.status = 'won' AND o.close_date >= $start
      AND o.close_date < $end AND {{where}}
    GROUP BY 1
),
steps AS (
    SELECT h.valid_from AS day, h.opp_id, {stage_rank_sql("h.stage")} AS rank_now,
           lag({stage_rank_sql("h.stage")}) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from)
               AS rank_before
    FROM opportunity_history h JOIN reps r ON r.rep_id = h.rep_id
    WHERE h.rep_id = $rep_id AND {{where}}
),
advanced AS (
    SELECT day, count(DISTINCT opp_id) AS deals_advanced FROM steps
    WHERE rank_now > rank_before AND rank_before >= 0 AND day >= $start AND day < $end
    GROUP BY 1
),
days AS (SELECT day FROM vis UNION SELECT day FROM won UNION SELECT day FROM advanced)
SELECT days.day, coalesce(vis.visits, 0) AS visits, coalesce(won.won_count, 0) AS won_count,
       coalesce(won.won_amount, 0) AS won_amount, coalesce(advanced.deals_advanced, 0) AS deals_advanced
FROM days LEFT JOIN vis USING (day) LEFT JOIN won USING (day) LEFT JOIN advanced USING (day)
"""


def weekly_review(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> pd.DataFrame:
    """Planned against actual, week by week (the weeks of `plan_weeks`, cut to the month).

    Columns: week (Monday), norm_applies, state ('past', 'current', 'future' against as_of),
    planned, planned_done, planned_missed, visits (client visits made that week in the month),
    unplanned_visits (visits - planned_done, at least 0), won_count, won_amount, deals_advanced
    (opportunities that moved up a stage or were won), below_norm (a past week where the norm
    applies, see `plan_weeks`, whose visits fall short of it).
    """
    month = plan_month(month)
    rep_in_scope(con, rep_id, filters)
    only = rep_only(filters, rep_id)
    plan = plan_detail(con, rep_id, month, filters, as_of, revision)
    planned = plan["visits"] if plan else pd.DataFrame(columns=["week", "status"])
    activity = run(
        con,
        REP_ACTIVITY_SQL,
        only,
        {"rep_id": int(rep_id), "start": month.start, "end": min(month.end, as_of + timedelta(days=1))},
    )
    activity["day"] = pd.to_datetime(activity["day"]).dt.date
    activity["week"] = activity["day"].map(lambda d: d - timedelta(days=d.weekday()))
    by_week = activity.groupby("week")[["visits", "won_count", "won_amount", "deals_advanced"]].sum()
    rows = []
    for monday, counted in plan_weeks(month):
        mine = planned[planned["week"] == monday] if len(planned) else planned
        state = "future" if monday > as_of else "current" if monday + timedelta(days=6) >= as_of else "past"
        got: Any = by_week.loc[monday] if monday in by_week.index else None
        visits = int(got["visits"]) if got is not None else 0
        done = int((mine["status"] == "done").sum()) if len(mine) else 0
        rows.append(
            {
                "week": monday,
                "norm_applies": counted,
                "state": state,
                "planned": int(len(mine)),
                "planned_done": done,
                "planned_missed": int((mine["status"] == "missed").sum()) if len(mine) else 0,
                "visits": visits,
                "unplanned_visits": max(visits - done, 0),
                "won_count": int(got["won_count"]) if got is not None else 0,
                "won_amount": float(got["won_amount"]) if got is not None else 0.0,
                "deals_advanced": int(got["deals_advanced"]) if got is not None else 0,
                "below_norm": bool(counted and state == "past" and visits < VISIT_NORM_PER_WEEK),
            }
        )
    return pd.DataFrame(rows)

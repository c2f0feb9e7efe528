"""The director's first screen: the month-by-month trend and what needs attention."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import COLD_ACCOUNT_DAYS
from salesmgmt.metrics.core import figures, group_targets_by_month
from salesmgmt.periods import Period
from salesmgmt.query import run

MONTHLY_TREND_SQL = """
WITH fr AS (SELECT r.rep_id FROM reps r WHERE {where}),
months AS (SELECT CAST(m AS DATE) AS month FROM range($first, $end, INTERVAL 1 MONTH) t(m)),
won AS (
    SELECT CAST(date_trunc('month', o.close_date) AS DATE) AS month,
           sum(o.amount) AS won_amount, count(*) AS won_count
    FROM opportunities o JOIN fr USING (rep_id)
    WHERE o.status = 'won' AND o.close_date >= $first AND o.close_date < $end
    GROUP BY 1
),
vis AS (
    SELECT CAST(date_trunc('month', v.visit_date) AS DATE) AS month, count(*) AS visits
    FROM visits v JOIN fr USING (rep_id)
    WHERE v.visit_type = 'visit' AND v.visit_date >= $first AND v.visit_date < $end
    GROUP BY 1
)
SELECT months.month,
       CAST(coalesce(won.won_amount, 0) AS DOUBLE) AS won_amount,
       coalesce(won.won_count, 0) AS won_count,
       coalesce(vis.visits, 0) AS visits
FROM months LEFT JOIN won USING (month) LEFT JOIN vis USING (month)
ORDER BY months.month
"""

COLD_KEY_ACCOUNTS_SQL = """
WITH fr AS (SELECT r.rep_id, r.name, r.team FROM reps r WHERE {where}),
last_visit AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit, count(*) AS visits_total
    FROM visits v WHERE v.visit_date <= $as_of GROUP BY 1
),
pipe AS (
    SELECT o.client_id, sum(o.amount) AS open_amount, count(*) AS open_count
    FROM opportunities o WHERE o.status = 'open' GROUP BY 1
)
SELECT c.client_id, c.name AS client, c.client_type, fr.name AS owner, fr.team,
       lv.last_visit, date_diff('day', lv.last_visit, $as_of) AS days_since_visit,
       CAST(coalesce(pipe.open_amount, 0) AS DOUBLE) AS open_amount
FROM clients c
JOIN fr ON fr.rep_id = c.owner_rep_id
LEFT JOIN last_visit lv ON lv.client_id = c.client_id
LEFT JOIN pipe ON pipe.client_id = c.client_id
WHERE c.key_account
  AND (lv.last_visit IS NULL OR date_diff('day', lv.last_visit, $as_of) >= $days)
ORDER BY lv.last_visit NULLS FIRST, open_amount DESC
"""


def monthly_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, months: int = 12
) -> pd.DataFrame:
    """Won, target and visits per month for the `months` months ending with `last`'s last month."""
    end = last.end
    first = Period.month_of(last.last_day).shift(-(months - 1)).start
    frame = run(con, MONTHLY_TREND_SQL, filters, {"first": first, "end": end})
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    # The same target rule as everywhere: region targets (own, else their teams') summed.
    groups = group_targets_by_month(con, Period("month", first, end), filters)
    by_month = groups[groups["level"] == "region"].groupby("month")["target"].sum()
    frame["target"] = frame["month"].map(by_month).astype("float64")
    frame["attainment"] = frame["won_amount"] / frame["target"].where(frame["target"] > 0)
    return frame


def cold_key_accounts(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, days: int = COLD_ACCOUNT_DAYS
) -> pd.DataFrame:
    """Key accounts (owned by reps in the filter) with no visit for `days` days, coldest first."""
    frame = run(con, COLD_KEY_ACCOUNTS_SQL, filters, {"as_of": as_of, "days": days})
    return frame


def attention(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> dict[str, pd.DataFrame]:
    """What needs the director's attention in the period.

    - teams_behind: teams whose forecast is below 90% of target, or whose won amount is behind
      the share of the target that the elapsed part of the period would call for by over 20%;
    - reps_below_norm: sales engineers meeting the visit norm in fewer than half the weeks;
    - cold_accounts: key accounts with no visit for COLD_ACCOUNT_DAYS days.
    """
    teams = figures(con, period, filters, as_of, level="team", with_probability=False)
    elapsed = _elapsed_share(period, as_of)
    expected = teams["target"] * elapsed
    behind = teams[(teams["forecast_attainment"] < 0.9) | (teams["won_amount"] < expected * 0.8)].copy()
    behind = behind.sort_values("forecast_attainment")
    reps = figures(con, period, filters, as_of, level="rep", with_probability=False)
    below = reps[
        (reps["role"] == "sales_engineer")
        & (reps["weeks"] > 0)
        & (reps["weeks_meeting_norm"] < reps["weeks"] / 2)
    ].copy()
    below["visits_per_week"] = below["visits"] / below["weeks"]
    below = below.sort_values("visits_per_week")
    return {
        "teams_behind": behind.reset_index(drop=True),
        "reps_below_norm": below.reset_index(drop=True),
        "cold_accounts": cold_key_accounts(con, filters, as_of),
    }


def _elapsed_share(period: Period, as_of: date) -> float:
    """Share of the period's days up to and including as_of (0..1)."""
    total = (period.end - period.start).days
    done = (min(as_of + timedelta(days=1), period.end) - period.start).days
    return max(0.0, min(1.0, done / total))

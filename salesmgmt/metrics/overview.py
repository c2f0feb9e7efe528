"""The director's first screen: the month-by-month trend and what needs attention."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import COLD_ACCOUNT_DAYS, Measure
from salesmgmt.metrics.core import figures, first_days, group_targets_by_month, totals
from salesmgmt.periods import Period
from salesmgmt.query import run

#: Behind target: forecast below this share of the target ...
BEHIND_FORECAST_SHARE = 0.9
#: ... or won below this share of the target's pace (the target times the share of the period elapsed).
BEHIND_PACE_SHARE = 0.8

MEASURES: list[Measure] = [
    Measure(
        "first_days",
        "First days of a period",
        "期初",
        "count",
        "The days of a period before its first complete Monday-to-Sunday week is over (1-13 December "
        "2026, say, as 1 December is a Tuesday). In them no counted week is complete, so pace and "
        "the visit norm are not judged and pages show the last complete week or period beside them.",
    ),
    Measure(
        "change_same_days",
        "Change against the same days",
        "同期变化",
        "percent",
        "The period so far against the same days of the previous period: won, attainment and "
        "visits of 1-3 December against 1-3 November (the previous period cut to as many days as "
        "have elapsed, its last day at most). Forecast is a whole-period figure and is compared "
        "with the whole previous period.",
    ),
    Measure(
        "behind_target",
        "Behind target",
        "落后于目标",
        "count",
        f"A team whose forecast is below {BEHIND_FORECAST_SHARE:.0%} of its target, or, once the "
        f"first days are over, whose won amount is below {BEHIND_PACE_SHARE:.0%} of its pace (the "
        "target times the share of the period's days elapsed). In the first days only the forecast "
        "is judged: one day's won amount against a month says nothing.",
    ),
]

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

    - teams_behind: teams behind target (measure behind_target: forecast below 90% of target, or
      after the first days won below 80% of the target's pace);
    - reps_below_norm: sales engineers meeting the visit norm in fewer than half the weeks;
    - cold_accounts: key accounts with no visit for COLD_ACCOUNT_DAYS days.
    """
    teams = figures(con, period, filters, as_of, level="team", with_probability=False)
    behind_mask = teams["forecast_attainment"] < BEHIND_FORECAST_SHARE
    if not first_days(period, as_of):
        expected = teams["target"] * _elapsed_share(period, as_of)
        behind_mask |= teams["won_amount"] < expected * BEHIND_PACE_SHARE
    behind = teams[behind_mask].copy()
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


def same_days_before(period: Period, as_of: date, compared: Period | None = None) -> Period:
    """The previous period (or `compared`, say the same period last year) cut to the days of
    `period` elapsed at `as_of` (measure change_same_days): 1-3 November for December as of
    3 December; the whole previous period once `period` is over."""
    previous = compared or period.previous()
    days = (min(as_of, period.last_day) - period.start).days + 1
    end = min(previous.start + timedelta(days=max(days, 1)), previous.end)
    return Period(previous.kind, previous.start, end)


def totals_same_days_before(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> dict[str, Any]:
    """`core.totals` of the same days of the previous period (`same_days_before`), to compare the
    period so far with: won, visits and attainment (won so far / the whole previous target) of
    those days; target and forecast of the whole previous period (whole-period figures)."""
    previous = period.previous()
    whole = totals(con, previous, filters, previous.as_of(as_of), False)
    cut = same_days_before(period, as_of)
    before = totals(con, cut, filters, cut.last_day, False)
    target = whole["target"]
    before["target"] = target
    before["attainment"] = before["won_amount"] / target if target else None
    before["forecast"] = whole["forecast"]
    before["forecast_attainment"] = whole["forecast_attainment"]
    return before

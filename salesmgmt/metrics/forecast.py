"""The Forecast page's figures beyond the core ones: the gap and the pipeline needed to close it,
pipeline coverage, forecast movement between two dates, and forecast accuracy over past periods.

Movement and accuracy read `opportunity_history`, which holds change intervals: a row is the
state of an opportunity from `valid_from` (inclusive) to `valid_to` (exclusive; NULL while
current). The state "on day d" is the row with valid_from <= d < valid_to, so it includes the
changes recorded on d. Every query joins its facts to the reps in the Filters (the rep the
opportunity belonged to in that state).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import COMMIT_MIN_PROBABILITY, Measure
from salesmgmt.metrics.core import NO_GROUP, _ratio, figures, group_targets_by_month
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import stage_probability_sql

#: Months of closed deals before the period that give the historical win rate.
HISTORY_MONTHS = 12

#: Movement categories, in the order of the waterfall (inflows, then outflows).
CATEGORIES = ("new", "pulled_in", "amount_up", "amount_down", "pushed_out", "won", "lost", "other")

MEASURES: list[Measure] = [
    Measure(
        "historical_win_rate",
        "Historical win rate",
        "历史赢率",
        "percent",
        f"win_rate over the {HISTORY_MONTHS} months before the period starts: deals won / "
        "(won + lost) with a close date in those months; empty when none closed.",
    ),
    Measure(
        "pipeline_needed",
        "Pipeline needed",
        "所需商机",
        "money",
        "gap / historical_win_rate: the open pipeline closing in the period that would close "
        "the gap at the historical win rate; 0 when the target is reached; empty without a "
        "target or a historical win rate.",
    ),
    Measure(
        "pipeline_shortfall",
        "Pipeline to add",
        "需新增商机",
        "money",
        "max(pipeline_needed - open_amount, 0).",
    ),
    Measure(
        "pipeline_coverage",
        "Pipeline coverage",
        "商机覆盖倍数",
        "number",
        "open_amount / gap (how many times the open pipeline of the period covers what is "
        "left to win); empty when the target is reached or not set.",
    ),
    Measure(
        "forecast_movement",
        "Forecast movement",
        "预测变动",
        "money",
        "How the open pipeline of the period (open opportunities with an expected close date "
        "in the period) changed from the state on day d0 to the state on day d1, read from the "
        "opportunity history. Each opportunity falls in one category: new (did not exist on "
        "d0), pulled_in (existed on d0, open, expected to close outside the period, now inside "
        "it), amount_up / amount_down (in the period on both days, amount changed; the "
        "difference), pushed_out (open on d1 with its expected close date moved outside the "
        "period), won / lost (in the period's pipeline on d0, won / lost by d1), other "
        "(reassigned to or from a rep outside the filter, reopened, or removed). Inflows count "
        "the amount on d1, outflows the amount on d0, so start + the changes = end.",
    ),
    Measure(
        "forecast_at_start",
        "Forecast at the start",
        "期初预测",
        "money",
        "The forecast as it stood on the period's first day, from the opportunity history: "
        "deals already won with a close date in the period plus amount x probability of the "
        "deals open that day with an expected close date in the period (stage defaults where "
        "a row has no probability). Empty for periods before the history begins.",
    ),
    Measure(
        "forecast_accuracy",
        "Forecast accuracy",
        "预测准确率",
        "percent",
        "1 - |won_amount - forecast_at_start| / won_amount, at least 0; empty when nothing "
        "was won or there is no forecast at the start.",
    ),
]

_HIST_PROBABILITY = stage_probability_sql("h.stage", "h.probability")

#: Won and lost counts per rep in a window (the historical win rate).
HISTORICAL_WIN_SQL = """
SELECT o.rep_id,
       count(*) FILTER (WHERE o.status = 'won') AS hist_won,
       count(*) FILTER (WHERE o.status = 'lost') AS hist_lost
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
WHERE o.status IN ('won', 'lost') AND o.close_date >= $from AND o.close_date < $to AND {where}
GROUP BY o.rep_id
"""

#: The state of every opportunity on d0 and on d1, for those in the period's pipeline on either.
MOVEMENT_SQL = f"""
WITH fr AS (SELECT r.rep_id, r.name FROM reps r WHERE {{where}}),
-- The states on d0 and d1 in one scan; only opportunities open in the period's pipeline on
-- one of the two days can count.
alive AS (
    SELECT h.opp_id, h.rep_id, h.stage, h.status, CAST(coalesce(h.amount, 0) AS DOUBLE) AS amount,
           {_HIST_PROBABILITY} AS p, h.expected_close_date AS close_expected, h.client_id,
           h.valid_from <= $d0 AND (h.valid_to IS NULL OR h.valid_to > $d0) AS at0,
           h.valid_from <= $d1 AND (h.valid_to IS NULL OR h.valid_to > $d1) AS at1
    FROM opportunity_history h
    WHERE h.valid_from <= $d1 AND (h.valid_to IS NULL OR h.valid_to > $d0)
),
candidates AS (
    SELECT DISTINCT opp_id FROM alive
    WHERE status = 'open' AND close_expected BETWEEN $start AND $last
),
s0 AS (SELECT * FROM alive WHERE at0 AND opp_id IN (SELECT opp_id FROM candidates)),
s1 AS (SELECT * FROM alive WHERE at1 AND opp_id IN (SELECT opp_id FROM candidates)),
joined AS (
    SELECT coalesce(s1.opp_id, s0.opp_id) AS opp_id,
           s0.opp_id IS NOT NULL AS existed0, s1.opp_id IS NOT NULL AS exists1,
           s0.rep_id IN (SELECT rep_id FROM fr) AS scoped0,
           s1.rep_id IN (SELECT rep_id FROM fr) AS scoped1,
           s0.status AS status0, s1.status AS status1,
           s0.close_expected BETWEEN $start AND $last AS dated0,
           s1.close_expected BETWEEN $start AND $last AS dated1,
           s0.amount AS amount0, s1.amount AS amount1, s0.p AS p0, s1.p AS p1,
           s0.stage AS stage0, s1.stage AS stage1,
           s0.close_expected AS close_expected0, s1.close_expected AS close_expected1,
           coalesce(s1.rep_id, s0.rep_id) AS rep_id, coalesce(s1.client_id, s0.client_id) AS client_id
    FROM s0 FULL OUTER JOIN s1 ON s0.opp_id = s1.opp_id
),
flagged AS (
    SELECT *,
           coalesce(scoped0 AND status0 = 'open' AND dated0, FALSE) AS in0,
           coalesce(scoped1 AND status1 = 'open' AND dated1, FALSE) AS in1
    FROM joined
)
SELECT f.opp_id, coalesce(o.name, f.opp_id) AS opportunity, c.name AS client, rp.name AS rep,
       CASE
         WHEN in0 AND in1 THEN CASE WHEN amount1 > amount0 THEN 'amount_up'
                                    WHEN amount1 < amount0 THEN 'amount_down' END
         WHEN in1 AND NOT existed0 THEN 'new'
         WHEN in1 AND coalesce(scoped0, FALSE) AND status0 = 'open' THEN 'pulled_in'
         WHEN in1 THEN 'other'
         WHEN in0 AND scoped1 AND status1 = 'won' THEN 'won'
         WHEN in0 AND scoped1 AND status1 = 'lost' THEN 'lost'
         WHEN in0 AND scoped1 AND status1 = 'open' THEN 'pushed_out'
         ELSE 'other'
       END AS category,
       CASE WHEN in0 THEN amount0 ELSE 0 END AS amount_before,
       CASE WHEN in1 THEN amount1 ELSE 0 END AS amount_after,
       stage0 AS stage_before, stage1 AS stage_after, status1 AS status_after,
       close_expected0 AS close_expected_before, close_expected1 AS close_expected_after,
       p0 AS probability_before, p1 AS probability_after
FROM flagged f
LEFT JOIN opportunities o ON o.opp_id = f.opp_id
LEFT JOIN clients c ON c.client_id = f.client_id
LEFT JOIN reps rp ON rp.rep_id = f.rep_id
WHERE in0 OR in1
ORDER BY f.opp_id
"""

#: Per past period: the forecast on its first day (from history) and what was won in it.
ACCURACY_SQL = f"""
WITH fr AS (SELECT r.rep_id FROM reps r WHERE {{where}}),
periods AS (
    SELECT CAST(s AS DATE) AS start, CAST(s + to_months($step) AS DATE) AS stop
    FROM range(CAST($first AS TIMESTAMP), CAST($stop AS TIMESTAMP), to_months($step)) t(s)
),
-- Only states that can count: won, or open, with their date in one of the periods.
states AS (
    SELECT h.* FROM opportunity_history h
    WHERE h.valid_from < $stop AND (h.valid_to IS NULL OR h.valid_to > $first)
      AND ((h.status = 'won' AND h.close_date >= $first AND h.close_date < $stop)
           OR (h.status = 'open' AND h.expected_close_date >= $first
               AND h.expected_close_date < $stop))
),
snap AS (
    SELECT p.start, p.stop, h.status, CAST(coalesce(h.amount, 0) AS DOUBLE) AS amount,
           {_HIST_PROBABILITY} AS p, h.expected_close_date, h.close_date
    FROM periods p
    JOIN states h ON h.valid_from <= p.start AND (h.valid_to IS NULL OR h.valid_to > p.start)
    JOIN fr ON fr.rep_id = h.rep_id
),
at_start AS (
    SELECT start,
           coalesce(sum(amount) FILTER (WHERE status = 'won' AND close_date >= start
                                             AND close_date < stop), 0) AS won_before,
           coalesce(sum(amount * p) FILTER (WHERE status = 'open' AND expected_close_date >= start
                                                 AND expected_close_date < stop), 0) AS weighted_at_start,
           coalesce(sum(amount) FILTER (WHERE status = 'open' AND expected_close_date >= start
                                             AND expected_close_date < stop), 0) AS open_at_start,
           coalesce(sum(amount) FILTER (WHERE status = 'open' AND expected_close_date >= start
                                             AND expected_close_date < stop AND p >= $commit_p), 0)
               AS commit_open_at_start
    FROM snap GROUP BY start
),
won AS (
    SELECT p.start, sum(CAST(o.amount AS DOUBLE)) AS won_amount
    FROM periods p
    JOIN opportunities o ON o.status = 'won' AND o.close_date >= p.start AND o.close_date < p.stop
    JOIN fr ON fr.rep_id = o.rep_id
    GROUP BY p.start
)
SELECT p.start, p.stop,
       at_start.won_before, at_start.weighted_at_start, at_start.open_at_start,
       at_start.commit_open_at_start,
       coalesce(won.won_amount, 0) AS won_amount
FROM periods p LEFT JOIN at_start USING (start) LEFT JOIN won USING (start)
ORDER BY p.start
"""

REP_GROUPS_SQL = f"""
SELECT r.rep_id, coalesce(r.team, '{NO_GROUP}') AS team, coalesce(r.region, '{NO_GROUP}') AS region
FROM reps r WHERE {{where}}
"""

HISTORY_START_SQL = """
SELECT min(h.valid_from) FROM opportunity_history h JOIN reps r ON r.rep_id = h.rep_id WHERE {where}
"""


def historical_win_counts(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pd.DataFrame:
    """Won and lost counts per rep over the HISTORY_MONTHS months before the period."""
    named = {"from": Period.month_of(period.start).shift(-HISTORY_MONTHS).start, "to": period.start}
    return run(con, HISTORICAL_WIN_SQL, filters, named)


def gap_analysis(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, level: str = "rep"
) -> pd.DataFrame:
    """`core.figures` at `level` plus historical_win_rate, pipeline_needed, pipeline_shortfall
    and pipeline_coverage (see MEASURES)."""
    frame = figures(con, period, filters, as_of, level=level)
    counts = historical_win_counts(con, period, filters)
    if level in ("rep", "team", "region"):
        key = "rep_id" if level == "rep" else level
        if level != "rep":
            reps = run(con, REP_GROUPS_SQL, filters)
            counts = counts.merge(reps, on="rep_id", how="inner")
        grouped = counts.groupby(key)[["hist_won", "hist_lost"]].sum()
        won = frame[key].map(grouped["hist_won"]).fillna(0)
        lost = frame[key].map(grouped["hist_lost"]).fillna(0)
    else:
        won = pd.Series(float(counts["hist_won"].sum()), index=frame.index)
        lost = pd.Series(float(counts["hist_lost"].sum()), index=frame.index)
    frame["historical_win_rate"] = _ratio(won, won + lost)
    frame["pipeline_needed"] = frame["gap"] / frame["historical_win_rate"].where(
        frame["historical_win_rate"] > 0
    )
    frame.loc[frame["gap"] == 0, "pipeline_needed"] = 0.0
    frame["pipeline_shortfall"] = (frame["pipeline_needed"] - frame["open_amount"]).clip(lower=0)
    frame["pipeline_coverage"] = _ratio(frame["open_amount"], frame["gap"])
    return frame


def gap_totals(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date) -> dict:
    """gap_analysis for everything in the filter, as a dict (None where empty)."""
    row = gap_analysis(con, period, filters, as_of, level="total").iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}


class ForecastMovement(TypedDict):
    """How a period's open pipeline moved between two days."""

    #: Open pipeline on d0 (CNY).
    start: float
    #: Open pipeline on d1 (CNY).
    end: float
    #: category, amount, deals in CATEGORIES order (zero rows left out).
    steps: pd.DataFrame
    #: One row per opportunity that changed: its category, amounts, stages and expected close
    #: dates before and after.
    deals: pd.DataFrame


def forecast_movement(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, d0: date, d1: date
) -> ForecastMovement:
    """How the period's open pipeline moved from day d0 to day d1 (see MEASURES and
    ForecastMovement)."""
    if d1 < d0:
        d0, d1 = d1, d0
    named = {"d0": d0, "d1": d1, "start": period.start, "last": period.last_day}
    deals = run(con, MOVEMENT_SQL, filters, named)
    start = float(deals["amount_before"].sum())
    end = float(deals["amount_after"].sum())
    deals = deals[deals["category"].notna()].copy()
    deals["change"] = deals["amount_after"] - deals["amount_before"]
    for col in ("close_expected_before", "close_expected_after"):
        deals[col] = pd.to_datetime(deals[col]).dt.date
    order = {c: i for i, c in enumerate(CATEGORIES)}
    deals = deals.sort_values(
        ["category", "change"], key=lambda s: s.map(order) if s.name == "category" else -s.abs()
    ).reset_index(drop=True)
    steps = (
        deals.groupby("category")
        .agg(amount=("change", "sum"), deals=("opp_id", "count"))
        .reindex(CATEGORIES)
        .dropna()
        .reset_index()
    )
    steps["deals"] = steps["deals"].astype("int64")
    return ForecastMovement(start=start, end=end, steps=steps, deals=deals)


def forecast_accuracy(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, count: int = 6
) -> pd.DataFrame:
    """Forecast at the start against won, for the `count` periods of `period`'s kind that ended
    on or before as_of (the newest last).

    Columns: period (str), start, forecast_at_start, commit_at_start, open_at_start,
    won_amount, target, forecast_accuracy.
    """
    last = Period.containing(as_of + timedelta(days=1), period.kind).previous()
    first = last.shift(-(count - 1))
    named = {"first": first.start, "stop": last.end, "step": last.months, "commit_p": COMMIT_MIN_PROBABILITY}
    frame = run(con, ACCURACY_SQL, filters, named)
    frame["start"] = pd.to_datetime(frame["start"]).dt.date
    first_state: Any = run(con, HISTORY_START_SQL, filters).iloc[0, 0]
    history_from = None if first_state is None or pd.isna(first_state) else pd.Timestamp(first_state).date()
    covered = frame["start"].map(lambda s: history_from is not None and s >= history_from)
    frame["forecast_at_start"] = (frame["won_before"] + frame["weighted_at_start"]).where(covered)
    frame["commit_at_start"] = (frame["won_before"] + frame["commit_open_at_start"]).where(covered)
    frame["open_at_start"] = frame["open_at_start"].where(covered)
    targets = group_targets_by_month(con, Period(last.kind, first.start, last.end), filters)
    by_month = targets[targets["level"] == "region"].groupby("month")["target"].sum()
    periods = [first.shift(i) for i in range(count)]
    frame["period"] = [str(p) for p in periods]
    frame["target"] = [
        float(sum(by_month.get(m, 0.0) for m in p.month_starts()))
        if any(m in by_month.index for m in p.month_starts())
        else np.nan
        for p in periods
    ]
    won = frame["won_amount"].astype("float64")
    error = (won - frame["forecast_at_start"]).abs() / won.where(won > 0)
    frame["forecast_accuracy"] = (1 - error).clip(lower=0)
    return frame[
        [
            "period",
            "start",
            "forecast_at_start",
            "commit_at_start",
            "open_at_start",
            "won_amount",
            "target",
            "forecast_accuracy",
        ]
    ]

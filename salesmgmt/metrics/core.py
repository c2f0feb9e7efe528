"""The core figures of a period, per rep, team, region or in total (module 1's definitions).

Every figure is defined in `salesmgmt.measures` (and so in docs/glossary.md). Aggregation happens
in DuckDB; what reaches pandas is one row per rep at most.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from itertools import product as _product
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import (
    BEST_CASE_MIN_PROBABILITY,
    COMMIT_MIN_PROBABILITY,
    PROBABILITY_BATCH,
    PROBABILITY_CONDITIONED,
    PROBABILITY_DRAWS,
    PROBABILITY_NEGLIGIBLE,
    PROBABILITY_SEED,
    VISIT_NORM_PER_WEEK,
)
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import stage_probability_sql

LEVELS = ("rep", "team", "region", "total")
NO_GROUP = "—"

_EFFECTIVE_PROBABILITY = stage_probability_sql("o.stage", "o.probability")

#: One row per rep in the filter: the period's facts. Parameters: see `rep_figures`.
REP_FIGURES_SQL = f"""
WITH fr AS (
    SELECT r.rep_id, r.name, r.team, r.region, r.role, r.active FROM reps r WHERE {{where}}
),
closed AS (
    SELECT o.rep_id,
           sum(o.amount) FILTER (WHERE o.status = 'won') AS won_amount,
           count(*) FILTER (WHERE o.status = 'won') AS won_count,
           count(*) FILTER (WHERE o.status = 'lost') AS lost_count
    FROM opportunities o
    WHERE o.status IN ('won', 'lost') AND o.close_date >= $start AND o.close_date < $end
    GROUP BY o.rep_id
),
open_deals AS (
    SELECT o.rep_id, o.amount, {_EFFECTIVE_PROBABILITY} AS p
    FROM opportunities o
    WHERE o.status = 'open' AND o.expected_close_date >= $start AND o.expected_close_date < $end
),
pipe AS (
    SELECT rep_id,
           sum(amount) AS open_amount,
           sum(amount * p) AS weighted_amount,
           coalesce(sum(amount) FILTER (WHERE p >= $commit_p), 0) AS commit_open,
           coalesce(sum(amount) FILTER (WHERE p >= $best_p AND p < $commit_p), 0) AS best_open,
           count(*) AS open_count
    FROM open_deals GROUP BY rep_id
),
vis AS (
    SELECT v.rep_id, count(*) AS visits
    FROM visits v
    WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end
    GROUP BY v.rep_id
),
weekly AS (
    SELECT v.rep_id, date_trunc('week', v.visit_date) AS week, count(*) AS n
    FROM visits v
    WHERE v.visit_type = 'visit'
      AND v.visit_date >= $week_from AND v.visit_date < $week_to
    GROUP BY ALL
),
norm AS (
    SELECT rep_id, count(*) FILTER (WHERE n >= $norm) AS weeks_meeting_norm,
           sum(n) AS week_visits
    FROM weekly GROUP BY rep_id
),
tgt AS (
    SELECT TRY_CAST(t.scope_key AS INTEGER) AS rep_id, sum(t.amount) AS target
    FROM targets t
    WHERE t.scope_kind = 'rep' AND t.month >= $start AND t.month < $end
    GROUP BY 1
)
SELECT fr.rep_id, fr.name AS rep, coalesce(fr.team, '{NO_GROUP}') AS team,
       coalesce(fr.region, '{NO_GROUP}') AS region, fr.role, fr.active,
       CAST(tgt.target AS DOUBLE) AS target,
       CAST(coalesce(closed.won_amount, 0) AS DOUBLE) AS won_amount,
       coalesce(closed.won_count, 0) AS won_count,
       coalesce(closed.lost_count, 0) AS lost_count,
       CAST(coalesce(pipe.open_amount, 0) AS DOUBLE) AS open_amount,
       CAST(coalesce(pipe.weighted_amount, 0) AS DOUBLE) AS weighted_amount,
       CAST(coalesce(pipe.commit_open, 0) AS DOUBLE) AS commit_open,
       CAST(coalesce(pipe.best_open, 0) AS DOUBLE) AS best_open,
       coalesce(pipe.open_count, 0) AS open_count,
       coalesce(vis.visits, 0) AS visits,
       coalesce(norm.weeks_meeting_norm, 0) AS weeks_meeting_norm,
       coalesce(norm.week_visits, 0) AS week_visits
FROM fr
LEFT JOIN closed USING (rep_id)
LEFT JOIN pipe USING (rep_id)
LEFT JOIN vis USING (rep_id)
LEFT JOIN norm USING (rep_id)
LEFT JOIN tgt USING (rep_id)
ORDER BY fr.team NULLS LAST, fr.name
"""

#: Team and region targets of their own, per month (they override the sum of the level below).
GROUP_TARGETS_SQL = """
SELECT scope_kind, scope_key, month, CAST(amount AS DOUBLE) AS amount
FROM targets
WHERE scope_kind IN ('team', 'region') AND month >= $start AND month < $end
"""

#: Rep targets per month (for the month-by-month fallback of team and region targets).
REP_MONTH_TARGETS_SQL = """
SELECT TRY_CAST(t.scope_key AS INTEGER) AS rep_id, t.month, CAST(t.amount AS DOUBLE) AS amount
FROM targets t JOIN reps r ON TRY_CAST(t.scope_key AS INTEGER) = r.rep_id
WHERE t.scope_kind = 'rep' AND t.month >= $start AND t.month < $end AND {where}
"""

#: The open deals of the period, for the probability of making the target.
OPEN_DEALS_SQL = f"""
SELECT o.rep_id, coalesce(r.team, '{NO_GROUP}') AS team, coalesce(r.region, '{NO_GROUP}') AS region,
       CAST(o.amount AS DOUBLE) AS amount, {_EFFECTIVE_PROBABILITY} AS p
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
WHERE o.status = 'open' AND o.expected_close_date >= $start AND o.expected_close_date < $end
  AND o.amount > 0 AND {{where}}
"""


def week_window(period: Period, as_of: date) -> tuple[date, date, int]:
    """Mondays counted for the visit norm: Monday in the period and on or before as_of.

    Returns (first Monday, the day after the last counted week's Sunday, number of weeks).
    """
    first = period.start + timedelta(days=(7 - period.start.weekday()) % 7)
    last_allowed = min(period.end - timedelta(days=1), as_of)
    if first > last_allowed:
        return first, first, 0
    weeks = (last_allowed - first).days // 7 + 1
    return first, first + timedelta(days=7 * weeks), weeks


def complete_weeks(period: Period, as_of: date) -> int:
    """Monday-to-Sunday weeks wholly inside `period` whose Sunday is on or before `as_of`."""
    first = period.start + timedelta(days=(7 - period.start.weekday()) % 7)
    last = min(period.end - timedelta(days=1), as_of)
    return max(0, ((last - first).days + 1) // 7)


def first_complete_week_end(period: Period) -> date:
    """The Sunday that ends the first complete Monday-to-Sunday week of `period`."""
    return period.start + timedelta(days=(7 - period.start.weekday()) % 7 + 6)


def first_days(period: Period, as_of: date) -> bool:
    """True in the first days of `period`: before its first complete week is over at `as_of`
    (measure first_days)."""
    return complete_weeks(period, as_of) == 0


def _params(period: Period, as_of: date) -> dict:
    week_from, week_to, _ = week_window(period, as_of)
    named = {
        "start": period.start,
        "end": period.end,
        "week_from": week_from,
        "week_to": week_to,
        "norm": VISIT_NORM_PER_WEEK,
        "commit_p": COMMIT_MIN_PROBABILITY,
        "best_p": BEST_CASE_MIN_PROBABILITY,
    }
    return named


def rep_figures(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per rep in the filter with the raw facts of the period."""
    return run(con, REP_FIGURES_SQL, filters, _params(period, as_of))


def region_of_team(reps: pd.DataFrame) -> pd.Series:
    """The region most of each team's reps are in (the first by name on a tie), by team name
    (sorted); None for a team none of whose reps has a region. Reps without a team are left out."""
    teams = reps.dropna(subset=["team"])
    counts = (
        teams.dropna(subset=["region"])
        .groupby(["team", "region"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["team", "n", "region"], ascending=[True, False, True])
    )
    best = counts.drop_duplicates("team").set_index("team")["region"]
    best = best.reindex(sorted(teams["team"].unique())).astype(object)
    return best.where(best.notna(), None)


def group_targets_by_month(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, reps: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Targets per month at team and region level, with the month-by-month fallback.

    A team's (region's) own target for a month wins; else the sum of its reps' (teams') targets
    of that month. A team belongs to the region most of its reps are in. With a rep filter (or a
    rep's own scope), own group targets are ignored: the figure is the reps'.
    Returns columns level ('team' | 'region'), key, month, target.
    """
    named = {"start": period.start, "end": period.end}
    if reps is None:
        reps = run(
            con,
            "SELECT r.rep_id, coalesce(r.team, '" + NO_GROUP + "') AS team, "
            "coalesce(r.region, '" + NO_GROUP + "') AS region FROM reps r WHERE {where}",
            filters,
        )
    rep_months = run(con, REP_MONTH_TARGETS_SQL, filters, named)
    own = con.execute(GROUP_TARGETS_SQL, named).df()
    if filters.rep_ids or filters.scope_rep_ids is not None:
        own = own.iloc[0:0]
    team_region = region_of_team(reps)
    rep_team = reps.set_index("rep_id")["team"]
    months = period.month_starts()
    rep_months["team"] = rep_months["rep_id"].map(rep_team)
    rep_months["month"] = pd.to_datetime(rep_months["month"]).dt.date
    own["month"] = pd.to_datetime(own["month"]).dt.date
    own_of = {
        (kind, key, month): amount
        for kind, key, month, amount in own[["scope_kind", "scope_key", "month", "amount"]].itertuples(
            index=False
        )
    }
    rep_sum = rep_months.groupby(["team", "month"])["amount"].sum().to_dict()

    rows: list[tuple[str, str, date, float]] = []
    team_month: dict[tuple[str, date], float] = {}
    for team, month in _product(team_region.index, months):
        value = own_of.get(("team", team, month), rep_sum.get((team, month)))
        if value is not None:
            team_month[(team, month)] = value
            rows.append(("team", team, month, value))
    teams_of: dict[str, list[Any]] = {}
    for team, region in team_region.items():
        teams_of.setdefault(region, []).append(team)
    for region, month in _product(sorted(set(team_region.values)), months):
        value = own_of.get(("region", region, month))
        if value is None:
            parts = [team_month[(team, month)] for team in teams_of[region] if (team, month) in team_month]
            value = sum(parts) if parts else None
        if value is not None:
            rows.append(("region", region, month, value))
    return pd.DataFrame(rows, columns=["level", "key", "month", "target"])


def _group_targets(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, reps: pd.DataFrame
) -> tuple[dict[str, float], dict[str, float], float | None]:
    """Team, region and total targets of the period (see group_targets_by_month)."""
    monthly = group_targets_by_month(con, period, filters, reps)
    sums = monthly.groupby(["level", "key"])["target"].sum()
    team = sums["team"].to_dict() if "team" in sums.index.get_level_values(0) else {}
    region = sums["region"].to_dict() if "region" in sums.index.get_level_values(0) else {}
    return team, region, (float(sum(region.values())) if region else None)


#: Deals enumerated exactly: all of them up to EXACT_DEALS; beyond, the PROBABILITY_CONDITIONED
#: deals of the largest variance, for each draw of the others.
EXACT_DEALS = 18


def _enumerate(amounts: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of the deals closing: its total and its probability."""
    masks = ((np.arange(2 ** len(amounts))[:, None] >> np.arange(len(amounts))) & 1).astype(bool)
    return masks @ amounts, np.prod(np.where(masks, probs, 1 - probs), axis=1)


def _attainment_probability(amounts: np.ndarray, probs: np.ndarray, gap: float) -> float:
    """P(sum of amounts of the deals that close >= gap), deals closing independently.

    Exact for up to EXACT_DEALS deals. Beyond, 0 (1) when Hoeffding's inequality puts the chance
    below PROBABILITY_NEGLIGIBLE (above 1 - PROBABILITY_NEGLIGIBLE); else Monte Carlo with a fixed
    seed: the deals but the PROBABILITY_CONDITIONED of the largest variance are drawn, and for
    each draw the chance that those make up the rest is exact (a conditional expectation: the
    same mean, less spread). In batches of PROBABILITY_BATCH draws until the standard error is at most that of
    PROBABILITY_DRAWS plain draws at 50% (which is also the most drawn).
    """
    if gap <= 0:
        return 1.0
    if amounts.sum() < gap:
        return 0.0
    if len(amounts) <= EXACT_DEALS:
        totals, weights = _enumerate(amounts, probs)
        return float(weights[totals >= gap - 1e-6].sum())
    # P(S - mean >= t) <= exp(-2 t^2 / sum(amount^2)), and the same for the lower tail.
    distance = gap - float(amounts @ probs)
    if np.exp(-2 * distance**2 / float(amounts @ amounts)) < PROBABILITY_NEGLIGIBLE:
        return 0.0 if distance > 0 else 1.0
    by_variance = np.argsort(-(amounts**2 * probs * (1 - probs)), kind="stable")
    exact, drawn = by_variance[:PROBABILITY_CONDITIONED], by_variance[PROBABILITY_CONDITIONED:]
    totals, weights = _enumerate(amounts[exact], probs[exact])
    order = np.argsort(totals, kind="stable")
    totals = totals[order]
    # at_least[i]: P(the exact deals' total >= totals[i]); nothing beyond the largest total.
    at_least = np.r_[np.cumsum(weights[order][::-1])[::-1], 0.0]
    rest_amounts, rest_chance = amounts[drawn], probs[drawn].astype(np.float32)
    rng = np.random.default_rng(PROBABILITY_SEED)
    chunk = max(1, min(PROBABILITY_BATCH, 2_000_000 // len(drawn)))
    target_se = 0.5 / np.sqrt(PROBABILITY_DRAWS)
    total = squares = 0.0
    done = 0
    while done < PROBABILITY_DRAWS:
        batch_end = min(done + PROBABILITY_BATCH, PROBABILITY_DRAWS)
        while done < batch_end:
            size = min(chunk, batch_end - done)
            closes = rng.random((size, len(drawn)), dtype=np.float32) < rest_chance
            needed = gap - 1e-6 - closes @ rest_amounts
            chance = at_least[np.searchsorted(totals, needed, side="left")]
            total += float(chance.sum())
            squares += float(chance @ chance)
            done += size
        mean = total / done
        if np.sqrt(max(squares / done - mean**2, 0.0) / done) <= target_se:
            break
    return total / done


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num = num.astype("float64")
    den = den.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def figures(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    level: str = "rep",
    with_probability: bool = True,
) -> pd.DataFrame:
    """The period's figures per `level` ('rep', 'team', 'region' or 'total').

    Columns: the group keys, then target, won_amount, won_count, lost_count, win_rate,
    open_amount, weighted_amount, commit_amount, best_case_amount, forecast, attainment,
    forecast_attainment, gap, attainment_probability, visits, engineers, weeks, visits_per_week,
    weeks_meeting_norm, norm_share.
    """
    if level not in LEVELS:
        raise ValueError(level)
    reps = rep_figures(con, period, filters, as_of)
    _, _, weeks = week_window(period, as_of)
    reps["engineer"] = ((reps["role"] == "sales_engineer") & reps["active"].astype(bool)).astype(int)
    reps["engineer_visits"] = reps["week_visits"] * reps["engineer"]
    reps["engineer_weeks_ok"] = reps["weeks_meeting_norm"] * reps["engineer"]
    sums = [
        "won_amount",
        "won_count",
        "lost_count",
        "open_amount",
        "weighted_amount",
        "commit_open",
        "best_open",
        "open_count",
        "visits",
        "engineer",
        "engineer_visits",
        "engineer_weeks_ok",
    ]
    if level == "rep":
        out = reps.copy()
        keys = ["rep_id", "rep", "team", "region", "role"]
    else:
        keys = {"team": ["team", "region"], "region": ["region"], "total": []}[level]
        if level == "team":
            region_of = region_of_team(reps)
            grouped = reps.groupby("team")[sums].sum().reset_index()
            grouped["region"] = grouped["team"].map(region_of)
        elif level == "region":
            grouped = reps.groupby("region")[sums].sum().reset_index()
        else:
            grouped = reps[sums].sum().to_frame().T
        team_t, region_t, total_t = _group_targets(con, period, filters, reps)
        if level == "team":
            grouped["target"] = grouped["team"].map(team_t)
        elif level == "region":
            grouped["target"] = grouped["region"].map(region_t)
        else:
            grouped["target"] = total_t if total_t is not None else np.nan
        out = grouped
        # Reps without a team or region (the director, say) form a group only if it has facts.
        idle = (out.get("team", out.get("region")) == NO_GROUP) if level != "total" else False
        if level != "total":
            facts = out[["won_count", "lost_count", "open_count", "visits"]].sum(axis=1)
            out = out[~(idle & (facts == 0) & out["target"].isna())]
    out = out.copy()
    for col in sums:
        out[col] = out[col].astype("float64")
    out["target"] = out["target"].astype("float64")
    out.loc[out["target"] <= 0, "target"] = np.nan
    out["win_rate"] = _ratio(out["won_count"], out["won_count"] + out["lost_count"])
    out["commit_amount"] = out["won_amount"] + out["commit_open"]
    out["best_case_amount"] = out["commit_amount"] + out["best_open"]
    out["forecast"] = out["won_amount"] + out["weighted_amount"]
    out["attainment"] = _ratio(out["won_amount"], out["target"])
    out["forecast_attainment"] = _ratio(out["forecast"], out["target"])
    out["gap"] = (out["target"] - out["won_amount"]).clip(lower=0)
    out["engineers"] = out["engineer"]
    out["weeks"] = weeks
    denom = out["engineer"] * weeks
    if level == "rep":  # any rep's own rate, engineer or not
        denom = pd.Series(float(weeks), index=out.index)
        out["engineer_visits"] = out["week_visits"].astype("float64")
        out["engineer_weeks_ok"] = out["weeks_meeting_norm"].astype("float64")
    out["visits_per_week"] = _ratio(out["engineer_visits"], denom)
    out["weeks_meeting_norm"] = out["engineer_weeks_ok"] if level != "rep" else out["weeks_meeting_norm"]
    out["norm_share"] = _ratio(out["engineer_weeks_ok"], denom)
    out["attainment_probability"] = np.nan
    if with_probability and len(out):
        deals = run(con, OPEN_DEALS_SQL, filters, {"start": period.start, "end": period.end})
        group_col = {"rep": "rep_id", "team": "team", "region": "region", "total": None}[level]
        amounts, chances = deals["amount"].to_numpy(float), deals["p"].to_numpy(float)
        rows_of: Mapping[Any, Any]
        if group_col is None:
            rows_of = {None: np.arange(len(deals))}
        else:
            rows_of = deals.groupby(group_col, sort=False).indices
        none = np.arange(0)
        group_keys = [None] * len(out) if group_col is None else list(out[group_col])
        probs = [
            np.nan
            if pd.isna(target)
            else _attainment_probability(
                amounts[rows_of.get(key, none)], chances[rows_of.get(key, none)], float(target - won)
            )
            for key, target, won in zip(group_keys, out["target"], out["won_amount"])
        ]
        out["attainment_probability"] = probs
    for col in ("won_count", "lost_count", "visits", "engineers", "weeks_meeting_norm", "open_count"):
        out[col] = out[col].astype("int64")
    columns = keys + [
        "target",
        "won_amount",
        "won_count",
        "lost_count",
        "win_rate",
        "open_amount",
        "weighted_amount",
        "commit_amount",
        "best_case_amount",
        "forecast",
        "attainment",
        "forecast_attainment",
        "gap",
        "attainment_probability",
        "open_count",
        "visits",
        "engineers",
        "weeks",
        "visits_per_week",
        "weeks_meeting_norm",
        "norm_share",
    ]
    return out[columns].reset_index(drop=True)


def totals(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    with_probability: bool = True,
) -> dict:
    """The period's figures for everything in the filter, as a dict."""
    frame = figures(con, period, filters, as_of, level="total", with_probability=with_probability)
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}

"""The excellent sales school (module 3, part 12): what the top performers do differently.

The seed's "behaviour analysis": take the top quartile of sales engineers by attainment over a
window, compare them with the rest on behaviour the data can measure, say where they differ most
- with the size of the difference, how sure we are and on how many reps - and turn the clear
differences into two or three concrete steps per rep.

Each rep is one data point (their value over the window), so the sample size is the number of
reps. No claim is made below MIN_GROUP reps in either group or MIN_REPS in all: a comparison of
ten people is reported as "too few to tell". Aggregation is in DuckDB (one row per rep reaches
pandas); the statistics are numpy only: Hedges' g, a seeded bootstrap interval of the difference
in means, and the Mann-Whitney U test (normal approximation with tie correction).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import format_percent, t
from salesmgmt.measures import Measure
from salesmgmt.metrics import coaching
from salesmgmt.metrics.core import figures
from salesmgmt.metrics.project_chain import CHAIN_TYPES
from salesmgmt.metrics.rankings import last_complete_month
from salesmgmt.periods import Period
from salesmgmt.query import run

#: The share of reps that are "top performers" (the top quartile), rounded up.
TOP_SHARE = 0.25
#: No claim with fewer reps than this in either group, or fewer than MIN_REPS in all.
MIN_GROUP = 5
MIN_REPS = 12
#: A difference is "clear" when its bootstrap interval excludes 0 and p < CLEAR_P;
#: "suggestive" when only one of the two holds or p < SUGGESTIVE_P.
CLEAR_P = 0.05
SUGGESTIVE_P = 0.20
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 20240612
CONFIDENCE = 0.95
#: Steps proposed per rep.
STEPS_PER_REP = 3
#: Window choices (months) and the default.
WINDOW_MONTHS = (3, 6, 12)
DEFAULT_WINDOW_MONTHS = 6

#: The behaviours compared, in display order. `higher_is` is only a reading aid: the direction
#: of a step always follows what the top performers actually do.
BEHAVIOURS: tuple[str, ...] = (
    "visits_per_week",
    "design_institute_share",
    "owner_share",
    "visits_before_first_change",
    "days_between_stages",
    "chain_coverage",
    "ride_alongs_per_month",
    "planned_share",
)

MEASURES: list[Measure] = [
    Measure(
        "top_performers",
        "Top performers",
        "顶尖销售",
        "count",
        f"The top {TOP_SHARE:.0%} (rounded up) of the sales engineers with a target, ranked by "
        "attainment over the window (ties: higher won amount). The window is whole months "
        "ending with the last complete month.",
    ),
    Measure(
        "design_institute_share",
        "Visits to design institutes",
        "设计院拜访占比",
        "percent",
        "Client visits (type visit) to design institutes / all client visits, in the window.",
    ),
    Measure(
        "owner_share",
        "Visits to owners",
        "业主拜访占比",
        "percent",
        "Client visits (type visit) to owners / all client visits, in the window.",
    ),
    Measure(
        "visits_before_first_change",
        "Visits before a deal first moves",
        "首次推进前拜访数",
        "number",
        "For each deal whose first stage change falls in the window: the rep's visits and "
        "meetings to the deal's client (or linked to the deal) from its creation to that "
        "change; the mean over the rep's deals.",
    ),
    Measure(
        "days_between_stages",
        "Days between stages",
        "阶段间隔天数",
        "number",
        "For each stage change in the window (opportunity_history): days since the deal's "
        "previous change (or creation); the mean over the rep's changes.",
    ),
    Measure(
        "chain_coverage",
        "Project-chain coverage",
        "项目链覆盖度",
        "percent",
        "For each project the rep has a deal in that is live in the window: the number of the "
        "four parties (design institute, steel-structure firm, construction company, owner) "
        "among the project's clients the rep visited in the window, / 4; the mean over the "
        "rep's projects.",
    ),
    Measure(
        "ride_alongs_per_month",
        "Ride-alongs received",
        "接受经理陪访",
        "number",
        "Ride-alongs (field coaching's definition: client visits on which the rep's own manager "
        "went along) in the window / months in it (coaching_rate).",
    ),
    Measure(
        "planned_share",
        "Planned-visit share",
        "计划内拜访占比",
        "percent",
        "Client visits marked planned / client visits with the planned flag filled in.",
    ),
    Measure(
        "effect_size",
        "Effect size (Hedges' g)",
        "效应量（Hedges g）",
        "number",
        "(mean of the top performers - mean of the rest) / pooled standard deviation, with "
        "the small-sample correction 1 - 3 / (4 (n1 + n2) - 9). About 0.2 is small, 0.5 "
        f"medium, 0.8 large. Shown with a {CONFIDENCE:.0%} bootstrap interval of the "
        f"difference in means ({BOOTSTRAP_DRAWS} resamples of each group's reps, the same ones for "
        "every behaviour, a behaviour's mean taken over the resampled reps who have a value; "
        "fixed seed) and the Mann-Whitney p-value. "
        f"No claim below {MIN_GROUP} reps in either group or {MIN_REPS} in all.",
    ),
]


def window_for(as_of: date, months: int = DEFAULT_WINDOW_MONTHS) -> Period:
    """The `months` whole months ending with the last complete month on or before as_of."""
    last = last_complete_month(as_of)
    return Period("months", last.shift(-(months - 1)).start, last.end)


def window_label(window: Period, lang: str) -> str:
    """'2025-12 – 2026-05' (en) or '2025年12月–2026年5月' (zh)."""
    first, last = Period.month_of(window.start), Period.month_of(window.last_day)
    if lang == "zh":
        return f"{first.label('zh')}–{last.label('zh')}"
    return f"{first} – {last}"


BEHAVIOUR_SQL = f"""
WITH fr AS (SELECT r.rep_id FROM reps r WHERE {{where}} AND r.role = 'sales_engineer'),
vis AS (
    SELECT v.rep_id,
           count(*) FILTER (WHERE v.visit_type = 'visit') AS client_visits,
           count(*) FILTER (WHERE v.visit_type = 'visit' AND c.client_type = 'design_institute') AS di_visits,
           count(*) FILTER (WHERE v.visit_type = 'visit' AND c.client_type = 'owner') AS owner_visits,
           count(*) FILTER (WHERE v.visit_type = 'visit' AND v.planned) AS planned_visits,
           count(*) FILTER (WHERE v.visit_type = 'visit' AND v.planned IS NOT NULL) AS flagged_visits
    FROM visits v JOIN fr USING (rep_id)
    LEFT JOIN clients c ON c.client_id = v.client_id
    WHERE v.visit_date >= $start AND v.visit_date < $end AND v.visit_date <= $as_of
    GROUP BY 1
),
active AS (   -- deals with a history row in the window: only their stage changes can count
    SELECT DISTINCT h.opp_id FROM opportunity_history h
    WHERE h.valid_from >= $start AND h.valid_from < $end AND h.valid_from <= $as_of
),
deals AS (
    SELECT o.opp_id, o.rep_id, o.client_id, o.created_date FROM opportunities o JOIN fr USING (rep_id)
    WHERE o.opp_id IN (SELECT opp_id FROM active)
),
changes AS (   -- the whole history of those deals (a change's previous one may be older)
    SELECT h.opp_id, h.valid_from, h.stage,
           lag(h.stage) OVER w AS previous_stage,
           first_value(h.valid_from) OVER w AS first_from
    FROM opportunity_history h SEMI JOIN deals d ON d.opp_id = h.opp_id
    WINDOW w AS (PARTITION BY h.opp_id ORDER BY h.valid_from)
),
moves AS (   -- real stage changes, each with the day of the deal's previous change
    SELECT opp_id, valid_from AS changed_on, first_from,
           row_number() OVER w AS n, lag(valid_from) OVER w AS previous_change
    FROM changes WHERE previous_stage IS NOT NULL AND stage IS DISTINCT FROM previous_stage
    WINDOW w AS (PARTITION BY opp_id ORDER BY valid_from)
),
steps AS (   -- the changes in the window, with the deal's creation day
    SELECT d.opp_id, d.rep_id, d.client_id, m.n, m.changed_on,
           coalesce(d.created_date, m.first_from) AS created,
           date_diff('day', coalesce(m.previous_change, d.created_date, m.first_from),
                     m.changed_on) AS days
    FROM moves m JOIN deals d USING (opp_id)
    WHERE m.changed_on >= $start AND m.changed_on < $end AND m.changed_on <= $as_of
),
stage_days AS (
    SELECT rep_id, avg(days) AS days_between_stages, count(*) AS stage_changes FROM steps
    WHERE days >= 0
    GROUP BY 1
),
first_moves AS (SELECT opp_id, rep_id, client_id, created, changed_on FROM steps WHERE n = 1),
visits_before AS (   -- visits linked to the deal, and unlinked ones to its client (disjoint)
    SELECT f.opp_id, count(*) AS n FROM first_moves f
    JOIN visits v ON v.opp_id = f.opp_id AND v.rep_id = f.rep_id
    WHERE v.visit_type <> 'call' AND v.visit_date >= f.created AND v.visit_date <= f.changed_on
    GROUP BY 1
    UNION ALL
    SELECT f.opp_id, count(*) AS n FROM first_moves f
    JOIN visits v ON v.client_id = f.client_id AND v.rep_id = f.rep_id AND v.opp_id IS NULL
    WHERE v.visit_type <> 'call' AND v.visit_date >= f.created AND v.visit_date <= f.changed_on
    GROUP BY 1
),
before_first AS (
    SELECT f.rep_id, f.opp_id, coalesce(sum(b.n), 0) AS n
    FROM first_moves f LEFT JOIN visits_before b USING (opp_id)
    GROUP BY 1, 2
),
first_agg AS (
    SELECT rep_id, avg(n) AS visits_before_first_change, count(*) AS first_changes
    FROM before_first GROUP BY 1
),
live_projects AS (   -- the rep's projects with a deal live in the window
    SELECT DISTINCT o.rep_id, o.project FROM opportunities o JOIN fr USING (rep_id)
    WHERE o.project IS NOT NULL AND trim(o.project) <> ''
      AND coalesce(o.created_date, $start) < $end
      AND (o.close_date IS NULL OR o.close_date >= $start)
),
chain_clients AS (   -- the clients of those projects that are a party of the chain
    SELECT DISTINCT o.project, o.client_id, c.client_type FROM opportunities o
    JOIN clients c ON c.client_id = o.client_id
    WHERE o.project IN (SELECT project FROM live_projects)
      AND c.client_type IN ({", ".join(f"'{t}'" for t in CHAIN_TYPES)})
),
seen AS (   -- who visited whom in the window
    SELECT DISTINCT v.rep_id, v.client_id FROM visits v JOIN fr USING (rep_id)
    WHERE v.visit_date >= $start AND v.visit_date < $end AND v.visit_date <= $as_of
),
covered AS (
    SELECT lp.rep_id, lp.project,
           count(DISTINCT pc.client_type) FILTER (WHERE s.client_id IS NOT NULL) AS parties
    FROM live_projects lp
    LEFT JOIN chain_clients pc ON pc.project = lp.project
    LEFT JOIN seen s ON s.rep_id = lp.rep_id AND s.client_id = pc.client_id
    GROUP BY 1, 2
),
chain AS (
    SELECT rep_id, avg(parties) / {len(CHAIN_TYPES)} AS chain_coverage, count(*) AS projects
    FROM covered GROUP BY 1
)
SELECT fr.rep_id,
       coalesce(vis.client_visits, 0) AS client_visits,
       CAST(vis.di_visits AS DOUBLE) / nullif(vis.client_visits, 0) AS design_institute_share,
       CAST(vis.owner_visits AS DOUBLE) / nullif(vis.client_visits, 0) AS owner_share,
       CAST(vis.planned_visits AS DOUBLE) / nullif(vis.flagged_visits, 0) AS planned_share,
       first_agg.visits_before_first_change, coalesce(first_agg.first_changes, 0) AS first_changes,
       stage_days.days_between_stages, coalesce(stage_days.stage_changes, 0) AS stage_changes,
       chain.chain_coverage, coalesce(chain.projects, 0) AS projects
FROM fr
LEFT JOIN vis USING (rep_id)
LEFT JOIN first_agg USING (rep_id)
LEFT JOIN stage_days USING (rep_id)
LEFT JOIN chain USING (rep_id)
"""


def behaviour_by_rep(
    con: duckdb.DuckDBPyConnection, window: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per sales engineer in the filter: rep_id, rep, team, target, won_amount, attainment,
    top (bool: in the top quartile), then each behaviour of BEHAVIOURS and the counts behind them
    (client_visits, first_changes, stage_changes, projects, ride_alongs)."""
    base = figures(con, window, filters, as_of, "rep", with_probability=False)
    base = base[base["role"] == "sales_engineer"]
    found = run(con, BEHAVIOUR_SQL, filters, {"start": window.start, "end": window.end, "as_of": as_of})
    frame = base[["rep_id", "rep", "team", "target", "won_amount", "attainment", "visits_per_week"]].merge(
        found, on="rep_id", how="left"
    )
    rides = coaching.coaching_summary(con, window, filters, as_of).set_index("rep_id")
    frame["ride_alongs"] = frame["rep_id"].map(rides["ride_alongs"]).fillna(0).astype("int64")
    frame["ride_alongs_per_month"] = frame["rep_id"].map(rides["coaching_rate"]).astype("float64")
    frame["top"] = top_performers(frame)
    return frame.reset_index(drop=True)


def top_performers(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """True for the top TOP_SHARE (rounded up) of the rows with an attainment."""
    ranked = frame[frame["attainment"].notna()].sort_values(
        ["attainment", "won_amount", "rep_id"], ascending=[False, False, True]
    )
    k = math.ceil(len(ranked) * TOP_SHARE)
    return frame.index.isin(ranked.index[:k])


# ------------------------------------------------------------------------------------------
# Statistics (numpy only)


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    """Standardised difference of means (a - b) with the small-sample correction."""
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return float("nan")
    pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    if pooled == 0:
        return 0.0 if a.mean() == b.mean() else math.copysign(float("inf"), a.mean() - b.mean())
    return float((a.mean() - b.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9)))


def pooled_sd(a: np.ndarray, b: np.ndarray) -> float:
    """The pooled standard deviation of two samples (NaN below two values in either)."""
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return float("nan")
    return math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))


def _resample_counts(rng: np.random.Generator, rows: int, draws: int) -> np.ndarray:
    """draws x rows: how many times each row is drawn in each resample of `rows` draws with
    replacement (one matrix of resamples)."""
    picks = rng.integers(0, rows, size=(draws, rows))
    flat = (np.arange(draws)[:, None] * rows + picks).ravel()
    return np.bincount(flat, minlength=draws * rows).reshape(draws, rows).astype(float)


def _resampled_means(counts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """draws x columns: each column's mean over the resampled rows that have a value."""
    have = ~np.isnan(values)
    sums = counts @ np.where(have, values, 0.0)
    n = counts @ have.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / np.where(n > 0, n, np.nan)


def bootstrap_intervals(
    a: np.ndarray,
    b: np.ndarray,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE,
) -> list[tuple[float, float]]:
    """Percentile intervals of mean(a) - mean(b), column by column: `a` and `b` are the two
    groups (rows: reps, columns: behaviours, NaN: no value). The reps of each group are
    resampled with replacement `draws` times, the same resamples for every column; a column's
    mean in a resample is over the resampled reps that have a value."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    columns = a.shape[1]
    if len(a) == 0 or len(b) == 0:
        return [(float("nan"), float("nan"))] * columns
    rng = np.random.default_rng(seed)
    counts_a, counts_b = _resample_counts(rng, len(a), draws), _resample_counts(rng, len(b), draws)
    # Identical groups must give exactly 0, not a rounding error.
    diff = np.round(_resampled_means(counts_a, a) - _resampled_means(counts_b, b), 12)
    tail = (1 - level) / 2
    out = []
    for j in range(columns):
        column = diff[:, j][~np.isnan(diff[:, j])]
        if np.isnan(a[:, j]).all() or np.isnan(b[:, j]).all() or column.size == 0:
            out.append((float("nan"), float("nan")))
        else:
            out.append((float(np.quantile(column, tail)), float(np.quantile(column, 1 - tail))))
    return out


def bootstrap_interval(
    a: np.ndarray,
    b: np.ndarray,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE,
) -> tuple[float, float]:
    """Percentile interval of mean(a) - mean(b), resampling each group with replacement."""
    return bootstrap_intervals(
        np.asarray(a, float)[:, None], np.asarray(b, float)[:, None], draws, seed, level
    )[0]


def mann_whitney_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of the Mann-Whitney U test: normal approximation with tie and
    continuity corrections (what scipy.stats.mannwhitneyu gives with method='asymptotic')."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return float("nan")
    values = np.concatenate([a, b])
    ranks = pd.Series(values).rank(method="average").to_numpy()
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    _, counts = np.unique(values, return_counts=True)
    tie = (counts**3 - counts).sum() / (n * (n - 1))
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie))
    if sigma == 0:
        return 1.0
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / sigma
    return float(min(1.0, math.erfc(max(z, 0) / math.sqrt(2))))


def verdict(n_top: int, n_rest: int, low: float, high: float, p: float) -> str:
    """'too_few', 'clear', 'suggestive' or 'no_difference' (see the module's constants)."""
    if n_top < MIN_GROUP or n_rest < MIN_GROUP or n_top + n_rest < MIN_REPS:
        return "too_few"
    excludes_zero = low > 0 or high < 0
    if excludes_zero and p < CLEAR_P:
        return "clear"
    if excludes_zero or p < SUGGESTIVE_P:
        return "suggestive"
    return "no_difference"


def compare(frame: pd.DataFrame) -> pd.DataFrame:
    """Top performers against the rest on each behaviour, where they differ most first: behaviour,
    n_top, n_rest, mean_top, mean_rest, median_top, median_rest, difference, low, high (the
    interval of the difference), effect_size, p_value, verdict, pooled_sd."""
    rows = []
    top_all = frame.loc[frame["top"], list(BEHAVIOURS)].to_numpy(float)
    rest_all = frame.loc[~frame["top"], list(BEHAVIOURS)].to_numpy(float)
    intervals = bootstrap_intervals(top_all, rest_all)
    for j, name in enumerate(BEHAVIOURS):
        top = top_all[:, j][~np.isnan(top_all[:, j])]
        rest = rest_all[:, j][~np.isnan(rest_all[:, j])]
        g = hedges_g(top, rest)
        low, high = intervals[j]
        p = mann_whitney_p(top, rest)
        n1, n2 = len(top), len(rest)
        pooled = pooled_sd(top, rest)
        rows.append(
            dict(
                behaviour=name,
                n_top=n1,
                n_rest=n2,
                mean_top=top.mean() if n1 else np.nan,
                mean_rest=rest.mean() if n2 else np.nan,
                median_top=float(np.median(top)) if n1 else np.nan,
                median_rest=float(np.median(rest)) if n2 else np.nan,
                difference=(top.mean() - rest.mean()) if n1 and n2 else np.nan,
                low=low,
                high=high,
                effect_size=g,
                p_value=p,
                verdict=verdict(n1, n2, low, high, p),
                pooled_sd=pooled,
            )
        )
    out = pd.DataFrame(rows)
    out["_claim"] = out["verdict"].map({"clear": 0, "suggestive": 1, "no_difference": 2, "too_few": 3})
    out["_size"] = -out["effect_size"].abs().fillna(0)
    return (
        out.sort_values(["_claim", "_size"], kind="stable")
        .drop(columns=["_claim", "_size"])
        .reset_index(drop=True)
    )


def rep_steps(frame: pd.DataFrame, comparison: pd.DataFrame, steps: int = STEPS_PER_REP) -> pd.DataFrame:
    """For each rep outside the top group, the (up to) `steps` behaviours with a clear or
    suggestive difference where the rep is furthest from the top performers, measured in pooled
    standard deviations towards the top performers' median: rep_id, rep, team, behaviour, value,
    goal (the top performers' median), gap_sd, verdict."""
    usable = comparison[
        comparison["verdict"].isin(["clear", "suggestive"]) & (comparison["pooled_sd"] > 0)
    ].reset_index(drop=True)
    columns = ["rep_id", "rep", "team", "behaviour", "value", "goal", "gap_sd", "verdict"]
    rest = frame[~frame["top"]].reset_index(drop=True)
    if rest.empty or usable.empty:
        return pd.DataFrame(columns=columns)
    values = rest[list(usable["behaviour"])].to_numpy(float)  # reps x behaviours
    goal = usable["median_top"].to_numpy(float)
    direction = np.where(usable["difference"].to_numpy(float) > 0, 1.0, -1.0)
    gap = direction * (goal - values) / usable["pooled_sd"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        rep_i, beh_j = np.nonzero(gap > 0)  # a missing value: no step
    options = pd.DataFrame(
        {
            "_rep": rep_i,
            "_b": beh_j,
            "gap_sd": gap[rep_i, beh_j],
            "_tentative": usable["verdict"].to_numpy()[beh_j] != "clear",
        }
    )
    # Clear differences first, then the biggest gap; ties keep the comparison's order.
    options = options.sort_values(
        ["_rep", "_tentative", "gap_sd", "_b"], ascending=[True, True, False, True], kind="stable"
    )
    options = options.groupby("_rep", sort=False).head(steps)
    rep_i, beh_j = options["_rep"].to_numpy(), options["_b"].to_numpy()
    return pd.DataFrame(
        {
            "rep_id": rest["rep_id"].to_numpy("int64")[rep_i],
            "rep": rest["rep"].to_numpy()[rep_i],
            "team": rest["team"].to_numpy()[rep_i],
            "behaviour": usable["behaviour"].to_numpy()[beh_j],
            "value": values[rep_i, beh_j],
            "goal": goal[beh_j],
            "gap_sd": options["gap_sd"].to_numpy(),
            "verdict": usable["verdict"].to_numpy()[beh_j],
        },
        columns=columns,
    )


def school(
    con: duckdb.DuckDBPyConnection, window: Period, filters: Filters, as_of: date
) -> dict[str, pd.DataFrame]:
    """The sales school for a window: 'reps' (behaviour_by_rep), 'comparison' (compare) and
    'steps' (rep_steps)."""
    reps = behaviour_by_rep(con, window, filters, as_of)
    comparison = compare(reps)
    return {"reps": reps, "comparison": comparison, "steps": rep_steps(reps, comparison)}


def best_practices(
    con: duckdb.DuckDBPyConnection, window: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The comparison's clear and suggestive differences (what the manager meeting shares)."""
    found = school(con, window, filters, as_of)["comparison"]
    return found[found["verdict"].isin(["clear", "suggestive"])].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Words (shared by the pages and the meeting pack)

#: Behaviours that are shares (shown as percents); the others are numbers.
PERCENT_BEHAVIOURS = frozenset({"design_institute_share", "owner_share", "chain_coverage", "planned_share"})


def behaviour_value(behaviour: str, value: float | None) -> str:
    """A behaviour's value as shown: '35%' for a share, '2.4' for a number, '–' when missing."""
    if value is None or value != value:
        return "–"
    return format_percent(value) if behaviour in PERCENT_BEHAVIOURS else f"{value:.1f}"


def finding_text(row: Any, lang: str) -> str:
    """One comparison row in words: what top performers do, against the rest, how sure."""
    return t(
        f"ss.finding.{row.verdict}",
        lang,
        behaviour=t(f"ss.b.{row.behaviour}", lang),
        top=behaviour_value(row.behaviour, row.mean_top),
        rest=behaviour_value(row.behaviour, row.mean_rest),
        g=f"{row.effect_size:+.2f}" if row.effect_size == row.effect_size else "–",
        n_top=int(row.n_top),
        n_rest=int(row.n_rest),
    )


def step_text(row: Any, lang: str) -> str:
    """One step of a rep in words: raise / lower a behaviour from the rep's value to the goal."""
    key = "ss.step.up" if row.goal > row.value else "ss.step.down"
    return t(
        key,
        lang,
        behaviour=t(f"ss.b.{row.behaviour}", lang),
        value=behaviour_value(row.behaviour, row.value),
        goal=behaviour_value(row.behaviour, row.goal),
    )

"""The weekly forecast call read back: the board of a week (each unit's latest call beside the sum
of the level below, the adjustment and the computed figures), a unit's history week by week, and
the accuracy of past calls once their period is closed. Submitting is in `call_records`.

Scope: the rows a user sees are the units their scope holds whole: a rep sees their own row, a
manager their reps and their teams (a region only when their scope names it), a director every
rep, team, region and the company. Computed figures (forecast, won, target) are the unit's own
(`core.figures` on the user's whole scope); the sidebar's choices only pick which rows are shown.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.measures import Measure
from salesmgmt.metrics.call_records import LEVELS, period_weeks, week_of
from salesmgmt.metrics.core import figures, region_of_team, totals
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import stage_probability_sql

MEASURES: list[Measure] = [
    Measure(
        "commit",
        "Commit (called)",
        "承诺预测（提交）",
        "money",
        "The commit amount a unit's owner submitted as its weekly forecast call for the period "
        "(a rep for themselves, a manager for a team, the director for a region or the "
        "company): the latest submission of that week; earlier ones stay in the history. Empty "
        "when no call was submitted that week.",
    ),
    Measure(
        "best_case",
        "Best case (called)",
        "最佳预测（提交）",
        "money",
        "The best-case amount submitted with the commit (at least the commit).",
    ),
    Measure(
        "adjusted_commit",
        "Adjusted commit",
        "调整后承诺",
        "money",
        "A manager's (or the director's) figure for a rep (or a team) in place of its own call, "
        "with a note: the latest adjustment of the week. The unit's own call is kept beside it.",
    ),
    Measure(
        "below_commit",
        "Sum of the level below",
        "下级承诺合计",
        "money",
        "The sum of the latest commits of the week one level below: for a team its sales "
        "engineers' calls, or where the manager adjusted a rep the adjusted figure; for a region "
        "its teams' calls (or the director's adjustments); for the company its regions' calls. "
        "Units below without a call count nothing; empty when none has called.",
    ),
    Measure(
        "adjustment",
        "Adjustment",
        "调整额",
        "money",
        "commit - below_commit: how far a unit's call is above (or below) what the level below "
        "called; empty without either.",
    ),
    Measure(
        "call_error",
        "Call error",
        "预测偏差",
        "percent",
        "For a closed period: commit / won_amount - 1, for each call of a unit (the latest of "
        "each week) against what the unit won in the period. Below 0 the call was too low "
        "(sandbagging), above 0 too high (optimistic); empty when nothing was won.",
    ),
    Measure(
        "call_bias",
        "Call bias",
        "预测倾向",
        "percent",
        "The mean call_error of a person's calls in a closed period: below 0 they call low "
        "(sandbag), above 0 they call high (optimistic).",
    ),
    Measure(
        "call_abs_error",
        "Mean absolute error",
        "平均绝对偏差",
        "percent",
        "The mean of |call_error| over a person's calls in a closed period: how far off they "
        "are, either way.",
    ),
]

#: The level below each level, whose calls roll up into it.
BELOW = {"team": "rep", "region": "team", "company": "region"}

#: The board's columns, in order (the `calls` command's contract, then the rest).
BOARD_COLUMNS = [
    "level",
    "unit",
    "week",
    "commit",
    "best_case",
    "submitted_by",
    "submitted_at",
    "below_commit",
    "adjustment",
    "forecast",
    "won_amount",
    "target",
    "note",
    "adjusted_commit",
    "adjusted_best_case",
    "adjusted_by",
    "adjustment_note",
    "below_called",
    "below_units",
    "unit_key",
    "parent",
]

UNIT_REPS_SQL = """
SELECT r.rep_id, r.name, r.team, r.region, r.role, r.active FROM reps r WHERE {where}
ORDER BY r.team NULLS LAST, r.name
"""

CHOSEN_REPS_SQL = "SELECT r.rep_id FROM reps r WHERE {where}"

#: The latest call of each kind per week and unit; rep rows only of reps in the filter.
CALLS_SQL = """
SELECT c.level, c.unit, c.kind, c.week, CAST(c.commit_amount AS DOUBLE) AS commit,
       CAST(c.best_case_amount AS DOUBLE) AS best_case, c.note, c.submitted_by,
       date_trunc('second', c.submitted_at) AS submitted_at, c.call_id
FROM forecast_calls c
LEFT JOIN reps r ON c.level = 'rep' AND r.rep_id = TRY_CAST(c.unit AS INTEGER)
WHERE c.period = $period AND c.week >= $first AND c.week <= $last AND (c.level <> 'rep' OR {where})
QUALIFY row_number() OVER (PARTITION BY c.week, c.level, c.unit, c.kind ORDER BY c.call_id DESC) = 1
"""

_HIST_PROBABILITY = stage_probability_sql("h.stage", "h.probability")

#: Won and weighted open pipeline of the period on each given day, from the opportunity history.
WEEKLY_FORECAST_SQL = f"""
WITH fr AS (SELECT r.rep_id FROM reps r WHERE {{where}}),
days AS (SELECT CAST(d AS DATE) AS day FROM unnest(CAST($days AS DATE[])) t(d)),
states AS (
    SELECT h.* FROM opportunity_history h JOIN fr ON fr.rep_id = h.rep_id
    WHERE h.valid_from <= $last_day AND (h.valid_to IS NULL OR h.valid_to > $first_day)
      AND ((h.status = 'won' AND h.close_date >= $start AND h.close_date < $end)
           OR (h.status = 'open' AND h.expected_close_date >= $start AND h.expected_close_date < $end))
)
SELECT d.day,
       coalesce(sum(CAST(h.amount AS DOUBLE)) FILTER (WHERE h.status = 'won' AND h.close_date <= d.day), 0)
           AS won_amount,
       coalesce(sum(CAST(coalesce(h.amount, 0) AS DOUBLE) * {_HIST_PROBABILITY})
           FILTER (WHERE h.status = 'open'), 0) AS weighted
FROM days d
LEFT JOIN states h ON h.valid_from <= d.day AND (h.valid_to IS NULL OR h.valid_to > d.day)
GROUP BY d.day ORDER BY d.day
"""


def _unrestricted(scope: Filters) -> bool:
    return scope.scope_regions is None and scope.scope_teams is None and scope.scope_rep_ids is None


def units(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The units whose calls `filters`' scope may read, company first, then regions, teams and
    sales engineers. Columns: level, unit_key (rep_id as text, name, ''), unit (the name shown),
    parent (the unit_key one level up), chosen (inside the sidebar's choices too)."""
    scope = filters.scope_only()
    reps = run(con, UNIT_REPS_SQL, scope)
    chosen_ids = set(run(con, CHOSEN_REPS_SQL, filters)["rep_id"].astype(int))
    chosen = reps[reps["rep_id"].astype(int).isin(chosen_ids)]
    region_of = region_of_team(reps)
    everything = _unrestricted(scope)
    scope_teams, scope_regions = set(scope.scope_teams or ()), set(scope.scope_regions or ())
    rows: list[tuple[str, str, str, str | None, bool]] = []
    if everything:
        rows.append(("company", "", "", None, filters.is_empty()))
    for region in sorted(reps["region"].dropna().unique()):
        if everything or region in scope_regions:
            rows.append(("region", region, region, "", region in set(chosen["region"])))
    for team, region in region_of.items():
        if everything or team in scope_teams or region in scope_regions:
            name = str(team)
            rows.append(
                ("team", name, name, None if region is None else str(region), name in set(chosen["team"]))
            )
    engineers = reps[(reps["role"] == "sales_engineer") & reps["active"].astype(bool)]
    for rep_id, name, team in engineers[["rep_id", "name", "team"]].itertuples(index=False):
        rows.append(("rep", str(int(rep_id)), str(name), team, int(rep_id) in chosen_ids))
    return pd.DataFrame(rows, columns=["level", "unit_key", "unit", "parent", "chosen"])


def _figures_of(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Filters, as_of: date, frame: pd.DataFrame
) -> pd.DataFrame:
    """forecast, won_amount and target of each unit of `frame` (core.figures on the scope)."""
    out = frame.copy()
    for column in ("forecast", "won_amount", "target"):
        out[column] = np.nan
    for level, figure_level, key in (
        ("rep", "rep", "rep_id"),
        ("team", "team", "team"),
        ("region", "region", "region"),
    ):
        rows = out["level"] == level
        if not rows.any():
            continue
        found = figures(con, period, scope, as_of, figure_level, with_probability=False)
        found["unit_key"] = found[key].astype(int).astype(str) if key == "rep_id" else found[key]
        merged = out.loc[rows, ["unit_key"]].merge(found, on="unit_key", how="left")
        for column in ("forecast", "won_amount", "target"):
            out.loc[rows, column] = merged[column].to_numpy()
    if (out["level"] == "company").any():
        total = totals(con, period, scope, as_of, with_probability=False)
        for column in ("forecast", "won_amount", "target"):
            out.loc[out["level"] == "company", column] = np.nan if total[column] is None else total[column]
    return out


def _latest_calls(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Filters, first: date, last: date
) -> pd.DataFrame:
    frame = run(con, CALLS_SQL, scope, {"period": str(period), "first": first, "last": last})
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    return frame


def _with_calls(board: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """The board with each unit's own call and its adjustment, the sum below and the adjustment."""
    own = calls[calls["kind"] == "call"].rename(columns={"unit": "unit_key"})
    adjusted = calls[calls["kind"] == "adjustment"].rename(
        columns={
            "unit": "unit_key",
            "commit": "adjusted_commit",
            "best_case": "adjusted_best_case",
            "submitted_by": "adjusted_by",
            "note": "adjustment_note",
        }
    )
    out = board.merge(
        own[["level", "unit_key", "commit", "best_case", "note", "submitted_by", "submitted_at"]],
        on=["level", "unit_key"],
        how="left",
    ).merge(
        adjusted[
            ["level", "unit_key", "adjusted_commit", "adjusted_best_case", "adjusted_by", "adjustment_note"]
        ],
        on=["level", "unit_key"],
        how="left",
    )
    effective = out["adjusted_commit"].fillna(out["commit"])
    below = pd.Series(np.nan, index=out.index)
    called = pd.Series(np.nan, index=out.index)
    units_below = pd.Series(np.nan, index=out.index)
    for level, lower in BELOW.items():
        children = out["level"] == lower
        parents = out.loc[children, "parent"]
        sums = effective[children].groupby(parents).sum(min_count=1)
        rows = out["level"] == level
        below[rows] = out.loc[rows, "unit_key"].map(sums).astype("float64")
        # How many of the units below have a figure: a sum of three calls out of eight is not
        # the team's number (on a Monday most have not called yet).
        called[rows] = out.loc[rows, "unit_key"].map(effective[children].notna().groupby(parents).sum())
        units_below[rows] = out.loc[rows, "unit_key"].map(parents.value_counts())
    out["below_commit"] = below
    out["below_called"] = called.fillna(0).where(units_below.notna()).astype("Int64")
    out["below_units"] = units_below.astype("Int64")
    out["adjustment"] = out["commit"] - out["below_commit"]
    return out


def week_board(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, week: date, as_of: date
) -> pd.DataFrame:
    """The calls of the week holding `week` for `period`, one row per unit in sight (see
    `units`), with the figures computed at `as_of`. Columns: BOARD_COLUMNS (see MEASURES)."""
    scope = filters.scope_only()
    monday = week_of(week)
    board = units(con, filters)
    board = _figures_of(con, period, scope, as_of, board)
    board = _with_calls(board, _latest_calls(con, period, scope, monday, monday))
    board["week"] = monday
    board = board[board["chosen"]].reset_index(drop=True)
    return board[BOARD_COLUMNS]


def not_submitted(board: pd.DataFrame) -> pd.DataFrame:
    """The units of a week's board without a call of their own that week."""
    return board[board["commit"].isna()].reset_index(drop=True)


def _unit_filters(scope: Filters, level: str, unit_key: str) -> Filters:
    if level == "rep":
        return replace(scope, rep_ids=(int(unit_key),))
    if level == "team":
        return replace(scope, teams=(unit_key,))
    if level == "region":
        return replace(scope, regions=(unit_key,))
    return scope


def call_history(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, level: str, unit_key: str, today: date
) -> pd.DataFrame:
    """One unit's calls week by week through the period (up to today's week), beside the forecast
    and won amount computed from the opportunity history at the end of each week (today for the
    current week) and the period's target. Columns: week, commit, best_case, adjusted_commit,
    forecast, won_amount, target. Refused for a unit outside the user's scope."""
    if level not in LEVELS:
        raise ValueError(level)
    scope = filters.scope_only()
    known = units(con, scope)
    if not ((known["level"] == level) & (known["unit_key"] == unit_key)).any():
        raise SalesmgmtError("calls.error.not_in_scope", unit=unit_key or level)
    weeks = [w for w in period_weeks(period) if w <= week_of(today)]
    columns = ["week", "commit", "best_case", "adjusted_commit", "forecast", "won_amount", "target"]
    if not weeks:
        return pd.DataFrame(columns=columns)
    narrowed = _unit_filters(scope, level, unit_key)
    days = [min(w + timedelta(days=6), today, period.last_day) for w in weeks]
    named = {
        "days": days,
        "first_day": min(days),
        "last_day": max(days),
        "start": period.start,
        "end": period.end,
    }
    computed = run(con, WEEKLY_FORECAST_SQL, narrowed, named)
    frame = pd.DataFrame({"week": weeks})
    frame["won_amount"] = computed["won_amount"].to_numpy()
    frame["forecast"] = (computed["won_amount"] + computed["weighted"]).to_numpy()
    frame["target"] = totals(con, period, narrowed, period.as_of(today), with_probability=False)["target"]
    calls = _latest_calls(con, period, scope, weeks[0], weeks[-1])
    mine = calls[(calls["level"] == level) & (calls["unit"] == unit_key)]
    own = mine[mine["kind"] == "call"].set_index("week")
    adjusted = mine[mine["kind"] == "adjustment"].set_index("week")
    frame["commit"] = frame["week"].map(own["commit"]).astype("float64")
    frame["best_case"] = frame["week"].map(own["best_case"]).astype("float64")
    frame["adjusted_commit"] = frame["week"].map(adjusted["commit"]).astype("float64")
    frame["target"] = frame["target"].astype("float64")
    return frame[columns]


ACCURACY_COLUMNS = [
    "submitted_by",
    "level",
    "unit",
    "week",
    "week_number",
    "commit",
    "won_amount",
    "call_error",
]


def call_accuracy(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, today: date
) -> pd.DataFrame:
    """Each unit's call of each week of a closed period (the latest of the week, by whoever made
    it) against what the unit won in the period: call_error (see MEASURES). Empty while the
    period is not over. Columns: ACCURACY_COLUMNS; week_number 1 is the week holding the
    period's first day."""
    if period.end > today:
        return pd.DataFrame(columns=ACCURACY_COLUMNS)
    scope = filters.scope_only()
    weeks = period_weeks(period)
    board = units(con, filters)
    board = _figures_of(con, period, scope, period.last_day, board[board["chosen"]])
    calls = _latest_calls(con, period, scope, weeks[0], weeks[-1])
    calls = calls[calls["kind"] == "call"].rename(columns={"unit": "unit_key"})
    out = calls.merge(board[["level", "unit_key", "unit", "won_amount"]], on=["level", "unit_key"])
    out["week_number"] = out["week"].map({w: i + 1 for i, w in enumerate(weeks)}).astype("int64")
    won = out["won_amount"].astype("float64")
    out["call_error"] = out["commit"] / won.where(won > 0) - 1
    return out.sort_values(["submitted_by", "level", "unit", "week"])[ACCURACY_COLUMNS].reset_index(drop=True)


def accuracy_by_person(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Per person: calls (with a won amount to judge them by), call_bias and call_abs_error,
    the most optimistic first."""
    judged = accuracy.dropna(subset=["call_error"]).copy()
    judged["abs_error"] = judged["call_error"].abs()
    out = (
        judged.groupby("submitted_by")
        .agg(
            calls=("call_error", "size"),
            call_bias=("call_error", "mean"),
            call_abs_error=("abs_error", "mean"),
        )
        .reset_index()
    )
    return out.sort_values("call_bias", ascending=False).reset_index(drop=True)

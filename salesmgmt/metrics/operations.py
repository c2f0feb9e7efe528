"""Sales operations evaluation (module 2, part 7): the health of the whole operation.

Funnel by stage with stage-to-stage conversion, win rate, average deal size, sales cycle,
pipeline velocity, deals stalled in a stage or pushed repeatedly, lost reasons; per period, over
time and per team.

Everything here is read from the opportunity history (`opportunity_history`: one row per state,
valid from `valid_from` inclusive to `valid_to` exclusive, NULL while current), so a past period
shows the operation as it stood then. A deal belongs to its rep (the rep of the state in
question); only deals of reps in the Filters count. The "usual" time in a stage is measured over
the whole scope the user may see (`Filters.scope_only`), so it does not change when one rep is
picked.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import Measure
from salesmgmt.metrics.core import _ratio
from salesmgmt.metrics.deals import (
    _dims,
    as_dates,
    deal_figures,
    month_ends,
    monthly_deal_figures,
    pipeline_at,
)
from salesmgmt.metrics.overview import same_days_before
from salesmgmt.periods import Period
from salesmgmt.query import compose, run
from salesmgmt.stages import OPEN_STAGES, WON

#: A deal is stalled when it has been in its stage longer than this share of the completed stays
#: in that stage lasted (0.75: longer than three in four stays; the page offers 0.9 too).
STALL_PERCENTILE = 0.75
#: Completed stays in a stage that ended within this many days before the as-of date make the norm.
STALL_LOOKBACK_DAYS = 730
#: Fewer completed stays than this in a stage: its norm is that of all stages together; fewer
#: in all stages together: STALL_FALLBACK_DAYS.
STALL_MIN_SPELLS = 5
STALL_FALLBACK_DAYS = 60
#: A deal is pushed repeatedly when its expected close date moved later at least this often.
PUSH_MIN_TIMES = 2

_OPEN_KEYS = [key for key, _ in OPEN_STAGES]
_RANK_SQL = "CASE {col} " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(_OPEN_KEYS)) + " END"

MEASURES: list[Measure] = [
    Measure(
        "stage_reached",
        "Deals reaching a stage",
        "到达阶段的商机",
        "count",
        "Of the deals closed (won or lost) in the period, those whose history shows that stage "
        "or a later open stage before they closed; a won deal has reached every stage, and "
        "every closed deal counts in the first stage (lead). Stages not in the standard list "
        "are left out.",
    ),
    Measure(
        "stage_conversion",
        "Stage-to-stage conversion",
        "阶段转化率",
        "percent",
        "Deals reaching the next stage / deals reaching this stage (the last step: deals won / "
        "deals reaching negotiation). Multiplied along the funnel they give the win_rate of "
        "the same deals.",
    ),
    Measure(
        "open_deals_at",
        "Open deals",
        "在途商机数",
        "count",
        "Number of opportunities whose state on the as-of date is open (any expected close "
        "date), from the opportunity history; the funnel shows them by stage.",
    ),
    Measure(
        "pipeline_velocity",
        "Pipeline velocity",
        "商机流速",
        "money",
        "open_deals_at (the period's last day or the as-of date) x win_rate x avg_deal_size / "
        "sales_cycle_days, all of the same period and scope: the amount the pipeline turns "
        "into sales per day. Empty when any part is missing or the cycle is 0.",
    ),
    Measure(
        "days_in_stage",
        "Days in stage",
        "阶段停留天数",
        "count",
        "as-of date minus the date the deal entered its current stage (consecutive history "
        "states with the same stage are one stay, whatever else changed).",
    ),
    Measure(
        "usual_stage_days",
        "Usual time in stage",
        "阶段常规天数",
        "count",
        f"The {STALL_PERCENTILE:.0%} percentile (or 90%, chosen on the page) of the lengths "
        f"of completed stays in that stage that ended in the {STALL_LOOKBACK_DAYS} days "
        "before the as-of date, over every deal the user may see (not narrowed by the "
        f"filters). With fewer than {STALL_MIN_SPELLS} such stays the percentile over all "
        f"stages is used, and with fewer than that overall {STALL_FALLBACK_DAYS} days.",
    ),
    Measure(
        "stalled_deal",
        "Stalled deal",
        "停滞商机",
        "count",
        "An open deal whose days_in_stage exceed the usual_stage_days of its stage.",
    ),
    Measure(
        "push_count",
        "Times pushed",
        "推迟次数",
        "count",
        "How often the deal's expected close date moved later from one history state to the "
        f"next, up to the as-of date. A deal pushed {PUSH_MIN_TIMES} times or more is listed.",
    ),
    Measure(
        "lost_reason_share",
        "Share of losses",
        "输单原因占比",
        "percent",
        "Deals lost in the period with this reason / all deals lost in the period (by count; "
        "the amount is shown beside it). A missing reason is its own group.",
    ),
]

#: Stays in a stage: consecutive history states of a deal with the same stage, up to as_of.
#: `{only}` narrows the deals whose stays are computed (whole deals, so each stay is the same):
#: at 1,000,000 history states the two windows cost seconds, and most queries need few deals.
_SPELLS_CTE_OF = """
h AS (
    SELECT h.*, lag(h.stage) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS prev_stage
    FROM opportunity_history h
    WHERE h.valid_from <= $as_of {only}
),
m AS (
    SELECT *, sum(CASE WHEN prev_stage IS NOT DISTINCT FROM stage THEN 0 ELSE 1 END)
                  OVER (PARTITION BY opp_id ORDER BY valid_from) AS spell
    FROM h
),
spells AS (
    SELECT opp_id, spell, any_value(stage) AS stage, min(valid_from) AS entered,
           CASE WHEN bool_or(valid_to IS NULL OR valid_to > $as_of) THEN NULL
                ELSE max(valid_to) END AS left_on,
           arg_max(status, valid_from) AS status, arg_max(rep_id, valid_from) AS rep_id
    FROM m GROUP BY opp_id, spell
)"""

#: Completed stays in open stages, ended within the look-back, by reps in the where: their
#: lengths in days, one sorted list per stage (a stay that ended after `since` belongs to a deal
#: with a state ending after it, so only those deals are looked at).
STAGE_DURATIONS_SQL = compose(
    """
WITH {spells}
SELECT s.stage, list(date_diff('day', s.entered, s.left_on) ORDER BY 1) AS days
FROM spells s JOIN reps r ON r.rep_id = s.rep_id
WHERE s.status = 'open' AND s.left_on IS NOT NULL
  AND s.left_on > $since AND {where}
GROUP BY s.stage
""",
    spells=compose(
        _SPELLS_CTE_OF,
        only="AND h.opp_id IN (SELECT opp_id FROM opportunity_history WHERE valid_to > $since)",
    ),
)

#: Open deals at as_of with their current stay, pushes and their owner's last contact. Stays,
#: pushes and last contacts are worked out for the open deals only (the same figures, a
#: fraction of the history and visits).
OPEN_DEALS_AT_SQL = compose(
    """
WITH cur AS (
    SELECT h.* FROM opportunity_history h
    WHERE h.valid_from <= $as_of AND (h.valid_to IS NULL OR h.valid_to > $as_of)
      AND h.status = 'open'
),
{spells},
pushes AS (
    SELECT opp_id, count(*) FILTER (WHERE expected_close_date > prev_expected) AS push_count,
           arg_min(expected_close_date, valid_from) AS first_expected
    FROM (SELECT opp_id, valid_from, expected_close_date,
                 lag(expected_close_date) OVER (PARTITION BY opp_id ORDER BY valid_from)
                     AS prev_expected
          FROM opportunity_history
          WHERE valid_from <= $as_of AND opp_id IN (SELECT opp_id FROM cur))
    GROUP BY opp_id
),
last_contact AS (
    SELECT v.rep_id, v.client_id, max(v.visit_date) AS last_visit
    FROM visits v
    SEMI JOIN (SELECT DISTINCT rep_id, client_id FROM cur) k
        ON k.rep_id = v.rep_id AND k.client_id = v.client_id
    WHERE v.visit_date <= $as_of GROUP BY ALL
)
SELECT cur.opp_id, coalesce(o.name, cur.opp_id) AS opportunity, cur.client_id,
       c.name AS client, cur.rep_id, r.name AS owner, coalesce(r.team, '—') AS team,
       cur.stage, CAST(cur.amount AS DOUBLE) AS amount, cur.expected_close_date,
       s.entered AS stage_entered, date_diff('day', s.entered, $as_of) AS days_in_stage,
       coalesce(p.push_count, 0) AS push_count, p.first_expected,
       lc.last_visit, date_diff('day', lc.last_visit, $as_of) AS days_since_visit
FROM cur
JOIN reps r ON r.rep_id = cur.rep_id
LEFT JOIN opportunities o ON o.opp_id = cur.opp_id
LEFT JOIN clients c ON c.client_id = cur.client_id
LEFT JOIN spells s ON s.opp_id = cur.opp_id AND s.left_on IS NULL
LEFT JOIN pushes p ON p.opp_id = cur.opp_id
LEFT JOIN last_contact lc ON lc.rep_id = cur.rep_id AND lc.client_id = cur.client_id
WHERE {where}
ORDER BY cur.opp_id
""",
    spells=compose(_SPELLS_CTE_OF, only="AND h.opp_id IN (SELECT opp_id FROM cur)"),
)

#: Deals closed in the period with the furthest standard open stage their history shows.
CLOSED_REACH_SQL = compose(
    """
WITH closed AS (
    SELECT o.opp_id, o.status, o.close_date, o.rep_id, r.team
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.status IN ('won', 'lost') AND o.close_date >= $start AND o.close_date < $end
      AND {where}
)
SELECT closed.opp_id, closed.status, coalesce(closed.team, '—') AS team,
       max({rank}) AS max_rank
FROM closed
LEFT JOIN opportunity_history h
  ON h.opp_id = closed.opp_id AND h.valid_from <= closed.close_date AND h.status = 'open'
GROUP BY ALL
""",
    rank=compose(_RANK_SQL, col="h.stage"),
)


def _as_of_params(as_of: date) -> dict:
    return {"as_of": as_of}


# ------------------------------------------------------------------------------------------
# The funnel


def open_funnel(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Open deals at as_of per stage (count and amount), standard stages in funnel order first
    (each present, zero when empty), then any other stage. Columns: [by...], stage, stage_rank,
    open_count, open_amount."""
    sql = """
    SELECT {dims} o.stage, count(*) AS open_count,
           CAST(coalesce(sum(o.amount), 0) AS DOUBLE) AS open_amount
    FROM opportunity_history o JOIN reps r ON r.rep_id = o.rep_id
    LEFT JOIN clients c ON c.client_id = o.client_id
    WHERE o.valid_from <= $as_of AND (o.valid_to IS NULL OR o.valid_to > $as_of)
      AND o.status = 'open' AND {where}
    GROUP BY ALL
    """
    sql = compose(sql, dims="".join(d + ", " for d in _dims(by, history=True)))
    frame = run(con, sql, filters, _as_of_params(as_of))
    groups = frame[list(by)].drop_duplicates() if by else pd.DataFrame(index=[0])
    standard = pd.DataFrame({"stage": _OPEN_KEYS})
    grid = groups.merge(standard, how="cross") if by else standard
    extra = frame[~frame["stage"].isin(_OPEN_KEYS)][[*by, "stage"]]
    grid = pd.concat([grid, extra], ignore_index=True).drop_duplicates()
    out = grid.merge(frame, on=[*by, "stage"], how="left")
    out["open_count"] = out["open_count"].fillna(0).astype("int64")
    out["open_amount"] = out["open_amount"].fillna(0.0)
    out["stage_rank"] = [(_OPEN_KEYS.index(s) if s in _OPEN_KEYS else len(_OPEN_KEYS)) for s in out["stage"]]
    return (
        out[[*by, "stage", "stage_rank", "open_count", "open_amount"]]
        .sort_values([*by, "stage_rank", "stage"])
        .reset_index(drop=True)
    )


def stage_conversion(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, by_team: bool = False
) -> pd.DataFrame:
    """Of the deals closed in the period: how many reached each stage, and the conversion from
    each stage to the next (the last step is negotiation -> won).

    Columns: [team], stage (the open stages then 'won'), reached, conversion (to the next stage;
    empty for 'won'), share_of_first (reached / reached at the first stage).
    """
    return _conversion(_closed_reach(con, period, filters), by_team)


def funnel_conversions(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters
) -> dict[str, pd.DataFrame]:
    """stage_conversion in total and conversion_by_team, the closed deals read once:
    {'total': ..., 'teams': ...}."""
    frame = _closed_reach(con, period, filters)
    return {"total": _conversion(frame, False), "teams": _by_team(_conversion(frame, True))}


def _closed_reach(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pd.DataFrame:
    return run(con, CLOSED_REACH_SQL, filters, {"start": period.start, "end": period.end})


def _conversion(frame: pd.DataFrame, by_team: bool) -> pd.DataFrame:
    rows = []
    groups = frame.groupby("team") if by_team else [(None, frame)]
    for team, part in groups:
        rank = part["max_rank"].fillna(0).to_numpy()
        won = (part["status"] == WON).to_numpy()
        reached = [int(((rank >= i) | won).sum()) for i in range(len(_OPEN_KEYS))] + [int(won.sum())]
        for i, stage in enumerate([*_OPEN_KEYS, WON]):
            nxt = reached[i + 1] if i + 1 < len(reached) else None
            rows.append(
                {
                    "team": team,
                    "stage": stage,
                    "reached": reached[i],
                    "conversion": (nxt / reached[i]) if nxt is not None and reached[i] else np.nan,
                    "share_of_first": reached[i] / reached[0] if reached[0] else np.nan,
                }
            )
    out = pd.DataFrame(rows, columns=["team", "stage", "reached", "conversion", "share_of_first"])
    if not by_team:
        out = out.drop(columns="team")
        if out.empty:
            out = pd.DataFrame(
                {"stage": [*_OPEN_KEYS, WON], "reached": 0, "conversion": np.nan, "share_of_first": np.nan}
            )
    return out


def conversion_by_team(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pd.DataFrame:
    """One row per team: closed (deals closed in the period), the conversion from each open
    stage to the next (columns named by the stage), and win_rate (= their product)."""
    return _by_team(stage_conversion(con, period, filters, by_team=True))


def _by_team(long: pd.DataFrame) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=["team", "closed", *_OPEN_KEYS, "win_rate"])
    wide = (
        long[long["stage"] != WON]
        .pivot(index="team", columns="stage", values="conversion")
        .reindex(columns=_OPEN_KEYS)
    )
    wide["win_rate"] = long[long["stage"] == WON].set_index("team")["share_of_first"]
    wide.insert(0, "closed", long[long["stage"] == _OPEN_KEYS[0]].set_index("team")["reached"])
    return wide.reset_index()


# ------------------------------------------------------------------------------------------
# Win rate, size, cycle, velocity


def _velocity(frame: pd.DataFrame) -> pd.Series:
    cycle = frame["sales_cycle_days"].astype("float64")
    value = (
        frame["open_deals"].astype("float64")
        * frame["win_rate"]
        * frame["avg_deal_size"]
        / cycle.where(cycle > 0)
    )
    return value.astype("float64")


#: The figures of operation_figures and operations_trend, in order (after the grouping columns).
OPERATION_COLUMNS = [
    "won_amount",
    "won_count",
    "lost_count",
    "win_rate",
    "avg_deal_size",
    "sales_cycle_days",
    "open_deals",
    "open_pipeline",
    "pipeline_velocity",
]


def operation_figures(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The period's operation figures, in total (by=()) or per team / region.

    Columns: [by...], won_amount, won_count, lost_count, win_rate, avg_deal_size,
    sales_cycle_days, open_deals and open_pipeline (open at the period's last day or as_of if
    earlier), pipeline_velocity (CNY per day).
    """
    at = min(as_of, period.last_day)
    figures = deal_figures(con, period, filters, by)
    pipe = pipeline_at(con, filters, (at,), by).drop(columns="at")
    if by:
        out = figures.merge(pipe, on=list(by), how="outer")
    else:
        out = figures.copy()
        out["pipeline_amount"] = pipe["pipeline_amount"].sum() if len(pipe) else 0.0
        out["pipeline_count"] = int(pipe["pipeline_count"].sum()) if len(pipe) else 0
    out = out.rename(columns={"pipeline_count": "open_deals", "pipeline_amount": "open_pipeline"})
    for col in ("won_amount", "open_pipeline"):
        out[col] = out[col].fillna(0.0)
    for col in ("won_count", "lost_count", "open_deals"):
        out[col] = out[col].fillna(0).astype("int64")
    out["win_rate"] = _ratio(out["won_count"], out["won_count"] + out["lost_count"])
    out["avg_deal_size"] = _ratio(out["won_amount"], out["won_count"])
    out["pipeline_velocity"] = _velocity(out)
    columns = [*by, *OPERATION_COLUMNS]
    return out[columns].sort_values(list(by)).reset_index(drop=True) if by else out[columns]


def figures_same_days_before(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """operation_figures (in total) of the same days of the previous period, what the period so
    far is compared with (measure change_same_days): deals closed on 1-3 November and the deals
    open on 3 November, for December as of the 3rd; the whole previous period once `period` is
    over."""
    cut = same_days_before(period, as_of)
    return operation_figures(con, cut, filters, cut.last_day)


def operations_trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    last: Period,
    as_of: date,
    months: int = 12,
    by: tuple[str, ...] = (),
) -> pd.DataFrame:
    """operation_figures for each month of the `months` months ending with `last` (open deals at
    each month's end, at as_of for its month; months after as_of are left out)."""
    monthly = monthly_deal_figures(con, filters, last, months, by)
    ends = month_ends(last, months, as_of)
    monthly = (
        monthly[monthly["month"] <= date(ends[-1].year, ends[-1].month, 1)] if ends else monthly.iloc[0:0]
    )
    pipe = pipeline_at(con, filters, ends, by)
    pipe["month"] = pd.Series([date(d.year, d.month, 1) for d in pipe["at"]], index=pipe.index, dtype=object)
    out = monthly.merge(pipe.drop(columns="at"), on=["month", *by], how="left")
    out = out.rename(columns={"pipeline_count": "open_deals", "pipeline_amount": "open_pipeline"})
    out["open_deals"] = out["open_deals"].fillna(0).astype("int64")
    out["open_pipeline"] = out["open_pipeline"].fillna(0.0)
    out["pipeline_velocity"] = _velocity(out)
    columns = [*by, "month", *OPERATION_COLUMNS]
    return out[columns].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Stalled and pushed deals


def usual_stage_days(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    percentile: float = STALL_PERCENTILE,
    min_spells: int = STALL_MIN_SPELLS,
) -> pd.DataFrame:
    """Per open stage: the number of completed stays measured, and the usual number of days (the
    percentile of their lengths, with the fallbacks in the glossary). Columns: stage, spells,
    usual_days, source ('stage', 'all_stages' or 'default')."""
    if not 0 < percentile < 1:
        raise ValueError(percentile)
    since = as_of - timedelta(days=STALL_LOOKBACK_DAYS)
    lists = run(con, STAGE_DURATIONS_SQL, filters.scope_only(), {"as_of": as_of, "since": since})
    by_stage = {
        stage: np.asarray(days, dtype="int64")
        for stage, days in zip(lists["stage"], lists["days"])
        if stage is not None and stage == stage
    }
    every = (
        np.concatenate([np.asarray(d, dtype="int64") for d in lists["days"]])
        if len(lists)
        else np.array([], dtype="int64")
    )
    overall = float(np.quantile(every, percentile)) if len(every) >= min_spells else None
    stages = list(dict.fromkeys(_OPEN_KEYS + sorted(set(by_stage) - set(_OPEN_KEYS))))
    rows = []
    for stage in stages:
        days = by_stage.get(stage, np.array([], dtype="int64"))
        if len(days) >= min_spells:
            rows.append((stage, len(days), float(np.quantile(days, percentile)), "stage"))
        elif overall is not None:
            rows.append((stage, len(days), overall, "all_stages"))
        else:
            rows.append((stage, len(days), float(STALL_FALLBACK_DAYS), "default"))
    return pd.DataFrame(rows, columns=["stage", "spells", "usual_days", "source"])


def open_deals_at(con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date) -> pd.DataFrame:
    """Every deal open at as_of with its stay in stage, pushes and the owner's last contact with
    the deal's client (any visit type, up to as_of)."""
    frame = run(con, OPEN_DEALS_AT_SQL, filters, _as_of_params(as_of))
    frame["push_count"] = frame["push_count"].astype("int64")
    return as_dates(frame, "expected_close_date", "stage_entered", "first_expected", "last_visit")


def stalled_deals(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    percentile: float = STALL_PERCENTILE,
    min_spells: int = STALL_MIN_SPELLS,
) -> pd.DataFrame:
    """Open deals in their stage longer than usual, longest over first. Adds usual_days and
    over_usual (days_in_stage / usual_days) to open_deals_at's columns."""
    return stalled_among(
        open_deals_at(con, filters, as_of), usual_stage_days(con, filters, as_of, percentile, min_spells)
    )


def stalled_among(deals: pd.DataFrame, usual: pd.DataFrame) -> pd.DataFrame:
    """The stalled ones of open_deals_at's deals, given usual_stage_days."""
    out = deals.merge(usual[["stage", "usual_days"]], on="stage", how="left")
    fallback = usual["usual_days"].median() if len(usual) else float(STALL_FALLBACK_DAYS)
    out["usual_days"] = out["usual_days"].fillna(fallback)
    out = out[out["days_in_stage"] > out["usual_days"]].copy()
    out["over_usual"] = out["days_in_stage"] / out["usual_days"].where(out["usual_days"] > 0)
    return out.sort_values(["over_usual", "amount"], ascending=[False, False]).reset_index(drop=True)


def stuck_deals(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    percentile: float = STALL_PERCENTILE,
    min_times: int = PUSH_MIN_TIMES,
) -> dict[str, pd.DataFrame]:
    """The page's stuck deals at once, the open deals read once: {'usual': usual_stage_days,
    'stalled': stalled_deals, 'pushed': pushed_deals}."""
    usual = usual_stage_days(con, filters, as_of, percentile)
    open_now = open_deals_at(con, filters, as_of)
    return {
        "usual": usual,
        "stalled": stalled_among(open_now, usual),
        "pushed": pushed_among(open_now, min_times),
    }


def pushed_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, min_times: int = PUSH_MIN_TIMES
) -> pd.DataFrame:
    """Open deals whose expected close date moved later at least `min_times` times, most pushed
    first. Adds days_pushed (current expected close date - the first one)."""
    return pushed_among(open_deals_at(con, filters, as_of), min_times)


def pushed_among(deals: pd.DataFrame, min_times: int = PUSH_MIN_TIMES) -> pd.DataFrame:
    """The repeatedly pushed ones of open_deals_at's deals."""
    out = deals[deals["push_count"] >= min_times].copy()
    out["days_pushed"] = [
        (pd.Timestamp(now) - pd.Timestamp(first)).days if pd.notna(now) and pd.notna(first) else np.nan
        for now, first in zip(out["expected_close_date"], out["first_expected"])
    ]
    return out.sort_values(["push_count", "amount"], ascending=[False, False]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Lost reasons


def lost_reasons(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Deals lost in the period per reason ('' when none was given): lost_count, lost_amount and
    lost_reason_share (of the lost deals of the same group), most frequent first."""
    frame = deal_figures(con, period, filters, (*by, "lost_reason"))
    frame = frame[frame["lost_count"] > 0].copy()
    if by:
        total = frame.groupby(list(by))["lost_count"].transform("sum")
    else:
        total = pd.Series(frame["lost_count"].sum(), index=frame.index)
    frame["lost_reason_share"] = _ratio(frame["lost_count"], total)
    order = [*by, "lost_count", "lost_amount"]
    return (
        frame[[*by, "lost_reason", "lost_count", "lost_amount", "lost_reason_share"]]
        .sort_values(order, ascending=[True] * len(by) + [False, False])
        .reset_index(drop=True)
    )


def lost_reasons_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, months: int = 12
) -> pd.DataFrame:
    """Deals lost per month and reason over the `months` months ending with `last`."""
    end = last.end
    first = Period.month_of(last.last_day).shift(-(months - 1)).start
    frame = deal_figures(con, Period("month", first, end), filters, ("month", "lost_reason"))
    frame = frame[frame["lost_count"] > 0]
    return frame[["month", "lost_reason", "lost_count", "lost_amount"]].reset_index(drop=True)

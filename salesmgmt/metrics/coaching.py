"""Field-visit coaching (module 2, part 6): the manager goes along on reps' client visits.

A ride-along is a client visit on which the rep's manager went along, as
`salesmgmt.metrics.ride_alongs` matches them (the rep's manager named in `accompanied_by`).
The comparison before and after a ride-along lives in `coaching_effect`; its functions are used
from here (`coaching.before_after`) and the glossary's definitions are below.

Scope: a visit and a deal belong to their rep; only reps in the Filters are counted. The
per-rep tables list active sales engineers (the people coached).
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import Measure
from salesmgmt.metrics import core, operations
from salesmgmt.metrics.coaching_effect import (
    ANCHORS_SQL,
    BEFORE_AFTER_DAYS,
    BEFORE_AFTER_SQL,
    ENGINEERS_SQL,
    MIN_DAYS_AFTER,
    RIDE_DATES_SQL,
    before_after,
    ride_along_dates,
)
from salesmgmt.metrics.core import _ratio
from salesmgmt.metrics.deals import as_dates
from salesmgmt.metrics.ride_alongs import PAIRS_SQL, is_ride_along, ride_pairs, split_names
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

#: Ride-alongs a sales engineer should have each month (the page lets a manager change it).
COACHING_NORM_PER_MONTH = 2
#: A sales engineer with no ride-along for longer than this has not been coached for a long time.
LONG_UNCOACHED_DAYS = 60
#: The coaching plan reads the last this-many complete months.
PLAN_BASE_MONTHS = 3
#: Thresholds of the plan's reasons.
PLAN_NORM_SHARE_BELOW = 0.5
PLAN_WIN_RATE_GAP = 0.10
PLAN_MIN_CLOSED = 3
PLAN_ATTAINMENT_BELOW = 0.8
PLAN_STUCK_DEALS = 2
PLAN_EXTRA_MAX = 2

__all__ = [
    "ANCHORS_SQL",
    "BEFORE_AFTER_DAYS",
    "BEFORE_AFTER_SQL",
    "COACHING_NORM_PER_MONTH",
    "ENGINEERS_SQL",
    "LONG_UNCOACHED_DAYS",
    "MEASURES",
    "MIN_DAYS_AFTER",
    "PAIRS_SQL",
    "PER_MONTH_SQL",
    "PLAN_ATTAINMENT_BELOW",
    "PLAN_BASE_MONTHS",
    "PLAN_EXTRA_MAX",
    "PLAN_MIN_CLOSED",
    "PLAN_NORM_SHARE_BELOW",
    "PLAN_STUCK_DEALS",
    "PLAN_WIN_RATE_GAP",
    "RIDE_ALONGS_SQL",
    "RIDE_DATES_SQL",
    "SUMMARY_COLUMNS",
    "CoachingTotals",
    "before_after",
    "coaching_by_month",
    "coaching_plan",
    "coaching_summary",
    "coaching_totals",
    "is_ride_along",
    "plan_base",
    "reasons_text",
    "ride_along_dates",
    "ride_along_visits",
    "split_names",
]

MEASURES: list[Measure] = [
    Measure(
        "ride_alongs",
        "Ride-alongs",
        "陪同拜访",
        "count",
        "Client visits (type visit) in the period on which the rep's manager went along: one "
        "of the names in accompanied_by (split at , ， 、 ; ； / | & +) equals the rep's "
        "manager (reps.manager) after name normalisation (full-width folded, spaces "
        "collapsed, case-folded).",
    ),
    Measure(
        "coaching_norm",
        "Coaching norm",
        "辅导标准",
        "count",
        f"Ride-alongs each sales engineer should have a month: {COACHING_NORM_PER_MONTH} by "
        "default, changeable on the page.",
    ),
    Measure(
        "coaching_rate",
        "Ride-alongs per engineer-month",
        "人均月陪同拜访",
        "number",
        "ride_alongs of active sales engineers / (active sales engineers x counted months). "
        "Counted months are the months of the period that began on or before the as-of date "
        "(the month of the as-of date counts as far as it has gone).",
    ),
    Measure(
        "coaching_norm_share",
        "Engineer-months meeting the coaching norm",
        "辅导达标率",
        "percent",
        "Counted months in which a sales engineer had at least coaching_norm ride-alongs / "
        "(active sales engineers x counted months).",
    ),
    Measure(
        "days_since_coached",
        "Days since last ride-along",
        "距上次陪同天数",
        "count",
        "as-of date minus the date of the rep's last ride-along (any time before). A sales "
        f"engineer is not coached for a long time after {LONG_UNCOACHED_DAYS} days, or when "
        "never coached.",
    ),
    Measure(
        "visit_rate",
        "Visits per week",
        "每周拜访",
        "number",
        "Client visits (type visit) of the rep in a window / (days in the window / 7). Used "
        f"in the before/after comparison: the {BEFORE_AFTER_DAYS} days before a ride-along "
        f"against the {BEFORE_AFTER_DAYS} days from it (cut at the as-of date). By default "
        f"the rep's latest ride-along with at least {MIN_DAYS_AFTER} days after it. Win rate "
        "before and after: module 1's win_rate over deals closed in each window.",
    ),
    Measure(
        "coaching_plan",
        "Suggested coaching plan",
        "建议辅导计划",
        "count",
        "For the month after the as-of date's month, per sales engineer: coaching_norm "
        f"ride-alongs, plus one for each reason found (at most {PLAN_EXTRA_MAX} more), over "
        f"the last {PLAN_BASE_MONTHS} complete months: visit norm met in fewer than "
        f"{PLAN_NORM_SHARE_BELOW:.0%} of weeks; win rate more than "
        f"{PLAN_WIN_RATE_GAP * 100:.0f} points below the team's (with at least "
        f"{PLAN_MIN_CLOSED} deals closed); attainment below {PLAN_ATTAINMENT_BELOW:.0%}; "
        f"not coached for {LONG_UNCOACHED_DAYS} days; {PLAN_STUCK_DEALS} or more stalled or "
        "pushed deals now. The focus deal is the largest stalled or pushed deal, else the "
        "largest open deal in quote or negotiation.",
    ),
]


#: Ride-along visits in [start, end) of reps in the where; {pairs} is the matched pairs view.
RIDE_ALONGS_SQL = """
SELECT v.visit_key, v.visit_date, v.rep_id, r.name AS rep, coalesce(r.team, '—') AS team,
       r.manager, v.client_id, c.name AS client, c.client_type, c.key_account,
       v.accompanied_by, v.purpose, v.outcome, v.notes, v.opp_id, o.name AS opportunity
FROM visits v
JOIN reps r ON r.rep_id = v.rep_id
JOIN {pairs} p ON p.accompanied_by = v.accompanied_by AND p.manager = r.manager
LEFT JOIN clients c ON c.client_id = v.client_id
LEFT JOIN opportunities o ON o.opp_id = v.opp_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where}
ORDER BY v.visit_date DESC, r.name, v.visit_key
"""

#: Active sales engineers in the where, with ride-alongs per month in [start, end) and their
#: last ride-along up to as_of.
PER_MONTH_SQL = """
WITH eng AS (
    SELECT r.rep_id, r.name AS rep, coalesce(r.team, '—') AS team,
           coalesce(r.region, '—') AS region, r.manager
    FROM reps r WHERE r.role = 'sales_engineer' AND r.active AND {where}
),
rides AS (
    SELECT v.rep_id, v.visit_date
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    JOIN {pairs} p ON p.accompanied_by = v.accompanied_by AND p.manager = r.manager
    WHERE v.visit_type = 'visit' AND v.visit_date <= $as_of
),
months AS (SELECT CAST(m AS DATE) AS month FROM range($start, $end, INTERVAL 1 MONTH) t(m))
SELECT eng.rep_id, eng.rep, eng.team, eng.region, eng.manager, months.month,
       (SELECT count(*) FROM rides WHERE rides.rep_id = eng.rep_id
          AND rides.visit_date >= months.month
          AND rides.visit_date < months.month + INTERVAL 1 MONTH) AS ride_alongs,
       (SELECT max(visit_date) FROM rides WHERE rides.rep_id = eng.rep_id) AS last_coached
FROM eng CROSS JOIN months
ORDER BY eng.team, eng.rep, months.month
"""


def ride_along_visits(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: date, end: date
) -> pd.DataFrame:
    """Every ride-along in [start, end), newest first, with the visit's notes and its deal."""
    with ride_pairs(con, filters) as pairs:
        frame = run(con, compose(RIDE_ALONGS_SQL, pairs=pairs), filters, {"start": start, "end": end})
    return as_dates(frame, "visit_date")


def coaching_by_month(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    last: Period,
    as_of: date,
    months: int = 6,
    norm: int = COACHING_NORM_PER_MONTH,
) -> pd.DataFrame:
    """Per active sales engineer (rep_id, rep, team, region, manager) and month (the `months`
    months ending with `last`): ride_alongs and meets_norm (empty for months that begin after
    as_of)."""
    first = Period.month_of(last.last_day).shift(-(months - 1)).start
    frame = _per_month(con, filters, first, last.end, as_of)
    frame["meets_norm"] = [
        (n >= norm) if m <= as_of else None for n, m in zip(frame["ride_alongs"], frame["month"])
    ]
    return frame.drop(columns="last_coached")


def _per_month(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: date, end: date, as_of: date
) -> pd.DataFrame:
    with ride_pairs(con, filters) as pairs:
        frame = run(
            con,
            compose(PER_MONTH_SQL, pairs=pairs),
            filters,
            {"start": start, "end": end, "as_of": as_of},
        )
    frame["ride_alongs"] = frame["ride_alongs"].astype("int64")
    return as_dates(frame, "month", "last_coached")


#: The columns of a coaching_summary, in order.
SUMMARY_COLUMNS = [
    "rep_id",
    "rep",
    "team",
    "manager",
    "ride_alongs",
    "months",
    "norm_expected",
    "shortfall",
    "coaching_rate",
    "months_meeting_norm",
    "last_coached",
    "days_since_coached",
    "long_uncoached",
]


def coaching_summary(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    norm: int = COACHING_NORM_PER_MONTH,
    long_days: int = LONG_UNCOACHED_DAYS,
) -> pd.DataFrame:
    """One row per active sales engineer: ride_alongs in the period (up to as_of), months
    counted, norm_expected (norm x months), shortfall, coaching_rate, months_meeting_norm,
    last_coached, days_since_coached and long_uncoached. Least coached first."""
    frame = _per_month(con, filters, period.start, period.end, as_of)
    frame = frame[frame["month"] <= as_of]
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = frame.assign(met=(frame["ride_alongs"] >= norm).astype(int))
    out = (
        frame.groupby(["rep_id", "rep", "team", "manager"], dropna=False, sort=False)
        .agg(
            ride_alongs=("ride_alongs", "sum"),
            months=("month", "count"),
            months_meeting_norm=("met", "sum"),
            last_coached=("last_coached", "first"),
        )
        .reset_index()
    )
    out["norm_expected"] = out["months"] * norm
    out["shortfall"] = (out["norm_expected"] - out["ride_alongs"]).clip(lower=0)
    out["coaching_rate"] = _ratio(out["ride_alongs"], out["months"])
    out["days_since_coached"] = [(as_of - d).days if d is not None else np.nan for d in out["last_coached"]]
    out["long_uncoached"] = [d != d or d > long_days for d in out["days_since_coached"]]
    return out.sort_values(
        ["shortfall", "days_since_coached", "rep"], ascending=[False, False, True], na_position="first"
    )[SUMMARY_COLUMNS].reset_index(drop=True)


class CoachingTotals(TypedDict):
    """The scope's totals of a coaching_summary."""

    engineers: int
    ride_alongs: int
    #: Ride-alongs per engineer-month; None without engineer-months.
    coaching_rate: float | None
    #: Share of engineer-months meeting the coaching norm; None without engineer-months.
    coaching_norm_share: float | None
    #: Engineers not coached for long (count).
    long_uncoached: int


def coaching_totals(summary: pd.DataFrame) -> CoachingTotals:
    """The scope's totals of a coaching_summary: engineers, ride_alongs, coaching_rate (per
    engineer-month), coaching_norm_share and long_uncoached (count)."""
    engineer_months = float(summary["months"].sum()) if len(summary) else 0.0
    return {
        "engineers": int(len(summary)),
        "ride_alongs": int(summary["ride_alongs"].sum()) if len(summary) else 0,
        "coaching_rate": (summary["ride_alongs"].sum() / engineer_months) if engineer_months else None,
        "coaching_norm_share": (summary["months_meeting_norm"].sum() / engineer_months)
        if engineer_months
        else None,
        "long_uncoached": int(summary["long_uncoached"].sum()) if len(summary) else 0,
    }


def _month_after(day: date) -> date:
    return Period.month_of(day).end


# ------------------------------------------------------------------------------------------
# The coaching plan for the coming month


def reasons_text(reasons: str, lang: str) -> str:
    """A plan row's reason keys ('visits,not_coached') as a sentence in `lang`."""
    from salesmgmt.i18n import t

    texts = [t(f"co.reason.{key}", lang) for key in str(reasons or "").split(",") if key]
    return ("、" if lang == "zh" else "; ").join(texts)


def plan_base(as_of: date) -> Period:
    """The last PLAN_BASE_MONTHS complete months on or before as_of (a month is complete on its
    last day)."""
    month = Period.month_of(as_of)
    last = month if as_of == month.last_day else month.previous()
    first = last.shift(-(PLAN_BASE_MONTHS - 1))
    return Period("month", first.start, last.end)


def coaching_plan(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, norm: int = COACHING_NORM_PER_MONTH
) -> pd.DataFrame:
    """The suggested ride-alongs of each active sales engineer for the month after as_of's,
    with the reasons (keys: visits, win_rate, attainment, not_coached, stuck_deals), the
    figures behind them and a focus deal. Most reasons first."""
    base = plan_base(as_of)
    reps = core.figures(con, base, filters, base.last_day, "rep", with_probability=False)
    summary = coaching_summary(con, base, filters, as_of, norm)
    if summary.empty:
        return pd.DataFrame(
            columns=["plan_month", "rep_id", "rep", "team", "manager", "reasons", "suggested_ride_alongs"]
        )
    # The team's win rate is module 1's, over the same reps' deals (core.figures at team level
    # sums the same rep rows; computing it here saves reading every rep's figures twice).
    by_team = reps.groupby("team")[["won_count", "lost_count"]].sum()
    team_rate = _ratio(by_team["won_count"], by_team["won_count"] + by_team["lost_count"])
    open_now = operations.open_deals_at(con, filters, as_of)
    stalled = operations.stalled_among(open_now, operations.usual_stage_days(con, filters, as_of))
    stuck = pd.concat([stalled, operations.pushed_among(open_now)]).drop_duplicates("opp_id")
    late = open_now[open_now["stage"].isin(["quote", "negotiation"])]

    out = summary.merge(
        reps[
            [
                "rep_id",
                "win_rate",
                "won_count",
                "lost_count",
                "attainment",
                "norm_share",
                "visits_per_week",
                "weeks",
            ]
        ],
        on="rep_id",
        how="left",
    )
    team_win = out["team"].map(team_rate).astype("float64")
    stuck_count = out["rep_id"].map(stuck.groupby("rep_id").size()).fillna(0).astype("int64")
    reasons = pd.DataFrame(
        {
            # NaN weeks count as weeks (as a truth value), the norm share then decides.
            "visits": (out["weeks"].isna() | (out["weeks"] != 0))
            & (out["norm_share"] < PLAN_NORM_SHARE_BELOW),
            "win_rate": (out["won_count"] + out["lost_count"] >= PLAN_MIN_CLOSED)
            & (out["win_rate"] < team_win - PLAN_WIN_RATE_GAP),
            "attainment": out["attainment"] < PLAN_ATTAINMENT_BELOW,
            "not_coached": out["days_since_coached"].isna()
            | (out["days_since_coached"] > LONG_UNCOACHED_DAYS),
            "stuck_deals": stuck_count >= PLAN_STUCK_DEALS,
        }
    )
    # The focus deal: the rep's largest stuck deal, else their largest late-stage deal (a
    # stable sort keeps the first listed of equal amounts).
    largest_stuck = _largest_per_rep(stuck)
    largest_late = _largest_per_rep(late)
    focus = pd.DataFrame({"rep_id": out["rep_id"]})
    focus = focus.merge(
        pd.concat([largest_stuck, largest_late[~largest_late["rep_id"].isin(largest_stuck["rep_id"])]]),
        on="rep_id",
        how="left",
    )
    reason_count = reasons.sum(axis=1).astype("int64")
    plan = pd.DataFrame(
        {
            "rep_id": out["rep_id"].astype("int64"),
            "rep": out["rep"],
            "team": out["team"],
            "manager": out["manager"],
            "reasons": [
                ",".join(k for k, hit in zip(reasons.columns, row) if hit)
                for row in reasons.itertuples(index=False)
            ],
            "reason_count": reason_count,
            "suggested_ride_alongs": norm + reason_count.clip(upper=PLAN_EXTRA_MAX),
            "norm_share": out["norm_share"],
            "win_rate": out["win_rate"],
            "team_win_rate": team_win,
            "attainment": out["attainment"],
            "days_since_coached": out["days_since_coached"],
            "stuck_deals": stuck_count,
            "focus_opp_id": _or_none(focus["opp_id"]),
            "focus_opportunity": _or_none(focus["opportunity"]),
            "focus_client": _or_none(focus["client"]),
            "focus_amount": focus["amount"].astype("float64"),
        }
    )
    plan["plan_month"] = _month_after(as_of)
    return plan.sort_values(
        ["reason_count", "attainment", "rep"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)


def _largest_per_rep(deals: pd.DataFrame) -> pd.DataFrame:
    """Each rep's largest deal of `deals` (the first listed of equal amounts)."""
    return deals.sort_values("amount", ascending=False, kind="stable").drop_duplicates("rep_id")[
        ["rep_id", "opp_id", "opportunity", "client", "amount"]
    ]


def _or_none(values: pd.Series) -> list:
    return [None if v is None or v != v else v for v in values]

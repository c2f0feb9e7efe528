"""The meetings of module 3: the weekly team meeting, the sales-manager meeting and the field
meeting around one project or client.

- Team meeting (a team and a Monday-to-Sunday week): the week's wins and who won them; the
  success cases, each as a timeline of the steps that led to it (visits, who was met, stage
  changes from opportunity_history, days per step); who is behind on the plan; next week's
  planned visits.
- Manager meeting (a period): teams side by side on module 1 and 2 figures, each team's
  monthly trend, the sales school's best practices, issues to escalate.
- Field meeting: the parties of a project's chain (design institute, steel-structure firm,
  construction company, owner) and who covers them, the deal history, visits, open actions.

Module 1 figures come from `core.figures`. Every function takes a Filters and returns nothing
outside it: a fact belongs to a rep, and only reps in the filter are read.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import COLD_ACCOUNT_DAYS, VISIT_NORM_PER_WEEK, Measure
from salesmgmt.metrics import coaching, operations, plans
from salesmgmt.metrics.core import NO_GROUP, figures
from salesmgmt.metrics.overview import _elapsed_share, attention
from salesmgmt.metrics.rankings import team_filters
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.text import name_key

#: The parties of a project chain, in the order the seed tells the story: the design institute
#: specifies, the steel-structure firm and the builder buy and install, the owner decides.
CHAIN_TYPES = ("design_institute", "steel_structure", "construction", "owner")
#: A rep is behind on the month when won to date is under this share of the pro-rata target.
BEHIND_PACE_SHARE = 0.8
#: Open deals of at least this amount (CNY) are escalated when overdue or stalled.
ESCALATE_DEAL_AMOUNT = 1_000_000
#: Success cases shown per meeting (the biggest wins of the week).
SUCCESS_CASES = 3

MEASURES: list[Measure] = [
    Measure(
        "key_account_coverage",
        "Key accounts visited",
        "重点客户覆盖率",
        "percent",
        "Share of the key accounts owned by the reps in scope that had at least one visit of "
        "any type in the period up to the as-of date.",
    ),
    Measure(
        "behind_on_plan",
        "Behind on the plan",
        "计划落后",
        "count",
        f"A sales engineer is behind when won to date is under {BEHIND_PACE_SHARE:.0%} of the "
        "month's target times the share of the month elapsed, or they made fewer client "
        f"visits in the meeting's week than the norm ({VISIT_NORM_PER_WEEK}), or visits of "
        "their monthly plan were missed (planned in a week that is over, no visit to that "
        "client in that week).",
    ),
    Measure(
        "step_days",
        "Days per step",
        "每步天数",
        "count",
        "In a success case's timeline: days from the previous step (creation, visit, stage "
        "change, win) to this one.",
    ),
]


# ------------------------------------------------------------------------------------------
# Helpers


def meeting_week(day: date) -> tuple[date, date]:
    """(Monday, next Monday) of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


TEAMS_SQL = """
SELECT DISTINCT r.team FROM reps r WHERE r.team IS NOT NULL AND {where} ORDER BY r.team
"""


def teams(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The teams with reps in the filter."""
    return run(con, TEAMS_SQL, filters)["team"].tolist()


def _mask(values: pd.Series, test) -> pd.Series:
    """A boolean row mask from a test on each value (an empty frame gives an empty mask, not a
    column selection)."""
    return pd.Series([bool(test(v)) for v in values], index=values.index, dtype=bool)


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date.astype(object)
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame


# ------------------------------------------------------------------------------------------
# Weekly team meeting

WINS_SQL = (
    """
SELECT o.opp_id, o.name, o.project, o.product, c.client_id, c.name AS client, c.client_type,
       o.rep_id, r.name AS rep, coalesce(r.team, '"""
    + NO_GROUP
    + """') AS team,
       CAST(o.amount AS DOUBLE) AS amount, o.created_date, o.close_date,
       date_diff('day', o.created_date, o.close_date) AS cycle_days
FROM opportunities o
JOIN reps r ON r.rep_id = o.rep_id
LEFT JOIN clients c ON c.client_id = o.client_id
WHERE o.status = 'won' AND o.close_date >= $start AND o.close_date < $end AND {where}
ORDER BY o.amount DESC, o.close_date, o.opp_id
"""
)


def week_wins(
    con: duckdb.DuckDBPyConnection, team: str | None, week_start: date, filters: Filters
) -> pd.DataFrame:
    """The deals the team (None: every team in the filter, in one read) won in the week starting
    `week_start`, biggest first: opp_id, name, project, product, client, client_type, rep_id, rep,
    team, amount, created_date, close_date, cycle_days."""
    narrowed = filters if team is None else team_filters(filters, team)
    frame = run(
        con, WINS_SQL, narrowed or filters, {"start": week_start, "end": week_start + timedelta(days=7)}
    )
    if narrowed is None:
        frame = frame.iloc[0:0]
    elif team is None:  # reps without a team (a director) hold no team meeting
        frame = frame[frame["team"] != NO_GROUP].reset_index(drop=True)
    return _dates(frame, "created_date", "close_date")


CASE_SQL = """
SELECT o.opp_id, o.name, o.project, o.product, o.status, o.client_id, c.name AS client,
       c.client_type, o.rep_id, r.name AS rep, r.team, CAST(o.amount AS DOUBLE) AS amount,
       o.created_date, o.close_date
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id LEFT JOIN clients c ON c.client_id = o.client_id
WHERE o.opp_id = $opp AND {where}
"""

HISTORY_SQL = """
SELECT h.valid_from, h.valid_to, h.stage, h.status, CAST(h.amount AS DOUBLE) AS amount
FROM opportunity_history h WHERE h.opp_id = $opp ORDER BY h.valid_from
"""

#: The visits that led to a deal: linked to it, or to another deal of the same project, or
#: unlinked visits by the deal's rep to the deal's client - between creation and close.
CASE_VISITS_SQL = """
SELECT v.visit_date, v.visit_type, v.client_id, c.name AS client, c.client_type, v.rep_id,
       r.name AS rep, v.accompanied_by, v.purpose, v.outcome, v.opp_id
FROM visits v
JOIN reps r ON r.rep_id = v.rep_id
LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.visit_date >= $first AND v.visit_date <= $last AND {where}
  AND (v.opp_id = $opp
       OR ($project IS NOT NULL AND v.opp_id IN
           (SELECT p.opp_id FROM opportunities p WHERE p.project = $project))
       OR (v.opp_id IS NULL AND v.client_id = $client AND v.rep_id = $rep))
ORDER BY v.visit_date, v.visit_key
"""


def case_timeline(con: duckdb.DuckDBPyConnection, opp_id: str, filters: Filters) -> pd.DataFrame:
    """The steps that led to a deal, in date order: day, kind ('created', 'visit', 'stage',
    'won' or 'lost'), stage (the stage entered), client, client_type, visit_type, rep,
    accompanied_by, purpose, outcome, days_since_previous, days_from_start. Empty when the deal
    is outside the filter.

    Stage changes come from opportunity_history (a row whose stage differs from the previous
    row's, the row's valid_from being the day of the change); amount-only changes are no step.
    """
    columns = [
        "day",
        "kind",
        "stage",
        "client",
        "client_type",
        "visit_type",
        "rep",
        "accompanied_by",
        "purpose",
        "outcome",
        "days_since_previous",
        "days_from_start",
    ]
    case = run(con, CASE_SQL, filters, {"opp": opp_id})
    if case.empty:
        return pd.DataFrame(columns=columns)
    deal = _dates(case, "created_date", "close_date").iloc[0]
    history = _dates(con.execute(HISTORY_SQL, {"opp": opp_id}).df(), "valid_from", "valid_to")
    steps: list[dict] = []
    first_day = deal.created_date or (history["valid_from"].iloc[0] if len(history) else None)
    previous_stage = None
    for i, row in enumerate(history.itertuples()):
        if i == 0:
            # An export first seen already closed tells nothing of the stages before.
            opened_in = None if row.status in ("won", "lost") else row.stage
            steps.append(dict(day=first_day or row.valid_from, kind="created", stage=opened_in))
        elif row.stage != previous_stage:
            kind = row.status if row.status in ("won", "lost") else "stage"
            steps.append(dict(day=row.valid_from, kind=kind, stage=row.stage))
        previous_stage = row.stage
    if (
        not history.empty
        and deal.status in ("won", "lost")
        and not any(s["kind"] == deal.status for s in steps)
    ):
        steps.append(dict(day=deal.close_date, kind=deal.status, stage=deal.status))
    if history.empty:
        steps.append(dict(day=first_day, kind="created", stage=None))
        if deal.status in ("won", "lost"):
            steps.append(dict(day=deal.close_date, kind=deal.status, stage=deal.status))
    for s in steps:
        s.update(client=deal.client, client_type=deal.client_type, rep=deal.rep)
    last_day = deal.close_date or max((s["day"] for s in steps if s["day"]), default=first_day)
    if first_day and last_day:
        visits = run(
            con,
            CASE_VISITS_SQL,
            filters,
            {
                "first": first_day,
                "last": last_day,
                "opp": opp_id,
                "project": deal.project if isinstance(deal.project, str) and deal.project else None,
                "client": int(deal.client_id) if pd.notna(deal.client_id) else -1,
                "rep": int(deal.rep_id),
            },
        )
        for v in _dates(visits, "visit_date").itertuples():
            steps.append(
                dict(
                    day=v.visit_date,
                    kind="visit",
                    stage=None,
                    client=v.client,
                    client_type=v.client_type,
                    visit_type=v.visit_type,
                    rep=v.rep,
                    accompanied_by=v.accompanied_by,
                    purpose=v.purpose,
                    outcome=v.outcome,
                )
            )
    order = {"created": 0, "visit": 1, "stage": 2, "won": 3, "lost": 3}
    frame = pd.DataFrame(steps)
    frame = frame.reindex(columns=columns[:-2])
    frame["_o"] = frame["kind"].map(order)
    frame = frame.sort_values(["day", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    days = pd.to_datetime(frame["day"])
    frame["days_since_previous"] = days.diff().dt.days.fillna(0).astype("int64")
    frame["days_from_start"] = (days - days.iloc[0]).dt.days.astype("int64")
    return frame


def stage_durations(timeline: pd.DataFrame) -> pd.DataFrame:
    """Days spent in each open stage of a case: stage, entered, left, days (from its timeline);
    none when the history starts with the deal already closed."""
    marks = timeline[timeline["kind"].isin(["created", "stage", "won", "lost"])]
    rows = []
    for (_, a), (_, b) in zip(marks.iterrows(), marks.iloc[1:].iterrows()):
        if not isinstance(a["stage"], str) or a["kind"] in ("won", "lost"):
            continue  # a stage not known (history starts closed), or after the close
        rows.append(
            dict(
                stage=a["stage"],
                entered=a["day"],
                left=b["day"],
                days=(pd.Timestamp(b["day"]) - pd.Timestamp(a["day"])).days,
            )
        )
    return pd.DataFrame(rows, columns=["stage", "entered", "left", "days"])


def case_summary(timeline: pd.DataFrame) -> dict:
    """What a case's timeline adds up to: days_to_close, visits (type visit), calls, meetings,
    ride_alongs (accompanied visits), parties_met (distinct client types visited), stage_changes."""
    visits = timeline[timeline["kind"] == "visit"]
    marks = timeline[timeline["kind"] != "visit"]
    return {
        "days_to_close": int(timeline["days_from_start"].iloc[-1]) if len(timeline) else 0,
        "visits": int((visits["visit_type"] == "visit").sum()),
        "calls": int((visits["visit_type"] == "call").sum()),
        "meetings": int((visits["visit_type"] == "meeting").sum()),
        "ride_alongs": int(visits["accompanied_by"].notna().sum()),
        "parties_met": sorted(t for t in visits["client_type"].dropna().unique()),
        "stage_changes": int((marks["kind"] == "stage").sum()),
    }


def success_cases(
    con: duckdb.DuckDBPyConnection,
    team: str | None,
    week_start: date,
    filters: Filters,
    limit: int = SUCCESS_CASES,
) -> list[dict]:
    """The week's biggest wins as cases to present (team None: the biggest win of each team, the
    `limit` biggest of those): each a dict with the win (a row of `week_wins`), its `timeline`,
    `stages` (days per stage) and `summary`."""
    wins = week_wins(con, team, week_start, filters)
    if team is None:
        wins = wins.drop_duplicates("team")  # biggest first: each team's biggest win
    cases = []
    for win in wins.head(limit).to_dict("records"):
        timeline = case_timeline(con, win["opp_id"], filters)
        cases.append(
            {
                "win": win,
                "timeline": timeline,
                "stages": stage_durations(timeline),
                "summary": case_summary(timeline),
            }
        )
    return cases


SCHEDULED_VISITS_SQL = """
SELECT v.visit_date AS planned_date, v.rep_id, r.name AS rep, v.client_id, c.name AS client,
       c.client_type, v.purpose
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.planned AND v.visit_date >= $start AND v.visit_date < $end AND {where}
ORDER BY v.visit_date, r.name, c.name
"""


def planned_visits(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: date, end: date, as_of: date
) -> pd.DataFrame:
    """Visits of the latest revision of each monthly plan dated in [start, end), with done_on
    and status ('done', 'missed', 'upcoming'): module 1's `plans.plan_visit_status`."""
    return plans.plan_visit_status(con, Period("days", start, end), filters, as_of)


def next_week_visits(
    con: duckdb.DuckDBPyConnection, team: str, week_start: date, filters: Filters
) -> pd.DataFrame:
    """Next week's planned visits of the team: from the monthly plans (plan_visits of each
    plan's latest revision); when the plans hold none for that week, the visits marked planned
    in the imported schedule (visits.planned) dated that week. Columns: planned_date, rep_id,
    rep, client_id, client, client_type, purpose, source ('plan' or 'schedule')."""
    narrowed = team_filters(filters, team)
    start, end = week_start + timedelta(days=7), week_start + timedelta(days=14)
    columns = ["planned_date", "rep_id", "rep", "client_id", "client", "client_type", "purpose", "source"]
    if narrowed is None:
        return pd.DataFrame(columns=columns)
    frame = planned_visits(con, narrowed, start, end, start)
    frame["source"] = "plan"
    if frame.empty:
        frame = _dates(run(con, SCHEDULED_VISITS_SQL, narrowed, {"start": start, "end": end}), "planned_date")
        frame["source"] = "schedule"
    return frame[columns].reset_index(drop=True)


WEEK_VISITS_SQL = """
SELECT v.rep_id, count(*) AS visits FROM visits v JOIN reps r ON r.rep_id = v.rep_id
WHERE v.visit_type = 'visit' AND v.visit_date >= $start AND v.visit_date < $end AND {where}
GROUP BY 1
"""


def behind_on_plan(
    con: duckdb.DuckDBPyConnection, team: str, week_start: date, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The team's sales engineers behind on the plan in the meeting's week (see the glossary's
    behind_on_plan), most behind first: rep_id, rep, target, won_amount, expected_by_now,
    forecast_attainment, visits_this_week, planned_missed, planned_due, reasons (a tuple of
    'won_behind_pace', 'visits_below_norm', 'planned_visits_missed')."""
    columns = [
        "rep_id",
        "rep",
        "target",
        "won_amount",
        "expected_by_now",
        "forecast_attainment",
        "visits_this_week",
        "planned_missed",
        "planned_due",
        "reasons",
    ]
    narrowed = team_filters(filters, team)
    if narrowed is None:
        return pd.DataFrame(columns=columns)
    week_end = week_start + timedelta(days=7)
    day = min(as_of, week_end - timedelta(days=1))
    month = Period.month_of(day)
    reps = figures(con, month, narrowed, day, "rep", with_probability=False)
    reps = reps[reps["role"] == "sales_engineer"].copy()
    reps["expected_by_now"] = reps["target"] * _elapsed_share(month, day)
    visits = run(
        con,
        WEEK_VISITS_SQL,
        narrowed,
        {"start": week_start, "end": min(week_end, day + timedelta(days=1))},
    )
    reps["visits_this_week"] = (
        reps["rep_id"].map(visits.set_index("rep_id")["visits"]).fillna(0).astype("int64")
    )
    plan = planned_visits(con, narrowed, month.start, min(month.end, week_end), day)
    due = plan[plan["status"].isin(["done", "missed"])]
    missed = due[due["status"] == "missed"]
    reps["planned_due"] = reps["rep_id"].map(due.groupby("rep_id").size()).fillna(0).astype("int64")
    reps["planned_missed"] = reps["rep_id"].map(missed.groupby("rep_id").size()).fillna(0).astype("int64")
    reasons = []
    for row in reps.itertuples():
        why = []
        if pd.notna(row.target) and row.won_amount < BEHIND_PACE_SHARE * row.expected_by_now:
            why.append("won_behind_pace")
        if row.visits_this_week < VISIT_NORM_PER_WEEK:
            why.append("visits_below_norm")
        if row.planned_missed > 0:
            why.append("planned_visits_missed")
        reasons.append(tuple(why))
    reps["reasons"] = reasons
    out = reps[reps["reasons"].map(len) > 0].copy()
    out["_n"] = out["reasons"].map(len)
    out["_pace"] = (out["won_amount"] / out["expected_by_now"].where(out["expected_by_now"] > 0)).fillna(1)
    out = out.sort_values(["_n", "_pace", "rep"], ascending=[False, True, True], kind="stable")
    return out[columns].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Sales-manager meeting

KEY_ACCOUNTS_SQL = f"""
WITH fr AS (SELECT r.rep_id, coalesce(r.team, '{NO_GROUP}') AS team FROM reps r WHERE {{where}}),
seen AS (
    SELECT DISTINCT v.client_id FROM visits v
    WHERE v.visit_date >= $start AND v.visit_date < $end AND v.visit_date <= $as_of
)
SELECT fr.team, count(*) AS key_accounts, count(seen.client_id) AS key_accounts_visited
FROM clients c JOIN fr ON fr.rep_id = c.owner_rep_id LEFT JOIN seen ON seen.client_id = c.client_id
WHERE c.key_account
GROUP BY 1
"""


def teams_side_by_side(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per team: module 1's figures (core.figures at team level) and module 2's
    ride_alongs (coaching's definition) and ride_alongs_per_engineer, key_accounts,
    key_account_coverage and cold_key_accounts (no visit for COLD_ACCOUNT_DAYS days)."""
    from salesmgmt.metrics.overview import cold_key_accounts

    frame = figures(con, period, filters, as_of, "team", with_probability=True)
    frame = frame[frame["team"] != NO_GROUP]
    keys = run(con, KEY_ACCOUNTS_SQL, filters, {"start": period.start, "end": period.end, "as_of": as_of})
    frame = frame.merge(keys, on="team", how="left")
    rides = coaching.coaching_summary(con, period, filters, as_of)
    frame["ride_alongs"] = frame["team"].map(rides.groupby("team")["ride_alongs"].sum())
    for col in ("ride_alongs", "key_accounts", "key_accounts_visited"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["ride_alongs_per_engineer"] = frame["ride_alongs"] / frame["engineers"].where(
        frame["engineers"] > 0
    )
    frame["key_account_coverage"] = frame["key_accounts_visited"] / frame["key_accounts"].where(
        frame["key_accounts"] > 0
    )
    cold = cold_key_accounts(con, filters, as_of, COLD_ACCOUNT_DAYS)
    frame["cold_key_accounts"] = frame["team"].map(cold.groupby("team").size()).fillna(0).astype("int64")
    return frame.reset_index(drop=True)


def team_trends(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, as_of: date, months: int = 6
) -> pd.DataFrame:
    """Each team's figures month by month, the `months` months ending with `last`'s last month:
    team, month, target, won_amount, attainment, win_rate, visits_per_week (core.figures)."""
    end_month = Period.month_of(min(last.last_day, as_of))
    rows = []
    for i in range(months - 1, -1, -1):
        month = end_month.shift(-i)
        f = figures(con, month, filters, min(as_of, month.last_day), "team", with_probability=False)
        f = f[f["team"] != NO_GROUP]
        f.insert(1, "month", month.start)
        rows.append(f[["team", "month", "target", "won_amount", "attainment", "win_rate", "visits_per_week"]])
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


#: Above this many teams a trend draws the TREND_ENDS highest and lowest of the last month.
TREND_TEAMS = 12
TREND_ENDS = 5


def trend_ends(
    trends: pd.DataFrame, ends: int = TREND_ENDS, most: int = TREND_TEAMS
) -> tuple[pd.DataFrame, int]:
    """The rows of `team_trends` worth a line each: every team up to `most` teams; beyond, the
    `ends` teams with the highest and the `ends` with the lowest attainment in the last month
    (teams without one then left out). Returns (rows, number of teams in all)."""
    total = trends["team"].nunique() if len(trends) else 0
    if total <= most:
        return trends, total
    last = trends[trends["month"] == trends["month"].max()].dropna(subset=["attainment"])
    ranked = last.sort_values(["attainment", "team"], ascending=[False, True], kind="stable")["team"]
    keep = set(ranked.head(ends)) | set(ranked.iloc[ends:].tail(ends))
    return trends[trends["team"].isin(keep)], total


ISSUE_KINDS = ("team_behind", "overdue_deal", "stalled_deal", "cold_key_accounts", "below_norm")


def issues_to_escalate(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """What the manager meeting should escalate, one row per issue: kind (ISSUE_KINDS), team,
    subject (a team, deal or rep), amount, value (attainment, days or a count), detail, stage
    (of a deal).

    - team_behind: the overview's rule (forecast under 90% of target, or won under 80% of the
      pro-rata target);
    - overdue_deal / stalled_deal: open deals of ESCALATE_DEAL_AMOUNT or more whose expected close
      date has passed, else that are stalled (in their stage longer than usual: the sales
      operations rule, `operations.stalled_deals`);
    - cold_key_accounts: per team, key accounts without a visit for COLD_ACCOUNT_DAYS days;
    - below_norm: per team, sales engineers meeting the visit norm in under half the weeks.
    """
    rows: list[dict] = []
    found = attention(con, period, filters, as_of)
    for t in found["teams_behind"].itertuples():
        if t.team == NO_GROUP:
            continue
        rows.append(
            dict(
                kind="team_behind",
                team=t.team,
                subject=t.team,
                amount=float(t.gap),
                value=float(t.forecast_attainment) if pd.notna(t.forecast_attainment) else np.nan,
                detail=float(t.attainment) if pd.notna(t.attainment) else np.nan,
            )
        )
    open_deals = operations.open_deals_at(con, filters, as_of)  # read once, for both kinds
    big = open_deals[open_deals["amount"] >= ESCALATE_DEAL_AMOUNT]
    overdue = big[_mask(big["expected_close_date"], lambda d: d is not None and d < as_of)]
    for d in overdue.sort_values(["amount", "opp_id"], ascending=[False, True]).itertuples():
        rows.append(
            dict(
                kind="overdue_deal",
                team=d.team,
                subject=d.opportunity,
                amount=float(d.amount),
                value=float((as_of - d.expected_close_date).days),
                detail=f"{d.owner} · {d.client or ''}",
                stage=d.stage,
            )
        )
    stalled = operations.stalled_among(big, operations.usual_stage_days(con, filters, as_of))
    stalled = stalled[~stalled["opp_id"].isin(overdue["opp_id"])]
    for d in stalled.sort_values(["amount", "opp_id"], ascending=[False, True]).itertuples():
        rows.append(
            dict(
                kind="stalled_deal",
                team=d.team,
                subject=d.opportunity,
                amount=float(d.amount),
                value=float(d.days_in_stage),
                detail=f"{d.owner} · {d.client or ''}",
                stage=d.stage,
            )
        )
    for team, group in found["cold_accounts"].groupby("team"):
        rows.append(
            dict(
                kind="cold_key_accounts",
                team=team,
                subject=team,
                amount=float(group["open_amount"].sum()),
                value=float(len(group)),
                detail=", ".join(group["client"].head(3)),
            )
        )
    for team, group in found["reps_below_norm"].groupby("team"):
        rows.append(
            dict(
                kind="below_norm",
                team=team,
                subject=team,
                amount=np.nan,
                value=float(len(group)),
                detail=", ".join(group["rep"].head(3)),
            )
        )
    frame = pd.DataFrame(rows, columns=["kind", "team", "subject", "amount", "value", "detail", "stage"])
    frame["_o"] = frame["kind"].map({k: i for i, k in enumerate(ISSUE_KINDS)})
    return (
        frame.sort_values(["_o", "amount"], ascending=[True, False], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def issue_text(row, lang: str, escape=str) -> str:
    """An issue of `issues_to_escalate` in words (`escape` as in rankings.recognition_text)."""
    detail = row.detail
    stage = getattr(row, "stage", None)
    stage_text = t(f"stage.{stage}", lang) if isinstance(stage, str) and stage else ""
    if stage_text.startswith("stage."):  # a stage of an imported CRM, kept as it came
        stage_text = stage
    return t(
        f"mm.issue_line.{row.kind}",
        lang,
        team=escape(row.team),
        subject=escape(row.subject),
        stage=escape(stage_text),
        amount=format_money(row.amount, lang),
        value="–" if row.value != row.value else f"{row.value:.0f}",
        pct=format_percent(row.value),
        detail=escape(detail) if isinstance(detail, str) else format_percent(detail),
    )


# ------------------------------------------------------------------------------------------
# Field meeting

#: Subjects offered at once: the best matches of a search, or the most relevant ones.
FIELD_SUBJECTS_SHOWN = 50

#: Projects of deals in the filter whose name (or a deal's code) contains $q ('' for all): the
#: exact match first, then names starting with it, then live projects with the most open
#: business. `matching` counts every match, not only the $limit returned.
PROJECTS_SQL = """
WITH o AS (
    SELECT o.project, o.opp_id, o.client_id, o.status, o.amount, o.created_date
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.project IS NOT NULL AND trim(o.project) <> '' AND {where}
),
found AS (
    SELECT o.project, count(*) AS deals,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'open'), 0) AS DOUBLE) AS open_amount,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'won'), 0) AS DOUBLE) AS won_amount,
           count(*) FILTER (WHERE o.status = 'open') AS open_deals,
           min(o.created_date) AS first_created
    FROM o
    GROUP BY 1
    HAVING $q = '' OR contains(lower(o.project), $q) OR bool_or(contains(lower(o.opp_id), $q))
),
best AS (
    SELECT * FROM (SELECT *, count(*) OVER () AS matching FROM found)
    ORDER BY {order} LIMIT $limit
),
clients AS (   -- counted for the shown projects only
    SELECT o.project, count(DISTINCT o.client_id) AS clients
    FROM o SEMI JOIN best b ON b.project = o.project
    GROUP BY 1
)
SELECT project, deals, clients, open_amount, won_amount, open_deals, first_created, matching
FROM best JOIN clients USING (project)
ORDER BY {order}
""".replace(
    "{order}",
    "lower(project) = $q DESC, starts_with(lower(project), $q) DESC, "
    "open_deals > 0 DESC, open_amount DESC, project",
)

#: Clients with deals in the filter whose name or code contains $q; ranked like projects.
CLIENTS_SQL = """
WITH deals AS (
    SELECT o.client_id, count(*) AS deals,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'open'), 0) AS DOUBLE) AS open_amount
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE {where}
    GROUP BY 1
),
found AS (
    SELECT c.client_id, c.name AS client, c.client_type, c.key_account, c.code, d.deals,
           d.open_amount, coalesce(c.name_key, lower(c.name)) AS name_key,
           lower(coalesce(c.code, '')) AS code_key
    FROM deals d JOIN clients c ON c.client_id = d.client_id
)
SELECT client_id, client, client_type, key_account, code, deals, open_amount,
       count(*) OVER () AS matching
FROM found
WHERE $q = '' OR contains(name_key, $q) OR contains(code_key, $q)
ORDER BY name_key = $q OR code_key = $q DESC, starts_with(name_key, $q) DESC, open_amount DESC,
         client, client_id
LIMIT $limit
"""


def field_subjects(
    con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "", limit: int = FIELD_SUBJECTS_SHOWN
) -> dict:
    """What a field meeting can be about, never all of a national company at once: 'projects'
    (project, deals, clients, open_amount, won_amount, open_deals, first_created) and 'clients'
    (client_id, client, client_type, key_account, code, deals, open_amount; with deals in
    scope), each the `limit` best matches of `search` (part of a name, or a code: a deal's for a
    project, the client's own), the most relevant first (see PROJECTS_SQL); without a search the
    live ones with the most open business. 'projects_found' and 'clients_found' count every
    match."""
    named = {"q": name_key(search) if search else "", "limit": int(limit)}
    projects = _dates(run(con, PROJECTS_SQL, filters, named), "first_created")
    clients = run(con, CLIENTS_SQL, filters, named)
    return {
        "projects": projects.drop(columns="matching"),
        "clients": clients.drop(columns="matching"),
        "projects_found": int(projects["matching"].iloc[0]) if len(projects) else 0,
        "clients_found": int(clients["matching"].iloc[0]) if len(clients) else 0,
    }


SUBJECT_OPPS_SQL = """
SELECT o.opp_id, o.name, o.project, o.product, o.client_id, c.name AS client, c.client_type,
       o.rep_id, r.name AS rep, r.team, o.stage, o.status, CAST(o.amount AS DOUBLE) AS amount,
       o.created_date, o.expected_close_date, o.close_date, o.lost_reason
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id LEFT JOIN clients c ON c.client_id = o.client_id
WHERE {where} AND (
      ($project IS NOT NULL AND o.project = $project)
   OR ($client IS NOT NULL AND (o.client_id = $client OR o.project IN (
          SELECT p.project FROM opportunities p WHERE p.client_id = $client AND p.project IS NOT NULL))))
ORDER BY o.created_date, o.opp_id
"""

SUBJECT_VISITS_SQL = """
SELECT v.visit_date, v.visit_type, v.client_id, c.name AS client, c.client_type, v.rep_id,
       r.name AS rep, v.accompanied_by, v.planned, v.purpose, v.outcome, v.opp_id
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE {where} AND v.client_id IN (SELECT unnest($clients))
  AND (v.opp_id IS NULL OR v.opp_id IN (SELECT unnest($opps)))
  AND v.visit_date >= $first
ORDER BY v.visit_date DESC, v.visit_key DESC
"""

SUBJECT_HISTORY_SQL = """
SELECT h.opp_id, h.valid_from, h.valid_to, h.stage, h.status, CAST(h.amount AS DOUBLE) AS amount,
       h.expected_close_date,
       lag(h.stage) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS previous_stage
FROM opportunity_history h WHERE h.opp_id IN (SELECT unnest($opps))
ORDER BY h.valid_from, h.opp_id
"""

OWNERS_SQL = """
SELECT c.client_id, r.name AS owner FROM clients c JOIN reps r ON r.rep_id = c.owner_rep_id
WHERE c.client_id IN (SELECT unnest($clients)) AND {where}
"""

FUTURE_SCHEDULE_SQL = """
SELECT v.visit_date AS planned_date, v.rep_id, r.name AS rep, v.client_id, c.name AS client,
       c.client_type, v.purpose
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.planned AND v.visit_date > $as_of AND v.client_id IN (SELECT unnest($clients)) AND {where}
ORDER BY v.visit_date
"""


def field_view(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    project: str | None = None,
    client_id: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Everything about one project (or one client and the projects it is part of) on one screen:

    - opportunities: its deals (reps in the filter);
    - parties: one row per party of the chain (CHAIN_TYPES, then any other client type present):
      client_type, client_id, client, covered_by (the reps with deals there, else the client's
      owner), visits, last_visit, days_since_visit; a chain type with no client is a row with no
      client (nobody covers it);
    - history: the deals' stage changes (from opportunity_history);
    - visits: visits to the parties (unlinked, or linked to these deals), newest first;
    - actions: open actions (kind, client, date, detail): planned visits still to come, open deals
      past their expected close date, parties not visited for COLD_ACCOUNT_DAYS days while deals
      are open, chain parties nobody covers.
    """
    empty = {k: pd.DataFrame() for k in ("opportunities", "parties", "history", "visits", "actions")}
    if project is None and client_id is None:
        return empty
    opps = _dates(
        run(con, SUBJECT_OPPS_SQL, filters, {"project": project, "client": client_id}),
        "created_date",
        "expected_close_date",
        "close_date",
    )
    if opps.empty:
        return empty
    opp_ids = opps["opp_id"].tolist()
    clients = sorted(
        set(int(c) for c in opps["client_id"].dropna())
        | ({int(client_id)} if client_id is not None else set())
    )
    first = (
        min(d for d in opps["created_date"] if d is not None)
        if opps["created_date"].notna().any()
        else as_of - timedelta(days=365)
    )
    first = min(first, as_of - timedelta(days=COLD_ACCOUNT_DAYS))
    visits = _dates(
        run(con, SUBJECT_VISITS_SQL, filters, {"clients": clients, "opps": opp_ids, "first": first}),
        "visit_date",
    )
    visits = visits[_mask(visits["visit_date"], lambda d: d is not None and d <= as_of)]
    history = _dates(
        con.execute(SUBJECT_HISTORY_SQL, {"opps": opp_ids}).df(),
        "valid_from",
        "valid_to",
        "expected_close_date",
    )
    history = history[_mask(history["valid_from"], lambda d: d is not None and d <= as_of)]
    history = history[(history["previous_stage"].isna()) | (history["stage"] != history["previous_stage"])]
    history = history.merge(opps[["opp_id", "name", "client", "rep"]], on="opp_id", how="left")
    owners = run(con, OWNERS_SQL, filters, {"clients": clients}).set_index("client_id")["owner"]

    parties = []
    names = opps.drop_duplicates("client_id").set_index("client_id")
    if client_id is not None and client_id not in names.index:
        return empty
    by_type = {}
    for cid in clients:
        by_type.setdefault(names.loc[cid, "client_type"] if cid in names.index else "other", []).append(cid)
    for ctype in list(CHAIN_TYPES) + sorted(t for t in by_type if t not in CHAIN_TYPES):
        if ctype not in by_type:
            if ctype in CHAIN_TYPES:
                parties.append(
                    dict(
                        client_type=ctype,
                        client_id=None,
                        client=None,
                        covered_by=None,
                        visits=0,
                        last_visit=None,
                        days_since_visit=None,
                        open_deals=0,
                    )
                )
            continue
        for cid in by_type[ctype]:
            reps = sorted(set(opps.loc[opps["client_id"] == cid, "rep"]))
            seen = visits[visits["client_id"] == cid]
            last = max(seen["visit_date"]) if len(seen) else None
            parties.append(
                dict(
                    client_type=ctype,
                    client_id=cid,
                    client=names.loc[cid, "client"],
                    covered_by=", ".join(reps) if reps else owners.get(cid),
                    visits=int((seen["visit_type"] != "call").sum()),
                    last_visit=last,
                    days_since_visit=(as_of - last).days if last else None,
                    open_deals=int(((opps["client_id"] == cid) & (opps["status"] == "open")).sum()),
                )
            )
    parties = pd.DataFrame(parties)
    parties["client_id"] = parties["client_id"].astype("Int64")

    actions = []
    future = planned_visits(con, filters, as_of + timedelta(days=1), as_of + timedelta(days=121), as_of)
    future = future[future["client_id"].isin(clients)]
    if future.empty:
        future = _dates(
            run(con, FUTURE_SCHEDULE_SQL, filters, {"as_of": as_of, "clients": clients}), "planned_date"
        )
    for p in future.itertuples():
        actions.append(
            dict(kind="planned_visit", client=p.client, date=p.planned_date, detail=p.rep, purpose=p.purpose)
        )
    for o in opps[(opps["status"] == "open")].itertuples():
        if o.expected_close_date is not None and o.expected_close_date < as_of:
            actions.append(
                dict(
                    kind="overdue_deal",
                    client=o.client,
                    date=o.expected_close_date,
                    detail=o.name or o.opp_id,
                    purpose=o.rep,
                )
            )
    live = opps["status"].eq("open").any()
    for p in parties.itertuples():
        if p.client_id is None or pd.isna(p.client_id):
            if live:
                actions.append(
                    dict(kind="uncovered_party", client=None, date=None, detail=p.client_type, purpose=None)
                )
        elif (
            live
            and p.open_deals > 0
            and (
                p.days_since_visit is None
                or pd.isna(p.days_since_visit)
                or p.days_since_visit >= COLD_ACCOUNT_DAYS
            )
        ):
            actions.append(
                dict(
                    kind="visit_party", client=p.client, date=p.last_visit, detail=p.covered_by, purpose=None
                )
            )
    actions = pd.DataFrame(actions, columns=["kind", "client", "date", "detail", "purpose"])
    return {
        "opportunities": opps,
        "parties": parties,
        "history": history.reset_index(drop=True),
        "visits": visits.reset_index(drop=True),
        "actions": actions,
    }


def action_text(row, lang: str, escape=str) -> str:
    """An open action of `field_view` in words."""
    day = row.date.isoformat() if isinstance(row.date, date) else "–"
    detail = row.detail if isinstance(row.detail, str) else ""
    if row.kind == "uncovered_party":
        detail = t(f"client_type.{detail}", lang)
    return t(
        f"fm.action.{row.kind}",
        lang,
        client=escape(row.client) if isinstance(row.client, str) else "",
        date=day,
        detail=escape(detail),
        purpose=escape(row.purpose) if isinstance(row.purpose, str) else "",
    )

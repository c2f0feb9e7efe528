"""The success cases of the weekly team meeting (module 3): each of the week's biggest wins told as
a timeline of the steps that led to it (visits, who was met, stage changes from
opportunity_history, days per step), the days spent in each stage and what the steps add up to.

Scope rule: that of `salesmgmt.metrics.meetings` (a deal outside the filter has no timeline; a
visit is read only when its rep is in the filter).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict, cast

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.metrics import school_deals
from salesmgmt.metrics.team_meeting import plain_dates, week_wins
from salesmgmt.query import run

#: Success cases shown per meeting (the biggest wins of the week).
SUCCESS_CASES = 3


class CaseSummary(TypedDict):
    """What a case's timeline adds up to (counts of its steps)."""

    days_to_close: int
    visits: int
    calls: int
    meetings: int
    ride_alongs: int
    #: The distinct client types visited, sorted.
    parties_met: list[str]
    stage_changes: int


class SuccessCase(TypedDict):
    """A win presented as a case."""

    #: The win: a row of `week_wins` as a dict.
    win: dict[str, Any]
    timeline: pd.DataFrame
    #: Days per stage (`stage_durations`).
    stages: pd.DataFrame
    summary: CaseSummary


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
    deal = plain_dates(case, "created_date", "close_date").iloc[0]
    history = plain_dates(con.execute(HISTORY_SQL, {"opp": opp_id}).df(), "valid_from", "valid_to")
    steps: list[dict] = []
    first_day = deal.created_date or (history["valid_from"].iloc[0] if len(history) else None)
    previous_stage = None
    row: Any
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
        for v in plain_dates(visits, "visit_date").itertuples():
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


def case_summary(timeline: pd.DataFrame) -> CaseSummary:
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
        "parties_met": sorted(str(kind) for kind in visits["client_type"].dropna().unique()),
        "stage_changes": int((marks["kind"] == "stage").sum()),
    }


def success_cases(
    con: duckdb.DuckDBPyConnection,
    team: str | None,
    week_start: date,
    filters: Filters,
    limit: int = SUCCESS_CASES,
) -> list[SuccessCase]:
    """The week's biggest wins as cases to present (team None: the biggest win of each team, the
    `limit` biggest of those): each a dict with the win (a row of `week_wins`), its `timeline`,
    `stages` (days per stage) and `summary`."""
    wins = week_wins(con, team, week_start, filters)
    if team is None:
        wins = wins.drop_duplicates("team")  # biggest first: each team's biggest win
    cases: list[SuccessCase] = []
    for win in cast(list[dict[str, Any]], wins.head(limit).to_dict("records")):
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


def case_steps(
    con: duckdb.DuckDBPyConnection, opp_ids: tuple[str, ...], week_start: date, filters: Filters
) -> pd.DataFrame:
    """Which steps of the sales school's playbook each case's deal followed: opp_id, behaviour,
    value (the deal's own, from `school_deals.deal_behaviours`), followed (True, False, or None
    when the deal has no value for it: no visit, no quote). The playbook is the deal-level
    school's (won against lost deals over its default window up to the week's last day, the whole
    sales force in scope), most important first; a deal skips a step as a rep does
    (`school_deals.skipped_steps`: on the lost deals' side of the midpoint). Empty when there is
    no playbook (too few deals, or no difference)."""
    columns = ["opp_id", "behaviour", "value", "followed"]
    found = school_deals.deal_school(con, week_start + timedelta(days=6), filters.scope_only())
    if found.steps.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for opp_id in opp_ids:
        deal = found.deals[found.deals["opp_id"] == opp_id]
        if deal.empty:
            continue
        skipped = set(school_deals.skipped_steps(deal, found.steps)["behaviour"])
        for behaviour in found.steps["behaviour"]:
            value = float(deal[behaviour].iloc[0])
            followed = None if value != value else behaviour not in skipped
            rows.append(dict(opp_id=opp_id, behaviour=behaviour, value=value, followed=followed))
    return pd.DataFrame(rows, columns=columns)

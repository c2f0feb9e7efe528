"""The seed's monthly planning & evaluation report: the one-to-one of a manager and a rep.

At the start of the month the manager reads the rep's report (target, won so far, each open
opportunity), judges the chance of making the month and, when it is low, agrees remedial actions
that follow from the data. They record the plan (clients to visit with dates, at least
VISIT_NORM_PER_WEEK a week; commitments; remedial actions) and both sign it. Every week the plan
is reviewed, planned against actual, and a new revision is saved (history kept: a revision is
never changed, except for its two signatures).

This module is the report (what the page shows of the rep's month) and the one door the page
goes through: the records (saving, signing, revisions) live in `plan_records`, the weekly review
in `plan_review`, the one-page document in `plan_document`; their functions are imported here.

Every function takes the user's Filters and a rep: the rep must be inside them, or the function
raises (`plan.error.rep_out_of_scope`) before reading anything else.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date, timedelta
from typing import Any, TypedDict

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import BEST_CASE_MIN_PROBABILITY, COMMIT_MIN_PROBABILITY, Measure
from salesmgmt.metrics.forecast import gap_analysis
from salesmgmt.metrics.plan_records import (
    LATEST_PLANS,
    PARTIES,
    PLANNED_VISITS_SQL,
    Plan,
    Rep,
    may_sign,
    plan_detail,
    plan_month,
    plan_revisions,
    plan_visit_status,
    plan_weeks,
    rep_in_scope,
    rep_only,
    save_plan,
    sign_plan,
    weeks_below_norm,
    without_nan,
)
from salesmgmt.metrics.plan_review import stage_rank_sql, weekly_review
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import stage_probability_sql

__all__ = [
    "LATEST_PLANS",
    "PARTIES",
    "PLANNED_VISITS_SQL",
    "Plan",
    "Rep",
    "RepReport",
    "action_text",
    "actions_text",
    "may_sign",
    "plan_detail",
    "plan_revisions",
    "plan_visit_status",
    "plan_weeks",
    "plannable_clients",
    "remedial_actions",
    "rep_in_scope",
    "rep_report",
    "save_plan",
    "sign_plan",
    "stage_rank_sql",
    "weekly_review",
    "weeks_below_norm",
]

#: Below this chance of making the month, the report proposes remedial actions.
LOW_PROBABILITY = 0.5
#: A client of an open deal (or a key account of the rep) unvisited this long needs a visit.
NO_VISIT_DAYS = 30
#: Deals expected this many days after the month that could be pulled in.
PULL_IN_DAYS = 60
#: At most this many actions of each kind.
ACTIONS_PER_KIND = 5


MEASURES: list[Measure] = [
    Measure(
        "plan_visit_done",
        "Planned visit done",
        "计划拜访完成",
        "percent",
        "A visit in the latest revision of a rep's monthly plan is done when the rep made a "
        "client visit (type visit) to that client in the same Monday-to-Sunday week as the "
        "planned date, on or before the as-of date; missed when that week is over without "
        "one; upcoming otherwise. The share done = done / (done + missed).",
    ),
    Measure(
        "deal_age_days",
        "Age",
        "商机天数",
        "count",
        "as-of date minus the opportunity's created date, in days.",
    ),
]


# ------------------------------------------------------------------------------------------
# The rep's report

_PROBABILITY = stage_probability_sql("o.stage", "o.probability")

#: The rep's open opportunities as they stand now (created on or before as_of).
REP_DEALS_SQL = f"""
WITH deals AS (
    SELECT o.opp_id, coalesce(o.name, o.opp_id) AS opportunity, o.client_id, c.name AS client,
           coalesce(c.client_type, 'other') AS client_type, o.product, o.stage,
           CAST(o.amount AS DOUBLE) AS amount, {_PROBABILITY} AS probability,
           o.created_date, o.expected_close_date
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    LEFT JOIN clients c ON c.client_id = o.client_id
    WHERE o.status = 'open' AND o.rep_id = $rep_id AND {{where}}
      AND (o.created_date IS NULL OR o.created_date <= $as_of)
),
runs AS (
    SELECT h.opp_id, h.valid_from, h.stage,
           lag(h.stage) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS previous_stage
    FROM opportunity_history h
    WHERE h.opp_id IN (SELECT opp_id FROM deals) AND h.valid_from <= $as_of
),
stage_since AS (
    SELECT opp_id, max(valid_from) AS since FROM runs
    WHERE previous_stage IS NULL OR previous_stage <> stage GROUP BY opp_id
),
last_visit AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit
    FROM visits v
    WHERE v.rep_id = $rep_id AND v.visit_type = 'visit' AND v.visit_date <= $as_of
      AND v.client_id IN (SELECT client_id FROM deals)
    GROUP BY v.client_id
)
SELECT d.*,
       d.amount * d.probability AS weighted_amount,
       date_diff('day', d.created_date, $as_of) AS age_days,
       date_diff('day', coalesce(s.since, d.created_date), $as_of) AS days_in_stage,
       lv.last_visit,
       date_diff('day', lv.last_visit, $as_of) AS days_since_visit,
       d.expected_close_date >= $start AND d.expected_close_date < $end AS in_month,
       d.expected_close_date < $as_of AS overdue
FROM deals d
LEFT JOIN stage_since s USING (opp_id)
LEFT JOIN last_visit lv USING (client_id)
ORDER BY in_month DESC, d.expected_close_date, d.amount DESC
"""

#: The rep's clients that may need a visit: those of open deals and the key accounts they own.
REP_CLIENTS_SQL = """
WITH mine AS (
    SELECT o.client_id, sum(CAST(o.amount AS DOUBLE)) AS open_amount,
           sum(CAST(o.amount AS DOUBLE)) FILTER (
               WHERE o.expected_close_date >= $start AND o.expected_close_date < $end)
               AS month_amount
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.status = 'open' AND o.rep_id = $rep_id AND {where}
    GROUP BY o.client_id
    UNION ALL
    SELECT c.client_id, 0, 0 FROM clients c JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE c.key_account AND c.owner_rep_id = $rep_id AND {where}
),
clients_of AS (
    SELECT client_id, sum(open_amount) AS open_amount, coalesce(sum(month_amount), 0) AS month_amount
    FROM mine GROUP BY client_id
),
last_visit AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit
    FROM visits v
    WHERE v.rep_id = $rep_id AND v.visit_type = 'visit' AND v.visit_date <= $as_of
      AND v.client_id IN (SELECT client_id FROM clients_of)
    GROUP BY v.client_id
)
SELECT c.client_id, c.name AS client, coalesce(c.client_type, 'other') AS client_type,
       c.key_account, co.open_amount, co.month_amount, lv.last_visit,
       date_diff('day', lv.last_visit, $as_of) AS days_since_visit
FROM clients_of co JOIN clients c USING (client_id)
LEFT JOIN last_visit lv USING (client_id)
ORDER BY co.month_amount DESC, co.open_amount DESC, c.name
"""


#: Clients a plan can name: the rep's own, those of the rep's opportunities, those the rep
#: visited in the last year.
PLANNABLE_CLIENTS_SQL = """
WITH ids AS (
    SELECT c.client_id FROM clients c JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE c.owner_rep_id = $rep_id AND {where}
    UNION
    SELECT o.client_id FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.rep_id = $rep_id AND {where}
    UNION
    SELECT v.client_id FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.rep_id = $rep_id AND v.visit_date > $as_of - INTERVAL 365 DAY AND {where}
)
SELECT c.client_id, c.name AS client, coalesce(c.client_type, 'other') AS client_type, c.key_account
FROM ids JOIN clients c USING (client_id)
ORDER BY c.key_account DESC, c.name
"""


def plannable_clients(
    con: duckdb.DuckDBPyConnection, rep_id: int, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The clients a plan of the rep can name (see PLANNABLE_CLIENTS_SQL)."""
    rep_in_scope(con, rep_id, filters)
    return run(con, PLANNABLE_CLIENTS_SQL, rep_only(filters, rep_id), {"rep_id": int(rep_id), "as_of": as_of})


class RepReport(TypedDict):
    """The rep's month as the report shows it (see `rep_report`)."""

    rep: Rep
    month: Period
    as_of: date
    figures: dict[str, Any]
    """The rep's row of `forecast.gap_analysis` (core figures, win rate, pipeline needed), NaN as None."""
    deals: pd.DataFrame
    """Open opportunities: stage, amount, probability, age, days in stage, last visit; in_month
    and overdue flags."""
    clients: pd.DataFrame
    """Clients of open deals and owned key accounts, with the rep's last visit."""
    actions: pd.DataFrame
    """Remedial actions (see `remedial_actions`)."""
    low: bool
    """Whether the chance of making the month is below LOW_PROBABILITY."""


def rep_report(
    con: duckdb.DuckDBPyConnection, rep_id: int, month: Period, filters: Filters, as_of: date
) -> RepReport:
    """The rep's report for the month as of `as_of` (see RepReport)."""
    month = plan_month(month)
    rep = rep_in_scope(con, rep_id, filters)
    only = rep_only(filters, rep_id)
    named = {"rep_id": int(rep_id), "as_of": as_of, "start": month.start, "end": month.end}
    figures = without_nan(gap_analysis(con, month, only, as_of, level="rep").iloc[0].to_dict())
    deals = run(con, REP_DEALS_SQL, only, named)
    clients = run(con, REP_CLIENTS_SQL, only, named)
    for frame, cols in (
        (deals, ("created_date", "expected_close_date", "last_visit")),
        (clients, ("last_visit",)),
    ):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col]).dt.date.astype(object)
            frame[col] = frame[col].where(frame[col].notna(), None)
    probability = figures.get("attainment_probability")
    low = probability is not None and probability < LOW_PROBABILITY
    return RepReport(
        rep=rep,
        month=month,
        as_of=as_of,
        figures=figures,
        deals=deals,
        clients=clients,
        actions=remedial_actions(figures, deals, clients, month, as_of),
        low=low,
    )


ACTION_COLUMNS = ["kind", "opp_id", "opportunity", "client", "stage", "amount", "probability", "date", "days"]


def remedial_actions(
    figures: dict[str, Any], deals: pd.DataFrame, clients: pd.DataFrame, month: Period, as_of: date
) -> pd.DataFrame:
    """Actions that follow from the report, most useful first, at most ACTIONS_PER_KIND a kind:

    - add_pipeline: the open pipeline of the month is below what the gap needs at the historical
      win rate (amount = pipeline to add); without a win rate, when it is below the gap itself;
    - advance_deal: deals expected this month below the commit band, largest first;
    - overdue_deal: open deals whose expected close date has passed (update it or close them);
    - visit_client: clients of open deals and owned key accounts not visited by the rep for
      NO_VISIT_DAYS days, largest pipeline first;
    - pull_in: deals expected in the PULL_IN_DAYS days after the month, at best-case probability
      or more.
    """
    rows: list[dict[str, Any]] = []
    gap = figures.get("gap") or 0.0
    open_amount = figures.get("open_amount") or 0.0
    shortfall = figures.get("pipeline_shortfall")
    if gap > 0:
        if shortfall is not None and shortfall > 0:
            rows.append({"kind": "add_pipeline", "amount": shortfall})
        elif shortfall is None and open_amount < gap:
            rows.append({"kind": "add_pipeline", "amount": gap - open_amount})
    month_deals = deals[deals["in_month"].fillna(False).astype(bool)]
    advance = month_deals[month_deals["probability"] < COMMIT_MIN_PROBABILITY]
    for d in advance.sort_values("amount", ascending=False).head(ACTIONS_PER_KIND).itertuples():
        rows.append(_deal_action("advance_deal", d))
    overdue = deals[deals["overdue"].fillna(False).astype(bool)]
    for d in overdue.sort_values("amount", ascending=False).head(ACTIONS_PER_KIND).itertuples():
        rows.append(_deal_action("overdue_deal", d, with_probability=False))
    cold = clients[clients["days_since_visit"].isna() | (clients["days_since_visit"] >= NO_VISIT_DAYS)]
    for c in cold.head(ACTIONS_PER_KIND).itertuples():
        days: Any = c.days_since_visit
        rows.append(
            {
                "kind": "visit_client",
                "client": c.client,
                "amount": c.open_amount,
                "date": c.last_visit,
                "days": None if pd.isna(days) else int(days),
            }
        )
    horizon = month.end + timedelta(days=PULL_IN_DAYS)
    later = deals[
        deals["expected_close_date"].map(lambda d: d is not None and month.end <= d < horizon)
        & (deals["probability"] >= BEST_CASE_MIN_PROBABILITY)
    ]
    for d in later.sort_values("amount", ascending=False).head(ACTIONS_PER_KIND).itertuples():
        rows.append(_deal_action("pull_in", d))
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    return frame.astype({"amount": "float64", "probability": "float64"})


def _deal_action(kind: str, deal: Any, with_probability: bool = True) -> dict[str, Any]:
    """A remedial action about one of the report's deals: the deal, its client, stage, amount and
    expected close date, and its probability unless the action is about the date alone."""
    row = {
        "kind": kind,
        "opp_id": deal.opp_id,
        "opportunity": deal.opportunity,
        "client": deal.client,
        "stage": deal.stage,
        "amount": deal.amount,
        "date": deal.expected_close_date,
    }
    if with_probability:
        row["probability"] = deal.probability
    return row


def action_text(action: Mapping[Hashable, Any], lang: str) -> str:
    """One remedial action as a sentence in `lang`."""

    def stage(key: Any) -> str:
        return t(f"stage.{key}", lang) if key else "–"

    values = {
        "opportunity": action.get("opportunity") or action.get("opp_id") or "–",
        "client": action.get("client") or "–",
        "stage": stage(action.get("stage")),
        "amount": format_money(action.get("amount"), lang),
        "probability": format_percent(action.get("probability")),
        "date": "–" if action.get("date") is None or pd.isna(action.get("date")) else str(action["date"]),
        "days": "–" if action.get("days") is None or pd.isna(action.get("days")) else int(action["days"]),
    }
    kind = action["kind"]
    if kind == "visit_client" and values["date"] == "–":
        kind = "visit_client_never"
    return t(f"plan.action.{kind}", lang, **values)


def actions_text(actions: pd.DataFrame, lang: str) -> str:
    """The actions as a numbered list, one a line (to seed the plan's remedial actions)."""
    return "\n".join(
        f"{i}. {action_text(a, lang)}" for i, a in enumerate(actions.to_dict(orient="records"), start=1)
    )

"""The seed's monthly planning & evaluation report: the one-to-one of a manager and a rep.

At the start of the month the manager reads the rep's report (target, won so far, each open
opportunity), judges the chance of making the month and, when it is low, agrees remedial actions
that follow from the data. They record the plan (clients to visit with dates, at least
VISIT_NORM_PER_WEEK a week; commitments; remedial actions) and both sign it. Every week the plan
is reviewed, planned against actual, and a new revision is saved (history kept: a revision is
never changed, except for its two signatures).

Every function takes the user's Filters and a rep: the rep must be inside them, or the function
raises (`plan.error.rep_out_of_scope`) before reading anything else.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.db import transaction
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import (
    BEST_CASE_MIN_PROBABILITY,
    COMMIT_MIN_PROBABILITY,
    VISIT_NORM_PER_WEEK,
    Measure,
)
from salesmgmt.metrics.forecast import gap_analysis
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.stages import STAGE_ORDER, stage_probability_sql

#: Below this chance of making the month, the report proposes remedial actions.
LOW_PROBABILITY = 0.5
#: A client of an open deal (or a key account of the rep) unvisited this long needs a visit.
NO_VISIT_DAYS = 30
#: Deals expected this many days after the month that could be pulled in.
PULL_IN_DAYS = 60
#: At most this many actions of each kind.
ACTIONS_PER_KIND = 5
PARTIES = ("manager", "rep")

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


def stage_rank_sql(stage_col: str) -> str:
    """A SQL expression for a stage's place in the funnel (won highest; lost and unknown -1)."""
    cases = " ".join(f"WHEN '{key}' THEN {i}" for i, key in enumerate(STAGE_ORDER) if key != "lost")
    return f"CASE {stage_col} {cases} ELSE -1 END"


# ------------------------------------------------------------------------------------------
# Scope

REP_SQL = """
SELECT r.rep_id, r.name, r.team, r.region, r.role, r.manager
FROM reps r WHERE r.rep_id = $rep_id AND {where}
"""

PLAN_REP_SQL = """
SELECT mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.plan_id = $plan_id AND {where}
"""


def rep_in_scope(con: duckdb.DuckDBPyConnection, rep_id: int, filters: Filters) -> dict:
    """The rep (rep_id, name, team, region, role, manager) if inside `filters`, else an error."""
    frame = run(con, REP_SQL, filters, {"rep_id": int(rep_id)})
    if frame.empty:
        raise SalesmgmtError("plan.error.rep_out_of_scope", rep=rep_id)
    row = frame.iloc[0].to_dict()
    return {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for k, v in row.items()}


def _only(filters: Filters, rep_id: int) -> Filters:
    """The rep alone, still inside the user's scope."""
    return replace(filters, regions=(), teams=(), rep_ids=(int(rep_id),), labels=())


def _month(period: Period) -> Period:
    if period.kind != "month":
        raise SalesmgmtError("plan.error.not_a_month", period=str(period))
    return period


def plan_weeks(month: Period) -> list[tuple[date, bool]]:
    """The Monday-to-Sunday weeks that touch the month, each with whether the plan must meet the
    visit norm in it: only when the whole working week (Monday to Friday) lies in the month, as
    a plan can only name days of its month."""
    monday = month.start - timedelta(days=month.start.weekday())
    weeks = []
    while monday < month.end:
        weeks.append((monday, monday >= month.start and monday + timedelta(days=4) < month.end))
        monday += timedelta(days=7)
    return weeks


def weeks_below_norm(
    planned_dates: Iterable[date], month: Period, norm: int = VISIT_NORM_PER_WEEK
) -> list[tuple[date, int]]:
    """(Monday, planned visits) of each counted week of the month with fewer than `norm`."""
    counts: dict[date, int] = {}
    for d in planned_dates:
        d = _as_date(d)
        monday = d - timedelta(days=d.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    return [
        (monday, counts.get(monday, 0))
        for monday, counted in plan_weeks(month)
        if counted and counts.get(monday, 0) < norm
    ]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return date.fromisoformat(str(value).strip()[:10])


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
    return run(con, PLANNABLE_CLIENTS_SQL, _only(filters, rep_id), {"rep_id": int(rep_id), "as_of": as_of})


def _clean(row: dict) -> dict:
    return {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for k, v in row.items()}


def rep_report(
    con: duckdb.DuckDBPyConnection, rep_id: int, month: Period, filters: Filters, as_of: date
) -> dict:
    """The rep's report for the month as of `as_of`.

    {'rep': the rep, 'figures': core figures + gap analysis of the rep (a dict), 'deals': open
    opportunities (stage, amount, probability, age, days in stage, last visit; in_month and
    overdue flags), 'clients': clients of open deals and owned key accounts with their last
    visit by the rep, 'actions': remedial actions (see `remedial_actions`), 'low': whether the
    chance of making the month is below LOW_PROBABILITY}.
    """
    month = _month(month)
    rep = rep_in_scope(con, rep_id, filters)
    only = _only(filters, rep_id)
    named = {"rep_id": int(rep_id), "as_of": as_of, "start": month.start, "end": month.end}
    figures = _clean(gap_analysis(con, month, only, as_of, level="rep").iloc[0].to_dict())
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
    return {
        "rep": rep,
        "month": month,
        "as_of": as_of,
        "figures": figures,
        "deals": deals,
        "clients": clients,
        "actions": remedial_actions(figures, deals, clients, month, as_of),
        "low": low,
    }


ACTION_COLUMNS = ["kind", "opp_id", "opportunity", "client", "stage", "amount", "probability", "date", "days"]


def remedial_actions(
    figures: dict, deals: pd.DataFrame, clients: pd.DataFrame, month: Period, as_of: date
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
    rows: list[dict] = []
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
        rows.append(
            {
                "kind": "advance_deal",
                "opp_id": d.opp_id,
                "opportunity": d.opportunity,
                "client": d.client,
                "stage": d.stage,
                "amount": d.amount,
                "probability": d.probability,
                "date": d.expected_close_date,
            }
        )
    overdue = deals[deals["overdue"].fillna(False).astype(bool)]
    for d in overdue.sort_values("amount", ascending=False).head(ACTIONS_PER_KIND).itertuples():
        rows.append(
            {
                "kind": "overdue_deal",
                "opp_id": d.opp_id,
                "opportunity": d.opportunity,
                "client": d.client,
                "stage": d.stage,
                "amount": d.amount,
                "date": d.expected_close_date,
            }
        )
    cold = clients[clients["days_since_visit"].isna() | (clients["days_since_visit"] >= NO_VISIT_DAYS)]
    for c in cold.head(ACTIONS_PER_KIND).itertuples():
        rows.append(
            {
                "kind": "visit_client",
                "client": c.client,
                "amount": c.open_amount,
                "date": c.last_visit,
                "days": None if pd.isna(c.days_since_visit) else int(c.days_since_visit),
            }
        )
    horizon = month.end + timedelta(days=PULL_IN_DAYS)
    later = deals[
        deals["expected_close_date"].map(lambda d: d is not None and month.end <= d < horizon)
        & (deals["probability"] >= BEST_CASE_MIN_PROBABILITY)
    ]
    for d in later.sort_values("amount", ascending=False).head(ACTIONS_PER_KIND).itertuples():
        rows.append(
            {
                "kind": "pull_in",
                "opp_id": d.opp_id,
                "opportunity": d.opportunity,
                "client": d.client,
                "stage": d.stage,
                "amount": d.amount,
                "probability": d.probability,
                "date": d.expected_close_date,
            }
        )
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    return frame.astype({"amount": "float64", "probability": "float64"})


def action_text(action: dict, lang: str) -> str:
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


# ------------------------------------------------------------------------------------------
# Saving, signing and reading plans

REVISIONS_SQL = """
SELECT mp.plan_id, mp.revision, mp.saved_on, mp.saved_at, mp.saved_by,
       mp.manager_signed_by, mp.manager_signed_at, mp.rep_signed_by, mp.rep_signed_at,
       (SELECT count(*) FROM plan_visits pv WHERE pv.plan_id = mp.plan_id) AS planned_visits
FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.rep_id = $rep_id AND mp.month = $month AND {where}
ORDER BY mp.revision DESC
"""

PLAN_SQL = """
SELECT mp.* FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.rep_id = $rep_id AND mp.month = $month AND {where}
  AND ($revision IS NULL OR mp.revision = $revision)
ORDER BY mp.revision DESC LIMIT 1
"""


def save_plan(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    *,
    visits: Iterable[Any],
    commitments: str | None = None,
    remedial_actions: str | None = None,
    review_notes: str | None = None,
    saved_by: str | None = None,
    saved_on: date,
) -> int:
    """Save the plan as the next revision of (rep, month); return its plan_id.

    `visits` holds (client_id, planned_date, purpose) tuples or dicts with those keys; every date
    must lie in the month and every client exist. A new revision starts unsigned: both sign what
    they agreed. Fewer than VISIT_NORM_PER_WEEK visits in a week is allowed (the page warns; see
    `weeks_below_norm`).
    """
    month = _month(month)
    rep_in_scope(con, rep_id, filters)
    rows = []
    for item in visits:
        if isinstance(item, dict):
            client_id, planned, purpose = item.get("client_id"), item.get("planned_date"), item.get("purpose")
        else:
            client_id, planned, purpose = (list(item) + [None])[:3]
        if client_id is None or (isinstance(client_id, float) and np.isnan(client_id)):
            continue
        if planned is None or (not isinstance(planned, (str, date)) and pd.isna(planned)):
            raise SalesmgmtError("plan.error.visit_without_date", client=client_id)
        planned = _as_date(planned)
        if not month.start <= planned < month.end:
            raise SalesmgmtError("plan.error.date_outside_month", date=str(planned), month=str(month))
        purpose = (
            None
            if purpose is None or (isinstance(purpose, float) and np.isnan(purpose))
            else str(purpose).strip() or None
        )
        rows.append((int(client_id), planned, purpose))
    if rows:
        ids = sorted({r[0] for r in rows})
        found = {
            r[0]
            for r in con.execute(
                f"SELECT client_id FROM clients WHERE client_id IN ({', '.join('?' for _ in ids)})", ids
            ).fetchall()
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise SalesmgmtError("plan.error.unknown_client", client=missing[0])

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    with transaction(con):
        revision = con.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM monthly_plans WHERE rep_id = ? AND month = ?",
            [int(rep_id), month.start],
        ).fetchone()[0]
        plan_id = con.execute("SELECT nextval('plan_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on, commitments,"
            " remedial_actions, review_notes, saved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                plan_id,
                int(rep_id),
                month.start,
                revision,
                saved_on,
                text(commitments),
                text(remedial_actions),
                text(review_notes),
                text(saved_by),
            ],
        )
        if rows:
            con.executemany(
                "INSERT INTO plan_visits (plan_id, client_id, planned_date, purpose) VALUES (?, ?, ?, ?)",
                [(plan_id, *r) for r in sorted(rows, key=lambda r: (r[1], r[0]))],
            )
    return int(plan_id)


def sign_plan(
    con: duckdb.DuckDBPyConnection,
    plan_id: int,
    party: str,
    name: str,
    filters: Filters,
    at: datetime | None = None,
) -> datetime:
    """Sign a saved revision as `party` ('manager' or 'rep'); the name and time are kept.

    A party signs a revision once; a new revision is signed anew. Returns the time recorded.
    """
    if party not in PARTIES:
        raise ValueError(party)
    name = (name or "").strip()
    if not name:
        raise SalesmgmtError("plan.error.no_signer_name")
    if run(con, PLAN_REP_SQL, filters, {"plan_id": int(plan_id)}).empty:
        raise SalesmgmtError("plan.error.no_plan", plan=plan_id)
    at = (at or datetime.now()).replace(microsecond=0)
    by_col, at_col = f"{party}_signed_by", f"{party}_signed_at"  # from PARTIES: never user text
    with transaction(con):
        done = con.execute(
            f"SELECT {by_col}, {at_col} FROM monthly_plans WHERE plan_id = ?", [int(plan_id)]
        ).fetchone()
        if done[0] is not None:
            raise SalesmgmtError("plan.error.already_signed", name=done[0], at=str(done[1])[:16])
        con.execute(
            f"UPDATE monthly_plans SET {by_col} = ?, {at_col} = ? WHERE plan_id = ?", [name, at, int(plan_id)]
        )
    return at


def plan_revisions(
    con: duckdb.DuckDBPyConnection, rep_id: int, month: Period, filters: Filters
) -> pd.DataFrame:
    """Every saved revision of the rep's plan for the month, newest first, with its signatures."""
    month = _month(month)
    rep_in_scope(con, rep_id, filters)
    frame = run(con, REVISIONS_SQL, _only(filters, rep_id), {"rep_id": int(rep_id), "month": month.start})
    frame["saved_on"] = pd.to_datetime(frame["saved_on"]).dt.date
    return frame


def plan_detail(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> dict | None:
    """A revision of the plan (the latest when `revision` is None) with its visits and their
    status as of `as_of` (see the plan_visit_done measure); None when nothing was saved."""
    month = _month(month)
    rep_in_scope(con, rep_id, filters)
    only = _only(filters, rep_id)
    found = run(con, PLAN_SQL, only, {"rep_id": int(rep_id), "month": month.start, "revision": revision})
    if found.empty:
        return None
    plan = _clean(found.iloc[0].to_dict())
    for col in ("saved_at", "manager_signed_at", "rep_signed_at"):
        if plan.get(col) is not None:
            plan[col] = pd.Timestamp(plan[col]).to_pydatetime()
    plan["saved_on"] = _as_date(plan["saved_on"])
    plan["month"] = _as_date(plan["month"])
    plan["visits"] = plan_visit_status(con, month, only, as_of, plan_id=int(plan["plan_id"]))
    return plan


#: Planned visits with the date the rep made them (None when not done). `{plans}` picks the
#: plan revisions: one plan_id, or the latest revision of every plan of a month in the window.
PLANNED_VISITS_SQL = """
WITH chosen AS ({plans}),
planned AS (
    SELECT ch.plan_id, ch.rep_id, pv.client_id, pv.planned_date, pv.purpose,
           CAST(date_trunc('week', pv.planned_date) AS DATE) AS week
    FROM chosen ch JOIN plan_visits pv ON pv.plan_id = ch.plan_id
    WHERE pv.planned_date >= $start AND pv.planned_date < $end
)
SELECT p.plan_id, p.rep_id, r.name AS rep, r.team, p.client_id, c.name AS client,
       coalesce(c.client_type, 'other') AS client_type, p.planned_date, p.purpose, p.week,
       min(v.visit_date) AS done_on
FROM planned p
JOIN reps r ON r.rep_id = p.rep_id
LEFT JOIN clients c ON c.client_id = p.client_id
LEFT JOIN visits v
  ON v.rep_id = p.rep_id AND v.client_id = p.client_id AND v.visit_type = 'visit'
 AND v.visit_date >= p.week AND v.visit_date < p.week + INTERVAL 7 DAY AND v.visit_date <= $as_of
GROUP BY ALL
ORDER BY p.planned_date, r.name, c.name
"""

ONE_PLAN = """
    SELECT mp.plan_id, mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
    WHERE mp.plan_id = $plan_id AND {where}"""

LATEST_PLANS = """
    SELECT mp.plan_id, mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
    WHERE mp.month >= $first_month AND mp.month < $end AND {where}
    QUALIFY row_number() OVER (PARTITION BY mp.rep_id, mp.month ORDER BY mp.revision DESC) = 1"""


def plan_visit_status(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, plan_id: int | None = None
) -> pd.DataFrame:
    """Planned visits dated in `period`, each with done_on and status ('done', 'missed' or
    'upcoming'): of one plan revision, or of the latest revision of every plan in `filters`."""
    plans = ONE_PLAN if plan_id is not None else LATEST_PLANS
    named: dict[str, Any] = {"start": period.start, "end": period.end, "as_of": as_of}
    if plan_id is not None:
        named["plan_id"] = int(plan_id)
    else:
        named["first_month"] = Period.month_of(period.start).start
    frame = run(con, PLANNED_VISITS_SQL.replace("{plans}", plans), filters, named)
    for col in ("planned_date", "week", "done_on"):
        frame[col] = pd.to_datetime(frame[col]).dt.date.astype(object)
    frame["done_on"] = frame["done_on"].where(frame["done_on"].notna(), None)
    over = frame["week"].map(lambda w: w + timedelta(days=6) < as_of)
    frame["status"] = np.where(frame["done_on"].notna(), "done", np.where(over, "missed", "upcoming"))
    return frame


#: Per day of the month: the rep's client visits, deals won and deals that moved up a stage.
REP_ACTIVITY_SQL = f"""
WITH vis AS (
    SELECT v.visit_date AS day, count(*) AS visits
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.rep_id = $rep_id AND v.visit_type = 'visit' AND v.visit_date >= $start
      AND v.visit_date < $end AND {{where}}
    GROUP BY 1
),
won AS (
    SELECT o.close_date AS day, count(*) AS won_count, sum(CAST(o.amount AS DOUBLE)) AS won_amount
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.rep_id = $rep_id AND o.status = 'won' AND o.close_date >= $start
      AND o.close_date < $end AND {{where}}
    GROUP BY 1
),
steps AS (
    SELECT h.valid_from AS day, h.opp_id, {stage_rank_sql("h.stage")} AS rank_now,
           lag({stage_rank_sql("h.stage")}) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from)
               AS rank_before
    FROM opportunity_history h JOIN reps r ON r.rep_id = h.rep_id
    WHERE h.rep_id = $rep_id AND {{where}}
),
advanced AS (
    SELECT day, count(DISTINCT opp_id) AS deals_advanced FROM steps
    WHERE rank_now > rank_before AND rank_before >= 0 AND day >= $start AND day < $end
    GROUP BY 1
),
days AS (SELECT day FROM vis UNION SELECT day FROM won UNION SELECT day FROM advanced)
SELECT days.day, coalesce(vis.visits, 0) AS visits, coalesce(won.won_count, 0) AS won_count,
       coalesce(won.won_amount, 0) AS won_amount, coalesce(advanced.deals_advanced, 0) AS deals_advanced
FROM days LEFT JOIN vis USING (day) LEFT JOIN won USING (day) LEFT JOIN advanced USING (day)
"""


def weekly_review(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> pd.DataFrame:
    """Planned against actual, week by week (the weeks of `plan_weeks`, cut to the month).

    Columns: week (Monday), norm_applies, state ('past', 'current', 'future' against as_of),
    planned, planned_done, planned_missed, visits (client visits made that week in the month),
    unplanned_visits (visits - planned_done, at least 0), won_count, won_amount, deals_advanced
    (opportunities that moved up a stage or were won), below_norm (a past week where the norm
    applies, see `plan_weeks`, whose visits fall short of it).
    """
    month = _month(month)
    rep_in_scope(con, rep_id, filters)
    only = _only(filters, rep_id)
    plan = plan_detail(con, rep_id, month, filters, as_of, revision)
    planned = plan["visits"] if plan else pd.DataFrame(columns=["week", "status"])
    activity = run(
        con,
        REP_ACTIVITY_SQL,
        only,
        {"rep_id": int(rep_id), "start": month.start, "end": min(month.end, as_of + timedelta(days=1))},
    )
    activity["day"] = pd.to_datetime(activity["day"]).dt.date
    activity["week"] = activity["day"].map(lambda d: d - timedelta(days=d.weekday()))
    by_week = activity.groupby("week")[["visits", "won_count", "won_amount", "deals_advanced"]].sum()
    rows = []
    for monday, counted in plan_weeks(month):
        mine = planned[planned["week"] == monday] if len(planned) else planned
        state = "future" if monday > as_of else "current" if monday + timedelta(days=6) >= as_of else "past"
        got = by_week.loc[monday] if monday in by_week.index else None
        visits = int(got["visits"]) if got is not None else 0
        done = int((mine["status"] == "done").sum()) if len(mine) else 0
        rows.append(
            {
                "week": monday,
                "norm_applies": counted,
                "state": state,
                "planned": int(len(mine)),
                "planned_done": done,
                "planned_missed": int((mine["status"] == "missed").sum()) if len(mine) else 0,
                "visits": visits,
                "unplanned_visits": max(visits - done, 0),
                "won_count": int(got["won_count"]) if got is not None else 0,
                "won_amount": float(got["won_amount"]) if got is not None else 0.0,
                "deals_advanced": int(got["deals_advanced"]) if got is not None else 0,
                "below_norm": bool(counted and state == "past" and visits < VISIT_NORM_PER_WEEK),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# The one-page report: Excel and printable HTML, in the user's language


def plan_document(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> dict:
    """Everything the one-page report shows: the rep's report, the plan revision, the review."""
    report = rep_report(con, rep_id, month, filters, as_of)
    report["plan"] = plan_detail(con, rep_id, month, filters, as_of, revision)
    report["review"] = weekly_review(con, rep_id, month, filters, as_of, revision)
    return report


#: Rows of open deals the one page has room for.
REPORT_DEALS = 12


def _text(value: Any) -> str:
    """A cell's text: '' for None or NaN (pandas fills missing text with either)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _report_sections(doc: dict, lang: str) -> dict:
    """The report's content as texts in `lang`: shared by the Excel and HTML writers."""
    f, rep, plan = doc["figures"], doc["rep"], doc["plan"]
    month: Period = doc["month"]

    def money(v: Any) -> str:
        return format_money(v, lang)

    def day(v: Any) -> str:
        return "–" if v is None or (not isinstance(v, (str, date)) and pd.isna(v)) else str(_as_date(v))

    title = t("plan.doc.title", lang, rep=rep["name"], month=month.label(lang))
    subtitle = t(
        "plan.doc.subtitle",
        lang,
        team=rep.get("team") or "–",
        manager=rep.get("manager") or "–",
        as_of=str(doc["as_of"]),
        revision=plan["revision"] if plan else "–",
    )
    kpis = [
        (t("plan.kpi.target", lang), money(f.get("target"))),
        (t("plan.kpi.won", lang), money(f.get("won_amount"))),
        (t("plan.kpi.forecast", lang), money(f.get("forecast"))),
        (t("plan.kpi.gap", lang), money(f.get("gap"))),
        (t("plan.kpi.probability", lang), format_percent(f.get("attainment_probability"))),
        (
            t("plan.kpi.visits", lang),
            t(
                "plan.kpi.visits_value",
                lang,
                visits=f.get("visits", 0),
                ok=f.get("weeks_meeting_norm", 0),
                weeks=f.get("weeks", 0),
            ),
        ),
    ]
    deals = doc["deals"]
    deal_head = [
        t("plan.col.opportunity", lang),
        t("plan.col.client", lang),
        t("plan.col.stage", lang),
        t("plan.col.amount", lang),
        t("plan.col.probability", lang),
        t("plan.col.expected_close", lang),
        t("plan.col.age", lang),
        t("plan.col.last_visit", lang),
    ]
    deal_rows = [
        [
            _text(d.opportunity) or d.opp_id,
            _text(d.client) or "–",
            t(f"stage.{d.stage}", lang),
            money(d.amount),
            format_percent(d.probability),
            day(d.expected_close_date),
            "–" if pd.isna(d.age_days) else str(int(d.age_days)),
            day(d.last_visit),
        ]
        for d in deals.head(REPORT_DEALS).itertuples()
    ]
    more = max(len(deals) - REPORT_DEALS, 0)
    visit_head = [
        t("plan.col.date", lang),
        t("plan.col.client", lang),
        t("plan.col.purpose", lang),
        t("plan.col.status", lang),
    ]
    visits = plan["visits"] if plan else pd.DataFrame()
    visit_rows = [
        [day(v.planned_date), _text(v.client) or "–", _text(v.purpose), t(f"plan.status.{v.status}", lang)]
        for v in visits.itertuples()
    ]
    review = doc["review"]
    review_head = [
        t("plan.col.week", lang),
        t("plan.col.planned", lang),
        t("plan.col.done", lang),
        t("plan.col.visits", lang),
        t("plan.col.won", lang),
        t("plan.col.advanced", lang),
    ]
    review_rows = [
        [
            day(w.week),
            str(w.planned),
            str(w.planned_done),
            str(w.visits),
            money(w.won_amount) if w.won_count else "–",
            str(w.deals_advanced),
        ]
        for w in review.itertuples()
        if w.state != "future"
    ]
    actions = (plan or {}).get("remedial_actions") or (
        actions_text(doc["actions"], lang) if doc["low"] else ""
    )

    def signature(party: str) -> str:
        by = (plan or {}).get(f"{party}_signed_by")
        if not by:
            return t("plan.doc.unsigned", lang)
        return t("plan.doc.signed", lang, name=by, at=str(plan[f"{party}_signed_at"])[:16])

    return {
        "title": title,
        "subtitle": subtitle,
        "kpis": kpis,
        "deals_title": t("plan.doc.deals", lang),
        "deal_head": deal_head,
        "deal_rows": deal_rows,
        "deals_more": t("plan.doc.more", lang, n=more) if more else "",
        "visits_title": t("plan.doc.visits", lang),
        "visit_head": visit_head,
        "visit_rows": visit_rows,
        "commitments_title": t("plan.doc.commitments", lang),
        "commitments": (plan or {}).get("commitments") or "",
        "actions_title": t("plan.doc.actions", lang),
        "actions": actions,
        "review_title": t("plan.doc.review", lang),
        "review_head": review_head,
        "review_rows": review_rows,
        "notes": (plan or {}).get("review_notes") or "",
        "notes_title": t("plan.doc.notes", lang),
        "signatures": [
            (t("plan.doc.manager", lang), signature("manager")),
            (t("plan.doc.rep", lang), signature("rep")),
        ],
        "no_plan": "" if plan else t("plan.doc.no_plan", lang),
    }


def plan_xlsx(doc: dict, lang: str) -> bytes:
    """The report as one Excel page (A4 portrait, fitted to one page when printed)."""
    import xlsxwriter

    s = _report_sections(doc, lang)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(t("plan.doc.sheet", lang)[:31])
    font = "Microsoft YaHei" if lang == "zh" else "Calibri"
    base = {"font_name": font, "font_size": 9, "valign": "top"}
    fmt = {
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "sub": book.add_format({**base, "font_color": "#555555"}),
        "h": book.add_format({**base, "bold": True, "font_size": 11, "bottom": 1}),
        "th": book.add_format({**base, "bold": True, "bg_color": "#E8EEF4", "border": 1}),
        "td": book.add_format({**base, "border": 1}),
        "text": book.add_format({**base, "text_wrap": True, "border": 1}),
        "k": book.add_format({**base, "bold": True}),
        "v": book.add_format({**base}),
    }
    widths = [22, 18, 12, 14, 9, 12, 8, 12]
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
    last_col = len(widths) - 1
    r = 0
    sheet.merge_range(r, 0, r, last_col, s["title"], fmt["title"])
    r += 1
    sheet.merge_range(r, 0, r, last_col, s["subtitle"], fmt["sub"])
    r += 2
    for i, (k, v) in enumerate(s["kpis"]):
        row, col = r + i // 3, (i % 3) * 3
        sheet.write_string(row, col, k, fmt["k"])
        sheet.write_string(row, col + 1, v, fmt["v"])
    r += 3

    def table(title: str, head: list[str], rows: list[list[str]], r: int) -> int:
        sheet.merge_range(r, 0, r, last_col, title, fmt["h"])
        r += 1
        for c, h in enumerate(head):
            sheet.write_string(r, c, h, fmt["th"])
        for row in rows:
            r += 1
            for c, v in enumerate(row):
                sheet.write_string(r, c, v, fmt["td"])
        return r + 2

    def block(title: str, text: str, r: int, lines: int = 3) -> int:
        sheet.merge_range(r, 0, r, last_col, title, fmt["h"])
        r += 1
        shown = max(lines, min(text.count("\n") + 1, 12))
        sheet.merge_range(r, 0, r + shown - 1, last_col, text, fmt["text"])
        return r + shown + 1

    r = table(s["deals_title"], s["deal_head"], s["deal_rows"], r)
    if s["deals_more"]:
        sheet.write_string(r - 1, 0, s["deals_more"], fmt["sub"])
        r += 1
    if s["no_plan"]:
        sheet.merge_range(r, 0, r, last_col, s["no_plan"], fmt["sub"])
        r += 2
    r = table(s["visits_title"], s["visit_head"], s["visit_rows"], r)
    r = block(s["commitments_title"], s["commitments"], r)
    r = block(s["actions_title"], s["actions"], r)
    r = table(s["review_title"], s["review_head"], s["review_rows"], r)
    r = block(s["notes_title"], s["notes"], r, lines=2)
    for i, (who, text) in enumerate(s["signatures"]):
        col = i * 4
        sheet.write_string(r, col, who, fmt["k"])
        sheet.merge_range(r, col + 1, r, col + 3, text, fmt["v"])
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.fit_to_pages(1, 1)
    sheet.print_area(0, 0, r, last_col)
    book.close()
    return buffer.getvalue()


_HTML_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       font-size: 10pt; color: #222; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 10pt 0 3pt 0; border-bottom: 1px solid #999; }
.sub { color: #555; margin-bottom: 6pt; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2pt 12pt; }
.kpis b { display: inline-block; min-width: 30mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8eef4; }
.text { white-space: pre-wrap; border: 1px solid #bbb; padding: 3pt; min-height: 14pt; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 12pt; margin-top: 12pt; }
.note { color: #555; }
@media print { .no-print { display: none; } }
"""


def plan_html(doc: dict, lang: str) -> str:
    """The report as a printable HTML page (A4); every value escaped."""
    s = _report_sections(doc, lang)
    e = html.escape

    def table(head: list[str], rows: list[list[str]]) -> str:
        out = ["<table><thead><tr>", *(f"<th>{e(h)}</th>" for h in head), "</tr></thead><tbody>"]
        for row in rows:
            out += ["<tr>", *(f"<td>{e(v)}</td>" for v in row), "</tr>"]
        out.append("</tbody></table>")
        return "".join(out)

    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(s['title'])}</title><style>{_HTML_STYLE}</style></head><body>",
        f'<h1>{e(s["title"])}</h1><div class="sub">{e(s["subtitle"])}</div>',
        '<div class="kpis">',
        *(f"<div><b>{e(k)}</b> {e(v)}</div>" for k, v in s["kpis"]),
        "</div>",
        f"<h2>{e(s['deals_title'])}</h2>",
        table(s["deal_head"], s["deal_rows"]),
        f'<div class="note">{e(s["deals_more"])}</div>' if s["deals_more"] else "",
        f'<p class="note">{e(s["no_plan"])}</p>' if s["no_plan"] else "",
        f"<h2>{e(s['visits_title'])}</h2>",
        table(s["visit_head"], s["visit_rows"]),
        f'<h2>{e(s["commitments_title"])}</h2><div class="text">{e(s["commitments"])}</div>',
        f'<h2>{e(s["actions_title"])}</h2><div class="text">{e(s["actions"])}</div>',
        f"<h2>{e(s['review_title'])}</h2>",
        table(s["review_head"], s["review_rows"]),
        f'<h2>{e(s["notes_title"])}</h2><div class="text">{e(s["notes"])}</div>',
        '<div class="signatures">',
        *(f"<div><b>{e(who)}</b><br>{e(text)}</div>" for who, text in s["signatures"]),
        "</div></body></html>",
    ]
    return "".join(parts)


def export_xlsx(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    lang: str,
    revision: int | None = None,
) -> bytes:
    return plan_xlsx(plan_document(con, rep_id, month, filters, as_of, revision), lang)


def export_html(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    lang: str,
    revision: int | None = None,
) -> str:
    return plan_html(plan_document(con, rep_id, month, filters, as_of, revision), lang)

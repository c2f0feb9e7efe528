"""Client relationship evaluation (module 2, part 8): a health score per client with its parts,
key accounts going cold, the key-account profile reps prepare before a review, the reviews
themselves, and coverage of the construction project chain.

Scope rule (one rule for every function here): a client is in scope when its owner rep
(`clients.owner_rep_id`) is in the Filters. Everything recorded about a client in scope counts
for it (all its visits and deals, whoever made them), because an account's health is one figure
whoever looks at it. Lists name only people in scope: a visit or deal of a client in scope made
by a rep outside the scope is shown with its date, type, purpose, outcome, amount and stage, but
without who made it, who went along or its notes. A client outside the scope is never returned,
nor is anything about it, except as a part of a fact of a rep in scope (a deal of that rep names
its client). A client without an owner is shown only when nothing is filtered or scoped.

For the project chain the same two halves apply: a project is in scope through the deals of reps
in scope; its chain is the clients of those deals; a visit counts when its rep is in scope or
its client is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.db import transaction
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.measures import COLD_ACCOUNT_DAYS, Measure
from salesmgmt.metrics.coaching import split_names
from salesmgmt.metrics.deals import as_dates
from salesmgmt.query import run
from salesmgmt.text import name_key

#: How often a client should be visited: key accounts monthly, others quarterly (days).
CADENCE_DAYS: dict[bool, int] = {True: 30, False: 90}
#: Points of each part of the health score (they add up to 100).
WEIGHTS: dict[str, int] = {
    "recency": 30,
    "visit_trend": 15,
    "pipeline": 20,
    "revenue": 20,
    "relationship": 15,
}
#: Visit trend: visits in the last this-many days against the same number of days before.
TREND_DAYS = 90
#: Pipeline movement: open pipeline now against this many days ago.
PIPELINE_DAYS = 90
#: Revenue: won in the last this-many days against the same number of days before.
REVENUE_DAYS = 365
#: A review's next date, when none is given: this many days after the review (quarterly).
REVIEW_INTERVAL_DAYS = 90
#: Reviews due within this many days are listed as due.
REVIEW_DUE_DAYS = 14
#: The four client types of the construction project chain, in the order work flows.
CHAIN_TYPES = ("design_institute", "steel_structure", "construction", "owner")
#: A visit to a chain client counts for a project from this many days before its first deal.
PROJECT_LEAD_DAYS = 90

assert sum(WEIGHTS.values()) == 100

MEASURES: list[Measure] = [
    Measure(
        "health_score",
        "Client health score",
        "客户健康分",
        "number",
        "0-100, the sum of five parts: recency (30 points), visit trend (15), open pipeline "
        "(20), won revenue (20) and relationship level (15). When the relationship level is "
        "not recorded, that part is left out and the others are scaled up: score = points / "
        "85 x 100.",
    ),
    Measure(
        "recency_points",
        "Health: recency",
        "健康分：拜访及时性",
        "number",
        "30 x clamp((3c - d) / 2c, 0, 1), where d is days_since_visit and c the expected "
        f"cadence of the client's tier: {CADENCE_DAYS[True]} days for a key account, "
        f"{CADENCE_DAYS[False]} for any other client. Full points up to one cadence, half "
        "at two, none at three or more, none when never visited.",
    ),
    Measure(
        "visit_trend_points",
        "Health: visit trend",
        "健康分：拜访趋势",
        "number",
        f"15 x min(recent / previous, 1), where recent counts the client's visits (type "
        f"visit) in the {TREND_DAYS} days up to the as-of date and previous those in the "
        f"{TREND_DAYS} days before; 15 when previous is 0 and recent is not; 0 when both are 0.",
    ),
    Measure(
        "pipeline_points",
        "Health: open pipeline",
        "健康分：在途商机",
        "number",
        "0 without open pipeline at the as-of date (pipeline_at); else 10 for having it plus "
        f"10 x min((now + won since then) / {PIPELINE_DAYS} days ago, 1) for its movement "
        "(10 when there was none then): pipeline that turned into a win has not fallen.",
    ),
    Measure(
        "revenue_points",
        "Health: won revenue",
        "健康分：赢单收入",
        "number",
        "20 x min(won in the last 12 months / won in the 12 months before, 1); 20 when "
        "nothing was won before but something now; 0 when nothing was won in either.",
    ),
    Measure(
        "relationship_points",
        "Health: relationship level",
        "健康分：关系等级",
        "number",
        "15 x (relationship_level - 1) / 4 for a level of 1-5; left out when not recorded.",
    ),
    Measure(
        "going_cold",
        "Key account going cold",
        "重点客户变冷",
        "count",
        f"A key account with no visit for {COLD_ACCOUNT_DAYS} days or more (or never), or "
        "whose pipeline is falling: open pipeline now plus what was won since is below the "
        f"open pipeline {PIPELINE_DAYS} days ago. Listed first.",
    ),
    Measure(
        "review_due",
        "Review due",
        "待评审",
        "count",
        "A key account whose next review date (from its last review) is on or before "
        f"{REVIEW_DUE_DAYS} days after the as-of date, or that was never reviewed. A review "
        f"without a next date is due {REVIEW_INTERVAL_DAYS} days after it.",
    ),
    Measure(
        "project_chain_coverage",
        "Project chain coverage",
        "项目链覆盖",
        "percent",
        "Of the four links of a project's chain (design institute, steel-structure company, "
        "construction company, owner), the share with a client on the project's deals that "
        f"was visited (type visit) from {PROJECT_LEAD_DAYS} days before the project's first "
        "deal was created up to the as-of date. A link with no client on the project counts "
        "as not covered.",
    ),
]

#: One row per client in scope with the raw facts of its health score. Windows end at as_of.
CLIENT_FACTS_SQL = """
WITH cl AS (
    SELECT c.client_id, c.name AS client, c.client_type, c.key_account, c.region,
           c.relationship_level, c.owner_rep_id, r.name AS owner, r.team
    FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE {where} AND ($client_id IS NULL OR c.client_id = $client_id)
),
lv AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit
    FROM visits v JOIN cl USING (client_id) WHERE v.visit_date <= $as_of GROUP BY 1
),
vt AS (
    SELECT v.client_id,
           count(*) FILTER (WHERE v.visit_date > $trend_from) AS visits_recent,
           count(*) FILTER (WHERE v.visit_date <= $trend_from) AS visits_previous
    FROM visits v JOIN cl USING (client_id)
    WHERE v.visit_type = 'visit' AND v.visit_date > $trend_prev_from AND v.visit_date <= $as_of
    GROUP BY 1
),
pipe AS (
    SELECT h.client_id,
           sum(h.amount) FILTER (WHERE h.valid_from <= $as_of
                                   AND (h.valid_to IS NULL OR h.valid_to > $as_of)) AS pipeline_now,
           sum(h.amount) FILTER (WHERE h.valid_from <= $pipe_then
                                   AND (h.valid_to IS NULL OR h.valid_to > $pipe_then)) AS pipeline_then
    FROM opportunity_history h JOIN cl USING (client_id)
    -- states that ended by pipe_then count at neither date: most of the history is left out
    WHERE h.status = 'open' AND h.valid_from <= $as_of
      AND (h.valid_to IS NULL OR h.valid_to > $pipe_then)
    GROUP BY 1
),
won AS (
    SELECT o.client_id,
           sum(o.amount) FILTER (WHERE o.close_date > $rev_from) AS won_last_12m,
           sum(o.amount) FILTER (WHERE o.close_date <= $rev_from) AS won_prior_12m,
           sum(o.amount) FILTER (WHERE o.close_date > $pipe_then) AS won_since_then
    FROM opportunities o JOIN cl USING (client_id)
    WHERE o.status = 'won' AND o.close_date > $rev_prev_from AND o.close_date <= $as_of
    GROUP BY 1
)
SELECT cl.*, lv.last_visit, date_diff('day', lv.last_visit, $as_of) AS days_since_visit,
       coalesce(vt.visits_recent, 0) AS visits_recent,
       coalesce(vt.visits_previous, 0) AS visits_previous,
       CAST(coalesce(pipe.pipeline_now, 0) AS DOUBLE) AS pipeline_now,
       CAST(coalesce(pipe.pipeline_then, 0) AS DOUBLE) AS pipeline_then,
       CAST(coalesce(won.won_last_12m, 0) AS DOUBLE) AS won_last_12m,
       CAST(coalesce(won.won_prior_12m, 0) AS DOUBLE) AS won_prior_12m,
       CAST(coalesce(won.won_since_then, 0) AS DOUBLE) AS won_since_then
FROM cl
LEFT JOIN lv USING (client_id) LEFT JOIN vt USING (client_id)
LEFT JOIN pipe USING (client_id) LEFT JOIN won USING (client_id)
"""


def _capped_ratio(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """min(now / before, 1); 1 when there was nothing before but is now; 0 when neither."""
    safe = np.where(before > 0, before, 1.0)
    return np.where(before > 0, np.minimum(now / safe, 1.0), np.where(now > 0, 1.0, 0.0))


#: The columns health_points reads, one row per client.
FACT_COLUMNS = (
    "days_since_visit",
    "key_account",
    "visits_recent",
    "visits_previous",
    "pipeline_now",
    "pipeline_then",
    "won_since_then",
    "won_last_12m",
    "won_prior_12m",
    "relationship_level",
)


def health_points(facts: pd.DataFrame) -> pd.DataFrame:
    """The formula of the glossary, in one place, for every row of `facts` at once: the points of
    each part (recency, visit_trend, pipeline, revenue, relationship - NaN when the level is not
    recorded) and the score."""
    f = {c: facts[c].to_numpy(dtype="float64") for c in FACT_COLUMNS}
    cadence = np.where(f["key_account"] > 0, CADENCE_DAYS[True], CADENCE_DAYS[False])
    days = f["days_since_visit"]
    recency = np.where(np.isnan(days), 0.0, np.clip((3 * cadence - days) / (2 * cadence), 0.0, 1.0))
    pipeline = np.where(
        f["pipeline_now"] > 0,
        0.5 + 0.5 * _capped_ratio(f["pipeline_now"] + f["won_since_then"], f["pipeline_then"]),
        0.0,
    )
    level = f["relationship_level"]
    parts = pd.DataFrame(
        {
            "recency": WEIGHTS["recency"] * recency,
            "visit_trend": WEIGHTS["visit_trend"] * _capped_ratio(f["visits_recent"], f["visits_previous"]),
            "pipeline": WEIGHTS["pipeline"] * pipeline,
            "revenue": WEIGHTS["revenue"] * _capped_ratio(f["won_last_12m"], f["won_prior_12m"]),
            "relationship": WEIGHTS["relationship"] * (level - 1) / 4,
        },
        index=facts.index,
    )
    possible = np.where(np.isnan(level), 100 - WEIGHTS["relationship"], 100)
    parts["score"] = parts.sum(axis=1, skipna=True) / possible * 100
    return parts


def health_parts(
    days_since_visit: float | None,
    key_account: bool,
    visits_recent: int,
    visits_previous: int,
    pipeline_now: float,
    pipeline_then: float,
    won_since_then: float,
    won_last_12m: float,
    won_prior_12m: float,
    relationship_level: int | None,
) -> dict[str, float | None]:
    """health_points of one client, as a dict (relationship None when not recorded)."""
    values = locals()
    row = pd.DataFrame([{c: (np.nan if values[c] is None else values[c]) for c in FACT_COLUMNS}])
    parts = health_points(row).iloc[0].to_dict()
    return {k: (None if v != v else float(v)) for k, v in parts.items()}


def _facts(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, client_id: int | None = None
) -> pd.DataFrame:
    named = {
        "as_of": as_of,
        "client_id": client_id,
        "trend_from": as_of - timedelta(days=TREND_DAYS),
        "trend_prev_from": as_of - timedelta(days=2 * TREND_DAYS),
        "pipe_then": as_of - timedelta(days=PIPELINE_DAYS),
        "rev_from": as_of - timedelta(days=REVENUE_DAYS),
        "rev_prev_from": as_of - timedelta(days=2 * REVENUE_DAYS),
    }
    facts = as_dates(run(con, CLIENT_FACTS_SQL, filters, named), "last_visit")
    # NaN, never None, when no client in view was ever visited (an all-empty column).
    facts["days_since_visit"] = facts["days_since_visit"].astype("float64")
    return facts


def client_health(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, key_accounts_only: bool = False
) -> pd.DataFrame:
    """One row per client in scope: the facts, the parts (points), health_score, cadence_days,
    pipeline_falling and going_cold. Key accounts going cold first, then every client by score,
    weakest first."""
    facts = _facts(con, filters, as_of)
    if key_accounts_only:
        facts = facts[facts["key_account"]]
    return _score(facts).reset_index(drop=True)


def _score(facts: pd.DataFrame) -> pd.DataFrame:
    parts = health_points(facts)
    out = facts.copy()
    for name in WEIGHTS:
        out[f"{name}_points"] = parts[name].astype("float64")
    out["health_score"] = parts["score"].astype("float64")
    out["cadence_days"] = [CADENCE_DAYS[bool(k)] for k in out["key_account"]]
    out["pipeline_falling"] = out["pipeline_now"] + out["won_since_then"] < out["pipeline_then"]
    cold_visit = out["days_since_visit"].isna() | (out["days_since_visit"] >= COLD_ACCOUNT_DAYS)
    out["going_cold"] = out["key_account"].astype(bool) & (cold_visit | out["pipeline_falling"])
    out["_cold"] = out["going_cold"].astype(int)
    return out.sort_values(["_cold", "health_score", "client"], ascending=[False, True, True]).drop(
        columns="_cold"
    )


# ------------------------------------------------------------------------------------------
# The key-account profile


def find_clients(health: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """The rows of `health` (a client_health) whose client name contains `text`, case ignored,
    in their order; every row when `text` is blank."""
    text = (text or "").strip()
    if not text:
        return health
    return health[health["client"].astype(str).str.contains(text, case=False, regex=False)]


#: A client's visits; who made them, who went along and the notes only for reps in the where.
PROFILE_VISITS_SQL = """
WITH v AS (
    SELECT v.*, coalesce({where}, FALSE) AS in_scope, r.name AS rep_name, r.team AS rep_team
    FROM visits v LEFT JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.client_id = $client_id AND v.visit_date <= $as_of
)
SELECT v.visit_date, v.visit_type,
       CASE WHEN v.in_scope THEN v.rep_name END AS rep,
       CASE WHEN v.in_scope THEN coalesce(v.rep_team, '—') END AS team,
       CASE WHEN v.in_scope THEN v.accompanied_by END AS accompanied_by,
       v.purpose, v.outcome, CASE WHEN v.in_scope THEN v.notes END AS notes,
       v.opp_id, o.name AS opportunity, v.in_scope
FROM v LEFT JOIN opportunities o ON o.opp_id = v.opp_id
ORDER BY v.visit_date DESC, v.visit_key DESC
"""

#: A client's deals; the rep only when in the where.
PROFILE_DEALS_SQL = """
SELECT o.opp_id, o.name AS opportunity, o.product, o.project, o.stage, o.status,
       CAST(o.amount AS DOUBLE) AS amount, o.created_date, o.expected_close_date, o.close_date,
       o.lost_reason, CASE WHEN coalesce({where}, FALSE) THEN r.name END AS rep
FROM opportunities o LEFT JOIN reps r ON r.rep_id = o.rep_id
WHERE o.client_id = $client_id
ORDER BY (o.status = 'open') DESC, coalesce(o.close_date, o.expected_close_date) DESC, o.opp_id
"""

REVIEWS_SQL = """
SELECT review_id, review_date, participants, findings, development_plan, next_review_date,
       recorded_by, recorded_at
FROM client_reviews WHERE client_id = $client_id
ORDER BY review_date DESC, review_id DESC
"""


def client_in_scope(con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters) -> bool:
    frame = run(
        con,
        "SELECT c.client_id FROM clients c LEFT JOIN reps r ON r.rep_id = "
        "c.owner_rep_id WHERE c.client_id = $client_id AND {where}",
        filters,
        {"client_id": int(client_id)},
    )
    return len(frame) == 1


def client_profile(
    con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters, as_of: date
) -> dict[str, Any] | None:
    """Everything about one client in scope, or None when it is not in scope.

    Keys: client (its facts and health parts, a dict), visits, deals, people (who visited:
    rep, visits, last_visit; and who went along), reviews, last_review (dict or None),
    next_review_date, development_plan, as_of.
    """
    facts = _facts(con, filters, as_of, int(client_id))
    if facts.empty:
        return None
    client = _score(facts).iloc[0].to_dict()
    named = {"client_id": int(client_id), "as_of": as_of}
    visits = as_dates(run(con, PROFILE_VISITS_SQL, filters, named), "visit_date")
    deals = as_dates(
        run(con, PROFILE_DEALS_SQL, filters, {"client_id": int(client_id)}),
        "created_date",
        "expected_close_date",
        "close_date",
    )
    reviews = as_dates(
        con.execute(REVIEWS_SQL, {"client_id": int(client_id)}).df(), "review_date", "next_review_date"
    )
    last = reviews.iloc[0].to_dict() if len(reviews) else None
    return {
        "client": client,
        "visits": visits,
        "deals": deals,
        "people": _people(visits),
        "reviews": reviews,
        "last_review": last,
        "as_of": as_of,
        "next_review_date": _next_review(last),
        "development_plan": (last or {}).get("development_plan") or "",
    }


def _next_review(last: dict | None) -> date | None:
    if last is None:
        return None
    given = last.get("next_review_date")
    if given is not None and not pd.isna(given):
        return given
    return last["review_date"] + timedelta(days=REVIEW_INTERVAL_DAYS)


def _people(visits: pd.DataFrame) -> pd.DataFrame:
    """Who visited the client: each rep in scope with their visits and last visit (role 'rep'),
    each person who went along on those visits (role 'along'), and one row for all visits by
    reps outside the scope (role 'outside', no name)."""
    columns = ["person", "role", "visits", "last_visit"]
    if visits.empty:
        return pd.DataFrame(columns=columns)
    mine = visits[visits["in_scope"].astype(bool)]
    parts = []
    if len(mine):
        reps = (
            mine.groupby("rep")
            .agg(visits=("visit_date", "size"), last_visit=("visit_date", "max"))
            .reset_index()
            .rename(columns={"rep": "person"})
        )
        parts.append(reps.assign(role="rep"))
        along = mine.dropna(subset=["accompanied_by"])
        names = [
            (name, day)
            for text, day in zip(along["accompanied_by"], along["visit_date"])
            for name in split_names(text)
        ]
        if names:
            extra = pd.DataFrame(names, columns=["person", "visit_date"])
            extra["key"] = extra["person"].map(name_key)
            extra = (
                extra.groupby("key")
                .agg(
                    person=("person", "first"),
                    visits=("visit_date", "size"),
                    last_visit=("visit_date", "max"),
                )
                .reset_index(drop=True)
            )
            parts.append(extra.assign(role="along"))
    others = visits[~visits["in_scope"].astype(bool)]
    if len(others):
        parts.append(
            pd.DataFrame(
                [
                    {
                        "person": None,
                        "role": "outside",
                        "visits": len(others),
                        "last_visit": max(others["visit_date"]),
                    }
                ]
            )
        )
    order = {"rep": 0, "along": 1, "outside": 2}
    out = pd.concat(parts, ignore_index=True)[columns]
    out["_order"] = out["role"].map(order)
    return (
        out.sort_values(["_order", "visits", "last_visit"], ascending=[True, False, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------
# Reviews


def record_review(
    con: duckdb.DuckDBPyConnection,
    client_id: int,
    filters: Filters,
    *,
    review_date: date,
    participants: str,
    development_plan: str,
    findings: str = "",
    next_review_date: date | None = None,
    recorded_by: str | None = None,
) -> int:
    """Record a review of a client in scope; returns its review_id.

    The participants and the new development plan are required; the next review date defaults
    to REVIEW_INTERVAL_DAYS after the review and must come after it.
    """
    participants = (participants or "").strip()
    development_plan = (development_plan or "").strip()
    if not participants:
        raise SalesmgmtError("cl.error.no_participants")
    if not development_plan:
        raise SalesmgmtError("cl.error.no_plan")
    if next_review_date is None:
        next_review_date = review_date + timedelta(days=REVIEW_INTERVAL_DAYS)
    if next_review_date <= review_date:
        raise SalesmgmtError("cl.error.next_before", review=str(review_date), next=str(next_review_date))
    if not client_in_scope(con, client_id, filters):
        raise SalesmgmtError("cl.error.not_in_scope", client=str(client_id))
    with transaction(con):
        review_id = con.execute("SELECT nextval('review_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO client_reviews (review_id, client_id, review_date, participants, findings,"
            " development_plan, next_review_date, recorded_by) VALUES (?,?,?,?,?,?,?,?)",
            [
                review_id,
                int(client_id),
                review_date,
                participants,
                (findings or "").strip() or None,
                development_plan,
                next_review_date,
                recorded_by,
            ],
        )
    return int(review_id)


REVIEW_STATUS_SQL = """
WITH cl AS (
    SELECT c.client_id, c.name AS client, c.client_type, r.name AS owner, r.team
    FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE c.key_account AND {where}
),
last AS (
    SELECT client_id, arg_max(review_date, review_id) AS last_review_date,
           arg_max(next_review_date, review_id) AS next_given
    FROM (SELECT cr.* FROM client_reviews cr JOIN cl USING (client_id)
          WHERE cr.review_date <= $as_of)
    GROUP BY client_id
)
SELECT cl.*, last.last_review_date,
       coalesce(last.next_given, last.last_review_date + INTERVAL (CAST($interval AS INTEGER)) DAY)
           AS next_review_date
FROM cl LEFT JOIN last USING (client_id)
"""


def reviews_due(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, within_days: int = REVIEW_DUE_DAYS
) -> pd.DataFrame:
    """Key accounts in scope never reviewed or whose next review is due by as_of + within_days,
    never reviewed and most overdue first. days_to_review < 0 means overdue."""
    frame = run(con, REVIEW_STATUS_SQL, filters, {"as_of": as_of, "interval": REVIEW_INTERVAL_DAYS})
    as_dates(frame, "last_review_date", "next_review_date")
    frame["days_to_review"] = [
        (d - as_of).days if d is not None else np.nan for d in frame["next_review_date"]
    ]
    due = frame[frame["days_to_review"].isna() | (frame["days_to_review"] <= within_days)]
    return due.sort_values(["days_to_review", "client"], na_position="first").reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# The construction project chain

PROJECT_MEMBERS_SQL = """
WITH po AS (
    SELECT trim(o.project) AS project, o.opp_id, o.client_id, o.status, o.amount, o.created_date
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.project IS NOT NULL AND trim(o.project) <> '' AND {where_deal}
),
proj AS (
    SELECT project, min(created_date) AS started,
           count(*) FILTER (WHERE status = 'open') AS open_count,
           CAST(coalesce(sum(amount) FILTER (WHERE status = 'open'), 0) AS DOUBLE) AS open_amount,
           count(*) AS deals
    FROM po GROUP BY project
    -- only the projects listed: their members' visits are the costly part
    HAVING count(*) FILTER (WHERE status = 'open') > 0 OR NOT $open_only
),
members AS (
    SELECT DISTINCT po.project, po.client_id, c.name AS client,
           coalesce(c.client_type, 'other') AS client_type
    FROM po SEMI JOIN proj USING (project) JOIN clients c ON c.client_id = po.client_id
),
seen AS (
    SELECT m.project, m.client_id, count(*) AS visits, max(v.visit_date) AS last_visit
    FROM members m
    JOIN proj p USING (project)
    JOIN visits v ON v.client_id = m.client_id AND v.visit_type = 'visit'
     AND v.visit_date <= $as_of
     AND (p.started IS NULL OR v.visit_date >= p.started - INTERVAL (CAST($lead AS INTEGER)) DAY)
    LEFT JOIN reps vr ON vr.rep_id = v.rep_id
    LEFT JOIN clients vc ON vc.client_id = v.client_id
    LEFT JOIN reps cr ON cr.rep_id = vc.owner_rep_id
    WHERE ({where_visit}) OR ({where_owner})
    GROUP BY ALL
)
SELECT p.project, p.started, p.open_count, p.open_amount, p.deals,
       m.client_id, m.client, m.client_type,
       coalesce(seen.visits, 0) AS visits, seen.last_visit
FROM proj p
JOIN members m USING (project)
LEFT JOIN seen ON seen.project = m.project AND seen.client_id = m.client_id
WHERE p.open_count > 0 OR NOT $open_only
ORDER BY p.open_amount DESC, p.project, m.client_type, m.client
"""


def project_members(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, open_only: bool = True
) -> pd.DataFrame:
    """Each project's chain, one row per client on its deals: the project's start, open deals and
    amount, the client, its type, and its visits since the project began (see the glossary's
    project_chain_coverage)."""
    frame = run(
        con,
        PROJECT_MEMBERS_SQL,
        filters,
        {"as_of": as_of, "lead": PROJECT_LEAD_DAYS, "open_only": open_only},
        scopes={"where_deal": "r", "where_visit": "vr", "where_owner": "cr"},
    )
    frame["visits"] = frame["visits"].astype("int64")
    return as_dates(frame, "started", "last_visit")


def project_coverage(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, open_only: bool = True
) -> pd.DataFrame:
    """One row per project: project, started, open_count, open_amount, deals; for each chain
    type (design_institute, steel_structure, construction, owner) `<type>` ('visited',
    'not_visited' or 'none'), `<type>_clients` (names) and `<type>_last_visit`; then
    links_known, links_visited and chain_coverage. Largest open amount first."""
    members = project_members(con, filters, as_of, open_only)
    head = ["project", "started", "open_count", "open_amount", "deals"]
    if members.empty:
        columns = head + [f"{t}{s}" for t in CHAIN_TYPES for s in ("", "_clients", "_last_visit")]
        return pd.DataFrame(columns=columns + ["links_known", "links_visited", "chain_coverage"])
    out = members[head].drop_duplicates("project").set_index("project")
    # Every project's links at once (a groupby per link with Python lambdas cost seconds at
    # 10,000 projects): names sorted and joined, visited, last visit.
    keys = ["project", "client_type"]
    chain = members[members["client_type"].isin(CHAIN_TYPES)]
    names = (
        chain.drop_duplicates(keys + ["client"])
        .sort_values(keys + ["client"])
        .groupby(keys, sort=False)["client"]
        .agg("、".join)
    )
    visited = chain.groupby(keys)["visits"].sum() > 0
    latest = pd.to_datetime(chain["last_visit"]).groupby([chain["project"], chain["client_type"]]).max()
    last = pd.Series([None if d is pd.NaT else d.date() for d in latest], index=latest.index, dtype=object)

    def link(series: pd.Series, kind: str) -> pd.Series:
        """A (project, client_type) series' values of one link, per project of `out`."""
        if kind not in series.index.get_level_values("client_type"):
            return pd.Series(None, index=out.index, dtype=object)
        return series.xs(kind, level="client_type").reindex(out.index)

    for kind in CHAIN_TYPES:
        clients_of = link(names, kind)
        out[kind] = np.where(
            clients_of.isna(),
            "none",
            np.where(link(visited, kind).fillna(False).astype(bool), "visited", "not_visited"),
        )
        out[f"{kind}_clients"] = clients_of
        out[f"{kind}_last_visit"] = link(last, kind)
    out["links_known"] = (out[list(CHAIN_TYPES)] != "none").sum(axis=1)
    out["links_visited"] = (out[list(CHAIN_TYPES)] == "visited").sum(axis=1)
    out["chain_coverage"] = out["links_visited"] / len(CHAIN_TYPES)
    return (
        out.reset_index()
        .sort_values(["open_amount", "project"], ascending=[False, True])
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------
# Explaining a score


def health_explanation(client: dict, lang: str) -> list[dict[str, Any]]:
    """Each part of a client's score (a row of client_health) with its points, its maximum and
    the facts behind it, in `lang`: what a manager reads to see why."""
    from salesmgmt.i18n import format_money, t

    def money(value: float) -> str:
        return format_money(value, lang)

    days = client.get("days_since_visit")
    never = days is None or days != days
    level = client.get("relationship_level")
    no_level = level is None or level != level
    details = {
        "recency": t("cl.part.recency_never", lang)
        if never
        else t("cl.part.recency_detail", lang, days=int(days), cadence=client["cadence_days"]),
        "visit_trend": t(
            "cl.part.trend_detail",
            lang,
            recent=int(client["visits_recent"]),
            previous=int(client["visits_previous"]),
            days=TREND_DAYS,
        ),
        "pipeline": t("cl.part.pipeline_none", lang)
        if client["pipeline_now"] <= 0
        else t(
            "cl.part.pipeline_detail",
            lang,
            now=money(client["pipeline_now"]),
            then=money(client["pipeline_then"]),
            won=money(client["won_since_then"]),
            days=PIPELINE_DAYS,
        ),
        "revenue": t(
            "cl.part.revenue_detail",
            lang,
            last=money(client["won_last_12m"]),
            prior=money(client["won_prior_12m"]),
        ),
        "relationship": t("cl.part.relationship_none", lang)
        if no_level
        else t("cl.part.relationship_detail", lang, level=int(level)),
    }
    return [
        {
            "part": part,
            "label": t(f"cl.part.{part}", lang),
            "points": client.get(f"{part}_points"),
            "max": WEIGHTS[part],
            "detail": details[part],
        }
        for part in WEIGHTS
    ]

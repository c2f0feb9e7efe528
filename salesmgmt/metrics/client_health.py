"""The client health score (module 2, part 8): its facts per client, its five parts and the
score, key accounts going cold, finding a client by name, and a score explained part by part.

Scope rule: that of `salesmgmt.metrics.clients` (a client is in scope when its owner rep is in
the Filters; everything recorded about it counts for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, TypedDict

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import COLD_ACCOUNT_DAYS
from salesmgmt.metrics.deals import as_dates
from salesmgmt.query import run

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

assert sum(WEIGHTS.values()) == 100


class HealthParts(TypedDict):
    """The points of each part of one client's score and the score (None: not recorded)."""

    recency: float | None
    visit_trend: float | None
    pipeline: float | None
    revenue: float | None
    relationship: float | None
    score: float | None


class PartExplanation(TypedDict):
    """One part of a client's score explained."""

    #: A key of WEIGHTS.
    part: str
    #: The part's name in the reader's language.
    label: str
    #: The client's points (NaN or None when not recorded).
    points: Any
    #: The most points the part can give.
    max: int
    #: The facts behind the points, in words.
    detail: str


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
) -> HealthParts:
    """health_points of one client (relationship None when not recorded)."""
    values = locals()
    row = pd.DataFrame([{c: (np.nan if values[c] is None else values[c]) for c in FACT_COLUMNS}])
    parts = health_points(row).iloc[0]

    def points(name: str) -> float | None:
        value = parts[name]
        return None if value != value else float(value)

    return HealthParts(
        recency=points("recency"),
        visit_trend=points("visit_trend"),
        pipeline=points("pipeline"),
        revenue=points("revenue"),
        relationship=points("relationship"),
        score=points("score"),
    )


def client_facts(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, client_id: int | None = None
) -> pd.DataFrame:
    """CLIENT_FACTS_SQL's rows (one client when `client_id` is given), last_visit as a date."""
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
    facts = client_facts(con, filters, as_of)
    if key_accounts_only:
        facts = facts[facts["key_account"]]
    return scored(facts).reset_index(drop=True)


def scored(facts: pd.DataFrame) -> pd.DataFrame:
    """`facts` with the parts, health_score, cadence_days, pipeline_falling and going_cold, in
    client_health's order."""
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


def health_explanation(client: Mapping[str, Any], lang: str) -> list[PartExplanation]:
    """Each part of a client's score (a row of client_health) with its points, its maximum and
    the facts behind it, in `lang`: what a manager reads to see why."""
    from salesmgmt.i18n import format_money, t

    def money(value: float) -> str:
        return format_money(value, lang)

    days: Any = client.get("days_since_visit")
    never = days is None or days != days
    level: Any = client.get("relationship_level")
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
        PartExplanation(
            part=part,
            label=t(f"cl.part.{part}", lang),
            points=client.get(f"{part}_points"),
            max=WEIGHTS[part],
            detail=details[part],
        )
        for part in WEIGHTS
    ]

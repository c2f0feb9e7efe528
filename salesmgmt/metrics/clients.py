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

The parts live next to this module: the health score in `client_health`, the profile and the
reviews in `client_reviews`, the project chain in `project_chain`; their functions are used from
here (`clients.client_health`) and the glossary's definitions are below.
"""

from __future__ import annotations

from salesmgmt.measures import COLD_ACCOUNT_DAYS, Measure
from salesmgmt.metrics.client_health import (
    CADENCE_DAYS,
    CLIENT_FACTS_SQL,
    FACT_COLUMNS,
    PIPELINE_DAYS,
    REVENUE_DAYS,
    TREND_DAYS,
    WEIGHTS,
    HealthParts,
    PartExplanation,
    client_health,
    find_clients,
    health_explanation,
    health_parts,
    health_points,
)
from salesmgmt.metrics.client_reviews import (
    PROFILE_DEALS_SQL,
    PROFILE_VISITS_SQL,
    REVIEW_DUE_DAYS,
    REVIEW_INTERVAL_DAYS,
    REVIEW_STATUS_SQL,
    REVIEWS_SQL,
    ClientProfile,
    client_in_scope,
    client_profile,
    record_review,
    reviews_due,
)
from salesmgmt.metrics.project_chain import (
    CHAIN_TYPES,
    PROJECT_LEAD_DAYS,
    PROJECT_MEMBERS_SQL,
    project_coverage,
    project_members,
)

__all__ = [
    "CADENCE_DAYS",
    "CHAIN_TYPES",
    "CLIENT_FACTS_SQL",
    "COLD_ACCOUNT_DAYS",
    "FACT_COLUMNS",
    "MEASURES",
    "PIPELINE_DAYS",
    "PROFILE_DEALS_SQL",
    "PROFILE_VISITS_SQL",
    "PROJECT_LEAD_DAYS",
    "PROJECT_MEMBERS_SQL",
    "REVENUE_DAYS",
    "REVIEWS_SQL",
    "REVIEW_DUE_DAYS",
    "REVIEW_INTERVAL_DAYS",
    "REVIEW_STATUS_SQL",
    "TREND_DAYS",
    "WEIGHTS",
    "ClientProfile",
    "HealthParts",
    "PartExplanation",
    "client_health",
    "client_in_scope",
    "client_profile",
    "find_clients",
    "health_explanation",
    "health_parts",
    "health_points",
    "project_coverage",
    "project_members",
    "record_review",
    "reviews_due",
]

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

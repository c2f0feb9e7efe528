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

Each meeting lives next to this module: `team_meeting` (with `success_cases`), `manager_meeting`
and `field_meeting`; their functions are used from here (`meetings.week_wins`) and the
glossary's definitions are below.
"""

from __future__ import annotations

from salesmgmt.measures import VISIT_NORM_PER_WEEK, Measure
from salesmgmt.metrics.field_meeting import (
    CLIENTS_SQL,
    FIELD_SUBJECTS_SHOWN,
    FUTURE_SCHEDULE_SQL,
    OWNERS_SQL,
    PROJECTS_SQL,
    SUBJECT_HISTORY_SQL,
    SUBJECT_OPPS_SQL,
    SUBJECT_VISITS_SQL,
    FieldSubjects,
    FieldView,
    action_text,
    field_subjects,
    field_view,
)
from salesmgmt.metrics.manager_meeting import (
    ESCALATE_DEAL_AMOUNT,
    ISSUE_KINDS,
    KEY_ACCOUNTS_SQL,
    TREND_ENDS,
    TREND_TEAMS,
    issue_text,
    issues_to_escalate,
    team_trends,
    teams_side_by_side,
    trend_ends,
)
from salesmgmt.metrics.project_chain import (
    CHAIN_TYPES,
)
from salesmgmt.metrics.success_cases import (
    CASE_SQL,
    CASE_VISITS_SQL,
    HISTORY_SQL,
    SUCCESS_CASES,
    CaseSummary,
    SuccessCase,
    case_summary,
    case_timeline,
    stage_durations,
    success_cases,
)
from salesmgmt.metrics.team_meeting import (
    BEHIND_PACE_SHARE,
    SCHEDULED_VISITS_SQL,
    TEAMS_SQL,
    WEEK_VISITS_SQL,
    WINS_SQL,
    behind_on_plan,
    meeting_week,
    next_week_visits,
    planned_visits,
    teams,
    week_norm_so_far,
    week_wins,
)

__all__ = [
    "BEHIND_PACE_SHARE",
    "CASE_SQL",
    "CASE_VISITS_SQL",
    "CHAIN_TYPES",
    "CLIENTS_SQL",
    "CaseSummary",
    "ESCALATE_DEAL_AMOUNT",
    "FIELD_SUBJECTS_SHOWN",
    "FUTURE_SCHEDULE_SQL",
    "FieldSubjects",
    "FieldView",
    "HISTORY_SQL",
    "ISSUE_KINDS",
    "KEY_ACCOUNTS_SQL",
    "MEASURES",
    "OWNERS_SQL",
    "PROJECTS_SQL",
    "SCHEDULED_VISITS_SQL",
    "SUBJECT_HISTORY_SQL",
    "SUBJECT_OPPS_SQL",
    "SUBJECT_VISITS_SQL",
    "SUCCESS_CASES",
    "SuccessCase",
    "TEAMS_SQL",
    "TREND_ENDS",
    "TREND_TEAMS",
    "WEEK_VISITS_SQL",
    "WINS_SQL",
    "action_text",
    "behind_on_plan",
    "case_summary",
    "case_timeline",
    "field_subjects",
    "field_view",
    "issue_text",
    "issues_to_escalate",
    "meeting_week",
    "next_week_visits",
    "planned_visits",
    "stage_durations",
    "success_cases",
    "team_trends",
    "teams",
    "teams_side_by_side",
    "trend_ends",
    "week_norm_so_far",
    "week_wins",
]

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
        "month's target times the share of the month elapsed (not judged in the month's first "
        "days, before its first complete week), or they made fewer client visits in the "
        f"meeting's week than the norm ({VISIT_NORM_PER_WEEK}) pro rata of the week's five working "
        "days gone, rounded down, or visits of their monthly plan were missed (planned in a "
        "week that is over, no visit to that client in that week).",
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

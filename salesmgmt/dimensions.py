"""The columns a table or an export may show besides the measures: what figures are grouped by
(rep, team, region, product, client, stage, ...), the attributes of one row (a deal's amount, a
visit's purpose) and the counts and dates a list gives per row.

Each is declared once with its label (a message key) and its kind, the way a table shows it:
`text`, `money` (CNY; 万元 in Chinese), `percent` (a fraction), `delta` (a signed change), `count`,
`days`, `number`, `date`, `score` (0-100 as a bar), `check` (a tick), or a code shown in the
user's language: `stage`, `client_type`, `status` (of a plan visit). A table names a column by a
measure key (`salesmgmt.glossary.find`) or one of these keys and refuses any other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str
    """The column's name in the frames of the domain."""
    label: str
    """The message key of its header."""
    kind: str
    """How it is shown (see the module's docstring)."""


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in [
        Dimension("accompanied_by", "fm.col.accompanied_by", "text"),
        Dimension("after_days", "co.col.after_days", "days"),
        Dimension("age_days", "plan.col.age", "count"),
        Dimension("amount", "cl.col.amount", "money"),
        Dimension("amount_after", "fc.col.amount_after", "money"),
        Dimension("amount_before", "fc.col.amount_before", "money"),
        Dimension("area", "map.col.area", "text"),
        Dimension("attempted_at", "sub.col.when", "text"),
        Dimension("change", "fc.col.change", "money"),
        Dimension("city", "map.col.city", "text"),
        Dimension("client", "plan.col.client", "text"),
        Dimension("client_type", "plan.col.client_type", "text"),
        Dimension("close_date", "cl.col.close_date", "date"),
        Dimension("close_expected_after", "fc.col.close_after", "date"),
        Dimension("close_expected_before", "fc.col.close_before", "date"),
        Dimension("closed", "op.col.closed", "count"),
        Dimension("closed_count", "rk.col.closed", "count"),
        Dimension("coached_on", "co.col.coached_on", "date"),
        Dimension("cold_key_accounts", "mm.col.cold", "count"),
        Dimension("current_streak", "ar.col.current", "count"),
        Dimension("cycle_days", "tm.col.cycle_days", "count"),
        Dimension("day", "tm.col.date", "date"),
        Dimension("days_after", "ar.col.days_after", "count"),
        Dimension("days_pushed", "op.col.days_pushed", "days"),
        Dimension("days_since_previous", "tm.col.days_since_previous", "count"),
        Dimension("days_to_review", "cl.col.days_to_review", "days"),
        Dimension("delivery_kind", "sub.col.kind", "text"),
        Dimension("detail", "cl.col.detail", "text"),
        Dimension("development_plan", "cl.col.plan", "text"),
        Dimension("direction", "pr.col.direction", "text"),
        Dimension("district", "map.col.district", "text"),
        Dimension("done_on", "mp.review.done_on", "date"),
        Dimension("expected_by_now", "tm.col.expected", "money"),
        Dimension("expected_close_date", "cl.col.expected_close", "date"),
        Dimension("findings", "cl.col.findings", "text"),
        Dimension("first_expected", "op.col.first_expected", "date"),
        Dimension("focus_amount", "co.col.focus_amount", "money"),
        Dimension("focus_client", "co.col.focus_client", "text"),
        Dimension("focus_opportunity", "co.col.focus_deal", "text"),
        Dimension("gap_sd", "ss.col.gap", "number"),
        Dimension("head_office", "rk.head_office", "check"),
        Dimension("interval", "ss.col.interval", "text"),
        Dimension("key_account", "co.col.key", "check"),
        Dimension("kind", "tm.col.step", "text"),
        Dimension("label", "cl.col.part", "text"),
        Dimension("last_coached", "co.col.last_coached", "date"),
        Dimension("last_review_date", "cl.col.last_review", "date"),
        Dimension("last_visit", "cl.col.last_visit", "date"),
        Dimension("longest_streak", "ar.col.longest", "count"),
        Dimension("lost_reason", "cl.col.lost_reason", "text"),
        Dimension("manager", "co.col.manager", "text"),
        Dimension("manager_signed_by", "plan.doc.manager", "text"),
        Dimension("marked_planned_share", "ar.col.marked_share", "percent"),
        Dimension("max", "cl.col.max", "count"),
        Dimension("months_meeting_norm", "co.col.months_met", "count"),
        Dimension("move", "rk.col.movement", "text"),
        Dimension("n_rest", "ss.col.n_rest", "count"),
        Dimension("n_top", "ss.col.n_top", "count"),
        Dimension("name", "fm.col.deal", "text"),
        Dimension("next_review_date", "cl.col.next", "date"),
        Dimension("norm_expected", "co.col.norm_expected", "count"),
        Dimension("notes", "cl.col.notes", "text"),
        Dimension("open_count", "cl.col.open_count", "count"),
        Dimension("open_deals", "op.col.open_deals", "count"),
        Dimension("open_pipeline", "op.col.open_pipeline", "money"),
        Dimension("opportunity", "plan.col.opportunity", "text"),
        Dimension("outcome", "cl.col.outcome", "text"),
        Dimension("owner", "cl.col.owner", "text"),
        Dimension("p_text", "ss.col.p", "text"),
        Dimension("participants", "cl.col.participants", "text"),
        Dimension("person", "cl.col.person", "text"),
        Dimension("pipeline_amount", "pr.col.pipeline", "money"),
        Dimension("planned", "ar.col.planned", "count"),
        Dimension("planned_date", "plan.col.date", "date"),
        Dimension("planned_done", "ar.col.done", "count"),
        Dimension("planned_done_share", "ar.col.done_share", "percent"),
        Dimension("planned_missed", "ar.col.missed", "count"),
        Dimension("planned_visits", "mp.history.visits", "count"),
        Dimension("points", "cl.col.points", "number"),
        Dimension("probability", "plan.col.probability", "percent"),
        Dimension("product", "cl.col.product", "text"),
        Dimension("progress_date", "ar.col.progress_date", "date"),
        Dimension("project", "cl.col.project", "text"),
        Dimension("province", "map.col.province", "text"),
        Dimension("purpose", "cl.col.purpose", "text"),
        Dimension("rank_text", "rk.col.rank", "text"),
        Dimension("reasons", "co.col.reasons", "text"),
        Dimension("recorded_by", "cl.col.recorded_by", "text"),
        Dimension("region", "rr.col.region", "text"),
        Dimension("rep", "fc.col.rep", "text"),
        Dimension("rep_signed_by", "plan.doc.rep", "text"),
        Dimension("rest_text", "ss.col.rest", "text"),
        Dimension("result", "sub.col.result", "text"),
        Dimension("review_date", "cl.col.date", "date"),
        Dimension("revision", "mp.history.revision", "count"),
        Dimension("ride_alongs_per_engineer", "mm.col.ride_alongs", "number"),
        Dimension("role", "cl.col.role", "text"),
        Dimension("saved_by", "mp.history.saved_by", "text"),
        Dimension("saved_on", "mp.history.saved_on", "date"),
        Dimension("shortfall", "co.col.shortfall", "count"),
        Dimension("stage", "cl.col.stage", "text"),
        Dimension("stage_after", "fc.col.stage_after", "stage"),
        Dimension("stage_before", "fc.col.stage_before", "stage"),
        Dimension("started", "cl.col.started", "date"),
        Dimension("status", "cl.col.status", "text"),
        Dimension("step", "ss.col.step", "text"),
        Dimension("stuck_deals", "co.col.stuck", "count"),
        Dimension("subscription", "sub.col.subscription", "text"),
        Dimension("suggested_ride_alongs", "co.col.suggested", "count"),
        Dimension("team", "fc.col.team", "text"),
        Dimension("team_win_rate", "co.col.team_win_rate", "percent"),
        Dimension("text", "rk.col.recognition", "text"),
        Dimension("top_text", "ss.col.top", "text"),
        Dimension("usual_days", "op.col.usual_days", "days"),
        Dimension("verdict_text", "ss.col.verdict", "text"),
        Dimension("visit_date", "cl.col.date", "date"),
        Dimension("visit_rate_after", "co.col.visit_rate_after", "number"),
        Dimension("visit_rate_before", "co.col.visit_rate_before", "number"),
        Dimension("visit_type", "fm.col.visit_type", "text"),
        Dimension("visits_marked_planned", "ar.col.marked", "count"),
        Dimension("visits_previous", "cl.col.visits_previous", "count"),
        Dimension("visits_recent", "cl.col.visits_recent", "count"),
        Dimension("visits_this_week", "tm.col.visits_week", "count"),
        Dimension("weeks", "ar.col.weeks", "count"),
        Dimension("weeks_below", "ar.col.weeks_below", "count"),
        Dimension("why", "tm.col.why", "text"),
        Dimension("win_rate_after", "co.col.win_rate_after", "percent"),
        Dimension("win_rate_before", "co.col.win_rate_before", "percent"),
        Dimension("won_amount_last_year", "pr.col.last_year", "money"),
        Dimension("flags", "ins.col.flags", "text"),
    ]
}


def find(key: str) -> Dimension | None:
    """The dimension named `key`, or None."""
    return DIMENSIONS.get(key)

"""The alert rules a manager switches on per subscription: their names, thresholds and definitions.

Each rule has one threshold N (points, days, a day of the month, pushes or weeks) with a default
and the range it may take; a subscription stores the rules it has switched on with their N
(`subscriptions.alerts_json`), the command line takes them as `name` or `name=N` (`parse_rules`).
The definitions are the glossary's (MEASURES, gathered by `salesmgmt.glossary`); how each rule is
worked out is in `salesmgmt.delivery.alerts`. This module reads no data, so the glossary and the
command line can import it cheaply.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from salesmgmt.errors import SalesmgmtError
from salesmgmt.measures import COLD_ACCOUNT_DAYS, VISIT_NORM_PER_WEEK, Measure
from salesmgmt.metrics.operations import PUSH_MIN_TIMES


@dataclass(frozen=True)
class Rule:
    """An alert rule and its threshold N."""

    name: str
    default: int
    """N when the rule is switched on without one."""
    low: int
    high: int
    """The range N may take, both ends included."""
    unit_key: str
    """The catalogue key naming what N counts ('alerts.unit.days'...)."""

    @property
    def description_key(self) -> str:
        """The catalogue key of the rule's one-line description, filled with `n`."""
        return f"alerts.rule.{self.name}"


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("team_behind_pace", 10, 1, 100, "alerts.unit.points"),
        Rule("key_account_cold", COLD_ACCOUNT_DAYS, 1, 3650, "alerts.unit.days"),
        Rule("plan_unsigned", 5, 1, 28, "alerts.unit.day_of_month"),
        Rule("deal_pushed_twice", PUSH_MIN_TIMES, 1, 100, "alerts.unit.pushes"),
        Rule("rep_below_norm", 2, 1, 12, "alerts.unit.weeks"),
    )
}

MEASURES: list[Measure] = [
    Measure(
        "team_behind_pace",
        "Alert: team behind pace",
        "提醒：团队落后进度",
        "count",
        "Fires for a team whose attainment of the month (won with a close date in the month / the "
        "month's target, as everywhere) is below the share of the month's working days (Monday to "
        "Friday) that are over before today by more than N percentage points (default "
        f"{RULES['team_behind_pace'].default}). Judged only once the month's first complete "
        "Monday-to-Sunday week is over (see first_days): on the 1st, one day of sales against a "
        "month says nothing. A team without a target is not judged; nor is any team when the "
        "filters or the user's scope narrow to single reps, since a team's pace is the whole "
        "team's. One alert per team and month.",
    ),
    Measure(
        "key_account_cold",
        "Alert: key account going cold",
        "提醒：重点客户变冷",
        "count",
        "Fires for a key account owned by a rep in scope whose last visit (of any type, by anyone) "
        "is N days or more before today (days_since_visit >= N; default the app's going-cold "
        f"{COLD_ACCOUNT_DAYS} days), or that was never visited. It clears with the next visit.",
    ),
    Measure(
        "plan_unsigned",
        "Alert: monthly plan not signed",
        "提醒：月度计划未签字",
        "count",
        "Fires for an active sales engineer in scope whose plan for the current month has no "
        "revision signed by both the rep and the manager once the Nth day of the month is over "
        f"(from the day after it; default the {RULES['plan_unsigned'].default}th), including "
        "when no plan was saved. It clears when both have signed a revision.",
    ),
    Measure(
        "deal_pushed_twice",
        "Alert: deal pushed again",
        "提醒：商机再次推迟",
        "count",
        "Fires for an open deal of a rep in scope whose expected close date has moved later N "
        f"times or more (default {PUSH_MIN_TIMES}: from the second push), counted as push_count "
        "up to today. Once per deal: a further push while it is open does not fire again; it "
        "clears when the deal is won or lost.",
    ),
    Measure(
        "rep_below_norm",
        "Alert: rep below the visit norm",
        "提醒：拜访未达标",
        "count",
        "Fires for an active sales engineer in scope who made fewer than "
        f"{VISIT_NORM_PER_WEEK} client visits (type visit) in each of the last N complete "
        f"Monday-to-Sunday weeks before today's week (default {RULES['rep_below_norm'].default}). "
        "It clears with a week that meets the norm.",
    ),
]


def _threshold(rule: Rule, spec: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = rule.low - 1
    if not rule.low <= value <= rule.high:
        raise SalesmgmtError(
            "alerts.error.bad_threshold", spec=spec, rule=rule.name, low=rule.low, high=rule.high
        )
    return value


def parse_rules(specs: Iterable[str]) -> dict[str, int]:
    """Rules from options such as `key_account_cold=45` or `plan_unsigned` (its default N), in
    RULES order. An unknown rule or an N out of its range is a SalesmgmtError naming the valid
    ones; a rule given twice keeps the last N."""
    chosen: dict[str, int] = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        name = name.strip()
        rule = RULES.get(name)
        if rule is None:
            raise SalesmgmtError("alerts.error.unknown_rule", rule=name, valid=", ".join(RULES))
        chosen[name] = _threshold(rule, spec, value) if value.strip() else rule.default
    return {name: chosen[name] for name in RULES if name in chosen}


def rules_json(rules: dict[str, int]) -> str:
    """Rules as a subscription stores them (`alerts_json`): '{"plan_unsigned": 5}'."""
    return json.dumps(parse_rules(f"{name}={n}" for name, n in rules.items()), sort_keys=True)


def rules_from_json(text: str | None) -> dict[str, int]:
    """A subscription's stored rules (`alerts_json`) back, checked as `parse_rules` does."""
    stored = json.loads(text or "{}")
    if not isinstance(stored, dict):
        raise SalesmgmtError("alerts.error.unknown_rule", rule=str(stored), valid=", ".join(RULES))
    return parse_rules(f"{name}={n}" for name, n in stored.items())

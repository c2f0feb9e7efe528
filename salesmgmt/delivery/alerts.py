"""Alerts: which of a subscription's rules hold today inside its scope, and which of them are new.

`evaluate` works out the rules switched on (`alert_rules.RULES`, defined in the glossary) for the
reps in the Filters and returns one `Alert` per thing that needs attention, each with a key that is
the same on every run while the condition holds ('key_account_cold:client:12'). `fire_new` keeps
those keys per subscription in `alert_states`: an alert fires once when its key first appears, not
again while it stays, and once its key is gone (the condition cleared) it may fire again later.

Scope rule: a fact belongs to a rep, and only reps in the Filters are read (a team's pace from its
reps' figures, a key account through its owner, a plan and a week's visits through their rep, a
deal through its rep on today's state), so a team's subscription never sees another team's alert.
Each figure reuses the definition of the page that shows it: core figures and first days
(`metrics.core`), cold key accounts (`metrics.overview`), pushed deals (`metrics.operations`), the
weekly visits of the norm (`metrics.actions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.db import transaction
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics.actions import WEEKLY_VISITS_SQL
from salesmgmt.metrics.core import NO_GROUP, figures, first_days
from salesmgmt.metrics.operations import pushed_deals
from salesmgmt.metrics.overview import cold_key_accounts
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.text import bidi_neutral

from .alert_rules import RULES, Rule, parse_rules, rules_from_json, rules_json

__all__ = [
    "RULES",
    "Alert",
    "Rule",
    "chat_text",
    "evaluate",
    "fire_new",
    "parse_rules",
    "rule_description",
    "rules_from_json",
    "rules_json",
    "unfire",
    "working_days_share",
]

#: Characters that start formatting in the group bots' markdown, and the full-width forms that
#: look the same and do nothing. WeCom and DingTalk document no escape character (a backslash
#: would be shown as it is), so user text is made inert by substitution instead.
_CHAT_INERT = str.maketrans(
    {"*": "＊", "_": "＿", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞", "#": "＃", "|": "｜"}
)


def chat_text(value: Any) -> str:
    """User text (a name) made inert in a group bot's or e-mail's markdown: formatting characters
    as their full-width look-alikes, bidi controls shown, not obeyed (salesmgmt.text), one line."""
    text = bidi_neutral(str(value)).translate(_CHAT_INERT)
    return " ".join(text.split())


@dataclass(frozen=True)
class Alert:
    """One thing a rule found today."""

    rule: str
    """A name of RULES."""
    key: str
    """Stable across runs while the condition holds: rule, kind and id ('plan_unsigned:rep:7:2026-12')."""
    subject: dict[str, Any] = field(hash=False)
    """Names and figures (plain JSON values: text, numbers, ISO dates) the text is written from."""
    team: str | None = None
    """The team the alert is about (its rep's team); None for a rep without a team."""
    rep: str | None = None
    """The rep the alert is about (a key account's owner, a deal's rep); None for a team's alert."""

    def text(self, lang: str) -> str:
        """One markdown line in `lang` ('zh' or 'en'); money in 万元 in Chinese."""
        return _TEXTS[self.rule](self.subject, lang)


# ------------------------------------------------------------------------------------------
# The rules


def working_days_share(month: Period, today: date) -> float:
    """The share of the month's working days (Monday to Friday) that are over before `today`."""
    days = [month.start + timedelta(days=i) for i in range((month.end - month.start).days)]
    working = [d for d in days if d.weekday() < 5]
    return sum(1 for d in working if d < today) / len(working)


def _team(value: Any) -> str | None:
    return None if value is None or pd.isna(value) or value == NO_GROUP else str(value)


def _day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _team_behind_pace(con: duckdb.DuckDBPyConnection, filters: Filters, n: int, today: date) -> list[Alert]:
    month = Period.month_of(today)
    if first_days(month, today) or filters.rep_ids or filters.scope_rep_ids is not None:
        return []
    pace = working_days_share(month, today)
    teams = figures(con, month, filters, today, level="team", with_probability=False)
    alerts = []
    row: Any
    for row in teams.itertuples(index=False):
        team = _team(row.team)
        if team is None or pd.isna(row.attainment):
            continue
        behind = (pace - float(row.attainment)) * 100
        if behind > n:
            subject = {
                "team": team,
                "month": str(month),
                "attainment": float(row.attainment),
                "pace": pace,
                "points_behind": behind,
                "won_amount": float(row.won_amount),
                "target": float(row.target),
            }
            alerts.append(Alert("team_behind_pace", f"team_behind_pace:team:{team}:{month}", subject, team))
    return alerts


def _key_account_cold(con: duckdb.DuckDBPyConnection, filters: Filters, n: int, today: date) -> list[Alert]:
    cold = cold_key_accounts(con, filters, today, n)
    alerts = []
    row: Any
    for row in cold.itertuples(index=False):
        subject = {
            "client_id": int(row.client_id),
            "client": str(row.client),
            "owner": str(row.owner),
            "last_visit": _day(row.last_visit),
            "days_since_visit": None if pd.isna(row.days_since_visit) else int(row.days_since_visit),
            "open_amount": float(row.open_amount),
        }
        key = f"key_account_cold:client:{int(row.client_id)}"
        alerts.append(Alert("key_account_cold", key, subject, _team(row.team), str(row.owner)))
    return alerts


#: Active sales engineers in scope and the state of their plan for the month: whether any revision
#: carries both signatures, and which signatures the latest revision lacks.
PLAN_SIGNATURES_SQL = """
WITH fr AS (
    SELECT r.rep_id, r.name, r.team FROM reps r
    WHERE r.role = 'sales_engineer' AND r.active AND {where}
),
plans AS (
    SELECT mp.rep_id, count(*) AS revisions,
           bool_or(mp.rep_signed_at IS NOT NULL AND mp.manager_signed_at IS NOT NULL) AS signed,
           arg_max(mp.rep_signed_at IS NOT NULL, mp.revision) AS rep_signed,
           arg_max(mp.manager_signed_at IS NOT NULL, mp.revision) AS manager_signed
    FROM monthly_plans mp
    WHERE mp.month = $month AND mp.rep_id IN (SELECT rep_id FROM fr)
    GROUP BY mp.rep_id
)
SELECT fr.rep_id, fr.name AS rep, fr.team, coalesce(p.revisions, 0) AS revisions,
       coalesce(p.rep_signed, FALSE) AS rep_signed, coalesce(p.manager_signed, FALSE) AS manager_signed
FROM fr LEFT JOIN plans p USING (rep_id)
WHERE NOT coalesce(p.signed, FALSE)
ORDER BY fr.team NULLS LAST, fr.name
"""


def _plan_unsigned(con: duckdb.DuckDBPyConnection, filters: Filters, n: int, today: date) -> list[Alert]:
    if today.day <= n:
        return []
    month = Period.month_of(today)
    frame = run(con, PLAN_SIGNATURES_SQL, filters, {"month": month.start})
    alerts = []
    row: Any
    for row in frame.itertuples(index=False):
        if not row.revisions:
            missing = "no_plan"
        elif not row.rep_signed and not row.manager_signed:
            missing = "both"
        else:
            missing = "rep" if not row.rep_signed else "manager"
        subject = {"rep": str(row.rep), "month": str(month), "day": n, "missing": missing}
        key = f"plan_unsigned:rep:{int(row.rep_id)}:{month}"
        alerts.append(Alert("plan_unsigned", key, subject, _team(row.team), str(row.rep)))
    return alerts


def _deal_pushed_twice(con: duckdb.DuckDBPyConnection, filters: Filters, n: int, today: date) -> list[Alert]:
    deals = pushed_deals(con, filters, today, n)
    alerts = []
    row: Any
    for row in deals.itertuples(index=False):
        subject = {
            "opp_id": str(row.opp_id),
            "opportunity": str(row.opportunity),
            "client": None if pd.isna(row.client) else str(row.client),
            "owner": str(row.owner),
            "amount": None if pd.isna(row.amount) else float(row.amount),
            "push_count": int(row.push_count),
            "first_expected": _day(row.first_expected),
            "expected_close_date": _day(row.expected_close_date),
        }
        key = f"deal_pushed_twice:opp:{row.opp_id}"
        alerts.append(Alert("deal_pushed_twice", key, subject, _team(row.team), str(row.owner)))
    return alerts


def _rep_below_norm(con: duckdb.DuckDBPyConnection, filters: Filters, n: int, today: date) -> list[Alert]:
    week_to = today - timedelta(days=today.weekday())  # this week's Monday: its week is not over
    week_from = week_to - timedelta(days=7 * n)
    weekly = run(con, WEEKLY_VISITS_SQL, filters, {"week_from": week_from, "week_to": week_to})
    alerts = []
    rep_id: Any
    for rep_id, weeks in weekly.groupby("rep_id", sort=False):
        visits = [int(v) for v in weeks.sort_values("week")["visits"]]
        if len(visits) != n or max(visits) >= VISIT_NORM_PER_WEEK:
            continue
        first: Any = weeks.iloc[0]
        subject = {
            "rep": str(first["rep"]),
            "weeks": n,
            "norm": VISIT_NORM_PER_WEEK,
            "visits": visits,
            "first_week": week_from.isoformat(),
        }
        key = f"rep_below_norm:rep:{int(rep_id)}"
        alerts.append(Alert("rep_below_norm", key, subject, _team(first["team"]), str(first["rep"])))
    return alerts


_EVALUATORS: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters, int, date], list[Alert]]] = {
    "team_behind_pace": _team_behind_pace,
    "key_account_cold": _key_account_cold,
    "plan_unsigned": _plan_unsigned,
    "deal_pushed_twice": _deal_pushed_twice,
    "rep_below_norm": _rep_below_norm,
}


def evaluate(
    con: duckdb.DuckDBPyConnection, filters: Filters, rules: dict[str, int], today: date
) -> list[Alert]:
    """The alerts of `rules` (name -> N, as `parse_rules` gives) that hold on `today` for the reps
    in `filters`, in RULES order, each rule's alerts in the order its page lists them. An unknown
    rule or an N out of range is a SalesmgmtError (nothing is read)."""
    checked = parse_rules(f"{name}={n}" for name, n in rules.items())
    alerts: list[Alert] = []
    for name, n in checked.items():
        alerts += _EVALUATORS[name](con, filters, n, today)
    return alerts


# ------------------------------------------------------------------------------------------
# Firing once


def fire_new(
    con: duckdb.DuckDBPyConnection, subscription_id: int, alerts: Iterable[Alert], at: datetime
) -> list[Alert]:
    """The alerts among `alerts` (all that hold now for the subscription) that fire now: those
    whose key the subscription did not hold. In one transaction: their keys are recorded
    (first_seen = last_seen = `at`), keys still held get last_seen = `at`, and keys no longer
    among `alerts` are removed, so that condition fires again when it next holds. An alert given
    twice under one key counts once."""
    unique: dict[str, Alert] = {}
    for alert in alerts:
        unique.setdefault(alert.key, alert)
    sid = int(subscription_id)
    with transaction(con):
        rows = con.execute("SELECT alert_key FROM alert_states WHERE subscription_id = ?", [sid]).fetchall()
        held = {key for (key,) in rows}
        new = [alert for key, alert in unique.items() if key not in held]
        gone = sorted(held - unique.keys())
        still = sorted(held & unique.keys())
        if gone:
            con.executemany(
                "DELETE FROM alert_states WHERE subscription_id = ? AND alert_key = ?",
                [(sid, key) for key in gone],
            )
        if still:
            con.executemany(
                "UPDATE alert_states SET last_seen = ? WHERE subscription_id = ? AND alert_key = ?",
                [(at, sid, key) for key in still],
            )
        if new:
            con.executemany(
                "INSERT INTO alert_states (subscription_id, alert_key, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                [(sid, alert.key, at, at) for alert in new],
            )
    return new


def unfire(con: duckdb.DuckDBPyConnection, subscription_id: int, keys: Iterable[str]) -> None:
    """Forget that these alerts fired (their delivery failed), so the next run fires them again."""
    pairs = [(int(subscription_id), key) for key in sorted(set(keys))]
    if pairs:
        with transaction(con):
            con.executemany("DELETE FROM alert_states WHERE subscription_id = ? AND alert_key = ?", pairs)


# ------------------------------------------------------------------------------------------
# Texts


def _month_label(month: str, lang: str) -> str:
    return Period.parse(month).label(lang)


def _team_behind_pace_text(s: dict[str, Any], lang: str) -> str:
    return t(
        "alerts.text.team_behind_pace",
        lang,
        team=chat_text(s["team"]),
        month=_month_label(s["month"], lang),
        attainment=format_percent(s["attainment"]),
        pace=format_percent(s["pace"]),
        points=f"{s['points_behind']:.0f}",
        won=format_money(s["won_amount"], lang),
        target=format_money(s["target"], lang),
    )


def _key_account_cold_text(s: dict[str, Any], lang: str) -> str:
    values = {
        "client": chat_text(s["client"]),
        "owner": chat_text(s["owner"]),
        "open": format_money(s["open_amount"], lang),
    }
    if s["last_visit"] is None:
        return t("alerts.text.key_account_never", lang, **values)
    return t("alerts.text.key_account_cold", lang, days=s["days_since_visit"], last=s["last_visit"], **values)


def _plan_unsigned_text(s: dict[str, Any], lang: str) -> str:
    return t(
        "alerts.text.plan_unsigned",
        lang,
        rep=chat_text(s["rep"]),
        month=_month_label(s["month"], lang),
        day=s["day"],
        missing=t(f"alerts.missing.{s['missing']}", lang),
    )


def _deal_pushed_text(s: dict[str, Any], lang: str) -> str:
    return t(
        "alerts.text.deal_pushed_twice",
        lang,
        deal=chat_text(s["opportunity"]),
        client=chat_text(s["client"] or "–"),
        owner=chat_text(s["owner"]),
        times=s["push_count"],
        now=s["expected_close_date"] or "–",
        first=s["first_expected"] or "–",
        amount=format_money(s["amount"], lang),
    )


def _rep_below_norm_text(s: dict[str, Any], lang: str) -> str:
    return t(
        "alerts.text.rep_below_norm",
        lang,
        rep=chat_text(s["rep"]),
        weeks=s["weeks"],
        norm=s["norm"],
        visits=", ".join(str(v) for v in s["visits"]),
        since=s["first_week"],
    )


_TEXTS: dict[str, Callable[[dict[str, Any], str], str]] = {
    "team_behind_pace": _team_behind_pace_text,
    "key_account_cold": _key_account_cold_text,
    "plan_unsigned": _plan_unsigned_text,
    "deal_pushed_twice": _deal_pushed_text,
    "rep_below_norm": _rep_below_norm_text,
}


def rule_description(rule: Rule, lang: str, n: int | None = None) -> str:
    """The rule's one-line description in `lang` with its N (the default when None)."""
    return t(rule.description_key, lang, n=rule.default if n is None else n)

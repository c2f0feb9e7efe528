"""Subscriptions: who gets the weekly brief (and the alerts switched on), where, in which
language and when. Managed by directors and managers, each within their scope: the rule is here,
in the domain, so the command line and the app page apply the same one.

A subscription is never deleted: `remove` switches it off, so its deliveries stay readable in the
log. Secrets (a DingTalk signing secret, the key inside a WeCom webhook URL) are stored, used to
send, and never shown back: `SubscriptionView` and the log carry masked destinations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from salesmgmt import db
from salesmgmt.auth import User, audit
from salesmgmt.delivery import alert_rules, channels, schedule
from salesmgmt.delivery.audience import Audience
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import LANGS, t

COLUMNS = (
    "subscription_id, channel, destination, secret, scope_kind, scope_key, lang, schedule, alerts_json,"
    " active, created_by, created_at"
)
SELECT_SQL = f"SELECT {COLUMNS} FROM subscriptions"
LOG_SQL = """
SELECT d.delivery_id, d.subscription_id, d.kind, d.due_at, d.alert_key, d.attempted_at, d.ok, d.detail
FROM deliveries d
WHERE d.subscription_id IN (SELECT unnest($ids::INTEGER[]))
ORDER BY d.attempted_at DESC, d.delivery_id DESC
LIMIT $limit"""


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    channel: str
    destination: str
    """The webhook URL (its key included) or the e-mail addresses: never shown, see `view`."""
    secret: str | None
    audience: Audience
    lang: str
    schedule: schedule.Schedule
    alerts: dict[str, int]
    """The alert rules switched on, with their threshold N; empty for none."""
    active: bool
    created_by: str | None
    created_at: datetime

    def view(self, lang: str) -> SubscriptionView:
        """What may be shown of it: destination masked, the secret only as 'set'."""
        return SubscriptionView(
            subscription_id=self.subscription_id,
            channel=self.channel,
            destination=channels.mask(self.destination),
            secret=t("delivery.secret.set", lang) if self.secret else "–",
            audience=self.audience.describe(lang),
            lang=self.lang,
            schedule=self.schedule.text(),
            alerts=", ".join(f"{name}={n}" for name, n in self.alerts.items()) or "–",
            created_by=self.created_by or "–",
        )


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription as the command line and the app show it (nothing secret in it)."""

    subscription_id: int
    channel: str
    destination: str
    secret: str
    audience: str
    lang: str
    schedule: str
    alerts: str
    created_by: str


@dataclass(frozen=True)
class LogEntry:
    """One attempt to deliver, as the log shows it (its detail never holds a secret)."""

    delivery_id: int
    subscription_id: int
    kind: str
    due_at: datetime | None
    alert_key: str | None
    attempted_at: datetime
    ok: bool
    detail: str


def _row(row: tuple) -> Subscription:
    sid, channel, destination, secret, kind, key, lang, when, alerts_json, active, by, at = row
    return Subscription(
        subscription_id=int(sid),
        channel=channel,
        destination=destination,
        secret=secret,
        audience=Audience.parse(kind, key),
        lang=lang,
        schedule=schedule.parse(when),
        alerts=alert_rules.rules_from_json(alerts_json),
        active=bool(active),
        created_by=by,
        created_at=at,
    )


def _require_manage(con: duckdb.DuckDBPyConnection, by: User | None, audience: Audience) -> None:
    """A director (or the command line without a user, or the app running open) manages any
    subscription; a manager those whose every rep is in their scope (refused with the audience's
    own message otherwise); a rep none."""
    if by is None or by.role == "director":
        return
    if by.role != "manager":
        raise SalesmgmtError("delivery.error.role", user=by.username)
    audience.within(con, by.scope(), by.username)


def _may_manage(con: duckdb.DuckDBPyConnection, by: User | None, audience: Audience) -> bool:
    try:
        _require_manage(con, by, audience)
    except SalesmgmtError:
        return False
    return True


def _canonical(con: duckdb.DuckDBPyConnection, audience: Audience) -> Audience:
    """The audience with the full name of its team or region ('Dragon' -> '龙 Dragon') and the
    username lower-cased; an unknown one is the audience's own clear error."""
    chosen = audience.filters(con)
    if audience.kind == "team":
        return Audience("team", chosen.teams[0])
    if audience.kind == "region":
        return Audience("region", chosen.regions[0])
    if audience.kind == "user":
        return Audience("user", (audience.key or "").strip().lower())
    return audience


def add_subscription(
    con: duckdb.DuckDBPyConnection,
    by: User | None,
    *,
    channel: str,
    destination: str,
    audience: Audience,
    when: str,
    lang: str = "zh",
    secret: str | None = None,
    alerts: dict[str, int] | None = None,
) -> Subscription:
    """Check everything, then store the subscription; nothing is written when anything is wrong.
    `by` is the user acting (None: the command line without --as-user, or the app running open)."""
    if by is not None and by.role == "rep":
        raise SalesmgmtError("delivery.error.role", user=by.username)
    destination = channels.check_destination(channel, destination, secret)
    if lang not in LANGS:
        raise SalesmgmtError("delivery.error.lang", lang=lang)
    parsed = schedule.parse(when)
    audience = _canonical(con, audience)
    _require_manage(con, by, audience)
    rules = alert_rules.rules_json(alerts or {})
    with db.transaction(con):
        sid = db.scalar(
            con,
            "INSERT INTO subscriptions (channel, destination, secret, scope_kind, scope_key, lang, schedule,"
            " alerts_json, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING subscription_id",
            [
                channel,
                destination,
                secret or None,
                audience.kind,
                audience.key,
                lang,
                parsed.text(),
                rules,
                by.username if by else None,
            ],
        )
        audit(
            con,
            by.username if by else None,
            "subscription.add",
            f"#{sid} {channel} {channels.mask(destination)} {audience.kind} {audience.key or ''}".strip(),
        )
    return get_subscription(con, int(sid), by)


def list_subscriptions(
    con: duckdb.DuckDBPyConnection, by: User | None = None, include_removed: bool = False
) -> list[Subscription]:
    """The subscriptions `by` may manage (all for None or a director), oldest first."""
    sql = SELECT_SQL + ("" if include_removed else " WHERE active") + " ORDER BY subscription_id"
    found = [_row(row) for row in con.execute(sql).fetchall()]
    return [s for s in found if _may_manage(con, by, s.audience)]


def get_subscription(
    con: duckdb.DuckDBPyConnection, subscription_id: int, by: User | None = None
) -> Subscription:
    """One active subscription `by` may manage; a clear error otherwise."""
    row = con.execute(SELECT_SQL + " WHERE subscription_id = ? AND active", [subscription_id]).fetchone()
    if row is None:
        raise SalesmgmtError("delivery.error.unknown", subscription_id=subscription_id)
    found = _row(row)
    if not _may_manage(con, by, found.audience):
        raise SalesmgmtError(
            "delivery.error.not_yours",
            subscription_id=subscription_id,
            audience=found.audience.describe("en"),
            user=by.username if by else "",
        )
    return found


def remove_subscription(con: duckdb.DuckDBPyConnection, subscription_id: int, by: User | None = None) -> None:
    """Switch a subscription off: nothing more is sent, its deliveries stay in the log."""
    found = get_subscription(con, subscription_id, by)
    with db.transaction(con):
        con.execute("UPDATE subscriptions SET active = FALSE WHERE subscription_id = ?", [subscription_id])
        audit(con, by.username if by else None, "subscription.remove", f"#{found.subscription_id}")


def delivery_log(
    con: duckdb.DuckDBPyConnection,
    by: User | None = None,
    subscription_id: int | None = None,
    limit: int = 100,
) -> list[LogEntry]:
    """The latest attempts (newest first) of the subscriptions `by` may manage, or of one."""
    if subscription_id is not None:
        ids = [get_subscription(con, subscription_id, by).subscription_id]
    else:
        ids = [s.subscription_id for s in list_subscriptions(con, by, include_removed=True)]
    rows = con.execute(LOG_SQL, {"ids": ids, "limit": limit}).fetchall()
    return [LogEntry(*row) for row in rows]

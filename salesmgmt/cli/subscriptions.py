"""`subscriptions` (add, list, remove, test, log), `send --due` and `scheduler`: the weekly brief
and alerts delivered to WeCom and DingTalk group bots and e-mail (issue 15's contract)."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from salesmgmt import db
from salesmgmt.cli.arguments import Subcommands, add_db_argument, add_lang_argument, existing_db, message_lang
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t

if TYPE_CHECKING:
    from salesmgmt.auth import User
    from salesmgmt.delivery.sending import Attempt


def parse_moment(text: str) -> datetime:
    """`--at "2026-11-30 08:00"`; argparse reports a bad one with the usage."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(t("delivery.error.at", "en", value=text)) from None


def _add_user_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--as-user", default=None, metavar="USERNAME", help=help_text)


def register(sub: Subcommands) -> None:
    p = sub.add_parser("subscriptions", help="the weekly brief and alerts to WeCom, DingTalk or e-mail")
    actions = p.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="subscribe a group bot or e-mail addresses")
    add.add_argument("--channel", required=True, choices=["wecom", "dingtalk", "email"])
    add.add_argument("--to", required=True, help="the group bot's webhook URL, or e-mail addresses (a,b)")
    add.add_argument("--secret", default=None, help="a DingTalk bot's signing secret (SEC...)")
    audience = add.add_mutually_exclusive_group()
    audience.add_argument("--team", help="a team's brief (its name or one word of it)")
    audience.add_argument("--region", help="a region's brief")
    audience.add_argument("--company", action="store_true", help="the whole company's brief")
    _add_user_argument(
        add,
        "alone: the brief of that user's scope; with --team or --region: the user who subscribes "
        "(a manager only within their teams and regions)",
    )
    add.add_argument(
        "--lang", dest="brief_lang", choices=["zh", "en"], default="zh", help="the brief's language"
    )
    add.add_argument("--schedule", required=True, help='"mon 08:00", "daily 08:00" or "day 1 08:00"')
    add.add_argument(
        "--alert",
        action="append",
        default=[],
        metavar="RULE[=N]",
        help="switch on an alert rule (repeatable; see `glossary` for the rules)",
    )
    add.set_defaults(func=cmd_add)

    listing = actions.add_parser("list", help="the subscriptions (destinations masked)")
    listing.add_argument("--all", action="store_true", help="removed ones too")
    listing.set_defaults(func=cmd_list)

    remove = actions.add_parser("remove", help="stop a subscription (its log stays)")
    remove.add_argument("subscription_id", type=int, metavar="ID")
    remove.set_defaults(func=cmd_remove)

    test = actions.add_parser("test", help="send a subscription's brief now")
    test.add_argument("subscription_id", type=int, metavar="ID")
    test.set_defaults(func=cmd_test)

    log = actions.add_parser("log", help="the latest deliveries, newest first")
    log.add_argument("subscription_id", type=int, nargs="?", metavar="ID")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(func=cmd_log)

    for action in (listing, remove, test, log):
        _add_user_argument(action, "act as that user (a manager sees and manages those of their scope)")
    add_db_argument(add)  # its --lang is the brief's; messages follow the top-level --lang
    for action in (listing, remove, test, log):
        add_db_argument(action)
        add_lang_argument(action)

    send = sub.add_parser("send", help="send every brief and alert that is due and not yet sent")
    send.add_argument("--due", action="store_true", required=True, help="what is due (the only mode)")
    send.add_argument(
        "--at", type=parse_moment, default=None, help='the moment, "YYYY-MM-DD HH:MM" (default now)'
    )
    add_db_argument(send)
    add_lang_argument(send)
    send.set_defaults(func=cmd_send)

    scheduler = sub.add_parser("scheduler", help="run `send --due` every minute until stopped")
    scheduler.add_argument("--interval", type=float, default=60.0, help="seconds between runs (default 60)")
    scheduler.add_argument("--once", action="store_true", help="one run, then exit")
    add_db_argument(scheduler)
    add_lang_argument(scheduler)
    scheduler.set_defaults(func=cmd_scheduler)


def _by(con: duckdb.DuckDBPyConnection, username: str | None) -> User | None:
    if not username:
        return None
    from salesmgmt.auth import active_user

    return active_user(con, username)


def _table(rows: Sequence[dict[str, object]], keys: dict[str, str], lang: str) -> str:
    """Rows as aligned plain text under their translated headers."""
    headers = [t(label, lang) for label in keys.values()]
    cells = [["–" if row[k] is None else str(row[k]) for k in keys] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells]
    return "\n".join(lines)


def cmd_add(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.alert_rules import parse_rules
    from salesmgmt.delivery.audience import Audience
    from salesmgmt.delivery.subscriptions import add_subscription

    lang = message_lang(args)
    if args.team is not None:
        audience = Audience.parse("team", args.team)
    elif args.region is not None:
        audience = Audience.parse("region", args.region)
    elif args.company:
        audience = Audience.parse("company")
    elif args.as_user:
        audience = Audience.parse("user", args.as_user)
    else:
        raise SalesmgmtError("delivery.error.no_audience")
    rules = parse_rules(args.alert)
    with db.connect(existing_db(args.db)) as con:
        made = add_subscription(
            con,
            _by(con, args.as_user),
            channel=args.channel,
            destination=args.to,
            audience=audience,
            when=args.schedule,
            lang=args.brief_lang,
            secret=args.secret,
            alerts=rules,
        )
    view = made.view(lang)
    alerts = t("delivery.cli.alerts", lang, rules=view.alerts) if made.alerts else ""
    shown = {**asdict(view), "alerts": alerts, "language": view.lang}
    del shown["lang"]
    print(t("delivery.cli.added", lang, **shown))
    return 0


LIST_COLUMNS = {
    "subscription_id": "delivery.col.id",
    "channel": "delivery.col.channel",
    "destination": "delivery.col.destination",
    "secret": "delivery.col.secret",
    "audience": "delivery.col.audience",
    "lang": "delivery.col.lang",
    "schedule": "delivery.col.schedule",
    "alerts": "delivery.col.alerts",
    "created_by": "delivery.col.created_by",
}
LOG_COLUMNS = {
    "attempted_at": "delivery.col.when",
    "subscription_id": "delivery.col.id",
    "kind": "delivery.col.kind",
    "due_at": "delivery.col.due",
    "result": "delivery.col.result",
    "detail": "delivery.col.detail",
}


def cmd_list(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.subscriptions import list_subscriptions

    lang = message_lang(args)
    with db.connect(existing_db(args.db)) as con:
        found = list_subscriptions(con, _by(con, args.as_user), include_removed=args.all)
    rows = [asdict(s.view(lang)) for s in found]
    print(_table(rows, LIST_COLUMNS, lang) if rows else t("delivery.cli.none", lang))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.subscriptions import remove_subscription

    with db.connect(existing_db(args.db)) as con:
        remove_subscription(con, args.subscription_id, _by(con, args.as_user))
    print(t("delivery.cli.removed", message_lang(args), subscription_id=args.subscription_id))
    return 0


def _print_attempt(attempt: Attempt, lang: str) -> None:
    due = attempt.due_at.strftime("%Y-%m-%d %H:%M") if attempt.due_at else "–"
    key = "delivery.cli.sent" if attempt.ok else "delivery.cli.failed"
    print(
        t(
            key,
            lang,
            subscription_id=attempt.subscription_id,
            kind=attempt.kind,
            due=due,
            detail=attempt.detail,
        )
    )


def cmd_test(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.sending import now, send_test

    lang = message_lang(args)
    with db.connect(existing_db(args.db)) as con:
        attempt = send_test(con, args.subscription_id, now(), _by(con, args.as_user))
    _print_attempt(attempt, lang)
    return 0 if attempt.ok else 1


def cmd_log(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.subscriptions import delivery_log

    lang = message_lang(args)
    with db.connect(existing_db(args.db), read_only=True) as con:
        entries = delivery_log(con, _by(con, args.as_user), args.subscription_id, args.limit)
    rows = [
        {
            **asdict(e),
            "attempted_at": e.attempted_at.strftime("%Y-%m-%d %H:%M:%S"),
            "due_at": e.due_at.strftime("%Y-%m-%d %H:%M") if e.due_at else None,
            "result": t("delivery.result.ok" if e.ok else "delivery.result.failed", lang),
        }
        for e in entries
    ]
    print(_table(rows, LOG_COLUMNS, lang) if rows else t("delivery.cli.no_log", lang))
    return 0


def _send_once(path: Path, at: datetime, lang: str) -> int:
    """One run: every attempt and a summary; 1 when any delivery failed."""
    from salesmgmt.delivery.sending import send_due_file

    report = send_due_file(path, at)
    if report.busy:
        print(t("delivery.cli.busy", lang, at=at.strftime("%Y-%m-%d %H:%M")), flush=True)
        return 0
    for attempt in report.attempts:
        _print_attempt(attempt, lang)
    print(
        t(
            "delivery.cli.summary",
            lang,
            at=at.strftime("%Y-%m-%d %H:%M"),
            sent=report.sent,
            failed=report.failed,
            skipped=report.skipped,
        ),
        flush=True,
    )
    return 1 if report.failed else 0


def cmd_send(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.sending import now

    return _send_once(existing_db(args.db), args.at or now(), message_lang(args))


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and Ctrl-C set `stop`: the run under way finishes, then the loop ends."""
    import signal

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from salesmgmt.delivery.sending import now, run_scheduler

    lang = message_lang(args)
    path = existing_db(args.db)
    if args.once:
        return _send_once(path, now(), lang)

    def tick(at: datetime) -> None:
        try:
            _send_once(path, at, lang)
        except (SalesmgmtError, duckdb.Error, OSError) as exc:  # the next minute tries again
            print(t("error.prefix", lang) + str(exc), file=sys.stderr, flush=True)

    stop = threading.Event()
    print(t("delivery.cli.scheduler_start", lang, interval=f"{args.interval:g}"), flush=True)
    with _stopping_on_signals(stop):
        run_scheduler(tick, stop, args.interval)
    print(t("delivery.cli.scheduler_stop", lang), flush=True)
    return 0

"""`call` and `calls`: submit a weekly forecast call as a user, and read a week's calls beside
the sum of the level below and the computed figures (issue 13's contract)."""

from __future__ import annotations

import argparse
import io
import sys
from typing import TYPE_CHECKING

from salesmgmt import clock, db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_lang_argument,
    add_scope_argument,
    default_as_of,
    existing_db,
    message_lang,
    parse_date,
    scope_of,
)
from salesmgmt.i18n import format_money, t

if TYPE_CHECKING:
    import pandas as pd

#: The money columns `calls --format text` shows, after level, unit and week and the caller.
TEXT_MONEY = ("commit", "best_case", "below_commit", "adjustment", "forecast", "won_amount", "target")


def register(sub: Subcommands) -> None:
    p = sub.add_parser("call", help="submit a weekly forecast call (commit and best case) for a unit")
    p.add_argument("--period", required=True, help="YYYY-MM or YYYY-Qn")
    p.add_argument("--commit", required=True, type=float, help="the commit amount (CNY)")
    p.add_argument(
        "--best-case", required=True, type=float, help="the best-case amount (CNY), at least the commit"
    )
    unit = p.add_mutually_exclusive_group(required=True)
    unit.add_argument("--rep", help="a rep's name or code")
    unit.add_argument("--team", help="a team's name or one word of it")
    unit.add_argument("--region", help="a region's name")
    unit.add_argument("--company", action="store_true", help="the whole company")
    p.add_argument("--note", default=None, help="why (kept with the call)")
    p.add_argument(
        "--week", type=parse_date, default=None, help="a day of the week called for (default: today)"
    )
    p.add_argument("--as-user", required=True, metavar="USERNAME", help="the user who calls")
    add_db_argument(p)
    add_lang_argument(p)
    p.set_defaults(func=cmd_call)

    q = sub.add_parser("calls", help="a week's forecast calls per unit beside the computed figures")
    q.add_argument("--period", required=True, help="YYYY-MM or YYYY-Qn")
    q.add_argument("--week", type=parse_date, default=None, help="a day of the week (default: today)")
    q.add_argument("--format", choices=["text", "csv", "json"], default="text")
    add_scope_argument(q)
    add_db_argument(q)
    add_lang_argument(q)
    q.set_defaults(func=cmd_calls)


def cmd_call(args: argparse.Namespace) -> int:
    from salesmgmt.auth import active_user
    from salesmgmt.metrics.call_records import call_period, resolve_unit, submit_call

    lang = message_lang(args)
    period = call_period(args.period)
    level, name = (
        ("rep", args.rep)
        if args.rep is not None
        else ("team", args.team)
        if args.team is not None
        else ("region", args.region)
        if args.region is not None
        else ("company", None)
    )
    with db.connect(existing_db(args.db)) as con:
        user = active_user(con, args.as_user)
        unit = resolve_unit(con, level, name)
        made = submit_call(
            con, user, period, unit, args.commit, args.best_case, note=args.note, week=args.week
        )
    print(
        t(
            "calls.cli.recorded",
            lang,
            kind=t(f"calls.kind.{made.kind}", lang),
            call_id=made.call_id,
            level=t(f"calls.level.{made.level}", lang),
            unit=unit.name or t("calls.company", lang),
            period=made.period,
            week=made.week.isoformat(),
            commit=format_money(made.commit, lang),
            best_case=format_money(made.best_case, lang),
            user=made.submitted_by,
        )
    )
    return 0


def render_text(table: pd.DataFrame) -> bytes:
    """The contract's twelve columns as aligned plain text (money in CNY, empty as '–')."""
    shown = table.iloc[:, :12].copy()
    for column in TEXT_MONEY:
        shown[column] = shown[column].map(lambda v: "–" if v is None else f"{v:,.0f}")
    shown = shown.fillna("–").astype(str)
    buffer = io.StringIO()
    buffer.write(shown.to_string(index=False))
    buffer.write("\n")
    return buffer.getvalue().encode("utf-8")


def cmd_calls(args: argparse.Namespace) -> int:
    import pandas as pd

    from salesmgmt.metrics.call_records import call_period
    from salesmgmt.metrics.calls import BOARD_COLUMNS, week_board
    from salesmgmt.scorecard import to_csv, to_json

    period = call_period(args.period)
    week = args.week or clock.today()
    path = existing_db(args.db)
    with db.connect(path, read_only=True) as con:
        scope = scope_of(con, args.as_user)
        board = week_board(con, period, scope, week, default_as_of(period))
    table = board[[column for column in BOARD_COLUMNS if column != "parent"]].copy()
    table["week"] = table["week"].map(lambda d: d.isoformat())
    table["submitted_at"] = table["submitted_at"].map(lambda v: None if pd.isna(v) else v.isoformat(sep=" "))
    table = table.astype(object).where(table.notna(), None)
    data = (
        render_text(table)
        if args.format == "text"
        else to_csv(table)
        if args.format == "csv"
        else to_json(table)
    )
    sys.stdout.buffer.write(data)  # always to standard output: the command has no --out
    sys.stdout.flush()
    return 0

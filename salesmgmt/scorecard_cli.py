"""`python -m salesmgmt scorecard`: the period's core figures per rep, team or region, as CSV, JSON
or Excel (the same table the Forecast and Regional review pages download)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from salesmgmt import db
from salesmgmt.cli import add_db_argument, parse_date
from salesmgmt.errors import SalesmgmtError

#: The same variable the app reads to pin "today" (demos of a past date, tests).
ENV_TODAY = "SALESMGMT_TODAY"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scorecard", help="the period's figures per rep, team or region (csv, json, xlsx)")
    p.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    p.add_argument("--level", choices=["rep", "team", "region"], default="rep")
    p.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="date the figures are read at (default: today, or the period's last day for a past period)",
    )
    p.add_argument(
        "--as-user",
        default=None,
        metavar="USERNAME",
        help="apply that user's scope (refused for an unknown or disabled user)",
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_scorecard)


def _today() -> date:
    pinned = os.environ.get(ENV_TODAY)
    return date.fromisoformat(pinned) if pinned else date.today()


def cmd_scorecard(args: argparse.Namespace) -> int:
    from salesmgmt import scorecard
    from salesmgmt.filters import Filters
    from salesmgmt.periods import Period

    period = Period.parse(args.period)
    as_of = args.as_of or min(_today(), period.last_day)
    path = db.resolve_db_path(args.db)
    if not path.exists():
        raise SalesmgmtError("error.no_database", path=str(path))
    with db.connect(path, read_only=True) as con:
        scope = Filters()
        if args.as_user:
            from salesmgmt.auth import active_user

            scope = active_user(con, args.as_user).scope()
        table = scorecard.scorecard(con, period, scope, as_of, args.level)
    data = scorecard.render(table, args.format)
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(data)
        print(f"{len(table)} rows written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0

"""`scorecard`: the period's core figures per rep, team or region, as CSV, JSON or Excel (the
same table the Forecast and Regional review pages download)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salesmgmt import db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_force_argument,
    add_scope_argument,
    default_as_of,
    existing_db,
    parse_date,
    scope_of,
    write_output,
)
from salesmgmt.outputs import check_output


def register(sub: Subcommands) -> None:
    p = sub.add_parser("scorecard", help="the period's figures per rep, team or region (csv, json, xlsx)")
    p.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    p.add_argument("--level", choices=["rep", "team", "region"], default="rep")
    p.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    add_force_argument(p)
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="date the figures are read at (default: today, or the period's last day for a past period)",
    )
    add_scope_argument(p)
    add_db_argument(p)
    p.set_defaults(func=cmd_scorecard)


def cmd_scorecard(args: argparse.Namespace) -> int:
    from salesmgmt import scorecard
    from salesmgmt.periods import Period

    period = Period.parse(args.period)
    as_of = args.as_of or default_as_of(period)
    path = existing_db(args.db)
    if args.out:  # a path that cannot be written is refused before the work
        check_output(Path(args.out), path, args.force)
    with db.connect(path, read_only=True) as con:
        scope = scope_of(con, args.as_user)
        table = scorecard.scorecard(con, period, scope, as_of, args.level)
    write_output(scorecard.render(table, args.format), args.out or None, path, args.force)
    if args.out:
        print(f"{len(table)} rows written to {args.out}", file=sys.stderr)
    return 0

"""`inspect`: the pipeline inspection of a period, one row per opportunity with its change and
risk flags against an earlier day (the table the Pipeline inspection page downloads)."""

from __future__ import annotations

import argparse
import sys

from salesmgmt import db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_scope_argument,
    default_as_of,
    existing_db,
    parse_date,
    scope_of,
)


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "inspect", help="the period's deals with what changed since an earlier day (csv, json)"
    )
    p.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY")
    p.add_argument(
        "--since",
        type=parse_date,
        default=None,
        help="the earlier day whose state is compared (default: seven days before the as-of day)",
    )
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="the day read (default: today, or the period's last day for a past period)",
    )
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    add_scope_argument(p)
    add_db_argument(p)
    p.set_defaults(func=cmd_inspect)


def cmd_inspect(args: argparse.Namespace) -> int:
    from salesmgmt.metrics import inspection
    from salesmgmt.periods import Period

    period = Period.parse(args.period)
    as_of = args.as_of or default_as_of(period)
    with db.connect(existing_db(args.db), read_only=True) as con:
        scope = scope_of(con, args.as_user)
        deals = inspection.inspection(con, period, scope, as_of, args.since)
    sys.stdout.buffer.write(inspection.render(inspection.export_table(deals), args.format))
    sys.stdout.flush()
    return 0

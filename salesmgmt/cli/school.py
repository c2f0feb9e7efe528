"""`school`: the sales school's comparison, one row per behaviour (deal level: won deals against
lost deals, or the top performers' won deals against the others'; rep level: the top performers
against the rest), as text or JSON."""

from __future__ import annotations

import argparse

from salesmgmt import clock, db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_scope_argument,
    existing_db,
    parse_date,
    scope_of,
    write_output,
)

#: The contract's columns, in order.
COLUMNS = [
    "behaviour",
    "level",
    "winners",
    "others",
    "difference",
    "ci_low",
    "ci_high",
    "n_winners",
    "n_others",
    "verdict",
]


def register(sub: Subcommands) -> None:
    p = sub.add_parser("school", help="what winners do differently: one row per behaviour (text or json)")
    p.add_argument(
        "--months", type=int, default=None, help="window in months (default: 12 for deals, 6 for reps)"
    )
    p.add_argument("--level", choices=["deal", "rep"], default="deal")
    p.add_argument(
        "--against",
        choices=["lost", "others"],
        default="lost",
        help="deal level: won deals against lost deals (default), or top performers' won deals against others'",
    )
    p.add_argument("--as-of", type=parse_date, default=None, help="the day the window ends (default: today)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    add_scope_argument(p)
    add_db_argument(p)
    p.set_defaults(func=cmd_school)


def cmd_school(args: argparse.Namespace) -> int:
    from salesmgmt.metrics import school, school_deals

    default = school_deals.DEFAULT_MONTHS if args.level == "deal" else school.DEFAULT_WINDOW_MONTHS
    months = args.months if args.months is not None else default
    school_deals.check_months(months)
    as_of = args.as_of or clock.today()
    path = existing_db(args.db)
    with db.connect(path, read_only=True) as con:
        scope = scope_of(con, args.as_user)
        if args.level == "rep":
            table = school_deals.rep_level(con, as_of, scope, months)
        else:
            found = school_deals.deal_school(con, as_of, scope, months)
            table = found.won_vs_lost if args.against == "lost" else found.top_vs_others
    table = table[COLUMNS].reset_index(drop=True)
    if args.format == "json":
        text = table.to_json(orient="records", double_precision=4, force_ascii=False) + "\n"
    else:
        text = table.round(3).to_string(index=False, na_rep="-") + "\n"
    write_output(text.encode("utf-8"), None, path)
    return 0

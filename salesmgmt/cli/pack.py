"""`pack`: the meeting pack, a PowerPoint deck for the weekly team meeting (`--team T`) or the
sales-manager meeting (no `--team`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from salesmgmt import db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_force_argument,
    default_as_of,
    existing_db,
    parse_date,
    write_output,
)
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import normalise_lang
from salesmgmt.outputs import check_output
from salesmgmt.periods import Period


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "pack",
        help="write the meeting pack (PowerPoint): weekly team meeting with --team, "
        "else the sales-manager meeting",
    )
    p.add_argument(
        "--period",
        required=True,
        type=_parse_period,
        help="month (2026-05), quarter (2026-Q2) or year (2026)",
    )
    p.add_argument(
        "--team",
        default=None,
        help="the team of a weekly team meeting (its name, or one word of it: 'Dragon', '龙')",
    )
    # Its own dest: the top-level --lang (language of error messages) must not be overwritten.
    p.add_argument(
        "--lang",
        dest="deck_lang",
        default=None,
        choices=["zh", "en"],
        help="language of the deck (default: the top-level --lang, else zh)",
    )
    p.add_argument("--out", required=True, type=Path, help="the .pptx file to write")
    add_force_argument(p)
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="read the figures as at this day (default: today, or the period's last day for a past period)",
    )
    p.add_argument(
        "--week",
        type=parse_date,
        default=None,
        help="any day of the meeting's week (default: the week of the as-of day)",
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_pack)


def _parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except SalesmgmtError as exc:
        raise argparse.ArgumentTypeError(exc.message("en")) from exc


def cmd_pack(args: argparse.Namespace) -> int:
    from salesmgmt.pack import build_deck, resolve_team

    lang = args.deck_lang or normalise_lang(getattr(args, "lang", None)) or "zh"
    path = existing_db(args.db)
    out: Path = args.out
    if out.suffix.lower() != ".pptx":
        raise SalesmgmtError("pack.error.suffix", path=str(out))
    as_of = args.as_of or default_as_of(args.period)
    with db.connect(path, read_only=True) as con:
        team = resolve_team(con, args.team) if args.team else None
        check_output(out, path, args.force)  # before the deck is built
        data = build_deck(con, args.period, as_of=as_of, lang=lang, team=team, week_of=args.week)
    write_output(data, out, path, args.force)
    print(f"{out} ({len(data):,} bytes)")
    return 0

"""`brief`: the weekly brief of a team, a region, the company or a user's scope, as an A4 PDF or
a phone-sized PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from salesmgmt import clock, db
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_force_argument,
    add_scope_argument,
    existing_db,
    parse_date,
    scope_of,
    write_output,
)
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import normalise_lang
from salesmgmt.outputs import check_output

#: What `--out` may be: the suffix chooses the rendering.
SUFFIXES = (".pdf", ".png")


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "brief",
        help="write the weekly brief (one page: won against target, the forecast call, who is behind, "
        "cold key accounts, deals that moved, the week's wins) as PDF or PNG",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--team", default=None, help="a team's brief (its name, or one word of it: 'Dragon', '龙')"
    )
    who.add_argument("--region", default=None, help="a region's brief")
    who.add_argument(
        "--company",
        action="store_true",
        help="the whole company's brief (the default without --as-user; with it, the user's scope is the default)",
    )
    p.add_argument(
        "--week",
        type=parse_date,
        default=None,
        help="any day of the week reported: the brief reads the week up to that day and the month "
        "and quarter so far (default: today)",
    )
    # Its own dest: the top-level --lang (language of error messages) must not be overwritten.
    p.add_argument(
        "--lang",
        dest="brief_lang",
        default=None,
        choices=["zh", "en"],
        help="language of the brief (default: the top-level --lang, else zh)",
    )
    p.add_argument("--out", required=True, type=Path, help="the .pdf (A4) or .png (phone image) to write")
    add_force_argument(p)
    add_scope_argument(p)
    add_db_argument(p)
    p.set_defaults(func=cmd_brief)


def audience_of(args: argparse.Namespace) -> tuple[str, str | None]:
    """The (kind, key) the options ask for: --team, --region, --company, else the --as-user's
    scope, else the company."""
    if args.team:
        return "team", args.team
    if args.region:
        return "region", args.region
    if args.as_user and not args.company:
        return "user", args.as_user
    return "company", None


def cmd_brief(args: argparse.Namespace) -> int:
    from salesmgmt.delivery import brief, render
    from salesmgmt.delivery.audience import Audience

    lang = args.brief_lang or normalise_lang(getattr(args, "lang", None)) or "zh"
    out: Path = args.out
    if out.suffix.lower() not in SUFFIXES:
        raise SalesmgmtError("brief.error.suffix", path=str(out))
    path = existing_db(args.db)
    render.chromium_path()  # no browser, no brief: say so before reading anything
    check_output(out, path, args.force)
    audience = Audience.parse(*audience_of(args))
    with db.connect(path, read_only=True) as con:
        filters = audience.within(con, scope_of(con, args.as_user), args.as_user or "")
        built = brief.build(con, audience, args.week or clock.today(), lang, filters=filters)
    data = built.pdf() if out.suffix.lower() == ".pdf" else built.png()
    write_output(data, out, path, args.force)
    print(f"{out} ({len(data):,} bytes)")
    return 0

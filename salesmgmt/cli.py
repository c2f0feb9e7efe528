"""The command line: `python -m salesmgmt COMMAND ...`.

Each area registers its own commands: a module listed in COMMAND_MODULES has
`register(subparsers)` that adds its parsers, each with `func=handler(args) -> exit status`.
Handlers raise SalesmgmtError for anything the user can fix; main() prints it (no traceback)
and exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from datetime import date

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import normalise_lang, t

COMMAND_MODULES = [
    "salesmgmt.cli",
    "salesmgmt.auth_cli",
    "salesmgmt.scorecard_cli",
    "salesmgmt.pack_cli",
    "salesmgmt.importer.cli",
    "salesmgmt.backup_cli",
]


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(t("error.bad_date", "en", value=text))


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="database file (default: $SALESMGMT_DB, else data/salesmgmt.duckdb)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="create the demo company in the database (replaces its data)")
    add_db_argument(p)
    p.add_argument("--as-of", type=parse_date, default=None, help="last day of history (default: today)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed and as-of: same data)")
    p.add_argument(
        "--scale",
        choices=["standard", "large"],
        default="standard",
        help="standard: four teams of East China; large: a national company "
        "(~1,200 reps in 100 teams, 100,000 clients, 1,000,000 visits; minutes)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("glossary", help="print the metrics glossary (docs/glossary.md) as Markdown")
    p.set_defaults(func=cmd_glossary)

    p = sub.add_parser("status", help="row counts of the database")
    add_db_argument(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_status)


def cmd_demo(args: argparse.Namespace) -> int:
    from salesmgmt.demo import SIZES, generate_demo

    as_of = args.as_of or date.today()
    with db.connect(args.db) as con:
        counts = generate_demo(con, as_of=as_of, seed=args.seed, size=SIZES[args.scale])
    print(
        f"Demo company ({args.scale}) written to {db.resolve_db_path(args.db)} "
        f"(as of {as_of}, seed {args.seed}):"
    )
    for key, value in counts.items():
        print(f"  {key:<22} {value:>9,}")
    return 0


def cmd_glossary(args: argparse.Namespace) -> int:
    from salesmgmt.measures import glossary_markdown

    sys.stdout.write(glossary_markdown())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    path = db.resolve_db_path(args.db)
    if not path.exists():
        raise SalesmgmtError("error.no_database", path=str(path))
    with db.connect(path) as con:
        counts = db.table_counts(con)
        version = db.schema_version(con)
    if args.format == "json":
        print(json.dumps({**counts, "schema_version": version, "db": str(path)}, ensure_ascii=False))
    else:
        print(f"{path} (schema {version})")
        for key, value in counts.items():
            print(f"  {key:<22} {value:>9,}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m salesmgmt", description="Sales management: data, imports and exports."
    )
    parser.add_argument("--lang", default=None, help="language of messages: zh or en")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = normalise_lang(args.lang) or "en"
    try:
        return int(args.func(args) or 0)
    except SalesmgmtError as exc:
        print(t("error.prefix", lang) + exc.message(lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

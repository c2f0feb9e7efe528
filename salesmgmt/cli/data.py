"""`demo`, `glossary` and `status`: the data in the database, and the metrics glossary."""

from __future__ import annotations

import argparse
import json
import sys

from salesmgmt import clock, db
from salesmgmt.cli.arguments import Subcommands, add_db_argument, existing_db, parse_date


def register(sub: Subcommands) -> None:
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


def _print_counts(counts: dict[str, int]) -> None:
    for key, value in counts.items():
        print(f"  {key:<22} {value:>9,}")


def cmd_demo(args: argparse.Namespace) -> int:
    from salesmgmt.demo import SIZES, generate_demo

    as_of = args.as_of or clock.today()
    with db.connect(args.db) as con:
        counts = generate_demo(con, as_of=as_of, seed=args.seed, size=SIZES[args.scale])
    print(
        f"Demo company ({args.scale}) written to {db.resolve_db_path(args.db)} "
        f"(as of {as_of}, seed {args.seed}):"
    )
    _print_counts(counts)
    return 0


def cmd_glossary(args: argparse.Namespace) -> int:
    from salesmgmt.glossary import glossary_markdown

    sys.stdout.write(glossary_markdown())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    path = existing_db(args.db)
    with db.connect(path) as con:
        counts = db.table_counts(con)
        version = db.schema_version(con)
    if args.format == "json":
        # `plans`: the monthly plans' revisions, under the name the process knows them by.
        found = {**counts, "plans": counts["monthly_plans"], "schema_version": version, "db": str(path)}
        print(json.dumps(found, ensure_ascii=False))
    else:
        print(f"{path} (schema {version})")
        _print_counts(counts)
    return 0

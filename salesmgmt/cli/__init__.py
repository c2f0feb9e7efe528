"""The command line: `salesmgmt COMMAND ...` or `python -m salesmgmt COMMAND ...`.

Each area registers its own commands: a module listed in COMMAND_MODULES has
`register(subparsers)` that adds its parsers, each with `func=handler(args) -> exit status`.
The arguments every area shares (--db, dates, the language of messages, the default as-of day,
--as-user, writing the output) are in `salesmgmt.cli.arguments`. Handlers raise SalesmgmtError
for anything the user can fix; main() prints it (no traceback) and exits 1, as it does for a
file the system refuses (OSError) and a database DuckDB cannot open.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import duckdb

from salesmgmt.cli.arguments import message_lang
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t

COMMAND_MODULES = [
    "salesmgmt.cli.data",
    "salesmgmt.cli.users",
    "salesmgmt.cli.scorecard",
    "salesmgmt.cli.pack",
    "salesmgmt.cli.imports",
    "salesmgmt.cli.backups",
    "salesmgmt.cli.calls",
    "salesmgmt.cli.inspect",
    "salesmgmt.cli.school",
    "salesmgmt.cli.brief",
    "salesmgmt.cli.subscriptions",
]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the top-level options and every area's commands."""
    parser = argparse.ArgumentParser(
        prog="python -m salesmgmt", description="Sales management: data, imports and exports."
    )
    parser.add_argument("--lang", default=None, help="language of messages: zh or en")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (1 with the message for an error the user can fix)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = message_lang(args)
    try:
        return int(args.func(args) or 0)
    except SalesmgmtError as exc:
        print(t("error.prefix", lang) + exc.message(lang), file=sys.stderr)
        return 1
    except OSError as exc:  # a path the command cannot use: the message, never a traceback
        detail = exc.strerror or str(exc)
        path = exc.filename if exc.filename is not None else "?"
        print(
            t("error.prefix", lang) + t("error.file_problem", lang, path=path, detail=detail), file=sys.stderr
        )
        return 1
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        print(t("error.prefix", lang) + t("error.database_problem", lang, detail=detail), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

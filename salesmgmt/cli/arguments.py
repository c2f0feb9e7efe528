"""What the commands share: the --db, date and --lang options, the database a command reads, the
user a command acts for, the default as-of day and writing a command's output."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date
from pathlib import Path

import duckdb

from salesmgmt import clock, db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import normalise_lang, t
from salesmgmt.outputs import is_duckdb_file, write_file
from salesmgmt.periods import Period

#: What `register(sub)` of each command module is given.
Subcommands = argparse._SubParsersAction


def parse_date(text: str) -> date:
    """An ISO date option (`--as-of 2026-05-31`); argparse reports a bad one with the usage."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(t("error.bad_date", "en", value=text)) from None


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="database file (default: $SALESMGMT_DB, else data/salesmgmt.duckdb)"
    )


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """A command's own --lang; without it, the top-level `--lang` (before the command) stays in force."""
    parser.add_argument("--lang", default=argparse.SUPPRESS, help="language of messages: zh or en")


def message_lang(args: argparse.Namespace) -> str:
    """The language of a command's messages: its --lang, else English."""
    return normalise_lang(getattr(args, "lang", None)) or "en"


def existing_db(path: str | None) -> Path:
    """The database a reading command opens; refused when the file does not exist (opening it
    would create an empty one)."""
    found = db.resolve_db_path(path)
    if not found.exists():
        raise SalesmgmtError("error.no_database", path=str(found))
    if not is_duckdb_file(found):
        raise SalesmgmtError("error.not_a_database", path=str(found))
    return found


def add_scope_argument(parser: argparse.ArgumentParser) -> None:
    """`--as-user`: read within that user's scope (`scope_of`)."""
    parser.add_argument(
        "--as-user",
        default=None,
        metavar="USERNAME",
        help="apply that user's scope (refused for an unknown or disabled user)",
    )


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """--force: a command that writes a file replaces an existing one only when given."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output file (never the database, its key or a backup)",
    )


def user_name(given: str | None) -> str | None:
    """The name recorded for who ran a command: --user, else the operating system's user (None
    in a container without one)."""
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return None


def default_as_of(period: Period) -> date:
    """Today, or the period's last day when the period is over (the app's rule)."""
    return period.as_of(clock.today())


def scope_of(con: duckdb.DuckDBPyConnection, as_user: str | None) -> Filters:
    """The scope of `--as-user` (refused for an unknown or disabled user); everything without it."""
    if not as_user:
        return Filters()
    from salesmgmt.auth import active_user

    return active_user(con, as_user).scope()


def write_output(
    data: bytes, out: str | os.PathLike[str] | None, database: Path, force: bool = False
) -> None:
    """A command's file: into `out` (see salesmgmt.outputs: never onto `database` or a backup,
    an existing file only with `force`, whole or not at all), else to standard output."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_file(data, Path(out), database, force)

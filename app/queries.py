"""The database seen from a page.

Database access: no connection is held between reruns (DuckDB lets one process write a file at a
time, and a command-line import must be able to run while the app serves pages). `query()` runs a
domain function; results are cached by `st.cache_data`, keyed by the function, its arguments and
the database's data version, so an import shows up on the next rerun.

One page run sees one state of the data (`begin_run`/`end_run`, called by dashboard.py): the data
version is read once per run, and every query the cache cannot answer runs in one read
transaction of the run, opened when the first one is needed and closed when the run ends. If the
data changed between the start of the run and that transaction, the run starts again, so a page
never shows figures from both sides of an import.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from app.texts import t
from salesmgmt import clock, db


def today() -> date:
    """Today, or SALESMGMT_TODAY when set (salesmgmt.clock)."""
    return clock.today()


def db_path() -> Path:
    return db.resolve_db_path(None)


def ensure_database() -> None:
    """Create the database with the demo company on first run (a spinner while it happens)."""
    path = db_path()
    if path.exists():
        return
    from salesmgmt.demo import generate_demo

    with st.spinner(t("app.creating_demo")), db.connect(path) as con:
        generate_demo(con, as_of=today(), seed=7)
    st.toast(t("app.demo_created"))


class DataMoved(Exception):
    """The data changed after a page run had started showing it: the run must start again."""


class _RunView:
    """One page run's view of the data: the version it started with and, once a query needs the
    database, one connection in a read transaction that sees exactly that version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = db.data_version(path)
        self.con: Any = None

    def connection(self) -> Any:
        if self.con is None:
            con = db.open_connection(self.path, read_only=False)
            try:
                db.migrate_schema(con)
                con.execute("BEGIN TRANSACTION")
                con.execute("SELECT count(*) FROM meta").fetchone()  # the snapshot starts here
            except BaseException:
                con.close()
                raise
            self.con = con
            # Commits change the files' size or time before they are visible, so an unchanged
            # version read after the snapshot has begun means the snapshot is that version.
            if db.data_version(self.path) != self.version:
                self.close()
                raise DataMoved
        return self.con

    def close(self) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            try:
                con.execute("ROLLBACK")
            finally:
                con.close()


_RUN = threading.local()


def begin_run() -> None:
    """Start a page run's view of the data (dashboard.py, before anything reads)."""
    end_run()
    _RUN.view = _RunView(db_path())


def end_run() -> None:
    """Close the run's read transaction (dashboard.py, in `finally`): nothing stays open between
    runs, so a command-line import can take the file."""
    view = getattr(_RUN, "view", None)
    _RUN.view = None
    if view is not None:
        view.close()


def _run_view() -> _RunView | None:
    view = getattr(_RUN, "view", None)
    return view if view is not None and view.path == db_path() else None


def restart_run() -> None:
    """Start the page run again on the new data (a seam for tests)."""
    end_run()
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached_call(function: str, db_file: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    module, _, name = function.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    view = _run_view()
    if view is not None and view.version == version:  # the run's own file (_run_view)
        return fn(view.connection(), *args, **dict(kwargs))
    with db.connect(db_file) as con:
        return fn(con, *args, **dict(kwargs))


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function `fn(con, *args, **kwargs)`, cached until the data changes.

    The cache key holds every argument, so scoped results (filters carry the user's scope)
    never reach another user. Within a page run (begin_run) every result belongs to the same
    state of the data.
    """
    path = db_path()
    view = _run_view()
    version = view.version if view is not None else db.data_version(path)
    try:
        return _cached_call(
            f"{fn.__module__}.{fn.__qualname__}", str(path), version, args, tuple(sorted(kwargs.items()))
        )
    except DataMoved:
        restart_run()
        raise  # not reached outside tests: st.rerun() raises


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function `fn(con, ...)` that reads, uncached (for arguments that cannot be
    cache keys, such as an uploaded file's preview)."""
    with db.connect(db_path()) as con:
        return fn(con, *args, **kwargs)


def write(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function that changes data; clears the cache afterwards."""
    end_run()  # the run's snapshot would not show this change
    with db.connect(db_path()) as con:
        result = fn(con, *args, **kwargs)
    st.cache_data.clear()
    _RUN.view = _RunView(db_path())  # the rest of the run reads the data with this change
    return result

"""Writing the demo into a database: every data table's rows replaced in one transaction,
and the id sequences moved past the ids the demo wrote."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from salesmgmt import db
from salesmgmt.demo.company import STANDARD_SIZE, DemoSize
from salesmgmt.demo.frames import build_demo_frames

#: Tables whose rows the demo replaces. Later schema versions add tables that point at
#: clients or reps (key-account reviews); they are emptied too when present, since their ids
#: would point at the wrong demo rows. Users, the audit log and saved import mappings are
#: not company data and are kept.
DATA_TABLES: list[str] = [
    "reps",
    "clients",
    "opportunities",
    "opportunity_history",
    "visits",
    "targets",
    "monthly_plans",
    "plan_visits",
    "uploads",
    "upload_changes",
    "client_reviews",
    "forecast_calls",
    "checkins",
]


_DATE_COLUMNS = frozenset(
    {
        "valid_from",
        "valid_to",
        "created_date",
        "expected_close_date",
        "close_date",
        "visit_date",
        "month",
        "week",
        "saved_on",
        "planned_date",
        "review_date",
        "next_review_date",
    }
)


#: Sequences that hand out ids of tables the demo fills with explicit ids.
_SEQUENCES = [
    ("rep_seq", "reps", "rep_id"),
    ("client_seq", "clients", "client_id"),
    ("visit_seq", "visits", "visit_key"),
    ("call_seq", "forecast_calls", "call_id"),
    ("plan_seq", "monthly_plans", "plan_id"),
    ("review_seq", "client_reviews", "review_id"),
    ("checkin_seq", "checkins", "checkin_key"),
]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The one number an aggregate query returns."""
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return int(row[0])


def _move_sequence_past(con: duckdb.DuckDBPyConnection, seq: str, table: str, column: str) -> None:
    """Move a sequence past the ids the demo wrote, so a later import's nextval() cannot
    collide with them. The value taken is discarded: it is the highest id written or above it
    (`next_id_above` the id before the highest), so the sequence next hands out the id after
    the highest, as it always has."""
    top = _scalar(con, f"SELECT coalesce(max({column}), 0) FROM {db.quote_ident(table)}")
    db.next_id_above(con, seq, top - 1)


def write_demo_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace every data table's rows with `frames`, in one transaction."""
    with db.transaction(con):
        present = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        for table in DATA_TABLES:
            if table in present:
                con.execute(f"DELETE FROM {db.quote_ident(table)}")
        for table, df in frames.items():
            view = f"demo_frame_{table}"
            columns = [str(c) for c in df.columns]
            select = ", ".join(f"CAST({c} AS DATE)" if c in _DATE_COLUMNS else c for c in columns)
            con.register(view, df)
            try:
                con.execute(
                    f"INSERT INTO {db.quote_ident(table)} ({', '.join(columns)}) SELECT {select} FROM {view}"
                )
            finally:
                con.unregister(view)
        for seq, table, column in _SEQUENCES:
            _move_sequence_past(con, seq, table, column)


def generate_demo(
    con: duckdb.DuckDBPyConnection, as_of: date, seed: int = 7, size: DemoSize = STANDARD_SIZE
) -> dict[str, int]:
    """Replace all data with the demo company as of `as_of`; return row counts per table.

    Same `seed` and `as_of`: same content. The stories in DEMO_STORIES hold for any seed.
    """
    frames = build_demo_frames(as_of, seed, size)
    write_demo_frames(con, frames)
    return {table: _scalar(con, f"SELECT count(*) FROM {db.quote_ident(table)}") for table in frames}

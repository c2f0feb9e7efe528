"""Figures a page shows, as domain functions for `queries.query` (tests/test_durability.py runs them
as several sessions' page views while an import writes). `view` stands for a page's filters: a
new value per page view, so no figure comes from the cache and every one reads the database."""

from __future__ import annotations


def visits(con, view: int = 0) -> int:
    return con.execute("SELECT count(*) FROM visits").fetchone()[0]


def imported_visits(con, view: int = 0) -> int:
    return con.execute("SELECT count(*) FROM visits WHERE visit_id LIKE 'R%'").fetchone()[0]


def batches(con, view: int = 0) -> int:
    return con.execute("SELECT count(*) FROM uploads").fetchone()[0]


def audit_rows(con, view: int = 0) -> int:
    return con.execute("SELECT count(*) FROM upload_changes").fetchone()[0]


def november_visits(con, view: int = 0) -> int:
    return con.execute(
        "SELECT count(*) FROM visits v JOIN reps r USING (rep_id) WHERE v.visit_date >= DATE '2026-11-01'"
    ).fetchone()[0]

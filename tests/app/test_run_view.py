"""One page run sees one state of the data (queries.begin_run / queries.query / queries.end_run).

The functions below are the 'domain functions' the tests run through `queries.query`: like the real
ones they take the connection first and are found again by module and name.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import streamlit as st

from app import queries
from salesmgmt import db


def count_visits(con) -> int:
    return con.execute("SELECT count(*) FROM visits").fetchone()[0]


def count_visits_again(con) -> int:
    return con.execute("SELECT count(*) FROM visits").fetchone()[0]


class Restarted(Exception):
    pass


@pytest.fixture
def app_db(tiny_db, monkeypatch):
    monkeypatch.setenv(db.ENV_DB, str(tiny_db))
    st.cache_data.clear()

    def restart() -> None:
        queries.end_run()
        raise Restarted

    monkeypatch.setattr(queries, "restart_run", restart)
    yield tiny_db
    queries.end_run()


def delete_one_visit_in_another_session(path) -> None:
    """What another browser session's write does: its own connection, its own thread."""

    def work() -> None:
        with db.connect(path) as con:
            con.execute("DELETE FROM visits WHERE visit_key = (SELECT min(visit_key) FROM visits)")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_a_page_run_keeps_the_state_it_started_with_while_another_session_writes(app_db):
    queries.begin_run()
    before = queries.query(count_visits)
    delete_one_visit_in_another_session(app_db)
    assert queries.query(count_visits_again) == before  # not cached yet: read in the run's snapshot
    queries.end_run()

    queries.begin_run()
    assert queries.query(count_visits) == before - 1
    assert queries.query(count_visits_again) == before - 1
    queries.end_run()


def test_a_run_whose_data_changed_before_its_first_read_starts_again(app_db):
    queries.begin_run()
    queries.query(count_visits)
    queries.end_run()

    queries.begin_run()
    before = queries.query(count_visits)  # cached: no connection opened yet
    delete_one_visit_in_another_session(app_db)
    with pytest.raises(Restarted):
        queries.query(count_visits_again)  # a miss would read the new data beside the old figure

    queries.begin_run()
    assert (queries.query(count_visits), queries.query(count_visits_again)) == (before - 1, before - 1)


def test_no_connection_stays_open_between_runs_so_another_process_can_write(app_db):
    queries.begin_run()
    queries.query(count_visits)
    queries.end_run()
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute('CREATE TABLE written_by_another_process (x INT)'); con.close()",
            str(app_db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr


def test_a_write_from_the_page_is_seen_by_the_rest_of_the_run(app_db):
    queries.begin_run()
    before = queries.query(count_visits)
    queries.write(
        lambda con: con.execute("DELETE FROM visits WHERE visit_key = (SELECT min(visit_key) FROM visits)")
    )
    assert queries.query(count_visits) == before - 1
    queries.end_run()


def test_queries_outside_a_page_run_read_the_latest_data(app_db):
    before = queries.query(count_visits)
    delete_one_visit_in_another_session(app_db)
    assert queries.query(count_visits) == before - 1

"""`python -m salesmgmt inspect` in a real process, on the hand-checked history of
tests/inspection_history.py (June 2026 on June 15 against June 8)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from salesmgmt import auth, db
from tests import inspection_history as history
from tests.domain.test_inspection import EXPECTED_FLAGS

ROOT = Path(__file__).resolve().parents[2]
FLAGS = [
    "new",
    "amount_up",
    "amount_down",
    "pushed",
    "pulled_in",
    "stage_back",
    "slipped",
    "won",
    "lost",
    "stalled",
    "no_recent_visit",
    "overdue",
]


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "inspection.duckdb"
    with db.connect(path) as con:
        history.load(con)
    return path


def inspect(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SALESMGMT_TODAY": history.AS_OF.isoformat(), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", "inspect", "--db", str(database), "--period", "2026-06", *args],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_json_has_one_object_per_deal_with_every_flag_as_a_boolean(database):
    done = inspect(database, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    rows = json.loads(done.stdout)
    assert [r["opportunity_id"] for r in rows] == list(EXPECTED_FLAGS)
    for row in rows:
        assert {f for f in FLAGS if row[f] is True} == EXPECTED_FLAGS[row["opportunity_id"]]
        assert all(isinstance(row[f], bool) for f in FLAGS)
    d1 = next(r for r in rows if r["opportunity_id"] == "D1")
    assert (d1["rep"], d1["client"], d1["amount"], d1["pushed_count"]) == (
        "张伟 Zhang",
        "华东设计院",
        40000.0,
        2,
    )
    assert d1["expected_close_date"] == "2026-06-28" and d1["close_expected_before"] == "2026-06-18"


def test_csv_writes_true_and_false_with_a_bom_and_the_contract_columns(database):
    done = inspect(database, "--since", "2026-06-08")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    assert {"opportunity_id", "rep", "client", "amount", "pushed_count", *FLAGS} <= set(rows[0])
    s1 = next(r for r in rows if r["opportunity_id"] == "S1")
    assert (s1["pushed"], s1["slipped"], s1["won"], s1["pushed_count"]) == ("true", "true", "false", "1")


def test_an_earlier_since_compares_with_that_day(database):
    # On May 31 N1 did not exist either, and D1 was already pushed on May 20 but then at 50,000.
    rows = json.loads(inspect(database, "--since", "2026-05-31", "--format", "json").stdout)
    d1 = next(r for r in rows if r["opportunity_id"] == "D1")
    assert d1["pushed"] and d1["amount_down"]
    u1 = next(r for r in rows if r["opportunity_id"] == "U1")
    assert u1["amount_up"]


def test_a_rep_signed_in_sees_only_their_deals(database):
    with db.connect(database) as con:
        auth.add_user(con, "li", "rep", "rep-password-1", rep="李娜 Li")
    rows = json.loads(inspect(database, "--as-user", "li", "--format", "json").stdout)
    assert [r["opportunity_id"] for r in rows] == ["X1"]


def test_a_since_not_before_the_as_of_day_is_refused_with_the_fix(database):
    done = inspect(database, "--since", "2026-06-20")
    assert done.returncode == 1 and done.stdout == b""
    assert "--since" in done.stderr.decode() and "2026-06-15" in done.stderr.decode()


def test_an_unknown_user_is_refused(database):
    done = inspect(database, "--as-user", "nobody")
    assert done.returncode == 1 and done.stdout == b""

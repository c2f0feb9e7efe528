"""The command-line contract of the weekly call: `call` records a user's call and exits 0, or
exits non-zero with a clear message and writes nothing; `calls` lists the week's calls per unit
as text, CSV or JSON. Real subprocesses on the tiny company, "today" pinned to 20 May 2026."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesmgmt import auth, db
from tests import tiny

ROOT = Path(__file__).resolve().parents[2]


def run(path: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess, on the tiny company, on Wednesday 20 May 2026."""
    env = {**os.environ, "SALESMGMT_TODAY": "2026-05-20"}
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args, "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def calls_written(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM forecast_calls").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def company(tmp_path):
    """The tiny company with a rep (li), a manager of Dragon (chen) and a director (boss)."""
    path = tmp_path / "calls.duckdb"
    with db.connect(path) as con:
        tiny.load(con)
        auth.add_user(con, "li", "rep", "pw", rep="李娜 Li")
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
        auth.add_user(con, "boss", "director", "pw")
    return path


def test_calls_roll_up_and_the_command_line_lists_them_as_json(company):
    li = run(
        company,
        "call",
        "--period",
        "2026-05",
        "--commit",
        "70000",
        "--best-case",
        "110000",
        "--rep",
        "李娜 Li",
        "--as-user",
        "li",
    )
    assert li.returncode == 0, li.stderr
    assert "week of 2026-05-18" in li.stdout
    steps = [
        [
            "--rep",
            "李娜 Li",
            "--commit",
            "90000",
            "--best-case",
            "120000",
            "--note",
            "O5 signs",
            "--as-user",
            "chen",
        ],
        ["--team", "Dragon", "--commit", "200000", "--best-case", "260000", "--as-user", "chen"],
        ["--region", "East", "--commit", "210000", "--best-case", "280000", "--as-user", "boss"],
        [
            "--company",
            "--commit",
            "250000",
            "--best-case",
            "350000",
            "--as-user",
            "boss",
            "--week",
            "2026-05-22",
        ],
    ]
    for step in steps:
        done = run(company, "call", "--period", "2026-05", *step)
        assert done.returncode == 0, done.stderr
    listed = run(company, "calls", "--period", "2026-05", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {(r["level"], r["unit"]): r for r in json.loads(listed.stdout)}
    dragon = rows[("team", "Dragon")]
    assert dragon["commit"] == 200_000 and dragon["below_commit"] == 90_000, (
        "Li as adjusted; Zhang did not call"
    )
    assert dragon["adjustment"] == 110_000 and dragon["submitted_by"] == "chen"
    assert dragon["forecast"] == 220_000 and dragon["won_amount"] == 100_000 and dragon["target"] == 300_000
    assert rows[("region", "East")]["below_commit"] == 200_000
    assert rows[("company", "")]["adjustment"] == 250_000 - 210_000
    assert rows[("rep", "王强 Wang")]["commit"] is None, "no call yet: null"
    assert (
        rows[("rep", "李娜 Li")]["commit"] == 70_000 and rows[("rep", "李娜 Li")]["adjusted_commit"] == 90_000
    )
    assert {r["week"] for r in rows.values()} == {"2026-05-18"}


def test_a_refused_call_exits_non_zero_with_the_reason_and_writes_nothing(company):
    outside = run(
        company,
        "call",
        "--period",
        "2026-05",
        "--commit",
        "1",
        "--best-case",
        "1",
        "--team",
        "Tiger",
        "--as-user",
        "chen",
    )
    assert outside.returncode == 1 and "may not call for Tiger" in outside.stderr
    past = run(
        company,
        "call",
        "--period",
        "2026-05",
        "--commit",
        "1",
        "--best-case",
        "1",
        "--rep",
        "李娜 Li",
        "--week",
        "2026-05-11",
        "--as-user",
        "li",
    )
    assert past.returncode == 1 and "cannot be changed" in past.stderr
    below = run(
        company,
        "--lang",
        "zh",
        "call",
        "--period",
        "2026-05",
        "--commit",
        "5",
        "--best-case",
        "1",
        "--company",
        "--as-user",
        "boss",
    )
    assert below.returncode == 1 and "最佳预测" in below.stderr
    nobody = run(
        company,
        "call",
        "--period",
        "2026-05",
        "--commit",
        "1",
        "--best-case",
        "1",
        "--company",
        "--as-user",
        "ghost",
    )
    assert nobody.returncode == 1
    assert "Traceback" not in outside.stderr + past.stderr + below.stderr + nobody.stderr
    assert calls_written(company) == 0


def test_calls_as_a_manager_show_only_their_teams_and_reps_as_csv_and_text(company):
    as_csv = run(company, "calls", "--period", "2026-05", "--format", "csv", "--as-user", "chen")
    assert as_csv.returncode == 0, as_csv.stderr
    lines = as_csv.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].startswith(
        "level,unit,week,commit,best_case,submitted_by,submitted_at,below_commit,adjustment,forecast,won_amount,target"
    )
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["team", "Dragon"],
        ["rep", "张伟 Zhang"],
        ["rep", "李娜 Li"],
    ]
    as_text = run(company, "calls", "--period", "2026-05", "--as-user", "li")
    assert as_text.returncode == 0 and "李娜 Li" in as_text.stdout and "Dragon" not in as_text.stdout

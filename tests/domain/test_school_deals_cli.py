"""The command-line contract of the sales school: `school` prints one row per behaviour with the
contract's columns, as JSON or text, in the user's scope; a bad window is refused by name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from salesmgmt import auth, db
from salesmgmt.cli.school import COLUMNS
from salesmgmt.metrics.school_deals import BEHAVIOURS
from tests.domain.test_school_deals import planted


def run(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", "school", *args, "--db", str(path), "--as-of", "2026-05-31"],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_school_command_prints_one_row_per_behaviour(tmp_path):
    path = tmp_path / "deals.duckdb"
    with db.connect(path) as con:
        planted(con)
        auth.add_user(con, "r1", "rep", "pw", rep="R01")
    done = run(path, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["behaviour"] for r in rows] == list(BEHAVIOURS)
    assert all(list(r) == COLUMNS for r in rows)
    first = rows[0]
    assert (first["level"], first["winners"], first["others"], first["difference"]) == ("deal", 1.0, 0.0, 1.0)
    assert (first["ci_low"], first["ci_high"], first["n_winners"], first["n_others"]) == (1.0, 1.0, 24, 24)
    assert first["verdict"] == "clear"
    assert {r["behaviour"]: r["verdict"] for r in rows}["ride_along"] == "none"

    mine = json.loads(run(path, "--format", "json", "--as-user", "r1").stdout)
    assert {
        (r["n_winners"], r["n_others"], r["verdict"]) for r in mine if r["behaviour"] == "days_to_close"
    } == {(3, 3, "too_few")}, "a rep sees only their own six deals"

    text = run(path)
    assert text.returncode == 0 and "design_institute_first" in text.stdout and "clear" in text.stdout

    reps = run(path, "--level", "rep", "--format", "json")
    assert reps.returncode == 0, reps.stderr
    assert {r["level"] for r in json.loads(reps.stdout)} == {"rep"}

    bad = run(path, "--months", "0")
    assert bad.returncode == 1 and "--months 0" in bad.stderr and "1 to 36" in bad.stderr

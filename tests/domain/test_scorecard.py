"""The scorecard export (a contract): its columns, its formats, the command line, and that its
numbers are the ones the pages show (core.figures) on the tiny company, May 2026."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from salesmgmt import scorecard
from salesmgmt.filters import Filters
from salesmgmt.metrics import core
from salesmgmt.periods import Period
from tests import tiny

ROOT = Path(__file__).resolve().parents[2]
MAY = Period.parse("2026-05")
CONTRACT = [
    "target",
    "won_amount",
    "won_count",
    "lost_count",
    "win_rate",
    "open_amount",
    "weighted_amount",
    "forecast",
    "attainment",
    "attainment_probability",
    "visits",
    "weeks_meeting_norm",
]


@pytest.mark.parametrize(
    "level,keys", [("rep", ["rep", "team", "region"]), ("team", ["team", "region"]), ("region", ["region"])]
)
def test_the_columns_are_the_contracts(tiny_con, level, keys):
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, level)
    assert list(table.columns) == keys + CONTRACT


@pytest.mark.parametrize("level,key", [("rep", "rep"), ("team", "team"), ("region", "region")])
def test_the_scorecard_carries_the_figures_the_pages_show(tiny_con, level, key):
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, level).set_index(key)
    figures = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF, level=level).set_index(key)
    for column in CONTRACT:
        np.testing.assert_allclose(
            table[column].to_numpy(float),
            figures[column].to_numpy(float),
            rtol=0,
            atol=5e-5,
            equal_nan=True,
            err_msg=column,
        )


def test_json_has_numbers_as_numbers_and_empty_as_null(tiny_con):
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, "rep")
    rows = {r["rep"]: r for r in json.loads(scorecard.to_json(table))}
    li = rows["李娜 Li"]
    assert li == {
        "rep": "李娜 Li",
        "team": "Dragon",
        "region": "East",
        "target": 200000.0,
        "won_amount": 0.0,
        "won_count": 0,
        "lost_count": 0,
        "win_rate": None,
        "open_amount": 200000.0,
        "weighted_amount": 90000.0,
        "forecast": 90000.0,
        "attainment": 0.0,
        "attainment_probability": 0.08,
        "visits": 4,
        "weeks_meeting_norm": 2,
    }
    assert rows["张伟 Zhang"]["win_rate"] == 0.6667
    assert rows["陈总 Chen"]["target"] is None and rows["陈总 Chen"]["attainment"] is None


def test_csv_opens_in_excel_and_never_runs_a_formula(tiny_con):
    tiny_con.execute("UPDATE reps SET name = '=HYPERLINK(\"x\")' WHERE rep_id = 3")
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, "rep")
    data = scorecard.to_csv(table)
    assert data.startswith("\ufeff".encode("utf-8")), "a BOM, so Excel reads UTF-8"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    names = [r["rep"] for r in rows]
    assert '\'=HYPERLINK("x")' in names
    zhang = next(r for r in rows if r["rep"] == "张伟 Zhang")
    assert zhang["won_amount"] == "100000.0" and zhang["won_count"] == "2"
    assert next(r for r in rows if r["rep"] == "陈总 Chen")["target"] == ""


def test_xlsx_holds_the_same_table(tiny_con):
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, "team")
    sheet = openpyxl.load_workbook(io.BytesIO(scorecard.to_xlsx(table))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["team", "region"] + CONTRACT
    dragon = next(r for r in rows if r[0] == "Dragon")
    assert dragon[2] == 300_000 and dragon[3] == 100_000


def test_the_filters_narrow_the_scorecard(tiny_con):
    table = scorecard.scorecard(tiny_con, MAY, Filters(scope_teams=("Tiger",)), tiny.AS_OF, "rep")
    assert list(table["rep"]) == ["王强 Wang"]


def run_cli(*args: str, env_today: str | None = None) -> subprocess.CompletedProcess:
    env = None
    if env_today:
        import os

        env = {**os.environ, "SALESMGMT_TODAY": env_today}
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", "scorecard", *args], cwd=ROOT, capture_output=True, env=env
    )


def test_the_command_writes_each_format(tiny_db, tmp_path):
    out = tmp_path / "team.json"
    done = run_cli(
        "--period", "2026-05", "--level", "team", "--format", "json", "--out", str(out), "--db", str(tiny_db)
    )
    assert done.returncode == 0, done.stderr.decode()
    teams = {r["team"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert teams["Tiger"]["target"] == 150000.0 and teams["Dragon"]["won_count"] == 2
    done = run_cli("--period", "2026-05", "--db", str(tiny_db))
    assert done.returncode == 0
    lines = done.stdout.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(["rep", "team", "region"] + CONTRACT)
    assert len(lines) == 1 + len(tiny.REPS)
    xlsx = tmp_path / "regions.xlsx"
    assert (
        run_cli(
            "--period",
            "2026-Q2",
            "--level",
            "region",
            "--format",
            "xlsx",
            "--out",
            str(xlsx),
            "--db",
            str(tiny_db),
        ).returncode
        == 0
    )
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["East", "West"]


def test_the_command_reads_a_past_period_at_its_last_day(tiny_db):
    done = run_cli("--period", "2026-05", "--format", "json", "--db", str(tiny_db), env_today="2026-07-15")
    rows = {r["rep"]: r for r in json.loads(done.stdout)}
    assert rows["张伟 Zhang"]["weeks_meeting_norm"] == 2  # the four weeks of May, not July's


def test_the_command_explains_a_bad_period_or_a_missing_database(tiny_db, tmp_path):
    done = run_cli("--period", "May", "--db", str(tiny_db))
    assert done.returncode == 1 and b"is not a period" in done.stderr
    done = run_cli("--period", "2026-05", "--db", str(tmp_path / "none.duckdb"))
    assert done.returncode == 1 and b"There is no database" in done.stderr

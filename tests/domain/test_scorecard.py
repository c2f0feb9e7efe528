"""The scorecard export (a contract): its columns, its formats, the command line, and its numbers
checked by hand on the tiny company (tests/tiny.py), May 2026."""

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


# May 2026 on the tiny company, as of May 31, worked out by hand from tests/tiny.py.
#
# Deals of May: O1 (Zhang, won 60,000 on 10 May), O2 (Zhang, won 40,000 on 20 May), O3 (Zhang,
# lost 30,000), O7 (Wang, lost 10,000); open with an expected close in May: O4 (Zhang, quote
# 50,000, no probability -> the quote default 60%), O5 (Li, 100,000 at 80%), O9 (Li, lead 100,000,
# no probability -> 10%). O6 closed in April and O8 is expected in June: not in May.
# Targets of May: Zhang 100,000, Li 200,000, Wang 100,000, team Tiger 150,000 (its own); Chen none.
# Visits of type 'visit' in May: Zhang 7 (1, 4, 6, 12, 18, 19, 20 May; the call of 26 May and the
# March visit do not count), Li 4 (5, 7, 13, 14 May), Chen 1 (5 May), Wang 0. The norm weeks begin
# on Mondays 4, 11, 18 and 25 May; a week meets the norm with 2 visits: Zhang's weeks of 4 May
# (4, 6) and 18 May (18, 19, 20), Li's of 4 May (5, 7) and 11 May (13, 14); Chen's one visit
# meets none. (1 May lies before the first Monday: it counts as a visit, in no week.)
NAN = float("nan")
BY_HAND = {
    "rep": {
        # Zhang: won 60,000 + 40,000 = 100,000 (2 deals), lost 1 -> win rate 2 / 3; open O4 50,000,
        # weighted 50,000 x 0.6 = 30,000; forecast 100,000 + 30,000 = 130,000; attainment
        # 100,000 / 100,000 = 1, so the chance is 1 (already reached).
        "张伟 Zhang": [100_000, 100_000, 2, 1, 0.6667, 50_000, 30_000, 130_000, 1.0, 1.0, 7, 2],
        # Li: nothing closed (win rate empty); open O5 + O9 = 200,000, weighted 80,000 + 10,000 =
        # 90,000 = forecast; attainment 0 / 200,000 = 0; the 200,000 needs both O5 and O9 to
        # close: 0.8 x 0.1 = 0.08.
        "李娜 Li": [200_000, 0, 0, 0, NAN, 200_000, 90_000, 90_000, 0.0, 0.08, 4, 2],
        # Chen (the manager): no deal, no target (attainment and chance empty), one visit.
        "陈总 Chen": [NAN, 0, 0, 0, NAN, 0, 0, 0, NAN, NAN, 1, 0],
        # Wang: O7 lost -> win rate 0 / 1 = 0; nothing open in May, so 100,000 is out of reach: 0.
        "王强 Wang": [100_000, 0, 0, 1, 0.0, 0, 0, 0, 0.0, 0.0, 0, 0],
    },
    "team": {
        # Dragon (Zhang, Li, Chen; no team target): target 100,000 + 200,000 = 300,000; won
        # 100,000, attainment 100,000 / 300,000 = 0.3333; open 50,000 + 200,000 = 250,000, weighted
        # 30,000 + 90,000 = 120,000, forecast 220,000; the missing 200,000 needs O5 and O9 (O4's
        # 50,000 is too small without both): 0.8 x 0.1 = 0.08. Visits 7 + 4 + 1 = 12; norm weeks
        # 2 + 2 + 0 = 4.
        "Dragon": [300_000, 100_000, 2, 1, 0.6667, 250_000, 120_000, 220_000, 0.3333, 0.08, 12, 4],
        # Tiger (Wang): its own target 150,000 replaces Wang's 100,000; the rest is Wang's.
        "Tiger": [150_000, 0, 0, 1, 0.0, 0, 0, 0, 0.0, 0.0, 0, 0],
    },
    "region": {
        # East is team Dragon and West team Tiger: the same figures, the team targets summed.
        "East": [300_000, 100_000, 2, 1, 0.6667, 250_000, 120_000, 220_000, 0.3333, 0.08, 12, 4],
        "West": [150_000, 0, 0, 1, 0.0, 0, 0, 0, 0.0, 0.0, 0, 0],
    },
}


@pytest.mark.parametrize("level", ["rep", "team", "region"])
def test_the_scorecard_carries_the_figures_worked_out_by_hand(tiny_con, level):
    table = scorecard.scorecard(tiny_con, MAY, Filters(), tiny.AS_OF, level).set_index(level)
    assert sorted(table.index) == sorted(BY_HAND[level])
    for name, expected in BY_HAND[level].items():
        np.testing.assert_array_equal(
            table.loc[name, CONTRACT].to_numpy(float), np.array(expected, float), err_msg=f"{level} {name}"
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

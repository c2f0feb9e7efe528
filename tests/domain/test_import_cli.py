"""The command-line contract: `import`, `uploads`, `undo` print a summary or a clear message,
exit 0 on success and non-zero when refused, and never show a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from salesmgmt.cli import main
from tests.import_fixtures import VISITS, csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess (what a user runs)."""
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("reps", "clients", "visits", "uploads")
        }
    finally:
        con.close()


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "拜访.csv"
    good.write_bytes(csv_bytes(VISITS, encoding="gbk"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*VISITS, ["2024-13-45", "王强", "新客户", "拜访", "是", "", ""]]))
    return tmp_path, good, bad


def test_an_import_prints_a_summary_and_exits_0(files, capsys):
    tmp, good, _ = files
    db_path = tmp / "cli.duckdb"
    assert main(["import", "--db", str(db_path), "--as-of", "2024-05-06", str(good)]) == 0
    out = capsys.readouterr().out
    assert "visits, 3 rows (gb18030)" in out
    assert "3 added, 0 updated, 0 unchanged, 0 refused" in out
    assert "2 new rep(s) created: 张伟, 李娜" in out
    assert counts(db_path)["visits"] == 3


def test_a_refused_import_exits_non_zero_names_the_row_and_writes_nothing(files, capsys):
    tmp, _, bad = files
    db_path = tmp / "cli.duckdb"
    errors = tmp / "errors.csv"
    assert main(["import", "--db", str(db_path), "--errors", str(errors), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Row 5, column 拜访日期: '2024-13-45' is not a date" in err
    assert "nothing was written" in err
    assert not db_path.exists(), "the database is not even opened for a refused file"
    assert errors.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "2024-13-45" in errors.read_text(encoding="utf-8-sig")


def test_skip_invalid_imports_the_rest_and_writes_the_errors_file(files, capsys):
    tmp, _, bad = files
    db_path = tmp / "cli.duckdb"
    errors = tmp / "errors.csv"
    code = main(["import", "--db", str(db_path), "--skip-invalid", "--errors", str(errors), str(bad)])
    assert code == 0
    assert "3 added, 0 updated, 0 unchanged, 1 refused" in capsys.readouterr().out
    lines = errors.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("5,2024-13-45")
    assert counts(db_path)["visits"] == 3


def test_a_dry_run_writes_nothing(files, capsys):
    tmp, good, _ = files
    db_path = tmp / "cli.duckdb"
    assert main(["import", "--db", str(db_path), "--dry-run", str(good)]) == 0
    assert "would be added" in capsys.readouterr().out
    assert counts(db_path)["visits"] == 0 and counts(db_path)["uploads"] == 0


def test_messages_come_in_chinese_with_lang_zh(files, capsys):
    tmp, _, bad = files
    assert main(["import", "--db", str(tmp / "x.duckdb"), "--lang", "zh", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第 5 行，列“拜访日期”：“2024-13-45”不是有效日期" in err


def test_a_mapping_file_maps_unknown_headers(tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_bytes(csv_bytes([["When", "Who", "Whom", "Mood"], ["2024-05-06", "张伟", "华东设计院", "ok"]]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"When": "date", "Who": "rep", "Whom": "client", "Mood": None}), encoding="utf-8"
    )
    db_path = tmp_path / "m.duckdb"
    assert main(["import", "--db", str(db_path), str(data)]) == 1
    assert "Cannot tell what this file holds" in capsys.readouterr().err
    assert main(["import", "--db", str(db_path), "--mapping", str(mapping), str(data)]) == 0
    assert counts(db_path)["visits"] == 1
    mapping.write_text("{not json", encoding="utf-8")
    assert main(["import", "--db", str(db_path), "--mapping", str(mapping), str(data)]) == 1
    assert "not a JSON object" in capsys.readouterr().err


def test_several_files_are_applied_reps_first_each_as_its_own_batch(tmp_path, capsys):
    visits = tmp_path / "visits.xlsx"
    visits.write_bytes(xlsx_bytes({"Sheet1": VISITS}))
    reps = tmp_path / "reps.csv"
    reps.write_bytes(csv_bytes([["姓名", "团队"], ["张伟", "龙队"], ["李娜", "虎队"]]))
    db_path = tmp_path / "multi.duckdb"
    assert main(["import", "--db", str(db_path), str(visits), str(reps)]) == 0
    out = capsys.readouterr().out
    assert out.index("reps.csv: batch 1") < out.index("visits.xlsx: batch 2")
    assert "new rep" not in out  # the reps file came first
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT name, team FROM reps ORDER BY rep_id").fetchall() == [
        ("张伟", "龙队"),
        ("李娜", "虎队"),
    ]
    con.close()


def test_uploads_lists_batches_and_undo_undoes_one(files, capsys):
    tmp, good, _ = files
    db_path = tmp / "u.duckdb"
    assert main(["import", "--db", str(db_path), "--user", "王经理", str(good)]) == 0
    assert main(["uploads", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and "拜访.csv" in out and "王经理" in out
    assert main(["undo", "1", "--db", str(db_path)]) == 0
    assert "Batch 1 is undone" in capsys.readouterr().out
    assert counts(db_path)["visits"] == 0
    assert main(["undo", "1", "--db", str(db_path)]) == 1
    assert "already undone" in capsys.readouterr().err
    assert main(["uploads", "--db", str(db_path), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["undone_at"] and listed[0]["can_undo"] is False


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "The file is empty"),
        (b"\x00\x01\x02binary\x00" * 40, "binary data"),
        ("拜访日期,销售人员,客户名称\n".encode(), "no data rows"),
    ],
    ids=["empty", "binary", "header-only"],
)
def test_a_broken_file_is_a_message_and_a_non_zero_exit(tmp_path, capsys, content, expected):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    assert main(["import", "--db", str(tmp_path / "t.duckdb"), str(path)]) == 1
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "t.duckdb").exists()


def test_the_real_command_never_shows_a_traceback(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04garbage")
    result = run("--lang", "zh", "import", "--db", str(tmp_path / "t.duckdb"), str(path))
    assert result.returncode == 1 and "Excel 工作簿已损坏" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_file_is_named(tmp_path, capsys):
    assert main(["import", "--db", str(tmp_path / "t.duckdb"), str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv does not exist" in capsys.readouterr().err


def test_the_database_comes_from_the_environment_when_no_db_is_given(files, monkeypatch, capsys):
    tmp, good, _ = files
    db_path = tmp / "env.duckdb"
    monkeypatch.setenv("SALESMGMT_DB", str(db_path))
    assert main(["import", str(good)]) == 0
    assert counts(db_path)["visits"] == 3


def test_an_import_without_as_of_is_dated_today_as_the_clock_says(files, monkeypatch, capsys):
    tmp, good, _ = files
    db_path = tmp / "cli.duckdb"
    monkeypatch.setenv("SALESMGMT_TODAY", "2024-06-30")
    assert main(["import", "--db", str(db_path), str(good)]) == 0
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT as_of FROM uploads").fetchall() == [(date(2024, 6, 30),)]
    finally:
        con.close()


# --- --as-user: the app's rules for that user on the command line (issue 18, findings 1 and 2)


@pytest.fixture
def managed(tiny_db, tmp_path):
    """The tiny company with a Dragon manager (chen), a Tiger manager (wu, who imported a visit
    of Wang: batch 1) and a disabled manager (gone); a Tiger rep's reps file for Dragon."""
    from salesmgmt import auth, db

    with db.connect(tiny_db) as con:
        auth.add_user(con, "chen", "manager", "pw-chen-long", teams=("Dragon",))
        auth.add_user(con, "wu", "manager", "pw-wu-long", teams=("Tiger",))
        auth.add_user(con, "gone", "manager", "pw-gone-long", teams=("Dragon",))
        auth.disable_user(con, "gone")
        con.execute("UPDATE reps SET code = 'T03' WHERE rep_id = 3")
    visit = tmp_path / "wu.csv"
    visit.write_text("date,rep,client,type\n2026-05-27,王强 Wang,西部业主,visit\n", encoding="utf-8")
    assert main(["import", "--db", str(tiny_db), "--as-user", "wu", str(visit)]) == 0
    reps = tmp_path / "reps.csv"
    reps.write_text("Sales rep,Rep code,Team,Region\n王强 Wang,T03,Dragon,East\n", encoding="utf-8")
    return tiny_db, reps


def test_import_as_a_manager_refuses_a_row_that_moves_another_teams_rep(managed, capsys):
    db_path, reps = managed
    capsys.readouterr()
    assert main(["import", "--db", str(db_path), "--as-user", "chen", str(reps)]) == 1
    err = capsys.readouterr().err
    assert "Row 2" in err and "王强 Wang is in team Tiger" in err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT team FROM reps WHERE rep_id = 3").fetchone() == ("Tiger",)
        assert con.execute("SELECT count(*) FROM uploads").fetchone() == (1,)
    finally:
        con.close()


@pytest.mark.parametrize("who", ["ghost", "gone"])
def test_import_as_an_unknown_or_disabled_user_is_refused_with_a_message(managed, who, capsys):
    db_path, reps = managed
    capsys.readouterr()
    assert main(["import", "--db", str(db_path), "--as-user", who, str(reps)]) == 1
    assert f"'{who}' is not an active user" in capsys.readouterr().err
    assert counts(db_path)["uploads"] == 1


def test_uploads_and_undo_as_a_manager_show_and_undo_only_their_batches(managed, capsys):
    db_path, _reps = managed
    capsys.readouterr()
    assert main(["uploads", "--db", str(db_path), "--as-user", "chen", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["uploads", "--db", str(db_path), "--as-user", "wu", "--format", "json"]) == 0
    assert [b["upload_id"] for b in json.loads(capsys.readouterr().out)] == [1]
    assert main(["undo", "1", "--db", str(db_path), "--as-user", "chen"]) == 1
    assert "Batch 1 changed records outside your scope" in capsys.readouterr().err
    result = run("undo", "1", "--db", str(db_path), "--as-user", "wu")
    assert result.returncode == 0, result.stderr

"""The Targets page (目标分解) on the tiny company, in both languages: the grid in 万元 or CNY, a
manager's view and import limited to their team, a rep's own line without editing."""

from __future__ import annotations

import pytest

from salesmgmt import db
from tests.app.support import open_page

PAGE = "pages/targets.py"
MONTHS_ZH = ",".join(f"{m}月" for m in range(1, 13))


def _as(path, username: str) -> dict:
    from salesmgmt import auth

    with db.connect(path) as con:
        return {"session_token": auth.start_session(con, username)}


@pytest.fixture
def people(app_env):
    from salesmgmt import auth

    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", "Chen-long-pass-1", teams=("Dragon",))
        auth.add_user(con, "zhang", "rep", "Zhang-long-pass-1", rep="张伟 Zhang")
        auth.add_user(con, "wang", "director", "Wang-long-pass-1")
    return app_env


def grid(at):
    return next(d.value for d in at.dataframe if "label" in d.value.columns)


def target(path, kind: str, key: str, month: str):
    with db.connect(path) as con:
        row = con.execute(
            "SELECT amount FROM targets WHERE scope_kind = ? AND scope_key = ? AND month = CAST(? AS DATE)",
            [kind, key, month],
        ).fetchone()
    return None if row is None else float(row[0])


@pytest.mark.parametrize(("lang", "may"), [("zh", 10.0), ("en", 100_000.0)])
def test_the_grid_shows_each_rep_and_the_team_lines_in_the_languages_unit(app_env, lang, may):
    at = open_page(PAGE, lang, check=True, tg_year=2026)
    shown = grid(at).set_index("label")
    assert shown.loc["张伟 Zhang", "m05"] == may
    gap = "Tiger · 未分配" if lang == "zh" else "Tiger · unallocated"
    assert shown.loc[gap, "m05"] == may / 2  # the team's own 150,000 minus 王强's 100,000
    assert any(b.label == ("保存变更" if lang == "zh" else "Save the changes") for b in at.button)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_manager_sees_only_their_team(people, lang):
    at = open_page(PAGE, lang, check=True, tg_year=2026, **_as(people, "chen"))
    labels = set(grid(at)["label"])
    assert "张伟 Zhang" in labels and "王强 Wang" not in labels
    assert not any("Tiger" in label for label in labels)


def test_a_manager_cannot_import_a_target_for_another_team(people):
    at = open_page(PAGE, "zh", check=True, tg_year=2026, **_as(people, "chen"))
    data = f"2026年销售目标分解\n销售人员,{MONTHS_ZH}\n张伟 Zhang,1\n王强 Wang,2\n".encode()
    at.file_uploader(key="tg_upload").set_value(("targets.csv", data, "text/csv")).run()
    at.button(key="tg_import").click().run()
    assert not at.exception
    assert "未保存" in " ".join(e.value for e in at.error)
    errors = next(d.value for d in at.dataframe if "需要修改的单元格" in d.value.columns).to_string()
    assert "第 4 行" in errors and "王强 Wang" in errors
    assert (
        target(people, "rep", "1", "2026-01-01") is None and target(people, "rep", "3", "2026-02-01") is None
    )


def test_a_manager_imports_a_wide_sheet_for_their_team(people):
    at = open_page(PAGE, "en", check=True, tg_year=2026, **_as(people, "chen"))
    data = f"2026年销售目标分解（万元）\n销售人员,{MONTHS_ZH}\n李娜 Li,,,3\n".encode()
    at.file_uploader(key="tg_upload").set_value(("targets.csv", data, "text/csv")).run()
    at.button(key="tg_import").click().run()
    assert not at.exception
    assert any("Imported as batch" in s.value for s in at.success)
    assert target(people, "rep", "2", "2026-03-01") == 30_000
    at.button(key="tg_undo").click().run()
    assert target(people, "rep", "2", "2026-03-01") is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rep_sees_their_own_line_and_edits_nothing(people, lang):
    at = open_page(PAGE, lang, check=True, tg_year=2026, **_as(people, "zhang"))
    assert list(grid(at)["label"]) == ["张伟 Zhang"]
    assert not any(b.key == "tg_save" for b in at.button)
    note = "目标由经理设定" if lang == "zh" else "Your manager sets them"
    assert any(note in i.value for i in at.info)

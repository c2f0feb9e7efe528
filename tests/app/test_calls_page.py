"""The Forecast page's Weekly call view (每周预测提交) on the tiny company, on Sunday 31 May 2026
(the week of Monday 25 May), in both languages: the board, who has not called, a rep's call
submitted through the form, a manager's adjustment beside it, the history chart."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from salesmgmt import auth, db
from salesmgmt.metrics.call_records import Unit, submit_call
from tests.app.support import open_page, table_with

PAGE = "pages/forecast.py"


def signed_in(path, username: str) -> dict:
    """The session state of a signed-in user (a session token where the app has them)."""
    with db.connect(path) as con:
        if hasattr(auth, "start_session"):
            return {"session_token": auth.start_session(con, username)}
        return {"user": auth.get_user(con, username)}


def calls_in(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT level, unit, kind, CAST(commit_amount AS DOUBLE), submitted_by FROM forecast_calls ORDER BY call_id"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def users(app_env):
    with db.connect(app_env) as con:
        auth.add_user(con, "li", "rep", "pw", rep="李娜 Li")
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    return app_env


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_with_no_call_yet_the_board_lists_every_unit_and_who_has_not_called(app_env, lang):
    at = open_page(PAGE, lang, check=True, f_period="2026-05", fc_view="calls")
    board = table_with(at, "commit", "below_commit", "forecast")
    assert len(board) == 8, "the company, 2 regions, 2 teams, 3 sales engineers"
    assert board["commit"].isna().all()
    infos = [i.value for i in at.info]
    assert ("No call yet this week." if lang == "en" else "本周还没有预测。") in infos
    text = " ".join(m.value for m in at.markdown)
    assert ("Not submitted this week" if lang == "en" else "本周未提交") in text
    assert "王强 Wang" in text
    assert at.get("plotly_chart"), "the history chart"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rep_submits_a_call_starting_from_the_computed_forecast(users, lang):
    at = open_page(PAGE, lang, check=True, f_period="2026-05", fc_view="calls", **signed_in(users, "li"))
    divisor = 10_000 if lang == "zh" else 1
    commit = at.number_input(key="calls_commit_rep_2_2026-05")
    assert commit.value == pytest.approx(90_000 / divisor), "Li's computed forecast"
    commit.set_value(80_000 / divisor)
    at.number_input(key="calls_best_rep_2_2026-05").set_value(120_000 / divisor)
    at.text_input(key="calls_note_rep_2_2026-05").input("O9 slips to June")
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert calls_in(users) == [("rep", "2", "call", 80_000.0, "li")]
    board = table_with(at, "commit", "below_commit", "forecast")
    assert list(board["commit"].dropna()) == [pytest.approx(80_000 / divisor)], "a rep sees only their row"


def test_a_manager_sees_the_reps_call_and_adjusts_it_beside(users):
    with db.connect(users) as con:
        li = auth.get_user(con, "li")
        submit_call(con, li, "2026-05", Unit("rep", "2", "李娜 Li"), 80_000, 120_000, today=date(2026, 5, 31))
    at = open_page(PAGE, "en", check=True, f_period="2026-05", fc_view="calls", **signed_in(users, "chen"))
    board = table_with(at, "commit", "below_commit", "adjusted_commit")
    assert len(board) == 3, "Dragon and its two sales engineers"
    at.selectbox(key="calls_unit").set_value(2).run()  # Team · Dragon, Rep · 张伟, Rep · 李娜
    assert "You adjust" in " ".join(c.value for c in at.caption)
    commit = at.number_input(key="calls_commit_rep_2_2026-05")
    assert commit.value == 80_000, "the rep's call is the starting value of an adjustment"
    commit.set_value(95_000)
    at.number_input(key="calls_best_rep_2_2026-05").set_value(130_000)
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert calls_in(users)[-1] == ("rep", "2", "adjustment", 95_000.0, "chen")
    board = table_with(at, "commit", "below_commit", "adjusted_commit")
    assert board["below_commit"].dropna().tolist() == [95_000], "Dragon's sum below takes the adjusted figure"


def test_a_past_week_is_shown_but_takes_no_call(app_env):
    at = open_page(PAGE, "en", check=True, f_period="2026-05", fc_view="calls", calls_week=date(2026, 5, 12))
    assert any("is over" in i.value for i in at.info)
    assert not at.get("form_submit_button")

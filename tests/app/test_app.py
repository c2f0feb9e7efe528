"""Every page of the app renders with no exception, in both languages (Streamlit's AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app import layout
from tests.app.support import ROOT, open_page

PAGE_FILES = [entry[0] for entries in layout.PAGES.values() for entry in entries]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_without_an_exception(app_env, page, lang):
    at = open_page(page, lang)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"


def test_the_overview_shows_the_kpis_of_the_period_in_chinese(app_env):
    at = open_page("pages/overview.py", "zh", f_period="2026-05")
    labels = [m.label for m in at.metric]
    assert labels == ["赢单 vs 目标（万元）", "预测（万元）", "完成率", "人均周拜访"]
    values = {m.label: m.value for m in at.metric}
    assert values["赢单 vs 目标（万元）"] == "10.0"  # 100,000 CNY won in May
    assert values["完成率"] == "22%"  # 100,000 / 450,000
    text = " ".join(m.value for m in at.markdown)
    assert "华东设计院" in text, "the cold key account is listed"


def test_the_overview_in_english_shows_cny_and_narrows_with_the_team_filter(app_env):
    at = open_page("pages/overview.py", "en", f_period="2026-05")
    values = {m.label: m.value for m in at.metric}
    assert values["Won vs target (CNY)"] == "100,000"
    assert at.selectbox(key="f_period").value == "2026-05"
    at = open_page("pages/overview.py", "en", f_period="2026-05", f_teams=["Tiger"])
    values = {m.label: m.value for m in at.metric}
    assert values["Won vs target (CNY)"] == "0"
    assert values["Attainment"] == "0%"


def test_the_language_comes_from_the_url(app_env):
    assert open_page("pages/overview.py", "en").title[0].value == "Overview"
    assert open_page("pages/overview.py", "zh").title[0].value == "总览"


def test_with_users_every_page_asks_for_sign_in_first_and_shows_no_data(app_env):
    from salesmgmt import auth, db

    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    at = open_page("pages/overview.py", "en")
    assert [x.value for x in at.title] == ["Sign in"]
    assert not at.metric, "no figure before sign-in"
    assert not at.multiselect, "not even the names of reps in the filters"
    at.text_input(key="signin_user").input("chen")
    at.text_input(key="signin_password").input("wrong")
    at.button[0].click().run()
    assert "Wrong username or password." in [e.value for e in at.error]
    assert not at.metric


def test_a_signed_in_manager_sees_only_their_team(app_env):
    from salesmgmt import auth, db

    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
        token = auth.start_session(con, "chen")
    at = open_page("pages/overview.py", "en", f_period="2026-05", session_token=token)
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Won vs target (CNY)"] == "100,000"
    assert values["Attainment"] == "33%", "Dragon's 100,000 of 300,000, not the company's"
    text = " ".join(m.value for m in at.markdown)
    assert "Tiger" not in text and "Wang" not in text


def test_a_link_with_period_and_team_opens_on_that_selection_in_presentation_mode(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "en", "period": "2026-05", "team": "Tiger", "present": "1"})
    at.run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Won vs target (CNY)"] == "0" and values["Attainment"] == "0%"
    assert any("stSidebar" in h.proto.body for h in at.get("html")), "presentation CSS applied"


# ------------------------------------------------------------------------------------------
# Sessions end on the server (issue 18, finding 6): an open tab notices at its next run.

PASSWORD = "Dragon-lead-2026"


def signed_in_tab(app_env) -> dict:
    """Chen (manager of Dragon) signs in through the form; what the tab then keeps in its
    session state (the user and the session token), to open it again as an open tab."""
    from salesmgmt import auth, db

    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", PASSWORD, teams=("Dragon",))
    at = open_page("pages/overview.py", "en", f_period="2026-05")
    at.text_input(key="signin_user").input("chen")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.metric, "signed in, the figures show"
    tab = {key: at.session_state[key] for key in ("user", "session_token")}
    again = open_page("pages/overview.py", "en", f_period="2026-05", **tab)
    assert again.metric, "the open tab shows figures at its next run"
    return tab


def assert_signed_out(at):
    assert not at.exception, [e.message for e in at.exception]
    assert [x.value for x in at.title] == ["Sign in"]
    assert not at.metric, "no figure once the session has ended"


def test_an_open_tab_is_signed_out_at_its_next_run_when_the_user_is_disabled(app_env):
    from salesmgmt import auth, db

    tab = signed_in_tab(app_env)
    with db.connect(app_env) as con:
        auth.disable_user(con, "chen", by="cli")
    assert_signed_out(open_page("pages/overview.py", "en", **tab))


def test_an_open_tab_is_signed_out_at_its_next_run_when_the_password_changes(app_env):
    from salesmgmt import auth, db

    tab = signed_in_tab(app_env)
    with db.connect(app_env) as con:
        auth.set_password(con, "chen", "Another-long-pass-9", by="cli")
    assert_signed_out(open_page("pages/overview.py", "en", **tab))


def test_signing_out_ends_the_session_so_a_copied_cookie_no_longer_signs_in(app_env):
    from salesmgmt import auth, db

    tab = signed_in_tab(app_env)
    at = open_page("pages/overview.py", "en", **tab)
    at.button(key="sign_out").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with db.connect(app_env) as con:
        assert auth.session_user(con, tab["session_token"]) is None
        assert not con.execute("SELECT * FROM sessions").fetchall()
    assert_signed_out(open_page("pages/overview.py", "en", **tab))


def test_a_failed_sign_in_in_the_app_is_audited(app_env):
    from salesmgmt import auth, db

    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", PASSWORD, teams=("Dragon",))
    at = open_page("pages/overview.py", "en")
    at.text_input(key="signin_user").input("chen")
    at.text_input(key="signin_password").input("wrong")
    at.button[0].click().run()
    with db.connect(app_env) as con:
        failed = con.execute("SELECT username FROM audit_log WHERE action = 'sign_in.failed'").fetchall()
    assert failed == [("chen",)]

"""Hand-made URL parameters never reach the user as a traceback: a period or week out of the
range the product handles is ignored with a warning naming the range, on every page (issue 18,
finding 12)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app import layout
from tests.app.support import ROOT

PAGES = [entry[0] for entries in layout.PAGES.values() for entry in entries]
BAD = [("period", "0001"), ("period", "9999-12"), ("week", "9999-12-31")]


def open_with(page: str, param: str, value: str) -> AppTest:
    """`page` opened by a link carrying `param=value` (the URL is read on the session's first run)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.query_params[param] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("param,value", BAD, ids=[f"{p}={v}" for p, v in BAD])
@pytest.mark.parametrize("page", PAGES)
def test_a_period_or_week_out_of_range_in_the_url_is_no_traceback(app_env, page, param, value):
    at = open_with(page, param, value)
    assert not at.exception, [e.message for e in at.exception]


def test_a_period_out_of_range_is_ignored_with_a_warning_naming_the_range(app_env):
    at = open_with("pages/overview.py", "period", "9999-12")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "9999" in warnings and "1970" in warnings and "2099" in warnings
    assert at.session_state["f_period"] != "9999-12"


def test_a_period_label_left_in_the_session_by_a_reload_is_no_traceback(app_env):
    """A language switch during a reload once left the label 'Dec 2026' where the period's
    code belongs; the page falls back to the default period instead of failing."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.session_state["f_period"] = "Dec 2026"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["f_period"] != "Dec 2026"

"""Module 2's pages on the tiny company (tests/tiny.py), in both languages, with their figures.

In May 2026 Zhang's visit of 4 May was accompanied by his manager 陈总 Chen: one ride-along.
华东设计院 (key account) was last visited on 1 March: 91 days before 31 May, going cold.
"""

from __future__ import annotations

import pytest

from salesmgmt import db
from tests.test_app import app_env, open_page  # noqa: F401  (the fixture is used by name)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_products_show_the_periods_sales_by_product_in_chinese(app_env):
    at = open_page("pages/products.py", "zh", f_period="2026-05")
    assert not at.exception
    assert metrics(at)["赢单（万元）"] == "10.0"        # O1 60,000 + O2 40,000


def test_coaching_counts_the_managers_ride_along(app_env):
    at = open_page("pages/coaching.py", "en", f_period="2026-05")
    assert not at.exception
    values = metrics(at)
    assert values["Ride-alongs"] == "1"
    assert values["Per engineer-month"] == "0.3"      # 1 ride-along, 3 engineers, 1 month
    at = open_page("pages/coaching.py", "en", f_period="2026-05", co_norm=1)
    assert metrics(at)["Engineer-months at the norm"] == "33%", "norm 1: Zhang meets it"


def test_operations_show_the_win_rate_and_the_open_deals(app_env):
    at = open_page("pages/operations.py", "en", f_period="2026-05")
    assert not at.exception
    values = metrics(at)
    assert values["Win rate"] == "50%"                # 2 won, 2 lost in May
    assert values["Open deals"] == "4"                # O4, O5, O8 and O9 are open on 31 May


def test_clients_list_the_cold_key_account_first(app_env):
    at = open_page("pages/clients.py", "zh", f_period="2026-05")
    assert not at.exception
    values = metrics(at)
    assert values["客户数"] == "3" and values["正在变冷的重点客户"] == "1"
    assert "华东设计院" in [o for o in at.selectbox(key="cl_client").options][0]


def test_the_profile_of_a_client_never_visited(app_env):
    at = open_page("pages/clients.py", "en", f_period="2026-05", cl_all_clients=True, cl_client=3)
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Days since visit"] == "–"


def test_a_review_is_recorded_from_the_form(app_env):
    at = open_page("pages/clients.py", "en", f_period="2026-05", cl_client=1)
    at.text_input(key="cl_review_participants").set_value("Zhang, Chen")
    at.text_area(key="cl_review_plan").set_value("Get the design institute to specify our panels")
    next(b for b in at.button if b.label == "Save the review").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    with db.connect(app_env, read_only=True) as con:
        rows = con.execute("SELECT client_id, participants, development_plan FROM client_reviews").fetchall()
    assert rows == [(1, "Zhang, Chen", "Get the design institute to specify our panels")]


def test_a_review_without_a_plan_is_refused_with_the_reason(app_env):
    at = open_page("pages/clients.py", "zh", f_period="2026-05", cl_client=1)
    at.text_input(key="cl_review_participants").set_value("张伟")
    next(b for b in at.button if b.label == "保存评审").click()
    at.run()
    assert any("发展计划" in e.value for e in at.error), [e.value for e in at.error]
    with db.connect(app_env, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM client_reviews").fetchone()[0] == 0


@pytest.mark.parametrize("page", ["pages/products.py", "pages/coaching.py", "pages/operations.py",
                                  "pages/clients.py"])
def test_a_user_scoped_to_nothing_sees_the_empty_state(app_env, page):
    from salesmgmt.auth import User

    at = open_page(page, "en", f_period="2026-05",
                   user=User("nobody", "Nobody", "manager", teams=("Nowhere",)))
    assert not at.exception, [e.message for e in at.exception]
    assert at.info, "an empty selection says so"

"""Module 2's pages on the tiny company (tests/tiny.py), in both languages, with their figures.

In May 2026 Zhang's visit of 4 May was accompanied by his manager 陈总 Chen: one ride-along.
华东设计院 (key account) was last visited on 1 March: 91 days before 31 May, going cold.
"""

from __future__ import annotations

import pytest

from salesmgmt import db
from salesmgmt.i18n import t
from tests.app.support import open_page

#: Each page's tabs (session-state key, catalogue keys) and widgets or charts only one tab draws
#: (tab index, element key): only the open tab runs.
TABS = {
    "pages/products.py": (
        "pr_tab",
        ["pr.tab.products", "pr.tab.time", "pr.tab.mix"],
        [(1, "pr_won_month"), (2, "pr_mix_by")],
    ),
    "pages/coaching.py": (
        "co_tab",
        ["co.tab.month", "co.tab.long", "co.tab.visits", "co.tab.effect", "co.tab.plan"],
        [(0, "co_heatmap"), (3, "co_effect_rep")],
    ),
    "pages/operations.py": (
        "op_tab",
        ["op.tab.funnel", "op.tab.teams", "op.tab.time", "op.tab.stuck", "op.tab.lost"],
        [(0, "op_funnel"), (2, "op_time_measure"), (3, "op_percentile"), (4, "op_lost")],
    ),
    "pages/clients.py": (
        "cl_tab",
        ["cl.tab.health", "cl.tab.profile", "cl.tab.due", "cl.tab.chain"],
        [(0, "cl_key_only"), (1, "cl_client"), (3, "cl_chain_open")],
    ),
}


def profile_tab(lang: str) -> dict[str, str]:
    return {"cl_tab": t("cl.tab.profile", lang)}


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_products_show_the_periods_sales_by_product_in_chinese(app_env):
    at = open_page("pages/products.py", "zh", f_period="2026-05")
    assert not at.exception
    assert metrics(at)["赢单（万元）"] == "10.0"  # O1 60,000 + O2 40,000


def test_coaching_counts_the_managers_ride_along(app_env):
    at = open_page("pages/coaching.py", "en", f_period="2026-05")
    assert not at.exception
    values = metrics(at)
    assert values["Ride-alongs"] == "1"
    assert values["Per engineer-month"] == "0.3"  # 1 ride-along, 3 engineers, 1 month
    at = open_page("pages/coaching.py", "en", f_period="2026-05", co_norm=1)
    assert metrics(at)["Engineer-months at the norm"] == "33%", "norm 1: Zhang meets it"


def test_operations_show_the_win_rate_and_the_open_deals(app_env):
    at = open_page("pages/operations.py", "en", f_period="2026-05")
    assert not at.exception
    values = metrics(at)
    assert values["Win rate"] == "50%"  # 2 won, 2 lost in May
    assert values["Open deals"] == "4"  # O4, O5, O8 and O9 are open on 31 May


def test_clients_list_the_cold_key_account_first(app_env):
    at = open_page("pages/clients.py", "zh", f_period="2026-05", **profile_tab("zh"))
    assert not at.exception
    values = metrics(at)
    assert values["客户数"] == "3" and values["正在变冷的重点客户"] == "1"
    assert "华东设计院" in list(at.selectbox(key="cl_client").options)[0]


def test_the_profile_of_a_client_never_visited(app_env):
    at = open_page(
        "pages/clients.py", "en", f_period="2026-05", cl_all_clients=True, cl_client=3, **profile_tab("en")
    )
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Days since visit"] == "–"


def test_a_review_is_recorded_from_the_form(app_env):
    at = open_page("pages/clients.py", "en", f_period="2026-05", cl_client=1, **profile_tab("en"))
    at.text_input(key="cl_review_participants").set_value("Zhang, Chen")
    at.text_area(key="cl_review_plan").set_value("Get the design institute to specify our panels")
    next(b for b in at.button if b.label == "Save the review").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    with db.connect(app_env, read_only=True) as con:
        rows = con.execute("SELECT client_id, participants, development_plan FROM client_reviews").fetchall()
    assert rows == [(1, "Zhang, Chen", "Get the design institute to specify our panels")]


def test_a_review_without_a_plan_is_refused_with_the_reason(app_env):
    at = open_page("pages/clients.py", "zh", f_period="2026-05", cl_client=1, **profile_tab("zh"))
    at.text_input(key="cl_review_participants").set_value("张伟")
    next(b for b in at.button if b.label == "保存评审").click()
    at.run()
    assert any("发展计划" in e.value for e in at.error), [e.value for e in at.error]
    with db.connect(app_env, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM client_reviews").fetchone()[0] == 0


@pytest.mark.parametrize(
    "page", ["pages/products.py", "pages/coaching.py", "pages/operations.py", "pages/clients.py"]
)
def test_a_user_scoped_to_nothing_sees_the_empty_state(app_env, page):
    from salesmgmt.auth import User

    at = open_page(
        page, "en", f_period="2026-05", user=User("nobody", "Nobody", "manager", teams=("Nowhere",))
    )
    assert not at.exception, [e.message for e in at.exception]
    assert at.info, "an empty selection says so"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(TABS))
def test_every_tab_of_module_2_renders_when_opened_and_only_then(app_env, page, lang):
    key, tabs, only = TABS[page]
    seen = []
    for tab in tabs:
        at = open_page(page, lang, f_period="2026-05", **{key: t(tab, lang)})
        assert not at.exception, (tab, [e.message for e in at.exception])
        seen.append({e.key for e in at.main if getattr(e, "key", None)})
    for index, element in only:
        assert [element in keys for keys in seen] == [i == index for i in range(len(tabs))], (element, seen)


def test_the_client_search_finds_a_client_by_part_of_its_name(app_env):
    at = open_page(
        "pages/clients.py",
        "zh",
        f_period="2026-05",
        cl_all_clients=True,
        cl_client_search="钢",
        **profile_tab("zh"),
    )
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="cl_client").options == ["江苏钢构"]
    at.text_input(key="cl_client_search").set_value("华东").run()
    assert at.selectbox(key="cl_client").options == ["华东设计院"]
    assert metrics(at)["距上次拜访天数"] == "91", "the profile of the client found"


def test_a_search_that_finds_nothing_says_so(app_env):
    at = open_page(
        "pages/clients.py", "en", f_period="2026-05", cl_client_search="Nowhere Ltd", **profile_tab("en")
    )
    assert not at.exception, [e.message for e in at.exception]
    assert any("Nowhere Ltd" in i.value for i in at.info), [i.value for i in at.info]
    assert at.selectbox(key="cl_client").options == []


def test_the_coaching_heatmap_of_many_engineers_has_a_row_per_team_and_says_so(app_env, monkeypatch):
    from app.charts import heatmaps

    at = open_page("pages/coaching.py", "en", f_period="2026-05")
    assert not [c for c in at.caption if "each row is" in c.value], "3 engineers: a row each"
    monkeypatch.setattr(heatmaps, "MAX_ROWS", 2)
    at = open_page("pages/coaching.py", "en", f_period="2026-05")
    assert not at.exception, [e.message for e in at.exception]
    assert "3 sales engineers in this selection: each row is a team" in " ".join(c.value for c in at.caption)

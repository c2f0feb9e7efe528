"""The first days of a period (issue 14) in the app: on 3 May 2026 (May's first complete week is
4-10 May) the Overview says what its changes compare and that pace is not judged yet."""

from __future__ import annotations

import pytest

from tests.app.support import markdown_text, open_page, table_with


def seen(at, kind: str) -> str:
    """All the texts of one kind of element (caption, info, success; expander labels)."""
    return " ".join(e.label if kind == "expander" else e.value for e in getattr(at, kind))


@pytest.fixture
def third_of_may(app_env, monkeypatch):
    monkeypatch.setenv("SALESMGMT_TODAY", "2026-05-03")
    return app_env


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_compares_the_same_days_and_says_it_is_early(third_of_may, lang):
    at = open_page("pages/overview.py", lang, check=True, f_period="2026-05")
    captions = seen(at, "caption")
    if lang == "en":
        assert "with the same days of the previous period" in captions
        assert "First days of the period (until" in captions
        assert "2026-05 is the month so far (to 2026-05-03)" in captions
    else:
        assert "上一期同期" in captions and "期初（至" in captions
    assert not any("Nothing needs attention for this selection" in s.value for s in at.success)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_rankings_show_the_last_complete_month_and_rank_nobody_in_may_yet(third_of_may, lang):
    at = open_page("pages/rankings.py", lang, check=True, f_period="2026-05")
    infos, captions = seen(at, "info"), seen(at, "caption")
    if lang == "en":
        assert "First days of May 2026" in infos and "Apr 2026" in infos
        assert "Ranking of Apr 2026 (the last complete period)" in captions
    else:
        assert "2026年5月期初" in infos and "2026年4月排名" in captions
    # Nobody "moved up" on a few days' figures: the only movement shown is April's own.
    may_so_far = at.dataframe[1].value  # the team table of May so far, under April's
    assert set(may_so_far["rank_text"]) == {"–"} and set(may_so_far["move"]) == {""}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_action_review_judges_the_norm_on_april_and_says_so(third_of_may, lang):
    at = open_page("pages/action_review.py", lang, check=True, f_period="2026-05")
    captions, success = seen(at, "caption"), seen(at, "success")
    if lang == "en":
        assert "the weeks shown are those of Apr 2026" in captions
        assert "No client visits in this selection" not in seen(at, "info")
        assert success == "" or "in Apr 2026" in success
    else:
        assert "2026年4月 的各周" in captions
        assert success == "" or "2026年4月" in success


@pytest.mark.parametrize(
    "lang, note, beside",
    [
        ("en", "First days of May 2026", "Apr 2026 (the last complete period)"),
        ("zh", "2026年5月期初", "2026年4月（上一个完整期）"),
    ],
)
def test_the_manager_meeting_says_the_figures_are_a_few_days_and_shows_april_beside(
    third_of_may, lang, note, beside
):
    at = open_page("pages/manager_meeting.py", lang, check=True, f_period="2026-05")
    assert note in seen(at, "info") and beside in seen(at, "expander")


@pytest.mark.parametrize(
    "lang, note, chart",
    [
        ("en", "First days of May 2026", "Apr 2026, the last complete period: won against Apr 2025"),
        ("zh", "2026年5月期初", "上一个完整期 2026年4月：赢单对比 2025年4月"),
    ],
)
def test_the_products_page_judges_no_direction_on_three_days_and_shows_april_beside(
    third_of_may, lang, note, chart
):
    at = open_page("pages/products.py", lang, check=True, f_period="2026-05")
    assert note in seen(at, "info")
    assert chart in seen(at, "caption") + " " + markdown_text(at)
    may = table_with(at, "won_growth", "direction")
    assert set(may["direction"]) == {"Not judged yet" if lang == "en" else "期初未判断"}
    if lang == "en":
        assert "May 2026 so far against the same days of May 2025 (2025-05-01 – 2025-05-03)" in seen(
            at, "caption"
        )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sales_operations_compare_the_same_days_and_show_april_beside(third_of_may, lang):
    at = open_page("pages/operations.py", lang, check=True, f_period="2026-05")
    # May's closed deals (2 won of 4) against 1-3 April (none closed): no change to show; the
    # whole of April (1 won of 1) would say "-50 pts". Open deals: 4 on 3 May (O4, O5, O8, O9)
    # against 3 on 3 April (O9 opened on 2 May).
    assert [m.delta or None for m in at.metric[:5]] == [None, None, None, None, "+33%"]
    captions = seen(at, "caption")
    if lang == "en":
        assert "First days of May 2026" in seen(at, "info")
        assert "with the same days of the previous period, 2026-04-01 – 2026-04-03" in captions
        assert "Apr 2026 (the last complete period)" in captions
    else:
        assert "2026年5月期初" in seen(at, "info") and "上一期同期" in captions


@pytest.mark.parametrize("lang, of_april", [("en", "Recognitions of Apr 2026"), ("zh", "2026年4月的表彰")])
def test_the_rankings_recognitions_are_aprils_in_the_first_days(third_of_may, lang, of_april):
    at = open_page("pages/rankings.py", lang, check=True, f_period="2026-05")
    assert of_april in seen(at, "caption")

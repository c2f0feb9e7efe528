"""The first days of a period (issue 14) in the app: on 3 May 2026 (May's first complete week is
4-10 May) the Overview says what its changes compare and that pace is not judged yet."""

from __future__ import annotations

import pytest

from tests.app.support import open_page


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

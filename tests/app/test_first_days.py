"""The first days of a period (issue 14) in the app: on 3 May 2026 (May's first complete week is
4-10 May) the Overview says what its changes compare and that pace is not judged yet."""

from __future__ import annotations

import pytest

from tests.app.support import open_page


@pytest.fixture
def third_of_may(app_env, monkeypatch):
    monkeypatch.setenv("SALESMGMT_TODAY", "2026-05-03")
    return app_env


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_compares_the_same_days_and_says_it_is_early(third_of_may, lang):
    at = open_page("pages/overview.py", lang, check=True, f_period="2026-05")
    captions = " ".join(c.value for c in at.caption)
    if lang == "en":
        assert "with the same days of the previous period" in captions
        assert "First days of the period (until" in captions
    else:
        assert "上一期同期" in captions and "期初（至" in captions
    assert not any("Nothing needs attention for this selection" in s.value for s in at.success)

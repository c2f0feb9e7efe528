"""The first day of a month, walked as a user would (1 May 2026): no figure sets one day of May
against a whole month."""

from __future__ import annotations

import json

import pytest

from tests.app.support import open_page


@pytest.fixture
def first_of_may(app_env, monkeypatch):
    monkeypatch.setenv("SALESMGMT_TODAY", "2026-05-01")
    return app_env


def chart_titled(at, title: str) -> dict:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next(s for s in specs if title in json.dumps(s["layout"].get("title"), ensure_ascii=False))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_regions_over_time_end_with_april_and_say_may_is_running(first_of_may, lang):
    at = open_page("pages/regional_review.py", lang, check=True, f_period="2026-05")
    lines = chart_titled(at, "by region, month by month" if lang == "en" else "各区域每月的")
    months = {x for trace in lines["data"] for x in trace["x"]}
    # Twelve months from May 2025 to April 2026: May 2026's one day is not a point on the lines.
    assert max(months) == "2026-04" and min(months) == "2025-05"
    captions = " ".join(c.value for c in at.caption)
    if lang == "en":
        assert "May 2026 is still running (to 2026-05-01): the lines end with Apr 2026" in captions
    else:
        assert "2026年5月尚未结束（至 2026-05-01）：折线截至 2026年4月" in captions

"""The team meeting's success cases show which steps of the sales school's playbook each won deal
followed, from the deal's own behaviours; without a playbook they say so."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesmgmt.i18n import t
from salesmgmt.metrics import school_deals
from tests.app.support import markdown_text, open_page

DRAGON_WEEK = dict(f_period="2026-05", tm_team="Dragon", tm_day=date(2026, 5, 20))


def with_playbook(monkeypatch) -> None:
    """The school of the tiny company's real deals, with a playbook of three steps: design
    institute first (100% of won deals against 0%), a ride-along (50% against 0%) and the quote
    followed up in 10 days against 30. The week's case, O2 (张伟 Zhang), started at a steel
    structure company (0: skipped), had a ride-along (1: followed) and was followed up 61 days
    after its quote (beyond the midpoint of 20: skipped)."""
    real = school_deals.deal_school

    def deal_school(con, as_of, filters, months=school_deals.DEFAULT_MONTHS):
        found = real(con, as_of, filters, months)
        steps = pd.DataFrame(
            dict(
                behaviour=["design_institute_first", "ride_along", "followup_days_after_quote"],
                winners=[1.0, 0.5, 10.0],
                others=[0.0, 0.0, 30.0],
                verdict=["clear", "clear", "suggestive"],
            )
        )
        return school_deals.DealSchool(
            found.window, found.deals, found.won_vs_lost, found.top_vs_others, steps, found.skipped
        )

    monkeypatch.setattr(school_deals, "deal_school", deal_school)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_case_shows_the_steps_its_deal_followed_and_skipped(app_env, monkeypatch, lang):
    with_playbook(monkeypatch)
    at = open_page("pages/team_meeting.py", lang, check=True, **DRAGON_WEEK)
    expected = t(
        "tm.case.playbook",
        lang,
        steps=" · ".join(
            [
                "✘ " + t("sd.name.design_institute_first", lang),
                "✔ " + t("sd.name.ride_along", lang),
                "✘ " + t("sd.name.followup_days_after_quote", lang),
            ]
        ),
    )
    assert expected in markdown_text(at)
    assert t("tm.case.playbook.rule", lang) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_a_playbook_a_case_says_so(app_env, lang):
    at = open_page("pages/team_meeting.py", lang, check=True, **DRAGON_WEEK)
    assert t("tm.case.playbook.none", lang) in [c.value for c in at.caption], (
        "the tiny company has too few deals for a playbook"
    )
    assert "✔" not in markdown_text(at)

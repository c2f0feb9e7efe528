"""The playbook slide of the team-meeting deck: the steps of won deals, most important first, in
the deck's language; too few deals says so instead of steps."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

from salesmgmt import pack
from salesmgmt.i18n import t
from salesmgmt.metrics import school_deals
from salesmgmt.pack import playbook
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")


def slide_texts(data: bytes) -> list[list[str]]:
    deck = Presentation(io.BytesIO(data))
    return [[s.text_frame.text for s in slide.shapes if s.has_text_frame] for slide in deck.slides]


def playbook_slide(data: bytes, lang: str) -> list[str]:
    title = t("sd.section.steps", lang)
    found = [texts for texts in slide_texts(data) if texts and texts[0] == title]
    assert len(found) == 1, "one playbook slide"
    return found[0]


def four_reps_school() -> school_deals.DealSchool:
    """Four reps, each with 6 won and 6 lost deals. Every won deal started at the design
    institute, no lost deal did (100% against 0%, no spread: first); half of each rep's won deals
    had a ride-along, no lost deal (50% against 0%); every deal met 2 parties (no difference);
    no deal was followed up after a quote (no value: too few)."""
    rows = []
    for rep in range(1, 5):
        for i in range(12):
            won = i < 6
            rows.append(
                dict(
                    opp_id=f"O{rep}-{i}",
                    rep_id=rep,
                    rep=f"Rep {rep}",
                    team="Dragon",
                    status="won" if won else "lost",
                    top=False,
                    design_institute_first=1.0 if won else 0.0,
                    parties_met=2.0,
                    owner_met=0.0,
                    visits_before_quote=3.0,
                    ride_along=1.0 if won and i % 2 == 0 else 0.0,
                    followup_days_after_quote=np.nan,
                    days_to_close=60.0,
                )
            )
    deals = pd.DataFrame(rows)
    won, lost = deals["status"] == "won", deals["status"] == "lost"
    won_vs_lost = school_deals.compare_deals(deals, won, lost)
    steps = school_deals.playbook(won_vs_lost)
    return school_deals.DealSchool(
        school_deals.window_for(date(2026, 5, 31)),
        deals,
        won_vs_lost,
        school_deals.compare_deals(deals, won & deals["top"], won & ~deals["top"]),
        steps,
        school_deals.skipped_steps(deals, steps),
    )


def test_the_steps_are_numbered_most_important_first():
    lines = playbook.playbook_lines(four_reps_school(), "en")
    assert lines == [
        "1. Visit the design institute first: 100% of won deals started there, 0% of lost deals "
        "(difference +100 points, interval 100 to 100; clear)",
        "2. Bring your manager along: 50% of won deals had a ride-along, 0% of lost deals "
        "(difference +50 points, interval 50 to 50; clear)",
    ]


def test_the_team_deck_shows_the_playbook_in_chinese(tiny_con, monkeypatch):
    monkeypatch.setattr(school_deals, "deal_school", lambda con, as_of, filters: four_reps_school())
    data = pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="zh", team="Dragon", week_of=tiny.AS_OF)
    texts = playbook_slide(data, "zh")
    steps = texts[-1].split("\n")
    assert len(steps) == 2
    assert steps[0].startswith("1. " + t("sd.name.design_institute_first", "zh"))
    assert steps[1].startswith("2. " + t("sd.name.ride_along", "zh"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tiny_company_has_too_few_deals_and_the_slide_says_so(tiny_con, lang):
    data = pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang=lang, team="Dragon", week_of=tiny.AS_OF)
    texts = playbook_slide(data, lang)
    assert texts[-1].startswith(t("sd.too_few", lang).split("{")[0])
    assert "1. " not in texts[-1]


def test_the_managers_deck_has_no_playbook_slide(tiny_con):
    data = pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="en")
    title = t("sd.section.steps", "en")
    assert not any(texts and texts[0] == title for texts in slide_texts(data))

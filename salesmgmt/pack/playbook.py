"""The sales school's playbook in the team-meeting deck (issue 14): the steps of won deals against
lost deals, most important first, over the deal-level school's default window. A team alone is
mostly too few deals to tell, so the playbook compares the whole sales force in the user's scope
(as the school slide does); too few deals says so instead of steps."""

from __future__ import annotations

from pptx.util import Inches

from salesmgmt.i18n import t
from salesmgmt.metrics import school, school_deals
from salesmgmt.pack.deck import Deck
from salesmgmt.pack.draw import CONTENT, MARGIN, textbox, titled_slide


def playbook_lines(found: school_deals.DealSchool, lang: str) -> list[str]:
    """The slide's lines: the numbered steps (won against lost deals, most important first), else
    why there are none (too few deals, or no difference)."""
    comparison = found.won_vs_lost
    if (comparison["verdict"] == "too_few").all():
        first = comparison.iloc[0]
        return [
            t(
                "sd.too_few",
                lang,
                n_winners=int(first["n_winners"]),
                n_others=int(first["n_others"]),
                min_deals=school_deals.MIN_DEALS,
                min_reps=school_deals.MIN_REPS,
            )
        ]
    if found.steps.empty:
        return [t("sd.steps.none", lang)]
    return [
        f"{i}. " + school_deals.step_text(row, lang)
        for i, row in enumerate(found.steps.itertuples(), start=1)
    ]


def playbook_slide(d: Deck) -> None:
    """The playbook slide: its window under the title, the steps below."""
    found = school_deals.deal_school(d.con, d.as_of, d.filters.scope_only())
    subtitle = d.t("mm.practices.window", window=school.window_label(found.window, d.lang))
    slide = titled_slide(d.deck, d.t("sd.section.steps"), d.lang, subtitle)
    textbox(slide, MARGIN, Inches(1.6), CONTENT, Inches(5.6), playbook_lines(found, d.lang), d.lang, 16)

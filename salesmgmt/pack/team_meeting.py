"""The slides only the weekly team meeting has: who is behind on the plan, and next week's planned
visits (the left half of the next-steps slide)."""

from __future__ import annotations

from pptx.slide import Slide
from pptx.util import Inches

from salesmgmt.i18n import format_count
from salesmgmt.metrics import meetings
from salesmgmt.pack.deck import Deck, records
from salesmgmt.pack.draw import CONTENT, MARGIN, MUTED, heading, table, textbox
from salesmgmt.pack.week import section_slide

#: The behind-on-plan table's columns (catalogue keys).
BEHIND_HEADER = (
    "tm.col.rep",
    "tm.col.why",
    "tm.col.won",
    "tm.col.expected",
    "tm.col.visits_week",
    "tm.col.planned_missed",
)


def behind_slide(d: Deck, team: str) -> None:
    behind = meetings.behind_on_plan(d.con, team, d.week_start, d.filters, d.as_of)
    slide = section_slide(d, d.t("tm.section.behind"), d.subtitle, behind.empty, "tm.behind.none")
    if slide is None:
        return
    rows = [
        [
            str(b.rep),
            "; ".join(d.t(f"tm.reason.{r}") for r in b.reasons),
            d.value("won_amount", b.won_amount),
            d.money(b.expected_by_now),
            d.value("visits", b.visits_this_week),
            format_count(b.planned_missed),
        ]
        for b in records(behind)
    ]
    header = [d.t(key) for key in BEHIND_HEADER]
    widths = [1.1, 3, 1.2, 1.2, 0.9, 0.9]
    table(slide, header, rows, d.lang, MARGIN, Inches(1.6), CONTENT, size=12, widths=widths)
    rule = d.t("tm.behind.rule", pace=int(meetings.BEHIND_PACE_SHARE * 100))
    textbox(slide, MARGIN, Inches(6.8), CONTENT, Inches(0.5), [rule], d.lang, 10, color=MUTED)


def next_week(d: Deck, slide: Slide, team: str) -> None:
    """Next week's planned visits of the team, on the left of the next-steps slide."""
    planned = meetings.next_week_visits(d.con, team, d.week_start, d.filters)
    heading(slide, MARGIN, Inches(1.5), Inches(6.2), d.t("tm.section.next"), d.lang)
    rows = [[str(p.planned_date), str(p.rep), str(p.client or "")] for p in records(planned)]
    if not rows:
        textbox(slide, MARGIN, Inches(2.05), Inches(6.2), Inches(1), [d.t("tm.next.none")], d.lang, 13)
        return
    header = [d.t("tm.col.date"), d.t("tm.col.rep"), d.t("tm.col.client")]
    table(slide, header, rows, d.lang, MARGIN, Inches(2.05), Inches(6.2), size=11, widths=[1, 1, 2.4])

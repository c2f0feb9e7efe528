"""The pipeline inspection's slide: the deals of the period that changed most since a week before
the as-of day (metrics.inspection.biggest_changes), what changed in each, and how many deals are
at risk."""

from __future__ import annotations

from pptx.util import Inches

from salesmgmt.metrics import inspection
from salesmgmt.pack.deck import Deck, records
from salesmgmt.pack.draw import CONTENT, MARGIN, MUTED, table, textbox
from salesmgmt.pack.week import section_slide

#: The table's columns (catalogue keys).
HEADER = (
    "ins.pack.col.deal",
    "ins.pack.col.client",
    "ins.pack.col.rep",
    "ins.pack.col.amount",
    "ins.pack.col.change",
    "ins.pack.col.flags",
)
#: Deals on the slide (the table holds at most draw.TABLE_ROWS).
ROWS = 10


def changes_slide(d: Deck) -> None:
    since = inspection.default_since(d.as_of)
    deals = inspection.inspection(d.con, d.period, d.filters, d.as_of, since)
    biggest = inspection.biggest_changes(deals, ROWS)
    who = d.team or d.filters.describe(d.lang)
    subtitle = d.t("ins.pack.subtitle", who=who, since=since.isoformat())
    slide = section_slide(d, d.t("ins.pack.title"), subtitle, biggest.empty, "ins.pack.none")
    if slide is None:
        return
    sep = "、" if d.lang == "zh" else ", "
    names = {flag: d.label(flag) for flag in inspection.FLAGS}
    rows = [
        [
            str(b.opportunity),
            str(b.client or ""),
            str(b.rep),
            d.money(b.amount),
            ("+" if b.change > 0 else "") + d.money(b.change) if b.amount_up or b.amount_down else "",
            sep.join(names[flag] for flag in inspection.CHANGES if getattr(b, flag)),
        ]
        for b in records(biggest)
    ]
    header = [d.t(key) for key in HEADER]
    table(
        slide,
        header,
        rows,
        d.lang,
        MARGIN,
        Inches(1.5),
        CONTENT,
        size=11,
        widths=[2.6, 2, 0.9, 1.1, 1.1, 2.3],
    )
    counts = inspection.flag_counts(deals).set_index("flag")["deals"]
    risks = " · ".join(f"{names[flag]} {int(counts[flag])}" for flag in inspection.RISKS)
    textbox(
        slide,
        MARGIN,
        Inches(6.8),
        CONTENT,
        Inches(0.5),
        [d.t("ins.pack.risks", counts=risks)],
        d.lang,
        12,
        color=MUTED,
    )

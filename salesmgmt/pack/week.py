"""The meeting week's slides: its wins, and its biggest wins told as success cases (the steps that
led to each and the days spent in each stage). A team's deck shows the team's; the manager's deck
every team's at once."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pptx.enum.chart import XL_CHART_TYPE
from pptx.slide import Slide
from pptx.util import Inches

from salesmgmt import palette
from salesmgmt.i18n import t
from salesmgmt.metrics import meetings
from salesmgmt.pack.charts import Box, chart
from salesmgmt.pack.deck import Deck, records
from salesmgmt.pack.draw import CONTENT, MARGIN, TABLE_ROWS, table, textbox, titled_slide

#: The wins table's columns (catalogue keys).
WINS_HEADER = (
    "tm.col.date",
    "tm.col.rep",
    "m3.team",
    "tm.col.client",
    "tm.col.client_type",
    "tm.col.amount",
)


def section_slide(d: Deck, title: str, subtitle: str, empty: bool, none_key: str) -> Slide | None:
    """A section's titled slide; when there is nothing to show (`empty`) it says so (the text of
    `none_key`) and None comes back."""
    slide = titled_slide(d.deck, title, d.lang, subtitle)
    if empty:
        textbox(slide, MARGIN, Inches(1.6), CONTENT, Inches(1), [d.t(none_key)], d.lang, 18)
        return None
    return slide


def _client_type(d: Deck, client_type: object) -> str:
    return t(f"client_type.{client_type}", d.lang) if isinstance(client_type, str) else ""


def _listing(d: Deck, items: list[str]) -> str:
    """Items in a sentence: '、' between them in Chinese, ', ' in English."""
    return ("、" if d.lang == "zh" else ", ").join(items)


def wins_slide(d: Deck) -> None:
    wins = meetings.week_wins(d.con, d.team, d.week_start, d.filters)  # no team: every team at once
    slide = section_slide(d, d.t("pack.wins.title"), d.week, wins.empty, "tm.wins.none")
    if slide is None:
        return
    rows = [
        [
            str(w.close_date),
            str(w.rep),
            str(w.team),
            str(w.client or ""),
            _client_type(d, w.client_type),
            d.money(w.amount),
        ]
        for w in records(wins)
    ]
    header = [d.t(key) for key in WINS_HEADER]
    table(slide, header, rows, d.lang, MARGIN, Inches(1.6), CONTENT, size=12, widths=[1, 1, 1, 2.4, 1.2, 1.2])


def cases_slides(d: Deck) -> None:
    """One slide per success case (the week's biggest wins, at most three), each with the steps
    that led to it and the days spent in each stage as a chart."""
    # The manager's deck: the biggest win of each team, the three biggest of those.
    cases = meetings.success_cases(d.con, d.team, d.week_start, d.filters)
    if not cases:
        section_slide(d, d.t("pack.cases.title"), d.subtitle, True, "tm.cases.none")
        return
    for case in cases:
        win, timeline, summary = case["win"], case["timeline"], case["summary"]
        subtitle = d.t(
            "tm.case.title",
            deal=win["name"] or win["opp_id"],
            rep=win["rep"],
            amount=d.money(win["amount"]),
        )
        slide = titled_slide(d.deck, d.t("pack.cases.title"), d.lang, subtitle + f" · {win['client'] or ''}")
        parties = _listing(d, [t(f"client_type.{p}", d.lang) for p in summary["parties_met"]])
        facts = d.t(
            "pack.cases.facts",
            days=summary["days_to_close"],
            visits=summary["visits"],
            accompanied=summary["ride_alongs"],
            parties=parties or "–",
        )
        textbox(slide, MARGIN, Inches(1.45), CONTENT, Inches(0.5), [facts], d.lang, 14, True)
        table(
            slide,
            [
                d.t("tm.col.date"),
                d.t("tm.col.step"),
                d.t("pack.col.detail"),
                d.t("tm.col.days_since_previous"),
            ],
            key_steps(d, timeline),
            d.lang,
            MARGIN,
            Inches(2.05),
            Inches(7.6),
            size=10,
            widths=[1.1, 1.1, 3.6, 1.1],
        )
        stages = case["stages"]
        chart(
            slide,
            XL_CHART_TYPE.BAR_CLUSTERED,
            [t(f"stage.{s}", d.lang) if isinstance(s, str) else "–" for s in stages["stage"]][::-1],
            [(d.t("tm.case.days_axis"), list(stages["days"])[::-1])],
            d.lang,
            Box(Inches(8.3), Inches(2.05), Inches(4.55), Inches(5.0)),
            title=d.t("tm.case.stage_days"),
            number_format="0",
            legend=False,
            point_colors=[palette.stage_color(s if isinstance(s, str) else None) for s in stages["stage"]][
                ::-1
            ],
        )


def key_steps(d: Deck, timeline: pd.DataFrame) -> list[list[str]]:
    """The case's steps for a slide: every stage change, and the visits between two stage
    changes summed into one line (who was met), so a long case still fits."""
    rows: list[list[str]] = []
    pending: list[Any] = []
    last_mark = None

    def flush() -> None:
        if not pending:
            return
        met: list[str] = []
        for v in pending:
            kind = _client_type(d, v.client_type)
            label = f"{v.client}" + (f" ({kind})" if kind else "")
            if label not in met:
                met.append(label)
        first, last = pending[0].day, pending[-1].day
        rows.append(
            [
                f"{first}" if first == last else f"{first} – {last}",
                d.t("pack.cases.visits", n=len(pending)),
                _listing(d, met[:3]),
                "",
            ]
        )
        pending.clear()

    for step in records(timeline):
        if step.kind == "visit":
            pending.append(step)
            continue
        flush()
        days = "" if last_mark is None else str((step.day - last_mark).days)
        stage = t(f"stage.{step.stage}", d.lang) if isinstance(step.stage, str) else ""
        rows.append([str(step.day), d.t(f"tm.kind.{step.kind}"), stage, days])
        last_mark = step.day
    flush()
    if len(rows) > TABLE_ROWS:  # keep the first steps and the end
        rows = rows[: TABLE_ROWS - 3] + [["…", "", "", ""]] + rows[-2:]
    return rows

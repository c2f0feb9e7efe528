"""The slides both meetings open with: the title, the key figures, the forecast, the rankings and
the recognitions. A team's deck shows its sales engineers, the manager's deck the teams; every
measure is named and formatted by its definition in the glossary."""

from __future__ import annotations

import pandas as pd
from pptx.enum.chart import XL_CHART_TYPE
from pptx.slide import Slide
from pptx.util import Emu, Inches

from salesmgmt import palette
from salesmgmt.metrics import core, rankings
from salesmgmt.pack.charts import Box, Series, chart
from salesmgmt.pack.deck import Deck
from salesmgmt.pack.draw import (
    CONTENT,
    MARGIN,
    MUTED,
    blank_slide,
    headed_list,
    kpi,
    table,
    textbox,
    titled_slide,
)

#: A bar chart of teams or reps shows at most this many (the strongest and the weakest half each).
CHART_BARS = 30


def title_slide(d: Deck) -> None:
    slide = blank_slide(d.deck)
    title = d.t("pack.title.team", team=d.team) if d.team else d.t("pack.title.manager")
    textbox(slide, MARGIN, Inches(2.3), CONTENT, Inches(1.2), [title], d.lang, 40, True)
    lines = [d.period.label(d.lang), d.week if d.team else d.filters.describe(d.lang)]
    lines.append(d.t("pack.as_of", day=d.as_of.isoformat()))
    textbox(slide, MARGIN, Inches(3.6), CONTENT, Inches(1.5), lines, d.lang, 20, color=MUTED)


def _members(d: Deck, with_probability: bool) -> tuple[pd.DataFrame, list[str]]:
    """The period's core figures of those the deck compares (a team's sales engineers, or the
    teams) and their names."""
    level = "rep" if d.team else "team"
    frame = core.figures(d.con, d.period, d.filters, d.as_of, level, with_probability=with_probability)
    if level == "rep":
        frame = frame[frame["role"] == "sales_engineer"]
    else:
        frame = frame[frame["team"] != core.NO_GROUP]
    return frame, [str(n) for n in frame[level]]


def kpi_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("pack.kpi.title"), d.lang, d.subtitle)
    total = core.totals(d.con, d.period, d.filters, d.as_of)
    values = [
        (
            d.t("pack.kpi.won"),
            d.value("won_amount", total["won_amount"]),
            d.t("pack.kpi.of_target", target=d.value("target", total["target"])),
        ),
        (
            d.label("attainment"),
            d.value("attainment", total["attainment"]),
            d.t("pack.kpi.forecast_att", pct=d.value("forecast_attainment", total["forecast_attainment"])),
        ),
        (
            d.label("attainment_probability"),
            d.value("attainment_probability", total["attainment_probability"]),
            "",
        ),
        (
            d.label("visits_per_week"),
            d.value("visits_per_week", total["visits_per_week"]),
            d.t("pack.kpi.norm", share=d.value("norm_share", total["norm_share"])),
        ),
    ]
    for i, (label, value, note) in enumerate(values):
        kpi(slide, Emu(MARGIN + Inches(3.1) * i), Inches(1.5), label, value, d.lang, note)
    box = Box(MARGIN, Inches(3.1), CONTENT, Inches(4.1))
    if d.last_complete is not None:  # a few days' figures: the last complete period beside
        last = d.last_complete
        whole = core.totals(d.con, last, d.filters, last.last_day, False)
        beside = d.first_days(
            "pack.first_days.kpi",
            won=d.value("won_amount", whole["won_amount"]),
            target=d.value("target", whole["target"]),
            attainment=d.value("attainment", whole["attainment"]),
        )
        textbox(slide, MARGIN, Inches(2.9), CONTENT, Inches(0.4), beside, d.lang, 11, color=MUTED)
        box = Box(MARGIN, Inches(3.35), CONTENT, Inches(3.85))
    frame, names = _members(d, with_probability=False)
    title = d.t("pack.kpi.chart", unit=d.t("unit.money"))
    _amounts_chart(d, slide, names, frame, ("won_amount", "target"), box, title)


#: The colour of each amount a chart of the pack compares.
AMOUNT_COLORS = {
    "won_amount": palette.WON,
    "commit_amount": palette.COMMIT,
    "best_case_amount": palette.BEST_CASE,
    "forecast": palette.FORECAST,
    "target": palette.TARGET,
}


def _amounts_chart(
    d: Deck, slide: Slide, names: list[str], frame: pd.DataFrame, keys: tuple[str, ...], box: Box, title: str
) -> None:
    """Columns of amounts per member (in the chart unit), a series per measure of `keys`."""
    series: list[Series] = [
        (d.t("pack.series.won") if key == "won_amount" else d.label(key), d.scaled(frame[key]))
        for key in keys
    ]
    chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        names,
        series,
        d.lang,
        box,
        title=title,
        number_format=d.money_format,
        colors=[AMOUNT_COLORS[key] for key in keys],
    )


def forecast_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("pack.forecast.title"), d.lang, d.subtitle)
    frame, names = _members(d, with_probability=True)
    _amounts_chart(
        d,
        slide,
        names,
        frame,
        ("won_amount", "commit_amount", "best_case_amount", "forecast", "target"),
        Box(MARGIN, Inches(1.45), Inches(8.2), Inches(5.8)),
        d.t("pack.forecast.chart", unit=d.t("unit.money")),
    )
    rows = [
        [
            name,
            d.value("forecast_attainment", fa),
            d.value("attainment_probability", p),
            d.value("gap", g),
        ]
        for name, fa, p, g in zip(
            names, frame["forecast_attainment"], frame["attainment_probability"], frame["gap"]
        )
    ]
    table(
        slide,
        [d.t("pack.col.name"), d.label("forecast_attainment"), d.t("pack.col.probability"), d.label("gap")],
        rows,
        d.lang,
        Inches(8.9),
        Inches(1.6),
        Inches(3.95),
        size=11,
        widths=[1.6, 1, 1, 1.4],
    )


#: The ranking table's measures after the composite score, in their columns' order.
RANKED_MEASURES = ("attainment", "growth", "visits_vs_norm", "win_rate")


def rankings_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("pack.rankings.title"), d.lang, d.subtitle)
    # In the first days nobody is ranked on a few days: the last complete period's ranking.
    period, as_of = rankings.ranked_period(d.period, d.as_of)
    if d.team:
        frame = rankings.rep_rankings(d.con, period, d.filters, as_of, team=d.team)
        name_col = "rep"
    else:
        frame = rankings.team_rankings(d.con, period, d.filters, as_of)
        name_col = "team"
    ranked = frame[frame["composite"].notna()].sort_values("rank")
    if len(ranked) > CHART_BARS:  # the strongest and weakest at company scale; the table: the top
        ranked = pd.concat([ranked.head(CHART_BARS // 2), ranked.tail(CHART_BARS // 2)])
    ranked = ranked.iloc[::-1]  # PowerPoint draws a bar chart's first category at the bottom
    chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        [str(n) for n in ranked[name_col]],
        [(d.label("composite_score"), list(ranked["composite"]))],
        d.lang,
        Box(MARGIN, Inches(1.45), Inches(6.2), Inches(5.8)),
        title=d.t("pack.rankings.chart"),
        number_format="0",
        legend=False,
        point_colors=[palette.GOOD if s >= 100 else palette.ACCENT for s in ranked["composite"]],
    )
    rows = [
        [
            ("–" if pd.isna(r["rank"]) else str(int(r["rank"]))),
            rankings.movement_text(r["movement"]) or "·",
            str(r[name_col]),
            "–" if pd.isna(r["composite"]) else f"{r['composite']:.0f}",
            *(d.value(key, r[key]) for key in RANKED_MEASURES),
        ]
        for _, r in frame.iterrows()
    ]
    table(
        slide,
        [
            d.t("rk.col.rank"),
            d.t("rk.col.movement"),
            d.t("pack.col.name"),
            d.label("composite_score"),
            *(d.label(key) for key in RANKED_MEASURES),
        ],
        rows,
        d.lang,
        Inches(6.9),
        Inches(1.6),
        Inches(5.95),
        size=10,
        widths=[0.6, 0.8, 1.6, 0.9, 0.9, 0.9, 0.9, 0.9],
    )
    notes = [*d.first_days("pack.first_days.ranking"), d.t("pack.rankings.note", days=rankings.MOVEMENT_DAYS)]
    textbox(slide, Inches(6.9), Inches(6.3), Inches(5.95), Inches(1.0), notes, d.lang, 10, color=MUTED)


def recognitions_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("pack.recognitions.title"), d.lang, d.subtitle)
    period, as_of = rankings.ranked_period(d.period, d.as_of)  # the last complete in the first days
    found = rankings.recognitions(d.con, period, d.filters, as_of)
    head = found[found["head_office"]]
    others = found[~found["head_office"]]
    for left, title, shown, none in (
        (MARGIN, "rk.head_office", head, "rk.head_office.none"),
        (Inches(6.9), "rk.recognitions.more", others, "rk.rec.none"),
    ):
        lines = [rankings.recognition_text(r, d.lang) for r in shown.head(10).itertuples()] or [d.t(none)]
        headed_list(slide, left, Inches(6), d.t(title), lines, d.lang, 14, list_top=Inches(2.0))
    note = d.first_days("pack.first_days.recognitions")
    if note:
        textbox(slide, MARGIN, Inches(6.9), CONTENT, Inches(0.4), note, d.lang, 10, color=MUTED)

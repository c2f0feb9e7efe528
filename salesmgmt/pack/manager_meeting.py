"""The slides only the sales-manager meeting has: each team's monthly trend, the issues to
escalate, and what to decide about them (the left half of the next-steps slide)."""

from __future__ import annotations

from datetime import date

from pptx.enum.chart import XL_CHART_TYPE
from pptx.slide import Slide
from pptx.util import Inches

from salesmgmt import palette
from salesmgmt.metrics import meetings, rankings
from salesmgmt.pack.charts import Box, Series, chart
from salesmgmt.pack.deck import Deck
from salesmgmt.pack.draw import CONTENT, MARGIN, MUTED, headed_list, textbox, titled_slide


def trend_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("pack.trend.title"), d.lang, d.subtitle)
    # In the first days the trend ends with the last complete period: a month of a few days
    # would fall to the bottom of the chart.
    last, as_of = rankings.ranked_period(d.period, d.as_of)
    # At company scale the five highest and lowest teams of the last month (100 lines are noise).
    trends, _total = meetings.trend_ends(meetings.team_trends(d.con, d.filters, last, as_of, 6))
    months: list[date] = sorted(set(trends["month"])) if len(trends) else []
    series: list[Series] = []
    colors = palette.team_colors(str(team) for team in trends["team"]) if len(trends) else {}
    for team, group in trends.groupby("team", sort=True) if len(trends) else []:
        by_month = dict(zip(group["month"], group["attainment"]))
        series.append((str(team), [by_month.get(m) for m in months]))
    chart(
        slide,
        XL_CHART_TYPE.LINE_MARKERS,
        [m.strftime("%Y-%m") for m in months],
        series or [(d.label("attainment"), [])],
        d.lang,
        Box(MARGIN, Inches(1.45), CONTENT, Inches(5.4 if d.last_complete else 5.8)),
        title=d.t("pack.trend.chart"),
        number_format="0%",
        colors=[colors[name] for name, _ in series] or None,
    )
    note = d.first_days("pack.first_days.trend", month=months[-1].strftime("%Y-%m") if months else "–")
    if note:
        textbox(slide, MARGIN, Inches(6.9), CONTENT, Inches(0.4), note, d.lang, 10, color=MUTED)


def _issue_groups(d: Deck) -> list[tuple[str, list[object]]]:
    """The issues to escalate by kind, in the order they come: each kind and its rows."""
    issues = d.issues
    if not len(issues):
        return []
    return [(str(kind), list(group.itertuples())) for kind, group in issues.groupby("kind", sort=False)]


def issues_slide(d: Deck) -> None:
    slide = titled_slide(d.deck, d.t("mm.section.issues"), d.lang, d.subtitle)
    lines = []
    for kind, rows in _issue_groups(d):
        lines.append(d.t(f"mm.issue.{kind}"))
        lines += ["   • " + meetings.issue_text(r, d.lang) for r in rows[:3]]
    textbox(slide, MARGIN, Inches(1.5), CONTENT, Inches(5.7), lines or [d.t("mm.issues.none")], d.lang, 13)


def to_decide(d: Deck, slide: Slide) -> None:
    """An action per kind of issue, on the left of the next-steps slide."""
    lines = [d.t(f"pack.next.action.{kind}", n=len(rows)) for kind, rows in _issue_groups(d)]
    headed_list(
        slide, MARGIN, Inches(6.2), d.t("pack.next.escalate"), lines or [d.t("mm.issues.none")], d.lang, 14
    )

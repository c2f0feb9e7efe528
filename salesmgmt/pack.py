"""The meeting pack: a PowerPoint deck for the weekly team meeting (a team) or the sales-manager
meeting (all teams in the filter), built with python-pptx only (no browser, no images).

Every chart is a native PowerPoint chart (editable in PowerPoint or LibreOffice, data included);
every text comes from the catalogue in the chosen language, and each run carries an East Asian
font name so Chinese shows in the right face. Names from the data (reps, clients, projects) are
shown as they are.

Slides: title; KPI summary; forecast; trend (manager) ; rankings; recognitions; wins and success
cases; behind on the plan (team) or issues to escalate (manager); sales-school findings; next
steps. At least eight slides and four charts whatever the data (an empty section says so).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import duckdb
import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_count, format_money, format_percent, money_divisor, t
from salesmgmt.metrics import core, meetings, rankings, school
from salesmgmt.periods import Period

#: Fonts: Latin and East Asian faces on every run (PowerPoint picks the face per script).
LATIN_FONT = "Calibri"
EA_FONT = "Microsoft YaHei"
DARK = RGBColor(0x26, 0x32, 0x38)
MUTED = RGBColor(0x60, 0x7D, 0x8B)
ACCENT = RGBColor(0x15, 0x65, 0xC0)
GOOD = RGBColor(0x2E, 0x7D, 0x32)
GREY = RGBColor(0x90, 0xA4, 0xAE)
LIGHT_GREEN = RGBColor(0x81, 0xC7, 0x84)
PALE_GREEN = RGBColor(0xC8, 0xE6, 0xC9)
AMBER = RGBColor(0xF9, 0xA8, 0x25)
SERIES_COLORS = [
    GOOD,
    LIGHT_GREEN,
    RGBColor(0x45, 0x5A, 0x64),
    ACCENT,
    RGBColor(0xEF, 0x6C, 0x00),
    RGBColor(0x6A, 0x1B, 0x9A),
]
VERDICT_COLORS = {
    "clear": GOOD,
    "suggestive": AMBER,
    "no_difference": GREY,
    "too_few": RGBColor(0xCF, 0xD8, 0xDC),
}
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TABLE_ROWS = 12
#: A bar chart of teams or reps shows at most this many (the strongest and the weakest half each).
CHART_BARS = 30


# ------------------------------------------------------------------------------------------
# Arguments


TEAM_NAMES_SQL = "SELECT DISTINCT team FROM reps WHERE team IS NOT NULL ORDER BY team"


def resolve_team(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The team named `text`: its full name, or one word of it ('Dragon' or '龙' for '龙 Dragon'),
    case-insensitive. Raises a SalesmgmtError listing the teams when none or several match."""
    names = [row[0] for row in con.execute(TEAM_NAMES_SQL).fetchall()]
    wanted = text.strip().casefold()
    exact = [n for n in names if n.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [n for n in names if wanted in (w.casefold() for w in n.split())]
    if len(partial) == 1:
        return partial[0]
    raise SalesmgmtError("pack.error.team", team=text, teams=", ".join(names) or "–")


def file_name(period: Period, team: str | None, lang: str) -> str:
    """'team-meeting_龙-Dragon_2026-05_zh.pptx' or 'manager-meeting_2026-05_en.pptx'."""
    head = f"team-meeting_{team.replace(' ', '-')}" if team else "manager-meeting"
    return f"{head}_{period}_{lang}.pptx"


# ------------------------------------------------------------------------------------------
# Low-level drawing


def _fonts(run_or_font_rpr, lang: str) -> None:
    """Latin and East Asian typeface on a run's properties (`a:rPr` or `a:defRPr`)."""
    rpr = run_or_font_rpr
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT), ("a:cs", LATIN_FONT)):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", face)
    # schema order inside rPr: ln, fill..., latin, ea, cs: move ours to the end in that order
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        rpr.remove(el)
        rpr.append(el)
    if lang == "zh":
        rpr.set("lang", "zh-CN")
        rpr.set("altLang", "en-US")
    else:
        rpr.set("lang", "en-US")


def _paragraph(
    frame,
    text: str,
    lang: str,
    size: int = 16,
    bold: bool = False,
    color: RGBColor = DARK,
    first: bool = False,
    align=None,
    level: int = 0,
) -> None:
    para = frame.paragraphs[0] if first else frame.add_paragraph()
    para.level = level
    if align is not None:
        para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    _fonts(run._r.get_or_add_rPr(), lang)


def _textbox(
    slide,
    left,
    top,
    width,
    height,
    lines: list[str],
    lang: str,
    size: int = 16,
    bold: bool = False,
    color: RGBColor = DARK,
    bullet: str = "",
) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines or ["–"]):
        _paragraph(frame, (bullet + line) if bullet else line, lang, size, bold, color, first=(i == 0))


def _slide(deck, title: str, lang: str, subtitle: str | None = None):
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    _textbox(slide, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7), [title], lang, 28, True)
    if subtitle:
        _textbox(
            slide, MARGIN, Inches(0.95), WIDTH - 2 * MARGIN, Inches(0.4), [subtitle], lang, 13, color=MUTED
        )
    return slide


def _chart(
    slide,
    kind,
    categories: list[str],
    series: list[tuple[str, list[float]]],
    lang: str,
    left,
    top,
    width,
    height,
    title: str,
    number_format: str = "#,##0",
    legend: bool = True,
    colors: list[RGBColor] | None = None,
    point_colors: list[RGBColor] | None = None,
):
    """A native chart; empty data becomes one '–' category of zeros (a chart is still there).
    `colors` colour the series in turn; `point_colors` the bars of a one-series chart."""
    data = CategoryChartData(number_format=number_format)
    if not categories:
        categories = ["–"]
        series = [(name, [0.0]) for name, _ in series] or [("–", [0.0])]
    data.categories = categories
    for name, values in series:
        data.add_series(name, [None if v is None or v != v else float(v) for v in values])
    graphic = slide.shapes.add_chart(kind, left, top, width, height, data)
    chart = graphic.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    for para in chart.chart_title.text_frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(16)
            run.font.bold = True
            _fonts(run._r.get_or_add_rPr(), lang)
    chart.font.size = Pt(12)
    _fonts(chart.font._rPr, lang)
    chart.has_legend = legend and len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    palette = colors or SERIES_COLORS
    if kind in (XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.COLUMN_STACKED):
        for i, plot_series in enumerate(chart.plots[0].series):
            plot_series.format.fill.solid()
            plot_series.format.fill.fore_color.rgb = palette[i % len(palette)]
        if point_colors and len(categories) == len(point_colors):
            for point, color in zip(chart.plots[0].series[0].points, point_colors):
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = color
        # Labels beside the axis line would sit on bars that go below zero.
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if kind == XL_CHART_TYPE.LINE_MARKERS:
        for i, plot_series in enumerate(chart.plots[0].series):
            plot_series.format.line.color.rgb = palette[i % len(palette)]
            plot_series.smooth = False
    axis = chart.value_axis
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor(0xE0, 0xE0, 0xE0)
    return chart


def _table(
    slide,
    header: list[str],
    rows: list[list[str]],
    lang: str,
    left,
    top,
    width,
    height=None,
    size: int = 12,
    widths: list[float] | None = None,
) -> None:
    rows = rows[:TABLE_ROWS]
    if not rows:
        rows = [["–"] + [""] * (len(header) - 1)]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), left, top, width, height or Emu(int(Inches(0.38)) * (len(rows) + 1))
    )
    table = shape.table
    if widths:
        total = sum(widths)
        for i, w in enumerate(widths):
            table.columns[i].width = Emu(int(width * w / total))
    for r, values in enumerate([header] + rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text_frame.word_wrap = True
            frame = cell.text_frame
            frame.paragraphs[0].text = ""
            _paragraph(
                frame,
                str(value),
                lang,
                size,
                bold=(r == 0),
                color=RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else DARK,
                first=True,
            )


def _kpi(slide, left, top, label: str, value: str, lang: str, note: str = "") -> None:
    box = slide.shapes.add_shape(1, left, top, Inches(2.9), Inches(1.35))  # rectangle
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0xEC, 0xEF, 0xF1)
    box.line.color.rgb = RGBColor(0xCF, 0xD8, 0xDC)
    frame = box.text_frame
    frame.word_wrap = True
    _paragraph(frame, label, lang, 13, color=MUTED, first=True, align=PP_ALIGN.LEFT)
    _paragraph(frame, value, lang, 26, bold=True, color=DARK, align=PP_ALIGN.LEFT)
    if note:
        _paragraph(frame, note, lang, 11, color=MUTED, align=PP_ALIGN.LEFT)


# ------------------------------------------------------------------------------------------
# The deck


class _Deck:
    """What every slide needs: the data's frame of reference and the words."""

    def __init__(
        self,
        con,
        period: Period,
        filters: Filters,
        as_of: date,
        lang: str,
        team: str | None,
        week_of: date | None,
    ) -> None:
        self.con, self.period, self.as_of, self.lang, self.team = con, period, as_of, lang, team
        self.filters = filters
        if team is not None:
            narrowed = rankings.team_filters(filters, team)
            if narrowed is None:
                raise SalesmgmtError("pack.error.outside", team=team)
            self.filters = narrowed
        self.week_start, self.week_end = meetings.meeting_week(week_of or as_of)
        self.divisor = money_divisor(lang)
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = WIDTH, HEIGHT
        self.charts = 0
        self._memo: dict[str, object] = {}

    def once(self, key: str, compute):
        """A figure several slides use, computed once per deck."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def issues(self) -> pd.DataFrame:
        return self.once(
            "issues", lambda: meetings.issues_to_escalate(self.con, self.period, self.filters, self.as_of)
        )

    def school(self) -> dict[str, pd.DataFrame]:
        """The sales school over its default window. A team alone is mostly too few to tell, so a
        team's deck compares the whole sales force in the user's scope."""
        scope = (
            self.filters
            if self.team is None
            else Filters(
                scope_regions=self.filters.scope_regions,
                scope_teams=self.filters.scope_teams,
                scope_rep_ids=self.filters.scope_rep_ids,
            )
        )
        return self.once(
            "school", lambda: school.school(self.con, school.window_for(self.as_of), scope, self.as_of)
        )

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def money(self, value) -> str:
        return format_money(value, self.lang)

    def scaled(self, values) -> list[float]:
        return [None if v is None or v != v else float(v) / self.divisor for v in values]

    @property
    def money_format(self) -> str:
        """万元 with one decimal in Chinese; whole CNY with thousands separators in English."""
        return "#,##0.0" if self.lang == "zh" else "#,##0"

    @property
    def money_axis(self) -> str:
        return self.t("axis.money", unit=self.t("unit.money"))

    @property
    def subtitle(self) -> str:
        who = self.team or self.filters.describe(self.lang)
        return f"{who} · {self.period.label(self.lang)} · {self.t('pack.as_of', day=self.as_of.isoformat())}"

    def chart(self, slide, *args, **kwargs):
        self.charts += 1
        return _chart(slide, *args, lang=self.lang, **kwargs)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.deck.save(out)
        return out.getvalue()


def build_deck(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    as_of: date,
    lang: str = "zh",
    team: str | None = None,
    week_of: date | None = None,
    filters: Filters = Filters(),
) -> bytes:
    """The meeting pack as .pptx bytes: the weekly team meeting of `team` (the week of
    `week_of`, default as_of's), else the sales-manager meeting of every team in `filters`."""
    d = _Deck(con, period, filters, as_of, lang, team, week_of)
    _title_slide(d)
    _kpi_slide(d)
    _forecast_slide(d)
    if team is None:
        _trend_slide(d)
    _rankings_slide(d)
    _recognitions_slide(d)
    _wins_slide(d)
    _cases_slides(d)
    if team is None:
        _issues_slide(d)
    else:
        _behind_slide(d)
    _school_slide(d)
    _next_steps_slide(d)
    return d.save()


def build_deck_for(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    lang: str,
    team: str | None,
    week_of: date | None,
) -> bytes:
    """`build_deck` with positional arguments (for the app's cached `ui.query`)."""
    return build_deck(con, period, as_of=as_of, lang=lang, team=team, week_of=week_of, filters=filters)


# ------------------------------------------------------------------------------------------
# Slides


def _title_slide(d: _Deck) -> None:
    slide = d.deck.slides.add_slide(d.deck.slide_layouts[6])
    title = d.t("pack.title.team", team=d.team) if d.team else d.t("pack.title.manager")
    _textbox(slide, MARGIN, Inches(2.3), WIDTH - 2 * MARGIN, Inches(1.2), [title], d.lang, 40, True)
    lines = [d.period.label(d.lang)]
    if d.team:
        lines.append(
            d.t("pack.week", start=d.week_start.isoformat(), end=(d.week_end - timedelta(days=1)).isoformat())
        )
    else:
        lines.append(d.filters.describe(d.lang))
    lines.append(d.t("pack.as_of", day=d.as_of.isoformat()))
    _textbox(slide, MARGIN, Inches(3.6), WIDTH - 2 * MARGIN, Inches(1.5), lines, d.lang, 20, color=MUTED)


def _kpi_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.kpi.title"), d.lang, d.subtitle)
    total = core.totals(d.con, d.period, d.filters, d.as_of)
    values = [
        (
            d.t("pack.kpi.won"),
            d.money(total["won_amount"]),
            d.t("pack.kpi.of_target", target=d.money(total["target"])),
        ),
        (
            d.t("pack.kpi.attainment"),
            format_percent(total["attainment"]),
            d.t("pack.kpi.forecast_att", pct=format_percent(total["forecast_attainment"])),
        ),
        (d.t("pack.kpi.probability"), format_percent(total["attainment_probability"]), ""),
        (
            d.t("pack.kpi.visits"),
            "–" if total["visits_per_week"] is None else f"{total['visits_per_week']:.1f}",
            d.t("pack.kpi.norm", share=format_percent(total["norm_share"])),
        ),
    ]
    for i, (label, value, note) in enumerate(values):
        _kpi(slide, MARGIN + Inches(3.1) * i, Inches(1.5), label, value, d.lang, note)
    level = "rep" if d.team else "team"
    frame = core.figures(d.con, d.period, d.filters, d.as_of, level, with_probability=False)
    if level == "rep":
        frame = frame[frame["role"] == "sales_engineer"]
        names = list(frame["rep"])
    else:
        frame = frame[frame["team"] != core.NO_GROUP]
        names = list(frame["team"])
    d.chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        names,
        [
            (d.t("pack.series.won"), d.scaled(frame["won_amount"])),
            (d.t("pack.series.target"), d.scaled(frame["target"])),
        ],
        left=MARGIN,
        top=Inches(3.1),
        width=WIDTH - 2 * MARGIN,
        height=Inches(4.1),
        title=d.t("pack.kpi.chart", unit=d.t("unit.money")),
        number_format=d.money_format,
        colors=[GOOD, GREY],
    )


def _forecast_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.forecast.title"), d.lang, d.subtitle)
    level = "rep" if d.team else "team"
    frame = core.figures(d.con, d.period, d.filters, d.as_of, level, with_probability=True)
    if level == "rep":
        frame = frame[frame["role"] == "sales_engineer"]
    else:
        frame = frame[frame["team"] != core.NO_GROUP]
    names = list(frame["rep" if level == "rep" else "team"])
    d.chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        names,
        [
            (d.t("pack.series.won"), d.scaled(frame["won_amount"])),
            (d.t("pack.series.commit"), d.scaled(frame["commit_amount"])),
            (d.t("pack.series.best_case"), d.scaled(frame["best_case_amount"])),
            (d.t("pack.series.forecast"), d.scaled(frame["forecast"])),
            (d.t("pack.series.target"), d.scaled(frame["target"])),
        ],
        left=MARGIN,
        top=Inches(1.45),
        width=Inches(8.2),
        height=Inches(5.8),
        title=d.t("pack.forecast.chart", unit=d.t("unit.money")),
        number_format=d.money_format,
        colors=[GOOD, LIGHT_GREEN, PALE_GREEN, ACCENT, GREY],
    )
    rows = [
        [str(n), format_percent(fa), format_percent(p), d.money(g)]
        for n, fa, p, g in zip(
            names, frame["forecast_attainment"], frame["attainment_probability"], frame["gap"]
        )
    ]
    _table(
        slide,
        [
            d.t("pack.col.name"),
            d.t("pack.col.forecast_att"),
            d.t("pack.col.probability"),
            d.t("pack.col.gap"),
        ],
        rows,
        d.lang,
        Inches(8.9),
        Inches(1.6),
        Inches(3.95),
        size=11,
        widths=[1.6, 1, 1, 1.4],
    )


def _trend_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.trend.title"), d.lang, d.subtitle)
    # At company scale the five highest and lowest teams of the last month (100 lines are noise).
    trends, _total = meetings.trend_ends(meetings.team_trends(d.con, d.filters, d.period, d.as_of, 6))
    months = sorted(set(trends["month"])) if len(trends) else []
    series = []
    for team, group in trends.groupby("team", sort=True) if len(trends) else []:
        by_month = dict(zip(group["month"], group["attainment"]))
        series.append((str(team), [by_month.get(m) for m in months]))
    d.chart(
        slide,
        XL_CHART_TYPE.LINE_MARKERS,
        [m.strftime("%Y-%m") for m in months],
        series or [(d.t("pack.series.attainment"), [])],
        left=MARGIN,
        top=Inches(1.45),
        width=WIDTH - 2 * MARGIN,
        height=Inches(5.8),
        title=d.t("pack.trend.chart"),
        number_format="0%",
    )


def _rankings_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.rankings.title"), d.lang, d.subtitle)
    if d.team:
        frame = rankings.rep_rankings(d.con, d.period, d.filters, d.as_of, team=d.team)
        name_col = "rep"
    else:
        frame = rankings.team_rankings(d.con, d.period, d.filters, d.as_of)
        name_col = "team"
    ranked = frame[frame["composite"].notna()].sort_values("rank")
    if len(ranked) > CHART_BARS:  # the strongest and weakest at company scale; the table: the top
        ranked = pd.concat([ranked.head(CHART_BARS // 2), ranked.tail(CHART_BARS // 2)])
    ranked = ranked.iloc[::-1]  # PowerPoint draws a bar chart's first category at the bottom
    d.chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        [str(n) for n in ranked[name_col]],
        [(d.t("pack.series.composite"), list(ranked["composite"]))],
        left=MARGIN,
        top=Inches(1.45),
        width=Inches(6.2),
        height=Inches(5.8),
        title=d.t("pack.rankings.chart"),
        number_format="0",
        legend=False,
        point_colors=[GOOD if s >= 100 else ACCENT for s in ranked["composite"]],
    )
    rows = [
        [
            ("–" if pd.isna(r["rank"]) else str(int(r["rank"]))),
            rankings.movement_text(r["movement"]) or "·",
            str(r[name_col]),
            "–" if pd.isna(r["composite"]) else f"{r['composite']:.0f}",
            format_percent(r["attainment"]),
            format_percent(r["growth"]),
            format_percent(r["visits_vs_norm"]),
            format_percent(r["win_rate"]),
        ]
        for _, r in frame.iterrows()
    ]
    _table(
        slide,
        [
            d.t("rk.col.rank"),
            d.t("rk.col.movement"),
            d.t("pack.col.name"),
            d.t("rk.col.composite"),
            d.t("rk.col.attainment"),
            d.t("rk.col.growth"),
            d.t("rk.col.visits_vs_norm"),
            d.t("rk.col.win_rate"),
        ],
        rows,
        d.lang,
        Inches(6.9),
        Inches(1.6),
        Inches(5.95),
        size=10,
        widths=[0.6, 0.8, 1.6, 0.9, 0.9, 0.9, 0.9, 0.9],
    )
    _textbox(
        slide,
        Inches(6.9),
        Inches(6.7),
        Inches(5.95),
        Inches(0.6),
        [d.t("pack.rankings.note", days=rankings.MOVEMENT_DAYS)],
        d.lang,
        10,
        color=MUTED,
    )


def _recognitions_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.recognitions.title"), d.lang, d.subtitle)
    found = rankings.recognitions(d.con, d.period, d.filters, d.as_of)
    head = found[found["head_office"]]
    others = found[~found["head_office"]]
    _textbox(
        slide, MARGIN, Inches(1.5), Inches(6), Inches(0.5), [d.t("rk.head_office")], d.lang, 18, True, ACCENT
    )
    _textbox(
        slide,
        MARGIN,
        Inches(2.0),
        Inches(6),
        Inches(5),
        [rankings.recognition_text(r, d.lang) for r in head.head(10).itertuples()]
        or [d.t("rk.head_office.none")],
        d.lang,
        14,
        bullet="• ",
    )
    _textbox(
        slide,
        Inches(6.9),
        Inches(1.5),
        Inches(6),
        Inches(0.5),
        [d.t("rk.recognitions.more")],
        d.lang,
        18,
        True,
        ACCENT,
    )
    _textbox(
        slide,
        Inches(6.9),
        Inches(2.0),
        Inches(6),
        Inches(5),
        [rankings.recognition_text(r, d.lang) for r in others.head(10).itertuples()] or [d.t("rk.rec.none")],
        d.lang,
        14,
        bullet="• ",
    )


def _wins_slide(d: _Deck) -> None:
    week = d.t("pack.week", start=d.week_start.isoformat(), end=(d.week_end - timedelta(days=1)).isoformat())
    slide = _slide(d.deck, d.t("pack.wins.title"), d.lang, week)
    wins = meetings.week_wins(d.con, d.team, d.week_start, d.filters)  # no team: every team at once
    rows = (
        [
            [
                str(w.close_date),
                str(w.rep),
                str(w.team),
                str(w.client or ""),
                t(f"client_type.{w.client_type}", d.lang) if isinstance(w.client_type, str) else "",
                d.money(w.amount),
            ]
            for w in wins.itertuples()
        ]
        if len(wins)
        else []
    )
    if not rows:
        _textbox(slide, MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1), [d.t("tm.wins.none")], d.lang, 18)
        return
    _table(
        slide,
        [
            d.t("tm.col.date"),
            d.t("tm.col.rep"),
            d.t("m3.team"),
            d.t("tm.col.client"),
            d.t("tm.col.client_type"),
            d.t("tm.col.amount"),
        ],
        rows,
        d.lang,
        MARGIN,
        Inches(1.6),
        WIDTH - 2 * MARGIN,
        size=12,
        widths=[1, 1, 1, 2.4, 1.2, 1.2],
    )


def _cases_slides(d: _Deck) -> None:
    """One slide per success case (the week's biggest wins, at most three), each with the steps
    that led to it and the days spent in each stage as a chart."""
    # The manager's deck: the biggest win of each team, the three biggest of those.
    cases = meetings.success_cases(d.con, d.team, d.week_start, d.filters)
    if not cases:
        slide = _slide(d.deck, d.t("pack.cases.title"), d.lang, d.subtitle)
        _textbox(
            slide, MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1), [d.t("tm.cases.none")], d.lang, 18
        )
        return
    for case in cases:
        win, timeline, summary = case["win"], case["timeline"], case["summary"]
        slide = _slide(
            d.deck,
            d.t("pack.cases.title"),
            d.lang,
            d.t(
                "tm.case.title",
                deal=win["name"] or win["opp_id"],
                rep=win["rep"],
                amount=d.money(win["amount"]),
            )
            + f" · {win['client'] or ''}",
        )
        parties = (
            "、".join(t(f"client_type.{p}", d.lang) for p in summary["parties_met"])
            if d.lang == "zh"
            else ", ".join(t(f"client_type.{p}", d.lang) for p in summary["parties_met"])
        )
        facts = [
            d.t(
                "pack.cases.facts",
                days=summary["days_to_close"],
                visits=summary["visits"],
                accompanied=summary["ride_alongs"],
                parties=parties or "–",
            )
        ]
        _textbox(slide, MARGIN, Inches(1.45), WIDTH - 2 * MARGIN, Inches(0.5), facts, d.lang, 14, True)
        steps = _key_steps(d, timeline)
        _table(
            slide,
            [
                d.t("tm.col.date"),
                d.t("tm.col.step"),
                d.t("pack.col.detail"),
                d.t("tm.col.days_since_previous"),
            ],
            steps,
            d.lang,
            MARGIN,
            Inches(2.05),
            Inches(7.6),
            size=10,
            widths=[1.1, 1.1, 3.6, 1.1],
        )
        stages = case["stages"]
        d.chart(
            slide,
            XL_CHART_TYPE.BAR_CLUSTERED,
            [t(f"stage.{s}", d.lang) if isinstance(s, str) else "–" for s in stages["stage"]][::-1],
            [(d.t("tm.case.days_axis"), list(stages["days"])[::-1])],
            left=Inches(8.3),
            top=Inches(2.05),
            width=Inches(4.55),
            height=Inches(5.0),
            title=d.t("tm.case.stage_days"),
            number_format="0",
            legend=False,
            colors=[ACCENT],
        )


def _key_steps(d: _Deck, timeline: pd.DataFrame) -> list[list[str]]:
    """The case's steps for a slide: every stage change, and the visits between two stage
    changes summed into one line (who was met), so a long case still fits."""
    rows: list[list[str]] = []
    pending: list = []
    last_mark = None

    def flush() -> None:
        if not pending:
            return
        met = []
        for v in pending:
            label = f"{v.client}" + (
                f" ({t(f'client_type.{v.client_type}', d.lang)})" if isinstance(v.client_type, str) else ""
            )
            if label not in met:
                met.append(label)
        first, last = pending[0].day, pending[-1].day
        rows.append(
            [
                f"{first}" if first == last else f"{first} – {last}",
                d.t("pack.cases.visits", n=len(pending)),
                "、".join(met[:3]) if d.lang == "zh" else ", ".join(met[:3]),
                "",
            ]
        )
        pending.clear()

    for step in timeline.itertuples():
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


def _behind_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("tm.section.behind"), d.lang, d.subtitle)
    behind = meetings.behind_on_plan(d.con, d.team, d.week_start, d.filters, d.as_of)
    if behind.empty:
        _textbox(
            slide, MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1), [d.t("tm.behind.none")], d.lang, 18
        )
        return
    rows = [
        [
            str(b.rep),
            "; ".join(d.t(f"tm.reason.{r}") for r in b.reasons),
            d.money(b.won_amount),
            d.money(b.expected_by_now),
            format_count(b.visits_this_week),
            format_count(b.planned_missed),
        ]
        for b in behind.itertuples()
    ]
    _table(
        slide,
        [
            d.t("tm.col.rep"),
            d.t("tm.col.why"),
            d.t("tm.col.won"),
            d.t("tm.col.expected"),
            d.t("tm.col.visits_week"),
            d.t("tm.col.planned_missed"),
        ],
        rows,
        d.lang,
        MARGIN,
        Inches(1.6),
        WIDTH - 2 * MARGIN,
        size=12,
        widths=[1.1, 3, 1.2, 1.2, 0.9, 0.9],
    )
    _textbox(
        slide,
        MARGIN,
        Inches(6.8),
        WIDTH - 2 * MARGIN,
        Inches(0.5),
        [d.t("tm.behind.rule", pace=int(meetings.BEHIND_PACE_SHARE * 100))],
        d.lang,
        10,
        color=MUTED,
    )


def _issues_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("mm.section.issues"), d.lang, d.subtitle)
    issues = d.issues()
    lines = []
    for kind, group in issues.groupby("kind", sort=False) if len(issues) else []:
        lines.append(d.t(f"mm.issue.{kind}"))
        lines += ["   • " + meetings.issue_text(r, d.lang) for r in group.head(3).itertuples()]
    _textbox(
        slide,
        MARGIN,
        Inches(1.5),
        WIDTH - 2 * MARGIN,
        Inches(5.7),
        lines or [d.t("mm.issues.none")],
        d.lang,
        13,
    )


def _school_slide(d: _Deck) -> None:
    window = school.window_for(d.as_of)
    slide = _slide(
        d.deck,
        d.t("pack.school.title"),
        d.lang,
        d.t("mm.practices.window", window=school.window_label(window, d.lang)),
    )
    comparison = d.school()["comparison"]
    shown = comparison.iloc[::-1]
    d.chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        [d.t(f"ss.b.{b}") for b in shown["behaviour"]],
        [
            (
                d.t("pack.series.effect"),
                [
                    0 if v == "too_few" or g != g else g
                    for g, v in zip(shown["effect_size"], shown["verdict"])
                ],
            )
        ],
        left=MARGIN,
        top=Inches(1.45),
        width=Inches(6.4),
        height=Inches(5.8),
        title=d.t("ss.chart.effects"),
        number_format="0.0",
        legend=False,
        point_colors=[VERDICT_COLORS[v] for v in shown["verdict"]],
    )
    claims = comparison[comparison["verdict"].isin(["clear", "suggestive"])]
    lines = [school.finding_text(r, d.lang) for r in claims.itertuples()]
    if not lines:
        too_few = (comparison["verdict"] == "too_few").all()
        lines = [
            d.t(
                "ss.too_few",
                n_top=int(comparison["n_top"].max()),
                n_rest=int(comparison["n_rest"].max()),
                min_group=school.MIN_GROUP,
                min_reps=school.MIN_REPS,
            )
            if too_few
            else d.t("ss.findings.none")
        ]
    _textbox(slide, Inches(7.1), Inches(1.6), Inches(5.75), Inches(5.6), lines, d.lang, 13, bullet="• ")


def _next_steps_slide(d: _Deck) -> None:
    slide = _slide(d.deck, d.t("pack.next.title"), d.lang, d.subtitle)
    left: list[str] = []
    if d.team:
        planned = meetings.next_week_visits(d.con, d.team, d.week_start, d.filters)
        _textbox(
            slide,
            MARGIN,
            Inches(1.5),
            Inches(6.2),
            Inches(0.5),
            [d.t("tm.section.next")],
            d.lang,
            18,
            True,
            ACCENT,
        )
        rows = [[str(p.planned_date), str(p.rep), str(p.client or "")] for p in planned.itertuples()]
        if rows:
            _table(
                slide,
                [d.t("tm.col.date"), d.t("tm.col.rep"), d.t("tm.col.client")],
                rows,
                d.lang,
                MARGIN,
                Inches(2.05),
                Inches(6.2),
                size=11,
                widths=[1, 1, 2.4],
            )
        else:
            _textbox(slide, MARGIN, Inches(2.05), Inches(6.2), Inches(1), [d.t("tm.next.none")], d.lang, 13)
    else:
        issues = d.issues()
        _textbox(
            slide,
            MARGIN,
            Inches(1.5),
            Inches(6.2),
            Inches(0.5),
            [d.t("pack.next.escalate")],
            d.lang,
            18,
            True,
            ACCENT,
        )
        for kind, group in issues.groupby("kind", sort=False) if len(issues) else []:
            left.append(d.t(f"pack.next.action.{kind}", n=len(group)))
        _textbox(
            slide,
            MARGIN,
            Inches(2.05),
            Inches(6.2),
            Inches(5),
            left or [d.t("mm.issues.none")],
            d.lang,
            14,
            bullet="• ",
        )
    steps = d.school()["steps"]
    if d.team:
        steps = steps[steps["team"] == d.team]
    _textbox(
        slide,
        Inches(6.9),
        Inches(1.5),
        Inches(5.95),
        Inches(0.5),
        [d.t("pack.next.steps")],
        d.lang,
        18,
        True,
        ACCENT,
    )
    lines = []
    for rep_id, group in list(steps.groupby("rep_id", sort=False))[:6]:
        lines.append(
            f"{group['rep'].iloc[0]}: "
            + "; ".join(school.step_text(r, d.lang) for r in group.head(2).itertuples())
        )
    _textbox(
        slide,
        Inches(6.9),
        Inches(2.05),
        Inches(5.95),
        Inches(5),
        lines or [d.t("ss.steps.none")],
        d.lang,
        12,
        bullet="• ",
    )

"""The pack's native charts: PowerPoint chart objects with their data inside (editable in PowerPoint
or LibreOffice), never pictures. Their colours are `salesmgmt.palette`'s, as in the app's charts:
won green, target slate, a team's, a stage's and a verdict's own colour."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.slide import Slide
from pptx.util import Length, Pt
from xlsxwriter import Workbook

from salesmgmt import palette
from salesmgmt.pack.draw import rgb, set_fonts

GRIDLINE = rgb("E0E0E0")
#: Bar charts: their bars get the series' colours and their labels sit low.
BAR_KINDS = (XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.COLUMN_STACKED)

#: One series of a chart: its name and a value per category (None or NaN: no value).
Series = tuple[str, Sequence[float | None]]


@dataclass(frozen=True)
class Box:
    """Where a chart sits on its slide."""

    left: Length
    top: Length
    width: Length
    height: Length


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every name written as text: XlsxWriter would otherwise
    store '=HYPERLINK(...)' as a live formula and 'http://...' as a link (issue 18, finding 10)."""

    @contextmanager
    def _open_worksheet(self, xlsx_file: Any) -> Iterator[tuple[Any, Any]]:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _ChartData(CategoryChartData):
    """CategoryChartData whose workbook keeps names as text."""

    @property
    def _workbook_writer(self) -> _TextWorkbookWriter:
        return _TextWorkbookWriter(self)  # type: ignore[no-untyped-call]


def _values(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None or v != v else float(v) for v in values]


def chart(
    slide: Slide,
    kind: XL_CHART_TYPE,
    categories: list[str],
    series: list[Series],
    lang: str,
    box: Box,
    title: str,
    number_format: str = "#,##0",
    legend: bool = True,
    colors: list[str] | None = None,
    point_colors: list[str] | None = None,
) -> Chart:
    """A native chart; empty data becomes one '–' category of zeros (a chart is still there).
    `colors` ('#RRGGBB', from the palette) colour the series in turn, else the palette's
    sequence; `point_colors` the bars of a one-series chart."""
    data = _ChartData(number_format=number_format)  # type: ignore[no-untyped-call]
    if not categories:
        categories = ["–"]
        series = [(name, [0.0]) for name, _ in series] or [("–", [0.0])]
    data.categories = categories
    for name, values in series:
        data.add_series(name, _values(values))  # type: ignore[no-untyped-call]
    graphic = slide.shapes.add_chart(kind, box.left, box.top, box.width, box.height, data)  # type: ignore[arg-type]
    drawn: Chart = graphic.chart  # type: ignore[attr-defined]
    drawn.has_title = True
    drawn.chart_title.text_frame.text = title
    for para in drawn.chart_title.text_frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(16)
            run.font.bold = True
            set_fonts(run._r.get_or_add_rPr(), lang)
    drawn.font.size = Pt(12)
    set_fonts(drawn.font._rPr, lang)
    drawn.has_legend = legend and len(series) > 1
    if drawn.has_legend:
        drawn.legend.position = XL_LEGEND_POSITION.BOTTOM
        drawn.legend.include_in_layout = False
    in_turn = [rgb(c) for c in colors or palette.SERIES]
    plot = drawn.plots[0]
    if kind in BAR_KINDS:
        for i, plot_series in enumerate(plot.series):
            plot_series.format.fill.solid()
            plot_series.format.fill.fore_color.rgb = in_turn[i % len(in_turn)]
        if point_colors and len(categories) == len(point_colors):
            for point, color in zip(plot.series[0].points, point_colors):
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = rgb(color)
        # Labels beside the axis line would sit on bars that go below zero.
        drawn.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if kind == XL_CHART_TYPE.LINE_MARKERS:
        for i, plot_series in enumerate(plot.series):
            plot_series.format.line.color.rgb = in_turn[i % len(in_turn)]
            plot_series.smooth = False
    axis = drawn.value_axis
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = GRIDLINE
    return drawn

"""The meeting pack on the tiny company: opened again with python-pptx, it has at least eight
slides and four native charts, the figures checked by hand, every text in the chosen language
and an East Asian font on every run."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn

from salesmgmt import pack, palette
from salesmgmt.cli import main
from salesmgmt.errors import SalesmgmtError
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")
CHART_TYPES = (
    set(XL_CHART_TYPE.__members__.values())
    if hasattr(XL_CHART_TYPE, "__members__")
    else {m.value for m in XL_CHART_TYPE}
)
CJK = re.compile(r"[\u3400-\u9fff]")


def open_deck(data: bytes) -> Presentation:
    return Presentation(io.BytesIO(data))


def charts_of(deck):
    return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]


def texts_of(deck) -> list[str]:
    """Every text a reader sees: text boxes, table cells, chart titles, series and categories."""
    found = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                found.append(shape.text_frame.text)
            if shape.has_table:
                found += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                chart = shape.chart
                if chart.has_title:
                    found.append(chart.chart_title.text_frame.text)
                for plot in chart.plots:
                    found += [str(c) for c in plot.categories]
                    found += [s.name for s in plot.series]
    return found


def data_names(con) -> list[str]:
    """Names that come from the data (shown as they are), longest first."""
    names = []
    for sql in (
        "SELECT name FROM reps",
        "SELECT name FROM clients",
        "SELECT DISTINCT team FROM reps",
        "SELECT DISTINCT region FROM reps",
        "SELECT name FROM opportunities WHERE name IS NOT NULL",
        "SELECT opp_id FROM opportunities",
    ):
        names += [row[0] for row in con.execute(sql).fetchall() if row[0]]
    return sorted(set(names), key=len, reverse=True)


def without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


@pytest.fixture
def team_deck_zh(tiny_con):
    return open_deck(
        pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="zh", team="Dragon", week_of=tiny.AS_OF)
    )


@pytest.fixture
def manager_deck_en(tiny_con):
    return open_deck(pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="en"))


def test_the_team_deck_has_eight_slides_and_four_native_charts(team_deck_zh):
    assert len(team_deck_zh.slides) >= 8
    charts = charts_of(team_deck_zh)
    assert len(charts) >= 4
    assert all(chart.chart_type in CHART_TYPES for chart in charts), "real, editable chart objects"
    assert not any(shape.shape_type == 13 for slide in team_deck_zh.slides for shape in slide.shapes), (
        "no pictures"
    )


def test_the_team_decks_figures_are_the_teams(team_deck_zh):
    texts = texts_of(team_deck_zh)
    # Dragon in May: won 100,000 of 300,000; forecast 100,000 + 30,000 (O4 at the quote stage's
    # 60%) + 90,000 (Li's O5 and O9); the target needs both O5 (0.8) and O9 (0.1); visits
    # (6 + 4) / (2 engineers x 4 weeks), each met the norm in 2 of 4 weeks.
    assert "赢单\n10.0 万元\n目标 30.0 万元" in texts
    assert "完成率\n33%\n预测完成率 73%" in texts
    assert "达成目标概率\n8%" in texts
    assert "人均周拜访\n1.2\n50% 的人周达标" in texts
    won_chart = next(
        c for c in charts_of(team_deck_zh) if c.chart_title.text_frame.text.startswith("赢单与目标")
    )
    plot = won_chart.plots[0]
    assert list(plot.categories) == ["张伟 Zhang", "李娜 Li"], "Dragon's sales engineers"
    won, target = (list(s.values) for s in plot.series)
    assert won == [10.0, 0.0] and target == [10.0, 20.0], "in 万元"
    ranking = next(c for c in charts_of(team_deck_zh) if c.chart_title.text_frame.text.startswith("综合得分"))
    # Zhang: 100 x (0.4 x 1 + 0.2 x 0.75 + 0.2 x 1) / 0.8; Li: 100 x 0.2 x 0.5 / 0.6 (best at the top).
    assert list(ranking.plots[0].categories) == ["李娜 Li", "张伟 Zhang"]
    assert list(ranking.plots[0].series[0].values) == pytest.approx([100 * 0.1 / 0.6, 93.75])


def test_every_text_of_the_chinese_deck_is_chinese(tiny_con, team_deck_zh):
    names = data_names(tiny_con)
    allowed = {"Hedges", "Mann", "Whitney"}
    for text in texts_of(team_deck_zh):
        words = set(re.findall(r"[A-Za-z]{3,}", without(text, names)))
        assert not words - allowed, f"English in the Chinese deck: {text!r}"


def test_every_text_of_the_english_deck_is_english(tiny_con, manager_deck_en):
    names = data_names(tiny_con)
    for text in texts_of(manager_deck_en):
        assert not CJK.search(without(text, names)), f"Chinese in the English deck: {text!r}"


def test_every_run_names_an_east_asian_font(team_deck_zh):
    runs = with_ea = 0
    for slide in team_deck_zh.slides:
        for run in slide.shapes._spTree.iter(qn("a:r")):
            runs += 1
            rpr = run.find(qn("a:rPr"))
            with_ea += rpr is not None and rpr.find(qn("a:ea")) is not None
    assert runs > 50 and with_ea == runs


def test_the_manager_deck_compares_the_teams(manager_deck_en):
    assert len(manager_deck_en.slides) >= 8
    charts = charts_of(manager_deck_en)
    assert len(charts) >= 4
    assert any(c.chart_type == XL_CHART_TYPE.LINE_MARKERS for c in charts), "each team's trend"
    won_chart = next(c for c in charts if c.chart_title.text_frame.text.startswith("Won and target"))
    plot = won_chart.plots[0]
    assert list(plot.categories) == ["Dragon", "Tiger"]
    won, target = (list(s.values) for s in plot.series)
    assert won == [100_000, 0] and target == [300_000, 150_000], "Tiger's own target, in CNY"
    assert any("CNY 100,000" in t for t in texts_of(manager_deck_en))


def fill_colors(chart) -> list[str]:
    """'#RRGGBB' of each series' line (line charts) or fill (bar charts), in series order."""
    line = chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    return [
        f"#{s.format.line.color.rgb if line else s.format.fill.fore_color.rgb}" for s in chart.plots[0].series
    ]


def test_the_packs_charts_take_the_palettes_colours(manager_deck_en):
    charts = charts_of(manager_deck_en)
    won = next(c for c in charts if c.chart_title.text_frame.text.startswith("Won and target"))
    assert fill_colors(won) == [palette.WON, palette.TARGET]
    forecast = next(c for c in charts if c.chart_title.text_frame.text.startswith("Won, commit"))
    assert fill_colors(forecast) == [
        palette.WON,
        palette.COMMIT,
        palette.BEST_CASE,
        palette.FORECAST,
        palette.TARGET,
    ]
    trend = next(c for c in charts if c.chart_type == XL_CHART_TYPE.LINE_MARKERS)
    teams = [s.name for s in trend.plots[0].series]
    assert fill_colors(trend) == [palette.team_colors(teams)[team] for team in teams], "as in the app"


def test_a_success_cases_days_per_stage_take_each_stages_colour(tiny_con):
    # O2 (Dragon, won 20 May) moved from lead through quote and negotiation.
    tiny_con.execute("DELETE FROM opportunity_history WHERE opp_id = 'O2'")
    tiny_con.executemany(
        "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id, stage,"
        " status, amount) VALUES ('O2', ?, ?, 1, 2, ?, ?, 40000)",
        [
            (date(2026, 3, 1), date(2026, 4, 1), "lead", "open"),
            (date(2026, 4, 1), date(2026, 5, 5), "quote", "open"),
            (date(2026, 5, 5), date(2026, 5, 20), "negotiation", "open"),
            (date(2026, 5, 20), None, "won", "won"),
        ],
    )
    deck = open_deck(
        pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="en", team="Dragon", week_of=date(2026, 5, 20))
    )
    days = next(c for c in charts_of(deck) if c.chart_title.text_frame.text == "Days in each stage")
    bars = [f"#{point.format.fill.fore_color.rgb}" for point in days.plots[0].series[0].points]
    assert list(days.plots[0].categories) == ["Negotiation", "Quote / tender", "Lead"]
    assert bars == [palette.stage_color(s) for s in ("negotiation", "quote", "lead")]


def test_an_empty_week_still_makes_a_full_deck(tiny_con):
    deck = open_deck(
        pack.build_deck(tiny_con, Period.parse("2025-01"), as_of=tiny.AS_OF, lang="en", team="Tiger")
    )
    assert len(deck.slides) >= 8 and len(charts_of(deck)) >= 4


def test_a_team_is_found_by_one_word_of_its_name(tiny_con):
    assert pack.resolve_team(tiny_con, "dragon") == "Dragon"
    with pytest.raises(SalesmgmtError) as error:
        pack.resolve_team(tiny_con, "Lion")
    assert "Dragon, Tiger" in error.value.message("en")
    assert pack.file_name(MAY, "龙 Dragon", "zh") == "team-meeting_龙-Dragon_2026-05_zh.pptx"


def test_the_pack_command_writes_the_deck(tiny_db, tmp_path, capsys):
    out = tmp_path / "deck.pptx"
    status = main(
        [
            "pack",
            "--period",
            "2026-05",
            "--team",
            "Dragon",
            "--lang",
            "en",
            "--out",
            str(out),
            "--db",
            str(tiny_db),
            "--as-of",
            "2026-05-31",
        ]
    )
    assert status == 0 and out.exists()
    assert len(open_deck(out.read_bytes()).slides) >= 8
    assert (
        main(["pack", "--period", "2026-05", "--team", "Lion", "--out", str(out), "--db", str(tiny_db)]) == 1
    )
    assert "Dragon, Tiger" in capsys.readouterr().err


FORMULA = '=HYPERLINK("http://evil.example","x")'


def embedded_workbooks(deck):
    """Each chart's data as PowerPoint embeds it: an .xlsx opened with openpyxl."""
    import openpyxl

    return [
        openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
        for chart in charts_of(deck)
    ]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_charts_workbooks(tiny_con):
    tiny_con.execute("UPDATE reps SET name = ? WHERE rep_id = 1", [FORMULA])
    tiny_con.execute("UPDATE reps SET name = 'http://evil.example/' WHERE rep_id = 2")
    tiny_con.execute("UPDATE reps SET team = ? WHERE team = 'Tiger'", [FORMULA])
    tiny_con.execute("UPDATE targets SET scope_key = ? WHERE scope_key = 'Tiger'", [FORMULA])
    decks = [
        open_deck(pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="en")),
        open_deck(
            pack.build_deck(tiny_con, MAY, as_of=tiny.AS_OF, lang="en", team="Dragon", week_of=tiny.AS_OF)
        ),
    ]
    cells = [
        cell
        for deck in decks
        for book in embedded_workbooks(deck)
        for row in book.active.iter_rows()
        for cell in row
    ]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert FORMULA in {c.value for c in cells if c.data_type == "s"}
    assert not [c.coordinate for c in cells if c.hyperlink is not None]

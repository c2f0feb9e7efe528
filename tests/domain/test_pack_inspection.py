"""The meeting pack's slide of the biggest pipeline changes, on the hand-checked history of
tests/inspection_history.py (June 2026 on June 15 against June 8)."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.pack.build import build_deck
from salesmgmt.periods import Period
from tests import inspection_history as history

JUNE = Period.parse(history.PERIOD)


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "inspection.duckdb") as con:
        history.load(con)
        yield con


def slide_titled(data: bytes, title: str):
    deck = Presentation(io.BytesIO(data))
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        if texts and texts[0] == title:
            return slide
    raise AssertionError(f"no slide titled {title!r}")


def table_rows(slide) -> list[list[str]]:
    shape = next(shape for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


def risk_line(slide) -> str:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame][-1]


def test_the_managers_deck_lists_the_biggest_changes_with_what_changed(con):
    data = build_deck(con, JUNE, as_of=history.AS_OF, lang="en")
    slide = slide_titled(data, "Biggest pipeline changes")
    rows = table_rows(slide)
    assert rows[0] == ["Deal", "Client", "Rep", "Amount", "Change", "What changed"]
    # P1 80,000, W1 70,000, S1 60,000, L1 25,000, then the two 10,000 moves and N1's 10,000.
    assert [r[0] for r in rows[1:]] == [
        "Deal P1",
        "Deal W1",
        "Deal S1",
        "Deal L1",
        "Deal D1",
        "Deal N1",
        "Deal U1",
    ]
    assert rows[1][3:] == ["CNY 80,000", "", "Pulled in, Stage back"]
    assert rows[3][5] == "Pushed, Slipped out"
    assert rows[5][3:] == ["CNY 40,000", "CNY -10,000", "Amount down, Pushed"]
    assert rows[7][3:] == ["CNY 30,000", "+CNY 10,000", "Amount up"]
    # D1, O8, X1 not visited; O8 and X1 stalled and overdue.
    assert risk_line(slide) == "At risk: Stalled 2 · No recent visit 3 · Overdue 2"


def test_the_slide_in_chinese_counts_money_in_wan(con):
    data = build_deck(con, JUNE, as_of=history.AS_OF, lang="zh")
    rows = table_rows(slide_titled(data, "商机变化最大的项目"))
    assert rows[1][3:] == ["8.0 万元", "", "提前、阶段倒退"]


def test_a_teams_deck_shows_only_its_deals(con):
    data = build_deck(con, JUNE, as_of=history.AS_OF, lang="en", team="Tiger")
    slide = slide_titled(data, "Biggest pipeline changes")
    # Tiger's only deal of June, O8, changed nothing: the slide says so.
    assert not any(shape.has_table for shape in slide.shapes)
    assert "No deal of the period changed" in risk_line(slide)


def test_a_rep_outside_the_filters_is_not_on_the_slide(con):
    data = build_deck(con, JUNE, as_of=history.AS_OF, lang="en", filters=Filters(scope_rep_ids=(2,)))
    slide = slide_titled(data, "Biggest pipeline changes")
    assert not any(shape.has_table for shape in slide.shapes)  # X1 only: unchanged

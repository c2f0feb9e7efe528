"""Cell values as real exports write them: dates, money, probabilities, flags, vocabularies, periods."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from salesmgmt.importer import dates as D
from salesmgmt.importer import values as V

DATES = [
    ("2024-05-06", date(2024, 5, 6)),
    ("2024/5/6", date(2024, 5, 6)),
    ("2024.5.6", date(2024, 5, 6)),
    ("2024年5月6日", date(2024, 5, 6)),
    ("２０２４－０５－０６", date(2024, 5, 6)),  # full-width digits and dash
    ("2024-05-06 14:30:00", date(2024, 5, 6)),
    ("2024-05-06T14:30:00Z", date(2024, 5, 6)),
    ("2024/5/6 下午 2:30", date(2024, 5, 6)),
    ("20240506", date(2024, 5, 6)),
    ("45418", date(2024, 5, 6)),  # Excel serial
    ("6-May-2024", date(2024, 5, 6)),
    ("May 6, 2024", date(2024, 5, 6)),
    (datetime(2024, 5, 6, 9, 15), date(2024, 5, 6)),  # Excel date-time cell: time dropped
    (date(2024, 5, 6), date(2024, 5, 6)),
    (45418.0, date(2024, 5, 6)),  # Excel number cell holding a serial
]


@pytest.mark.parametrize("cell, expected", DATES)
def test_dates_are_read_in_every_common_spelling(cell, expected):
    assert D.parse_date_cell(cell) == expected


@pytest.mark.parametrize(
    "cell", ["2024-13-45", "2024-02-30", "next week", "12345", "1800-01-01", "5/6", "--2024"]
)
def test_what_is_not_a_date_is_an_error(cell):
    with pytest.raises(V.Bad):
        D.parse_date_cell(cell)


def test_a_column_with_10_20_2016_is_read_month_first_for_all_its_rows():
    column = pd.Series(["10/20/2016", "3/1/2017", "3/11/2017"])
    month_first, day_first = D.date_order_votes(column)
    assert (month_first, day_first) == (1, 0)
    parsed = D.parse_dates(column, day_first=False)
    assert [d.date() for d in parsed.values] == [date(2016, 10, 20), date(2017, 3, 1), date(2017, 3, 11)]


def test_a_column_with_20_10_2016_is_read_day_first_for_all_its_rows():
    column = pd.Series(["20/10/2016", "3/1/2017"])
    assert D.date_order_votes(column) == (0, 1)
    parsed = D.parse_dates(column, day_first=True)
    assert [d.date() for d in parsed.values] == [date(2016, 10, 20), date(2017, 1, 3)]


def test_a_date_that_contradicts_the_columns_order_is_an_error_not_a_silent_swap():
    parsed = D.parse_dates(pd.Series(["10/20/2016", "20/10/2016"]), day_first=False)
    assert parsed.errors.iloc[0] is None
    assert parsed.errors.iloc[1][0] == "import.bad_date"


MONEY = [
    ("12345", 12345.0),
    ("12,345.50", 12345.5),
    ("￥12,345", 12345.0),
    ("¥12,345", 12345.0),
    ("12.5万", 125000.0),
    ("3.2万元", 32000.0),
    ("RMB 1,000", 1000.0),
    ("1000元", 1000.0),
    ("  8 000 ", 8000.0),
    ("0", 0.0),
    (1234.567, 1234.57),
    (98765, 98765.0),
    ("1.2亿", 120_000_000.0),
    ("１２，３４５", 12345.0),
]


@pytest.mark.parametrize("cell, expected", MONEY)
def test_amounts_are_read_with_currency_signs_separators_and_wan(cell, expected):
    assert V.parse_money_cell(cell) == pytest.approx(expected)


def test_a_column_headed_in_wan_counts_its_plain_numbers_in_wan():
    assert V.parse_money_cell("12.5", multiplier=10_000) == 125_000
    assert V.parse_money_cell("3万", multiplier=10_000) == 30_000  # the cell's own unit wins


@pytest.mark.parametrize(
    "cell, key",
    [
        ("-100", "import.negative_money"),
        ("(1,200)", "import.negative_money"),
        ("￥-5", "import.negative_money"),
        ("abc", "import.bad_money"),
        ("12..5", "import.bad_money"),
        ("1e30", "import.bad_money"),
    ],
)
def test_negative_or_unreadable_amounts_are_errors(cell, key):
    with pytest.raises(V.Bad) as info:
        V.parse_money_cell(cell)
    assert info.value.key == key


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("60%", 0.6),
        ("60", 0.6),
        ("0.6", 0.6),
        (0.6, 0.6),
        ("100%", 1.0),
        ("1", 1.0),
        ("0", 0.0),
        ("6.5%", 0.065),
        ("６０％", 0.6),
    ],
)
def test_probabilities_are_stored_between_0_and_1(cell, expected):
    assert V.parse_probability_cell(cell) == pytest.approx(expected)


@pytest.mark.parametrize("cell", ["150%", "-10", "high", "101"])
def test_impossible_probabilities_are_errors(cell):
    with pytest.raises(V.Bad):
        V.parse_probability_cell(cell)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("是", True),
        ("√", True),
        ("no", False),
        ("n", False),
        ("FALSE", False),
        ("0", False),
        ("否", False),
        (True, True),
        (0, False),
    ],
)
def test_flags_read_yes_no_in_both_languages(cell, expected):
    assert V.parse_flag_cell(cell) is expected


def test_an_unreadable_flag_is_an_error_but_an_empty_one_is_empty():
    parsed = V.parse_flags(pd.Series(["maybe", None, "无"]))
    assert parsed.errors.iloc[0][0] == "import.bad_flag"
    assert pd.isna(parsed.values.iloc[1])
    assert parsed.values.iloc[2] is False or parsed.values.iloc[2] == False  # noqa: E712 - "无" is no


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("设计院", "design_institute"),
        ("某某建筑设计研究院", "design_institute"),
        ("Design institute", "design_institute"),
        ("钢结构", "steel_structure"),
        ("钢结构公司", "steel_structure"),
        ("Steel structure", "steel_structure"),
        ("施工", "construction"),
        ("施工单位", "construction"),
        ("general contractor", "construction"),
        ("业主", "owner"),
        ("甲方", "owner"),
        ("建设单位", "owner"),
        ("Owner", "owner"),
        ("其他", "other"),
        ("other", "other"),
    ],
)
def test_client_types_map_to_the_fixed_types(cell, expected):
    assert V.client_type_of(cell) == expected


def test_an_unknown_client_type_is_kept_as_other_and_reported_once():
    parsed = V.parse_vocabulary(pd.Series(["设计院", "贸易商", "贸易商"]), V.client_type_of, "other")
    assert list(parsed.values) == ["design_institute", "other", "other"]
    assert parsed.notes and "贸易商" in parsed.notes[0][1]["values"]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("上门拜访", "visit"),
        ("拜访", "visit"),
        ("Visit", "visit"),
        ("电话", "call"),
        ("电话拜访", "call"),
        ("Call", "call"),
        ("会议", "meeting"),
        ("视频会议", "meeting"),
        ("微信", "other"),
    ],
)
def test_visit_types_map_to_visit_call_meeting_other(cell, expected):
    assert V.visit_type_of(cell) == expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("赢单", "won"),
        ("成交", "won"),
        ("已成交", "won"),
        ("Closed Won", "won"),
        ("输单", "lost"),
        ("丢单", "lost"),
        ("失败", "lost"),
        ("无效", "lost"),
        ("closed lost", "lost"),
        ("进行中", "open"),
        ("open", "open"),
    ],
)
def test_an_explicit_status_column_reads_won_lost_and_open(cell, expected):
    assert V.status_value(cell) == expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024-05", "2024-05"),
        ("2024/5", "2024-05"),
        ("2024年5月", "2024-05"),
        ("202405", "2024-05"),
        ("2024-Q2", "2024-Q2"),
        ("2024Q2", "2024-Q2"),
        ("Q2 2024", "2024-Q2"),
        ("2024年第二季度", "2024-Q2"),
        ("2024年第2季度", "2024-Q2"),
        ("2024", "2024"),
        ("2024年", "2024"),
        ("2024-05-01", "2024-05"),
        (datetime(2024, 5, 1), "2024-05"),
        (2024, "2024"),
        ("May 2024", "2024-05"),
    ],
)
def test_target_periods_are_months_quarters_or_years(cell, expected):
    assert D.parse_period_cell(cell) == expected


def test_a_quarter_target_is_split_evenly_over_its_months_to_the_cent():
    assert D.period_months("2024-Q2") == [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)]
    parts = D.split_amount(100_000, 3)
    assert parts == [33333.33, 33333.33, 33333.34] and sum(parts) == pytest.approx(100_000)
    assert len(D.period_months("2024")) == 12


def test_text_that_our_exports_escaped_is_read_back_verbatim():
    text = V.to_text(pd.Series(['\'=HYPERLINK("x")', "'-5", "'plain", "  padded  ", ""]))
    assert list(text[:4]) == ['=HYPERLINK("x")', "-5", "'plain", "padded"] and pd.isna(text[4])
    assert V.csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert V.csv_safe("@SUM(A1)") == "'@SUM(A1)" and V.csv_safe("normal") == "normal"

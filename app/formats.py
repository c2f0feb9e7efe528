"""Numbers, money, dates and user text as the pages show them, in the user's language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from app.texts import lang, t
from salesmgmt import glossary, i18n
from salesmgmt.i18n import format_count, format_money, format_percent
from salesmgmt.measures import Measure
from salesmgmt.text import bidi_neutral as neutral


def money(value: float | None) -> str:
    return format_money(value, lang())


def money_short(value: float | None) -> str:
    """Money without the unit (the unit is in the title or axis)."""
    return format_money(value, lang(), with_unit=False)


def money_unit() -> str:
    return t("unit.money")


def money_divisor() -> int:
    """What money is divided by for charts and tables in the user's language (万 in Chinese)."""
    return i18n.money_divisor(lang())


def with_unit(text: str) -> str:
    """A header or label with the money unit: '赢单（万元）' / 'Won (CNY)'."""
    return i18n.with_money_unit(text, lang())


def label(key: str) -> str:
    """The name of the measure `key` in the user's language (salesmgmt.glossary), where a chart's
    axis or series, a KPI or a section names that one measure. An unknown key is refused."""
    return _measure(key).label(lang())


def header(key: str) -> str:
    """`label` with the money unit where the measure is money: '预测（万元）' / 'Forecast (CNY)'."""
    return _measure(key).header(lang())


def _measure(key: str) -> Measure:
    measure = glossary.find(key)
    if measure is None:
        raise KeyError(f"{key!r} is not a measure")
    return measure


def pct(value: float | None, digits: int = 0) -> str:
    return format_percent(value, digits)


def count(value: float | None) -> str:
    return format_count(value)


def date_text(value: Any) -> str:
    """A date as YYYY-MM-DD (whatever pandas made of it); '–' when missing."""
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def days_text(first: Any, last: Any) -> str:
    """'2026-12-01' for one day, '2026-12-01 – 2026-12-03' for several."""
    return date_text(first) if first == last else f"{date_text(first)} – {date_text(last)}"


def delta_text(current: float | None, previous: float | None, kind: str = "percent_change") -> str | None:
    """Change against the previous period for st.metric: '+12%' (relative) or '+3 pts'; None
    (no delta, no green or red arrow) when there is nothing to compare or the change rounds to 0."""
    change = delta_change(current, previous, kind)
    if change is None:
        return None
    return change + (" " + t("unit.points") if kind == "points" else "%")


def delta_change(current: float | None, previous: float | None, kind: str = "percent_change") -> str | None:
    """The signed, rounded number of delta_text without its unit ('+12', '-3'); None when a
    value is missing, the previous is 0 for a relative change, or the change rounds to 0."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    if kind == "points":
        change = (current - previous) * 100
    elif previous == 0:
        return None
    else:
        change = (current - previous) / abs(previous) * 100
    text = f"{change:+.0f}"
    return None if text in ("+0", "-0") else text


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$"


def md(text: Any) -> str:
    """User text made inert inside st.markdown: every Markdown character escaped (no links,
    no emphasis, no HTML), bidi controls shown, not obeyed (salesmgmt.text)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in neutral(str(text)))

"""Every visible text in Chinese and English, through one catalogue.

The catalogue is split by area (`salesmgmt/locales/*.py`, each with an `EN` and a `ZH` dict with
the same keys; a test proves it) and merged here. `t(key, lang, **values)` formats a message.
Money: in Chinese it is shown in 万元 (the unit goes in the title or axis), in English as CNY with
thousands separators.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import salesmgmt.locales as _locales

LANGS = ("zh", "en")
DEFAULT_LANG = "en"


def _load() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
    for info in sorted(pkgutil.iter_modules(_locales.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"salesmgmt.locales.{info.name}")
        for lang, table in (("en", module.EN), ("zh", module.ZH)):
            clash = set(merged[lang]) & set(table)
            if clash:
                raise RuntimeError(f"duplicate message keys in locales/{info.name}: {sorted(clash)}")
            merged[lang].update(table)
    return merged


CATALOGUE: dict[str, dict[str, str]] = _load()


def normalise_lang(value: str | None) -> str | None:
    """'zh-CN', 'zh_TW', 'ZH' -> 'zh'; 'en-GB' -> 'en'; anything else -> None."""
    if not value:
        return None
    head = str(value).strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else None


def t(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The message `key` in `lang`, filled with `values`. A missing key shows itself, never crashes."""
    table = CATALOGUE.get(lang) or CATALOGUE[DEFAULT_LANG]
    text = table.get(key) or CATALOGUE[DEFAULT_LANG].get(key) or key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


# ----------------------------------------------------------------------------------------
# Numbers and money


def money_divisor(lang: str) -> int:
    """Chinese reports count money in 万 (10,000 yuan)."""
    return 10_000 if lang == "zh" else 1


def money_unit(lang: str) -> str:
    return t("unit.money", lang)


def with_money_unit(text: str, lang: str) -> str:
    """A header or label with the money unit: '赢单（万元）' / 'Won (CNY)'. The one unit rule."""
    unit = money_unit(lang)
    return text + (f"（{unit}）" if lang == "zh" else f" ({unit})")


def format_number(value: float | int | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.{digits}f}"


def format_money(value: float | int | None, lang: str, with_unit: bool = True) -> str:
    """12345678 -> '1,234.6 万元' (zh) or 'CNY 12,345,678' (en); None -> '–'."""
    if value is None or value != value:  # NaN
        return "–"
    value = float(value)
    if lang == "zh":
        text = f"{value / 10_000:,.1f}"
        return f"{text} 万元" if with_unit else text
    text = f"{value:,.0f}"
    return f"CNY {text}" if with_unit else text


def format_percent(value: float | None, digits: int = 0) -> str:
    if value is None or value != value:
        return "–"
    return f"{value * 100:.{digits}f}%"


def format_count(value: float | int | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.0f}"

"""Tables for the pages: a DataFrame shown with translated headers, money in the user's unit
(万元 in Chinese, CNY in English), percentages, dates and score bars. A thin layer over
st.dataframe: pages name each column by a measure key or a declared dimension, and the header,
unit and format come from its definition (as Rill's metrics views do); a page only says where its
words or its way of showing a column differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app import formats, texts
from app.texts import t
from salesmgmt import dimensions, glossary
from salesmgmt.i18n import t as translate
from salesmgmt.text import bidi_neutral as neutral

#: How a column is shown (see salesmgmt.dimensions).
KINDS = (
    "text",
    "money",
    "percent",
    "delta",
    "count",
    "number",
    "days",
    "date",
    "score",
    "check",
    "stage",
    "client_type",
    "status",
)
#: Kinds whose values are codes shown in the user's language: kind -> catalogue prefix.
TRANSLATED = {"stage": "stage", "client_type": "client_type", "status": "plan.status"}
#: A measure's format -> the kind its column is shown as.
MEASURE_KINDS = {
    "money": "money",
    "percent": "percent",
    "probability": "percent",
    "count": "count",
    "number": "number",
}


@dataclass(frozen=True)
class Column:
    """A table column named by a measure key or a declared dimension, with what the page changes."""

    key: str
    """A measure key (salesmgmt.glossary) or a dimension key (salesmgmt.dimensions)."""
    label: str | None = None
    """The message key of the header, where the page's words differ from the measure's name."""
    header: str | None = None
    """A header the page made (already in the user's language), for a header with a value in it."""
    column: str | None = None
    """The frame's column, when it is not named after the key."""
    kind: str | None = None
    """Another way to show it than declared: a bar (score), a tick (check), a signed change (delta),
    text already in the user's language."""


#: A column of a table: a key, (key, label key), or a Column.
Entry = str | tuple[str, str] | Column


@dataclass(frozen=True)
class Shown:
    """A column resolved: the frame's column, its header text and its kind."""

    column: str
    header: str
    kind: str


def resolve(entry: Entry, lang: str) -> Shown:
    """The frame column, header and kind of `entry`, from its measure or dimension; a key that is
    neither is refused (ValueError), so every column a table shows is defined once."""
    if isinstance(entry, str):
        entry = Column(entry)
    elif isinstance(entry, tuple):
        entry = Column(entry[0], label=entry[1])
    measure, dimension = glossary.find(entry.key), dimensions.find(entry.key)
    if measure is not None:
        name, kind = measure.label(lang), MEASURE_KINDS[measure.fmt]
    elif dimension is not None:
        name, kind = translate(dimension.label, lang), dimension.kind
    else:
        raise ValueError(f"{entry.key!r} is neither a measure nor a declared dimension")
    if entry.label is not None:
        name = translate(entry.label, lang)
    if entry.header is not None:
        name = entry.header
    kind = entry.kind or kind
    if kind not in KINDS:
        raise ValueError(kind)
    return Shown(entry.column or entry.key, name, kind)


def _config(header: str, kind: str) -> st.column_config.Column | None:
    if kind == "money":
        return st.column_config.NumberColumn(
            formats.with_unit(header), format="%.1f" if texts.lang() == "zh" else "localized"
        )
    if kind == "percent":
        return st.column_config.NumberColumn(header, format="%.0f%%")
    if kind == "delta":  # a change as a signed percent: +12%, -30%
        return st.column_config.NumberColumn(header, format="%+.0f%%")
    if kind in ("count", "days"):
        return st.column_config.NumberColumn(header, format="%d")
    if kind == "number":
        return st.column_config.NumberColumn(header, format="%.1f")
    if kind == "date":
        return st.column_config.DateColumn(header, format="YYYY-MM-DD")
    if kind == "score":
        return st.column_config.ProgressColumn(header, min_value=0, max_value=100, format="%.0f")
    if kind == "check":
        return st.column_config.CheckboxColumn(header)
    return st.column_config.TextColumn(header)


def show(
    frame: pd.DataFrame,
    spec: Sequence[Entry],
    key: str,
    height: int | str = "auto",
    selectable: bool = False,
) -> Any:
    """Draw `frame`'s columns of `spec` (in that order), each with the header, unit and format of
    its measure or dimension (see `resolve`).

    With `selectable`, one row can be picked; the return value is then the selection event.
    """
    resolved = [resolve(entry, texts.lang()) for entry in spec]
    shown = pd.DataFrame(index=frame.index)
    config = {}
    divisor = formats.money_divisor()
    for column, header, kind in ((c.column, c.header, c.kind) for c in resolved):
        values = frame[column]
        if kind == "money":
            values = (values.astype("float64") / divisor).round(1 if divisor > 1 else 0)
        elif kind in ("percent", "delta"):
            values = values.astype("float64") * 100
        elif kind in TRANSLATED:
            values = values.map(
                lambda v, prefix=TRANSLATED[kind]: t(f"{prefix}.{v}") if isinstance(v, str) else None
            )
        elif kind == "number":
            values = values.astype("float64").round(1)
        elif kind == "date":
            values = pd.to_datetime(values)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(lambda v: neutral(v) if isinstance(v, str) else v)
        shown[column] = values
        config[column] = _config(header, kind)
    kwargs = dict(
        column_config=config, hide_index=True, key=key, height=height, width="stretch", placeholder="–"
    )
    if selectable:
        return st.dataframe(
            shown.reset_index(drop=True), on_select="rerun", selection_mode="single-row", **kwargs
        )
    return st.dataframe(shown.reset_index(drop=True), **kwargs)

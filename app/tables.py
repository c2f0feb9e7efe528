"""Tables for the pages: a DataFrame shown with translated headers, money in the user's unit
(万元 in Chinese, CNY in English), percentages, dates and score bars. A thin layer over
st.dataframe so pages only say which columns they show and how."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app import formats, texts
from app.texts import t
from salesmgmt.i18n import money_divisor

#: (column, header, kind); kind is one of KINDS.
Spec = Sequence[tuple[str, str, str]]
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


def with_unit(header: str) -> str:
    """A header or label with the money unit: '赢单（万元）' / 'Won (CNY)'."""
    unit = formats.money_unit()
    return header + (f"（{unit}）" if texts.lang() == "zh" else f" ({unit})")


def _config(header: str, kind: str) -> st.column_config.Column | None:
    if kind == "money":
        return st.column_config.NumberColumn(
            with_unit(header), format="%.1f" if texts.lang() == "zh" else "localized"
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


def show(frame: pd.DataFrame, spec: Spec, key: str, height: int | str = "auto", selectable: bool = False):
    """Draw `frame`'s columns of `spec` (in that order) with their headers and formats.

    With `selectable`, one row can be picked; the return value is then the selection event.
    """
    unknown = [kind for _, _, kind in spec if kind not in KINDS]
    if unknown:
        raise ValueError(unknown)
    shown = pd.DataFrame(index=frame.index)
    config = {}
    divisor = money_divisor(texts.lang())
    for column, header, kind in spec:
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

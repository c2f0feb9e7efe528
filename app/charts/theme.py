"""The one look of every chart: font, margins, and the colours of salesmgmt.palette (one colour per
client type, team and stage, the same in every chart and in the meeting pack); and the one place
where a chart's texts are made plain.

Plotly reads tags (<a href>, <span style>, <b>, <br>) and entities (&amp;) in every label, title,
category, hover and annotation text. Builders therefore never escape: `style_figure`, which every
chart passes through (blocks.chart, or the page), walks the finished figure and escapes every
string in it, so a name from the data is drawn letter for letter wherever a builder put it, in
any field plotly has or will have. Two ways remain for a builder's own markup:

- templates (hovertemplate, texttemplate: every key ending in 'template') are ours and are left
  as written; they must never contain data (pass data as text or customdata and refer to it);
- a line break inside a data text is written `BR`: a marker holding a random key made when the
  process starts, which no stored name can know, turned into <br> after escaping.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

import numpy as np

from salesmgmt.text import bidi_neutral as neutral

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Source Han Sans SC, sans-serif"


#: A line break inside a text from the data (see the module's docstring).
BR = f"\ue000{secrets.token_hex(16)}\ue001"


def style_figure(fig: Any, height: int | None = None) -> Any:
    """The house style of every plotly chart: a CJK-capable font, compact margins; the height the
    builder set is kept (else `height`, else 380 px). Every text is made plain (once)."""
    if not getattr(fig, "_texts_plain", False):
        _plain_texts(fig)
        fig._texts_plain = True
    height = fig.layout.height or height or 380
    fig.update_layout(
        font_family=CJK_FONT,
        height=height,
        margin=dict(l=10, r=10, t=90, b=10),
        title=dict(yref="container", y=0.97, yanchor="top", x=0.01, xanchor="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hoverlabel=dict(font_family=CJK_FONT),
    )
    return fig


def _plain_texts(fig: Any) -> None:
    for trace in fig.data:
        shown = trace.to_plotly_json()
        for key in ("type", "uid"):
            shown.pop(key, None)
        trace.update(_plain_tree(shown, ""))
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    fig.update_layout(_plain_tree(layout, ""))


def _plain_tree(value: Any, key: str) -> Any:
    """`value` with every string made plain, templates (ours) left as they are."""
    if key.endswith("template"):
        return value
    if isinstance(value, str):
        return _plain(value)
    if isinstance(value, dict):
        return {k: _plain_tree(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_tree(v, key) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return np.array([_plain_tree(v, key) for v in value.tolist()], dtype=object)
    return value


def _plain(text: str) -> str:
    """`text` as plotly draws it letter for letter; the builders' `BR` a line break, bidi controls
    shown (salesmgmt.text)."""
    return html.escape(neutral(text), quote=False).replace(BR, "<br>")

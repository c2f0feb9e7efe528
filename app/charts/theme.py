"""The one look of every chart: font, margins, and the colours of salesmgmt.palette (one colour per
client type, team and stage, the same in every chart and in the meeting pack); `plain` for every
text a chart takes from the data."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Source Han Sans SC, sans-serif"


def style_figure(fig: Any, height: int | None = None) -> Any:
    """The house style of every plotly chart: a CJK-capable font, compact margins; the height the
    builder set is kept (else `height`, else 380 px)."""
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


def plain(text: object) -> str:
    """`text` as plotly draws it letter for letter. Plotly reads tags (<b>, <br>, <a href>, <span
    style>) and entities (&amp;) in every label, title and hover text, so a name from the data such
    as 'R&D <Shanghai>' must come escaped; a text plotly is given as a template (hovertemplate)
    must not contain data at all (pass it as text or customdata)."""
    return html.escape(str(text), quote=False)


def plain_all(texts: Iterable[object]) -> list[str]:
    """`plain` of each text."""
    return [plain(t) for t in texts]

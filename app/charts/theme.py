"""The one look of every chart: font, margins, and one colour per client type, team and stage."""

from __future__ import annotations

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

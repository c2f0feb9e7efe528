"""Charts of the Field coaching page (DataFrame -> plotly figure; texts come translated)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts.heatmaps import norm_heatmap
from salesmgmt import palette


def ride_alongs_heatmap(months: pd.DataFrame, norm: int, labels: dict[str, str]) -> go.Figure:
    """Rep x month: ride-alongs against the coaching norm."""
    return norm_heatmap(
        months,
        "ride_alongs",
        "month",
        norm,
        {"title": labels["title"], "axis": labels["month"]},
        lambda m: m.strftime("%Y-%m"),
    )


def before_after(
    table: pd.DataFrame, column: str, labels: dict[str, str], percent: bool = False
) -> go.Figure:
    """Per rep, `column` before (grey) and after (blue) the ride-along, joined by a line."""
    shown = table.dropna(subset=[f"{column}_before", f"{column}_after"], how="all")
    names = list(shown["rep"])
    fig = go.Figure()
    for name, b, a in zip(names, shown[f"{column}_before"], shown[f"{column}_after"]):
        fig.add_scatter(
            x=[b, a],
            y=[name, name],
            mode="lines",
            showlegend=False,
            line=dict(color=palette.FAINT, width=3),
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=shown[f"{column}_before"],
        y=names,
        mode="markers",
        name=labels["before"],
        marker=dict(color=palette.MUTED, size=11),
    )
    fig.add_scatter(
        x=shown[f"{column}_after"],
        y=names,
        mode="markers",
        name=labels["after"],
        marker=dict(color=palette.ACCENT, size=11, symbol="diamond"),
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(
            title=labels["axis"],
            tickformat=".0%" if percent else None,
            rangemode="tozero",
            range=[-0.05, 1.05] if percent else None,
        ),
        yaxis=dict(type="category", autorange="reversed"),
        height=max(300, 26 * len(names) + 140),
    )
    return fig

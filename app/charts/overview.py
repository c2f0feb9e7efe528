"""Chart builders: plain functions from a DataFrame to a plotly figure (no Streamlit here), so
tests can check a figure's data with `fig.to_dict()`. Texts come in already translated; money
comes in CNY and is scaled by `divisor` (10,000 for 万元) with the unit in the axis title."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts.marks import add_target_marks
from salesmgmt import palette


def won_vs_target_trend(trend: pd.DataFrame, divisor: float, labels: dict[str, str]) -> go.Figure:
    """Bars of won per month, a line of the target, visits on a second axis."""
    months = [m.strftime("%Y-%m") for m in trend["month"]]
    fig = go.Figure()
    fig.add_bar(x=months, y=trend["won_amount"] / divisor, name=labels["won"], marker_color=palette.WON)
    fig.add_scatter(
        x=months,
        y=trend["target"] / divisor,
        name=labels["target"],
        mode="lines+markers",
        line=dict(color=palette.TARGET, dash="dash"),
    )
    fig.add_scatter(
        x=months,
        y=trend["visits"],
        name=labels["visits"],
        yaxis="y2",
        mode="lines",
        line=dict(color=palette.VISITS, width=1.5),
        opacity=0.7,
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["month"], type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
        yaxis2=dict(title=labels["visits"], overlaying="y", side="right", rangemode="tozero", showgrid=False),
        barmode="group",
    )
    return fig


def won_forecast_vs_target(
    frame: pd.DataFrame, key: str, divisor: float, labels: dict[str, str]
) -> go.Figure:
    """Per group (`key`: region, team or rep): won and forecast bars against a target marker,
    attainment as text above the won bar."""
    names = list(frame[key])
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=frame["won_amount"] / divisor,
        name=labels["won"],
        marker_color=palette.WON,
        text=[f"{a:.0%}" if pd.notna(a) else "" for a in frame["attainment"]],
        textposition="outside",
        cliponaxis=False,
    )
    fig.add_bar(
        x=names, y=frame["forecast"] / divisor, name=labels["forecast"], marker_color=palette.FORECAST
    )
    add_target_marks(fig, names, frame["target"] / divisor, labels["target"], size=40)
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        xaxis=dict(type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
    )
    return fig

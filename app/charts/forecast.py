"""Charts of the Forecast page (DataFrame -> plotly figure; texts come translated, money in CNY
divided by `divisor` with the unit in the axis title)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts.marks import add_target_marks
from salesmgmt import palette

#: Groups up to which the chance above each group is written out ("chance 40%").
CHANCE_WORDS_UP_TO = 12


def forecast_categories(frame: pd.DataFrame, key: str, divisor: float, labels: dict[str, str]) -> go.Figure:
    """Per group (`key`: team or rep): won, commit, best case and weighted forecast bars against
    a target marker; the chance of making the target as text above the group."""
    names = list(frame[key])
    fig = go.Figure()
    for column, color, label in (
        ("won_amount", palette.WON, "won"),
        ("commit_amount", palette.COMMIT, "commit"),
        ("best_case_amount", palette.BEST_CASE, "best_case"),
        ("forecast", palette.FORECAST, "forecast"),
    ):
        fig.add_bar(x=names, y=frame[column] / divisor, name=labels[label], marker_color=color)
    add_target_marks(fig, names, frame["target"] / divisor, labels["target"], size=36)
    top = frame[["won_amount", "commit_amount", "best_case_amount", "forecast", "target"]].max(axis=1)
    # Beyond a dozen groups the words would run into each other: the percent alone.
    chance = labels["chance"] if len(frame) <= CHANCE_WORDS_UP_TO else "{p}"
    fig.add_scatter(
        x=names,
        y=top / divisor,
        mode="text",
        showlegend=False,
        hoverinfo="skip",
        text=[chance.format(p=f"{p:.0%}") if pd.notna(p) else "" for p in frame["attainment_probability"]],
        textposition="top center",
        textfont=dict(color=palette.TARGET),
    )
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        xaxis=dict(type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
    )
    return fig


def movement_waterfall(
    movement: dict, category_names: dict[str, str], divisor: float, labels: dict[str, str]
) -> go.Figure:
    """The open pipeline on the first date, each category's change, the pipeline on the second."""
    steps = movement["steps"]
    x = [labels["start"]] + [category_names.get(c, c) for c in steps["category"]] + [labels["end"]]
    y = [movement["start"] / divisor] + list(steps["amount"] / divisor) + [movement["end"] / divisor]
    measure = ["absolute"] + ["relative"] * len(steps) + ["total"]
    counts = [""] + [labels["deals"].format(n=int(n)) for n in steps["deals"]] + [""]
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=measure,
            text=[f"{v:+,.1f}" if m == "relative" else f"{v:,.1f}" for v, m in zip(y, measure)],
            customdata=counts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,.1f}<br>%{customdata}<extra></extra>",
            increasing=dict(marker=dict(color=palette.WON)),
            decreasing=dict(marker=dict(color=palette.WARN)),
            totals=dict(marker=dict(color=palette.TOTAL)),
            connector=dict(line=dict(color=palette.CONNECTOR)),
        )
    )
    fig.update_layout(
        title=labels["title"],
        showlegend=False,
        xaxis=dict(type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
    )
    return fig


def accuracy(frame: pd.DataFrame, divisor: float, labels: dict[str, str]) -> go.Figure:
    """Per past period: the forecast on its first day and what was won; accuracy on a second axis."""
    periods = list(frame["period"])
    fig = go.Figure()
    fig.add_bar(
        x=periods,
        y=frame["forecast_at_start"] / divisor,
        name=labels["forecast_at_start"],
        marker_color=palette.FORECAST,
    )
    fig.add_bar(x=periods, y=frame["won_amount"] / divisor, name=labels["won"], marker_color=palette.WON)
    add_target_marks(fig, periods, frame["target"] / divisor, labels["target"], size=30)
    fig.add_scatter(
        x=periods,
        y=frame["forecast_accuracy"],
        name=labels["accuracy"],
        yaxis="y2",
        mode="lines+markers+text",
        line=dict(color=palette.SECOND_AXIS),
        text=[f"{a:.0%}" if pd.notna(a) else "" for a in frame["forecast_accuracy"]],
        textposition="top center",
    )
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        xaxis=dict(type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
        yaxis2=dict(
            title=labels["accuracy"],
            overlaying="y",
            side="right",
            range=[0, 1.15],
            tickformat=".0%",
            showgrid=False,
        ),
    )
    return fig

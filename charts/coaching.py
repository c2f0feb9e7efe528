"""Charts of the Field coaching page (DataFrame -> plotly figure; texts come translated)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

BEFORE = "#90A4AE"
AFTER = "#1565C0"


def ride_alongs_heatmap(months: pd.DataFrame, norm: int, labels: dict[str, str]) -> go.Figure:
    """Rep x month: ride-alongs, red below the norm, green at or above it (capped at 2 x norm)."""
    table = months.pivot_table(index=["team", "rep"], columns="month", values="ride_alongs",
                               aggfunc="sum", sort=True)
    x = [m.strftime("%Y-%m") for m in table.columns]
    y = [f"{rep} · {team}" for team, rep in table.index]
    z = table.to_numpy()
    top = max(2 * norm, 1)
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, zmin=0, zmax=top, text=z, texttemplate="%{text}",
        colorscale=[[0, "#EF9A9A"], [max(norm - 0.5, 0) / top, "#FFF59D"],
                    [min(norm / top, 1), "#A5D6A7"], [1, "#2E7D32"]],
        showscale=False, hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", xgap=2, ygap=2))
    fig.update_layout(title=labels["title"], xaxis=dict(type="category", title=labels["month"]),
                      yaxis=dict(type="category", autorange="reversed"),
                      height=max(300, 28 * len(y) + 120))
    return fig


def before_after(table: pd.DataFrame, column: str, labels: dict[str, str],
                 percent: bool = False) -> go.Figure:
    """Per rep, `column` before (grey) and after (blue) the ride-along, joined by a line."""
    shown = table.dropna(subset=[f"{column}_before", f"{column}_after"], how="all")
    names = [str(r) for r in shown["rep"]]
    fig = go.Figure()
    for name, b, a in zip(names, shown[f"{column}_before"], shown[f"{column}_after"]):
        fig.add_scatter(x=[b, a], y=[name, name], mode="lines", showlegend=False,
                        line=dict(color="#CFD8DC", width=3), hoverinfo="skip")
    fig.add_scatter(x=shown[f"{column}_before"], y=names, mode="markers", name=labels["before"],
                    marker=dict(color=BEFORE, size=11))
    fig.add_scatter(x=shown[f"{column}_after"], y=names, mode="markers", name=labels["after"],
                    marker=dict(color=AFTER, size=11, symbol="diamond"))
    fig.update_layout(title=labels["title"],
                      xaxis=dict(title=labels["axis"], tickformat=".0%" if percent else None,
                                 rangemode="tozero", range=[-0.05, 1.05] if percent else None),
                      yaxis=dict(type="category", autorange="reversed"),
                      height=max(300, 26 * len(names) + 140))
    return fig

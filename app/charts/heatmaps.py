"""A heatmap of counts per person and period against a norm (visits a week, ride-alongs a
month...): red below the norm, yellow just under it, green at or above it, dark green at twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from salesmgmt import palette

#: The most rows a heat map draws: above, people are grouped by team, then by region.
MAX_ROWS = 40


def row_level(frame: pd.DataFrame, limit: int | None = None) -> str:
    """'rep' when `frame` (rows per rep and period, with team and region) has at most `limit`
    (MAX_ROWS) people, else 'team' when it has at most `limit` teams, else 'region'."""
    limit = MAX_ROWS if limit is None else limit
    if frame["rep_id"].nunique() <= limit:
        return "rep"
    return "team" if frame["team"].nunique() <= limit else "region"


def per_person(frame: pd.DataFrame, value: str, period: str, level: str) -> pd.DataFrame:
    """`value` per person and period averaged over the people of each team (level 'team') or
    region ('region'), to one decimal, with the number of people; the frame as it is for 'rep'.
    The rows come as `norm_heatmap` wants them: columns team (the group's region, or nothing
    for a region) and rep (the group's name)."""
    if level == "rep":
        return frame
    keys = ["region", "team"] if level == "team" else ["region"]
    grouped = (
        frame.groupby(keys + [period], sort=True)
        .agg(**{value: (value, "mean"), "people": ("rep_id", "nunique")})
        .reset_index()
    )
    grouped[value] = grouped[value].round(1)
    if level == "team":
        return grouped.rename(columns={"region": "team", "team": "rep"})
    return grouped.rename(columns={"region": "rep"}).assign(team="")


def norm_heatmap(
    frame: pd.DataFrame,
    value: str,
    period: str,
    norm: int,
    labels: dict[str, str],
    period_text: Callable[[Any], str],
    row_height: int = 28,
    axis_on_top: bool = False,
) -> go.Figure:
    """Rows `team`/`rep`, columns `period` (shown by `period_text`), cells `value`; labels:
    title and axis (the period axis title). Groups of `per_person` show as 'team · region'."""
    table = frame.pivot_table(index=["team", "rep"], columns=period, values=value, aggfunc="sum", sort=True)
    x = [period_text(p) for p in table.columns]
    y = [f"{rep} · {team}" if team else rep for team, rep in table.index]
    z = table.to_numpy()
    top = max(2 * norm, 1)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmin=0,
            zmax=top,
            text=z,
            texttemplate="%{text}",
            colorscale=[
                [stop, color]
                for stop, color in zip(
                    (0, max(norm - 0.5, 0) / top, min(norm / top, 1), 1), palette.NORM_SCALE
                )
            ],
            showscale=False,
            hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(type="category", title=labels["axis"], side="top" if axis_on_top else "bottom"),
        yaxis=dict(type="category", autorange="reversed"),
        height=max(300, row_height * len(y) + 120),
    )
    return fig

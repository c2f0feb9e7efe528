"""The weekly call's chart (DataFrame -> plotly figure; texts come translated, money in CNY divided
by `divisor` with the unit in the axis title)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from salesmgmt import palette


def call_history(frame: pd.DataFrame, divisor: float, labels: dict[str, str]) -> go.Figure:
    """A unit's weeks (`call_history`): the called commit (and a manager's adjusted figure) as
    markers, the computed forecast and the won amount to date as lines, the target as a dashed
    line. Weeks without a call leave a gap."""
    weeks = [pd.Timestamp(w) for w in frame["week"]]
    series: list[tuple[str, str, str, dict[str, Any]]] = [
        ("forecast", "forecast", "lines+markers", dict(line=dict(color=palette.FORECAST, width=2))),
        ("won_amount", "won", "lines+markers", dict(line=dict(color=palette.WON, width=2))),
        (
            "commit",
            "commit",
            "markers+lines",
            dict(
                marker=dict(color=palette.AMBER, size=12, symbol="diamond"),
                line=dict(color=palette.AMBER, width=1, dash="dot"),
                connectgaps=False,
            ),
        ),
        (
            "adjusted_commit",
            "adjusted",
            "markers",
            dict(marker=dict(color=palette.SECOND_AXIS, size=11, symbol="x")),
        ),
        ("target", "target", "lines", dict(line=dict(color=palette.TARGET, width=2, dash="dash"))),
    ]
    fig = go.Figure()
    for column, label, mode, style in series:
        if column in ("adjusted_commit", "target") and not frame[column].notna().any():
            continue  # no adjustment, no target: no empty legend entry
        fig.add_scatter(x=weeks, y=frame[column] / divisor, name=labels[label], mode=mode, **style)
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(tickformat="%m-%d", tickvals=weeks),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
    )
    return fig

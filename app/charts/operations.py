"""Charts of the Sales operations page (DataFrame -> plotly figure; texts come translated)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from salesmgmt import palette

#: At most this many lines in a chart (one colour each); more teams are drawn per region.
MAX_LINES = len(palette.SERIES)


def funnel(
    open_funnel: pd.DataFrame,
    conversion: pd.DataFrame,
    stage_names: dict[str, str],
    divisor: float,
    labels: dict[str, str],
) -> go.Figure:
    """Left: open deals per stage now (amount as text). Right: how far the deals closed in the
    period got, with the conversion to the next stage as text."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=False,
        horizontal_spacing=0.12,
        subplot_titles=(labels["open"], labels["reached"]),
    )
    names = [stage_names.get(s, s) for s in open_funnel["stage"]]
    fig.add_bar(
        x=list(open_funnel["open_count"]),
        y=names,
        orientation="h",
        marker_color=palette.ACCENT,
        name=labels["open"],
        row=1,
        col=1,
        text=[f"{a / divisor:,.0f}" for a in open_funnel["open_amount"]],
        hovertemplate="%{y}: %{x}<br>" + labels["money_axis"] + " %{text}<extra></extra>",
    )
    steps = [stage_names.get(s, s) for s in conversion["stage"]]
    fig.add_bar(
        x=list(conversion["reached"]),
        y=steps,
        orientation="h",
        marker_color=palette.DONE,
        name=labels["reached"],
        row=1,
        col=2,
        text=[f"→ {c:.0%}" if c == c else "" for c in conversion["conversion"]],
        textposition="inside",
        insidetextanchor="end",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(title=labels["title"], showlegend=False)
    return fig


def lines_by_group(
    trend: pd.DataFrame,
    column: str,
    group: str | None,
    labels: dict[str, str],
    divisor: float = 1,
    percent: bool = False,
) -> go.Figure:
    """`column` by month, one line per `group` (a team) or one line in total."""
    fig = go.Figure()
    parts = trend.groupby(group, sort=True) if group else [(labels.get("total", ""), trend)]
    teams = palette.team_colors(trend["team"].astype(str)) if group == "team" else {}
    for i, (name, part) in enumerate(parts):
        fig.add_scatter(
            x=[m.strftime("%Y-%m") for m in part["month"]],
            y=part[column] / divisor,
            name=name,
            mode="lines+markers",
            line=dict(color=teams.get(str(name), palette.series_color(i))),
        )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(type="category", title=labels["month"]),
        yaxis=dict(title=labels["axis"], rangemode="tozero", tickformat=".0%" if percent else None),
    )
    return fig


def lost_reasons(reasons: pd.DataFrame, none_label: str, divisor: float, labels: dict[str, str]) -> go.Figure:
    """Deals lost per reason (count), the share and amount as text."""
    shown = reasons.sort_values("lost_count")
    fig = go.Figure(
        go.Bar(
            x=shown["lost_count"],
            y=[r or none_label for r in shown["lost_reason"]],
            orientation="h",
            marker_color=palette.WARN,
            text=[
                f"{s:.0%} · {a / divisor:,.0f}"
                for s, a in zip(shown["lost_reason_share"], shown["lost_amount"])
            ],
            textposition="auto",
        )
    )
    fig.update_layout(title=labels["title"], xaxis=dict(title=labels["axis"]), yaxis=dict(type="category"))
    return fig


def lost_reasons_by_month(trend: pd.DataFrame, none_label: str, labels: dict[str, str]) -> go.Figure:
    """Deals lost per month, stacked by reason."""
    fig = go.Figure()
    months = sorted(trend["month"].unique())
    axis = [m.strftime("%Y-%m") for m in months]
    for i, (reason, part) in enumerate(trend.groupby("lost_reason", sort=True)):
        counts = part.set_index("month")["lost_count"].reindex(months).fillna(0)
        fig.add_bar(x=axis, y=counts, name=reason or none_label, marker_color=palette.series_color(i))
    fig.update_layout(
        title=labels["title"],
        barmode="stack",
        xaxis=dict(type="category", title=labels["month"]),
        yaxis=dict(title=labels["axis"]),
    )
    return fig

"""Charts of the Products & services page (DataFrame -> plotly figure; texts come translated)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from salesmgmt import palette


def _months(frame: pd.DataFrame) -> list[str]:
    return [m.strftime("%Y-%m") for m in frame["month"]]


def won_by_product_month(trend: pd.DataFrame, divisor: float, labels: dict[str, str]) -> go.Figure:
    """Won per month, one stacked bar segment per product."""
    fig = go.Figure()
    for i, (product, part) in enumerate(trend.groupby("product", sort=False)):
        fig.add_bar(
            x=_months(part),
            y=part["won_amount"] / divisor,
            name=product,
            marker_color=palette.series_color(i),
        )
    fig.update_layout(
        title=labels["title"],
        barmode="stack",
        xaxis=dict(title=labels["month"], type="category"),
        yaxis=dict(title=labels["money_axis"], rangemode="tozero"),
    )
    return fig


def product_lines(
    trend: pd.DataFrame, column: str, labels: dict[str, str], divisor: float = 1, percent: bool = False
) -> go.Figure:
    """One line per product of `column` by month (pipeline at month end, win rate...)."""
    fig = go.Figure()
    for i, (product, part) in enumerate(trend.groupby("product", sort=False)):
        fig.add_scatter(
            x=_months(part),
            y=part[column] / divisor,
            name=product,
            mode="lines+markers",
            line=dict(color=palette.series_color(i)),
            connectgaps=False,
        )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["month"], type="category"),
        yaxis=dict(title=labels["axis"], rangemode="tozero", tickformat=".0%" if percent else None),
    )
    return fig


def growth_vs_last_year(table: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Change of won against the same period last year per product, green up, red down."""
    shown = table[table["won_growth"].notna()].sort_values("won_growth")
    colors = [palette.DIRECTIONS.get(d, palette.MUTED) for d in shown["direction"]]
    fig = go.Figure(
        go.Bar(
            x=shown["won_growth"],
            y=list(shown["product"]),
            orientation="h",
            marker_color=colors,
            text=[f"{g:+.0%}" for g in shown["won_growth"]],
            textposition="auto",
        )
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["axis"], tickformat=".0%"),
        yaxis=dict(type="category"),
    )
    return fig


#: The product mix chart draws at most this many groups (the ones that won most).
MIX_GROUPS = 20


def largest_groups(breakdown: pd.DataFrame, by: str, n: int | None = None) -> tuple[pd.DataFrame, int]:
    """The rows of the n groups of `by` (MIX_GROUPS by default) with the largest won amount (all
    when there are at most n; ties go by name), and how many groups there are."""
    n = MIX_GROUPS if n is None else n
    won = breakdown.groupby(breakdown[by].astype(str))["won_amount"].sum()
    if len(won) <= n:
        return breakdown, len(won)
    keep = won.reset_index().sort_values(["won_amount", by], ascending=[False, True]).head(n)[by]
    return breakdown[breakdown[by].astype(str).isin(keep)], len(won)


def product_mix(breakdown: pd.DataFrame, by: str, names: dict[str, str], labels: dict[str, str]) -> go.Figure:
    """Per group of `by` (a team, a region, a client type), its won split by product (100%)."""
    fig = go.Figure()
    groups = sorted(breakdown[by].astype(str).unique())
    for i, (product, part) in enumerate(breakdown.groupby("product", sort=True)):
        # Zero, not NaN, where a group sold none of it: a gap would break the stack.
        share = part.set_index(part[by].astype(str))["won_mix"].reindex(groups).fillna(0.0)
        fig.add_bar(
            x=[names.get(g, g) for g in groups],
            y=share,
            name=product,
            marker_color=palette.series_color(i),
            text=[f"{s:.0%}" if s == s and s >= 0.05 else "" for s in share],
            textposition="inside",
        )
    fig.update_layout(
        title=labels["title"],
        barmode="stack",
        yaxis=dict(title=labels["axis"], tickformat=".0%", range=[0, 1]),
        xaxis=dict(type="category"),
    )
    return fig

"""Charts of the Monthly plan, Action review and Regional review pages (DataFrame -> plotly
figure; texts come translated, money in CNY divided by `divisor` with the unit in the title)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts.heatmaps import norm_heatmap
from app.charts.theme import BR
from salesmgmt import palette


def _day(d) -> str:
    return pd.Timestamp(d).strftime("%m-%d")


def weekly_review(review: pd.DataFrame, norm: int, labels: dict[str, str]) -> go.Figure:
    """Per week of the plan: planned visits, those done, all visits made; the norm as a line."""
    weeks = [_day(w) for w in review["week"]]
    fig = go.Figure()
    fig.add_bar(x=weeks, y=review["planned"], name=labels["planned"], marker_color=palette.PLANNED)
    fig.add_bar(x=weeks, y=review["planned_done"], name=labels["done"], marker_color=palette.DONE)
    fig.add_bar(x=weeks, y=review["visits"], name=labels["visits"], marker_color=palette.VISITS)
    fig.add_scatter(
        x=weeks,
        y=[norm] * len(weeks),
        name=labels["norm"],
        mode="lines",
        line=dict(color=palette.WARN, dash="dot"),
    )
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        xaxis=dict(type="category", title=labels["week"]),
        yaxis=dict(title=labels["count"], rangemode="tozero", dtick=1),
    )
    return fig


def visits_heatmap(weekly: pd.DataFrame, norm: int, labels: dict[str, str]) -> go.Figure:
    """Engineer x week: client visits, red below the norm, green at or above it."""
    return norm_heatmap(
        weekly,
        "visits",
        "week",
        norm,
        {"title": labels["title"], "axis": labels["week"]},
        _day,
        row_height=24,
        axis_on_top=True,
    )


def planned_vs_done(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Per rep: planned visits done, missed and still to come (stacked), and all visits made."""
    names = list(frame["rep"])
    upcoming = frame["planned"] - frame["planned_done"] - frame["planned_missed"]
    fig = go.Figure()
    fig.add_bar(
        x=names, y=frame["planned_done"], name=labels["done"], marker_color=palette.DONE, offsetgroup="plan"
    )
    fig.add_bar(
        x=names,
        y=frame["planned_missed"],
        name=labels["missed"],
        marker_color=palette.WARN,
        offsetgroup="plan",
        base=frame["planned_done"],
    )
    fig.add_bar(
        x=names,
        y=upcoming,
        name=labels["upcoming"],
        marker_color=palette.PLANNED,
        offsetgroup="plan",
        base=frame["planned_done"] + frame["planned_missed"],
    )
    fig.add_bar(
        x=names, y=frame["visits"], name=labels["visits"], marker_color=palette.VISITS, offsetgroup="made"
    )
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        xaxis=dict(type="category"),
        yaxis=dict(title=labels["count"], rangemode="tozero"),
    )
    return fig


def client_type_share(share: pd.DataFrame, type_names: dict[str, str], labels: dict[str, str]) -> go.Figure:
    """Per group: the share of its visits to each client type (100% stacked bars)."""
    fig = go.Figure()
    for key, part in share.groupby("client_type", sort=False):
        client_type = str(key)
        fig.add_bar(
            x=list(part["group"]),
            y=part["share"],
            name=type_names.get(client_type, client_type),
            marker_color=palette.client_type_color(client_type),
            customdata=part["visits"],
            text=[f"{s:.0%}" if s and s >= 0.06 else "" for s in part["share"].fillna(0)],
            textposition="inside",
            hovertemplate="%{x}: %{y:.0%} (%{customdata})<extra></extra>",
        )
    fig.update_layout(
        title=labels["title"],
        barmode="stack",
        xaxis=dict(type="category"),
        yaxis=dict(tickformat=".0%", range=[0, 1]),
    )
    return fig


def progress_share(by_rep: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Per rep: the share of visits followed by opportunity progress."""
    frame = by_rep.sort_values("share", ascending=True)
    fig = go.Figure(
        go.Bar(
            x=frame["share"],
            y=[f"{r} · {t}" for r, t in zip(frame["rep"], frame["team"])],
            orientation="h",
            marker_color=palette.DONE,
            text=[
                f"{s:.0%} ({int(w)}/{int(v)})"
                for s, w, v in zip(frame["share"].fillna(0), frame["visits_with_progress"], frame["visits"])
            ],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(tickformat=".0%", rangemode="tozero"),
        yaxis=dict(type="category"),
        height=max(300, 22 * len(frame) + 120),
    )
    return fig


def penetration_heatmap(
    frame: pd.DataFrame, key: str, type_names: dict[str, str], labels: dict[str, str]
) -> go.Figure:
    """Group x client type: the share of the type's clients reached in the period."""
    table = frame.pivot_table(
        index=key, columns="client_type", values="penetration", sort=False, dropna=False
    )
    reached = frame.pivot_table(index=key, columns="client_type", values="reached", sort=False)
    clients = frame.pivot_table(index=key, columns="client_type", values="clients", sort=False)
    cols = list(table.columns)
    text = [
        [
            f"{p:.0%}{BR}{int(r)}/{int(c)}" if pd.notna(p) else "–"
            for p, r, c in zip(table.loc[i], reached.loc[i, cols], clients.loc[i, cols])
        ]
        for i in table.index
    ]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=[type_names.get(c, c) for c in cols],
            y=list(table.index),
            zmin=0,
            zmax=1,
            text=text,
            texttemplate="%{text}",
            colorscale="Greens",
            showscale=False,
            hovertemplate="%{y} · %{x}: %{z:.0%}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(type="category", side="top"),
        yaxis=dict(type="category", autorange="reversed"),
        height=max(260, 50 * len(table.index) + 140),
    )
    return fig


def regions_over_time(
    frame: pd.DataFrame, column: str, labels: dict[str, str], divisor: float = 1, percent: bool = False
) -> go.Figure:
    """One line per region of `column` (won_amount or attainment) by month."""
    fig = go.Figure()
    for i, (region, part) in enumerate(frame.groupby("region", sort=True)):
        fig.add_scatter(
            x=[m.strftime("%Y-%m") for m in part["month"]],
            y=part[column] / divisor,
            name=region,
            mode="lines+markers",
            line=dict(color=palette.series_color(i)),
        )
    if percent:
        months = sorted({m.strftime("%Y-%m") for m in frame["month"]})
        fig.add_scatter(
            x=months,
            y=[1.0] * len(months),
            name=labels["target"],
            mode="lines",
            line=dict(color=palette.TARGET, dash="dash"),
        )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(type="category", title=labels["month"]),
        yaxis=dict(title=labels["axis"], rangemode="tozero", tickformat=".0%" if percent else None),
    )
    return fig

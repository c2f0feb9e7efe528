"""Charts of module 3's pages: rankings, meetings, the field meeting and the sales school
(DataFrame -> plotly figure; no Streamlit; texts come in translated)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from app.charts.theme import BR
from salesmgmt import palette
from salesmgmt.metrics.rankings import movement_text


def ranking_bars(frame: pd.DataFrame, name_col: str, labels: dict[str, str]) -> go.Figure:
    """Horizontal bars of the composite score, rank 1 on top, with the movement since last week;
    a dashed line at 100 (on the bar everywhere)."""
    shown = frame[frame["composite"].notna()].sort_values("rank")
    names = list(shown[name_col])
    text = [f"{s:.0f} {movement_text(m)}".strip() for s, m in zip(shown["composite"], shown["movement"])]
    colors = [palette.GOOD if s >= 100 else palette.ACCENT for s in shown["composite"]]
    fig = go.Figure(
        go.Bar(
            x=shown["composite"],
            y=names,
            orientation="h",
            text=text,
            textposition="outside",
            marker_color=colors,
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    fig.add_vline(x=100, line_dash="dash", line_color=palette.MUTED)
    top = max([110.0] + [float(s) * 1.15 for s in shown["composite"]])
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["axis"], range=[0, top]),
        yaxis=dict(type="category", autorange="reversed"),
        height=max(260, 38 * len(names) + 120),
        showlegend=False,
    )
    return fig


def score_components(frame: pd.DataFrame, name_col: str, labels: dict[str, str]) -> go.Figure:
    """Grouped bars of the four components (ratio to the bar, 1 = on the bar) per row."""
    shown = frame[frame["composite"].notna()].sort_values("rank")
    names = list(shown[name_col])
    fig = go.Figure()
    for key, color in palette.SCORE_PARTS.items():
        fig.add_bar(x=names, y=shown[f"score_{key}"], name=labels[key], marker_color=color)
    fig.add_hline(y=1, line_dash="dash", line_color=palette.MUTED)
    fig.update_layout(
        title=labels["title"],
        barmode="group",
        yaxis=dict(title=labels["axis"], rangemode="tozero"),
        xaxis=dict(type="category"),
    )
    return fig


def case_timeline(timeline: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """A success case as two lanes over time: the stage changes (the stage entered as text)
    and the visits (colour: the party met); hover tells who was met and what came of it."""
    fig = go.Figure()
    marks = timeline[timeline["kind"] != "visit"]
    fig.add_scatter(
        x=marks["day"],
        y=[labels["lane_stage"]] * len(marks),
        mode="lines+markers+text",
        text=[labels["stages"].get(s, s) if isinstance(s, str) else "" for s in marks["stage"]],
        textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(marks))],
        marker=dict(size=14, color=[palette.stage_color(s) for s in marks["stage"]], symbol="diamond"),
        line=dict(color=palette.MUTED, width=2),
        name=labels["lane_stage"],
        hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
    )
    visits = timeline[timeline["kind"] == "visit"]
    for ctype, group in visits.groupby(visits["client_type"].fillna("other"), sort=False):
        hover = [
            f"{c} · {r}"
            + (f" · {labels['with']} {a}" if isinstance(a, str) and a else "")
            + (f"{BR}{p or ''} → {o or ''}" if (p or o) else "")
            for c, r, a, p, o in zip(
                group["client"],
                group["rep"],
                group["accompanied_by"],
                group["purpose"].where(group["purpose"].notna(), None),
                group["outcome"].where(group["outcome"].notna(), None),
            )
        ]
        fig.add_scatter(
            x=group["day"],
            y=[labels["lane_visit"]] * len(group),
            mode="markers",
            marker=dict(
                size=12,
                color=palette.client_type_color(ctype),
                symbol=["star" if isinstance(a, str) and a else "circle" for a in group["accompanied_by"]],
                line=dict(width=1, color="white"),
            ),
            name=labels["types"].get(ctype, ctype),
            text=hover,
            hovertemplate="%{x|%Y-%m-%d}<br>%{text}<extra></extra>",
        )
    fig.update_layout(
        title=labels["title"],
        yaxis=dict(
            type="category", categoryarray=[labels["lane_visit"], labels["lane_stage"]], range=[-0.6, 1.8]
        ),
        xaxis=dict(title=labels["date"]),
        height=300,
    )
    return fig


def stage_days(stages: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Days spent in each stage of a case (horizontal bars in funnel order)."""
    names = [labels["stages"].get(s, str(s)) for s in stages["stage"]]
    fig = go.Figure(
        go.Bar(
            x=stages["days"],
            y=names,
            orientation="h",
            text=stages["days"],
            textposition="outside",
            cliponaxis=False,
            marker_color=[palette.stage_color(s) for s in stages["stage"]],
        )
    )
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["axis"], rangemode="tozero"),
        yaxis=dict(type="category", autorange="reversed"),
        height=max(220, 34 * len(names) + 110),
        showlegend=False,
    )
    return fig


def team_trends(trends: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Attainment per team, month by month, with the 100% line."""
    fig = go.Figure()
    colors = palette.team_colors(trends["team"].astype(str))
    for team, group in trends.groupby("team", sort=True):
        fig.add_scatter(
            x=[m.strftime("%Y-%m") for m in group["month"]],
            y=group["attainment"],
            mode="lines+markers",
            name=team,
            line=dict(color=colors[str(team)]),
            hovertemplate="%{x}: %{y:.0%}<extra>%{fullData.name}</extra>",
        )
    fig.add_hline(y=1, line_dash="dash", line_color=palette.MUTED)
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["month"], type="category"),
        yaxis=dict(title=labels["axis"], tickformat=".0%", rangemode="tozero"),
    )
    return fig


def school_effects(comparison: pd.DataFrame, names: dict[str, str], labels: dict[str, str]) -> go.Figure:
    """Hedges' g per behaviour (top performers minus the rest), coloured by how sure we are;
    behaviours with too few reps are shown empty."""
    shown = comparison.iloc[::-1]
    y = [names.get(b, b) for b in shown["behaviour"]]
    x = [0 if v == "too_few" or pd.isna(g) else g for g, v in zip(shown["effect_size"], shown["verdict"])]
    text = [labels["verdicts"][v] for v in shown["verdict"]]
    hover = [f"n = {a} / {b}" for a, b in zip(shown["n_top"], shown["n_rest"])]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=y,
            orientation="h",
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=hover,
            marker_color=[palette.VERDICTS[v] for v in shown["verdict"]],
            hovertemplate="%{y}: g = %{x:.2f}<br>%{customdata}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=palette.MUTED)
    span = max([1.0] + [abs(v) * 1.4 for v in x])
    fig.update_layout(
        title=labels["title"],
        xaxis=dict(title=labels["axis"], range=[-span, span]),
        yaxis=dict(type="category"),
        height=max(300, 40 * len(y) + 120),
        showlegend=False,
    )
    return fig


#: Up to this many reps the spread draws a dot per rep; beyond, the boxes and the outliers.
SPREAD_DOTS = 100


def spread_dots(reps: pd.DataFrame) -> bool:
    """Whether `school_spread` draws a dot for every rep."""
    return len(reps) <= SPREAD_DOTS


def school_spread(
    reps: pd.DataFrame, behaviour: str, labels: dict[str, str], percent: bool = False
) -> go.Figure:
    """Every rep's value of one behaviour, top performers against the rest (one dot a rep; at
    company scale the boxes with the outliers only)."""
    fig = go.Figure()
    points = "all" if spread_dots(reps) else "outliers"
    for top, name, color in ((True, labels["top"], palette.GOOD), (False, labels["rest"], palette.MUTED)):
        group = reps[(reps["top"] == top) & reps[behaviour].notna()]
        fig.add_box(
            x=group[behaviour],
            y=[name] * len(group),
            name=name,
            orientation="h",
            boxpoints=points,
            jitter=0.4,
            pointpos=0,
            marker_color=color,
            text=list(group["rep"]),
            hovertemplate="%{text}: %{x}<extra></extra>",
        )
    fig.update_layout(
        title=labels["title"],
        showlegend=False,
        height=260,
        xaxis=dict(tickformat=".0%" if percent else None, rangemode="tozero"),
    )
    return fig


def deal_history(history: pd.DataFrame, as_of: date, labels: dict[str, str]) -> go.Figure:
    """Each deal of a project as a line through its stages over time (one segment per stage)."""
    fig = go.Figure()
    seen: set[str] = set()
    for row in history.itertuples():
        end = row.valid_to or (as_of if row.status == "open" else row.valid_from + timedelta(days=1))
        stage = str(row.stage)
        fig.add_scatter(
            x=[row.valid_from, end],
            y=[row.name or row.opp_id] * 2,
            mode="lines",
            line=dict(color=palette.stage_color(stage), width=14),
            name=labels["stages"].get(stage, stage),
            legendgroup=stage,
            showlegend=stage not in seen,
            hovertemplate="%{fullData.name}: %{x|%Y-%m-%d}<extra></extra>",
        )
        seen.add(stage)
    fig.update_layout(
        title=labels["title"],
        yaxis=dict(type="category", autorange="reversed"),
        xaxis=dict(title=labels["date"]),
        height=max(240, 44 * history["opp_id"].nunique() + 140),
    )
    return fig

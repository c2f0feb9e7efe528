"""Charts of the Field coaching page (DataFrame -> plotly figure; texts come translated)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.heatmaps import norm_heatmap

BEFORE = "#90A4AE"
AFTER = "#1565C0"
#: Above twice this many sales engineers a chart draws this many at each end only (the weakest
#: and the strongest); a team (about a dozen) is always drawn whole.
SHOWN_EACH = 15


def least_and_most(frame: pd.DataFrame, score: str,
                   n: int | None = None) -> tuple[pd.DataFrame, int]:
    """The rows of `frame` (one or more per rep_id) to draw, and how many reps it holds: every
    row for at most 2n reps, else those of the n reps (SHOWN_EACH by default) with the lowest
    and the n with the highest `score` summed per rep (reps without a score left out; ties go
    by rep name)."""
    n = SHOWN_EACH if n is None else n
    total = frame["rep_id"].nunique()
    if total <= 2 * n:
        return frame, total
    per_rep = (frame.dropna(subset=[score]).groupby(["rep_id", "rep"], sort=False)[score].sum()
               .reset_index().sort_values([score, "rep"], kind="stable"))
    chosen = pd.concat([per_rep.head(n), per_rep.tail(n)])["rep_id"]
    return frame[frame["rep_id"].isin(chosen)], total


def ride_alongs_heatmap(months: pd.DataFrame, norm: int, labels: dict[str, str]) -> go.Figure:
    """Rep x month: ride-alongs against the coaching norm."""
    return norm_heatmap(months, "ride_alongs", "month", norm,
                        {"title": labels["title"], "axis": labels["month"]},
                        lambda m: m.strftime("%Y-%m"))


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

"""Marks that several charts draw the same way."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from salesmgmt import palette


def add_target_marks(fig: go.Figure, x: Any, y: Any, name: str, size: int) -> None:
    """Each target as a short horizontal slate line `size` pixels wide across its bars."""
    fig.add_scatter(
        x=x,
        y=y,
        name=name,
        mode="markers",
        marker=dict(
            symbol="line-ew-open", size=size, color=palette.TARGET, line=dict(width=3, color=palette.TARGET)
        ),
    )

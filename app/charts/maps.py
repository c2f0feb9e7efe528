"""Coverage maps: provinces or cities coloured by a measure, with points on top, drawn from the
official boundaries of salesmgmt.maps. No tiles, no base map, nothing fetched.

plotly.js fetches its world topojson from a CDN for a geo subplot whose base layers show, or
whose FIRST trace has a `locationmode` (a choropleth always has one). So every map here starts
with the national outline (a line trace with no locationmode), keeps `geo.visible` False, and
passes the boundaries as `geojson=` with `featureidkey`: it draws with the network cut.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from salesmgmt import maps, palette

#: Taller than the house default: a country needs room.
HEIGHT = 560
#: A city map's view is this many degrees of longitude wide for one of latitude at least (a chart
#: is wider than tall, and a degree of latitude is the longer one on Mercator's map).
WIDE = 1.8
#: Colours of the areas, from nothing in them to the most.
SCALE = [[0.0, palette.FAINT], [1.0, palette.ACCENT]]


@functools.cache
def _geojson(level: str) -> dict[str, Any]:
    """salesmgmt.maps.boundaries with each ring as an array. theme.style_figure walks every list
    of a figure to escape its texts, and plotly validates them: 60,000 points of lists cost
    seconds, arrays are passed over (plotly writes them out as the same JSON lists)."""
    collection = maps.boundaries(level)
    features = [
        {
            **feature,
            "geometry": {
                "type": feature["geometry"]["type"],
                "coordinates": [
                    [np.asarray(ring) for ring in polygon] for polygon in feature["geometry"]["coordinates"]
                ],
            },
        }
        for feature in collection["features"]
    ]
    return {"type": collection["type"], "features": features}


def _frame(fig: go.Figure) -> None:
    """The national outline and the maritime boundary (the nine-dash line): first, see above."""
    outline = maps.national_outline()
    sea = maps.maritime_boundary()
    for lines, width in ((outline, 0.8), (sea, 1.2)):
        fig.add_scattergeo(
            # arrays (a line's end is NaN): passed over by the theme, see _geojson
            lon=np.array(lines.lon, dtype=float),
            lat=np.array(lines.lat, dtype=float),
            mode="lines",
            line=dict(color=palette.TARGET, width=width),
            hoverinfo="skip",
            showlegend=False,
        )


def _view(
    level: str, codes: list[str], points: pd.DataFrame | None, gaps: pd.DataFrame | None
) -> tuple[list[float], list[float]] | None:
    """A city map's longitude and latitude ranges around the cities with something in them and
    the points (a margin of a fifth, at least a degree); None for a province map, or a city map
    with nothing in it: the whole country, its outline and the nine-dash line."""
    if level != "city":
        return None
    boxes = [maps.extents(level)[code] for code in codes]
    for frame in (points, gaps):
        if frame is not None and len(frame):
            placed = frame.dropna(subset=["longitude", "latitude"])
            boxes += [(x, y, x, y) for x, y in zip(placed["longitude"], placed["latitude"], strict=True)]
    if not boxes:
        return None
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad_x, pad_y = max((east - west) / 5, 1.0), max((north - south) / 5, 1.0)
    # as wide as the chart: widen a tall view to WIDE times its height in degrees
    widen = max(WIDE * (north - south + 2 * pad_y) - (east - west + 2 * pad_x), 0.0) / 2
    return [west - pad_x - widen, east + pad_x + widen], [south - pad_y, north + pad_y]


def coverage_map(
    areas: pd.DataFrame,
    level: str,
    measure: str,
    labels: Mapping[str, str],
    divisor: float = 1.0,
    points: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
) -> go.Figure:
    """Every province or city (`level`) coloured by `measure` (a column of
    salesmgmt.metrics.coverage.by_area; divided by `divisor`, money in the user's unit), the
    areas with nothing in them in the faintest colour (a province map shows the whole country, a
    city map the part of it where the figures are, see `_view`); `points` (longitude, latitude,
    area_clients: one per district) as small grey dots sized by their clients; `gaps`
    (longitude, latitude, client: key accounts not visited) as red dots.

    labels: title, value (the measure's name with its unit), points and gaps (their legend)."""
    values = dict(zip(areas["adcode"], areas[measure] / divisor, strict=True)) if len(areas) else {}
    every = maps.areas(level)
    fig = go.Figure()
    _frame(fig)
    z = [float(values.get(a.adcode, 0.0)) for a in every]
    fig.add_choropleth(
        geojson=_geojson(level),
        featureidkey="properties.adcode",
        locations=[a.adcode for a in every],
        z=z,
        zmin=0,
        zmax=max(max(z), 1.0),
        text=[a.name for a in every],
        colorscale=SCALE,
        marker_line_color=palette.MUTED,
        marker_line_width=0.4 if level == "province" else 0.2,
        colorbar=dict(title=dict(text=labels["value"]), thickness=12, len=0.6),
        hovertemplate="%{text}<br>%{z:" + (",.0f" if divisor == 1 else ",.1f") + "}<extra></extra>",
    )
    if points is not None and len(points):
        sizes = points["area_clients"].astype(float)
        fig.add_scattergeo(
            lon=points["longitude"],
            lat=points["latitude"],
            mode="markers",
            name=labels.get("points", ""),
            text=[str(c) if pd.notna(c) else "" for c in points["district"]],
            customdata=points["area_clients"],
            marker=dict(
                color=palette.TOTAL,
                size=(2 + 7 * (sizes / max(sizes.max(), 1.0)) ** 0.5).round(1),
                opacity=0.45,
                line=dict(width=0),
            ),
            hovertemplate="%{text}<br>%{customdata}<extra></extra>",
        )
    if gaps is not None:
        placed = gaps.dropna(subset=["longitude", "latitude"])
        if len(placed):
            fig.add_scattergeo(
                lon=placed["longitude"],
                lat=placed["latitude"],
                mode="markers",
                name=labels["gaps"],
                text=list(placed["client"]),
                marker=dict(color=palette.WARN, size=8),
                hovertemplate="%{text}<extra></extra>",
            )
    view = _view(level, [code for code, value in values.items() if value > 0], points, gaps)
    if view is None:
        geo = dict(fitbounds="locations")
    else:
        geo = dict(fitbounds=False, lonaxis_range=view[0], lataxis_range=view[1])
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)", **geo)
    fig.update_layout(title=labels["title"], height=HEIGHT, dragmode=False)
    return fig

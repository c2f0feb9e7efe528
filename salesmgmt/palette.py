"""The one colour of each thing a chart draws, for every chart of the app and of the meeting pack:
a colour per client type, per opportunity stage and per team, the colours that carry a meaning
(won, target, forecast, visits, below the norm...) and a qualitative sequence for series that
have no colour of their own (products, regions, lost reasons).

Colours are '#RRGGBB' strings; `rgb` gives the three channels (python-pptx's `RGBColor(*rgb(c))`).
No plotting library here: the app's plotly theme and the pack both read this module."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from salesmgmt.stages import STAGE_ORDER

# Meanings. Green is what was won or done, red what fell short, dark slate the target, grey what is
# planned or in the background.
WON = "#2E7D32"
#: Won plus the weighted open pipeline (the measure `forecast`); also the forecast at a period's start.
FORECAST = "#1565C0"
COMMIT = "#66BB6A"
BEST_CASE = "#C5E1A5"
TARGET = "#455A64"
VISITS = "#1565C0"
PLANNED = "#90A4AE"
DONE = WON
#: Below the norm, missed, lost, shrinking, a fall.
WARN = "#C62828"
GOOD = WON
#: The plain colour of a one-series bar chart (open deals, a rep under the bar, after a ride-along).
ACCENT = "#1565C0"
#: Reference lines, the rest of a comparison, a value with no colour of its own.
MUTED = "#90A4AE"
#: A faint line behind markers, an empty bar.
FAINT = "#CFD8DC"
AMBER = "#F9A825"
#: The total bars of a waterfall, and its connectors.
TOTAL = "#546E7A"
CONNECTOR = "#B0BEC5"
#: A second measure on its own axis (forecast accuracy).
SECOND_AXIS = "#EF6C00"

#: The four parts of the ranking score, in the order they are drawn.
SCORE_PARTS: dict[str, str] = {
    "attainment": WON,
    "growth": "#6A1B9A",
    "visits": VISITS,
    "win_rate": "#EF6C00",
}
#: A product's won against the same period last year; steady (or unknown) is MUTED.
DIRECTIONS: dict[str, str] = {"growing": WON, "shrinking": WARN}
#: How sure the sales school is of a behaviour's difference.
VERDICTS: dict[str, str] = {"clear": GOOD, "suggestive": AMBER, "no_difference": MUTED, "too_few": FAINT}
#: A count against its norm: none, just under the norm, at the norm, twice the norm and more.
NORM_SCALE: tuple[str, str, str, str] = ("#EF9A9A", "#FFF59D", "#A5D6A7", WON)

#: Series with no colour of their own take these in turn (products, regions, lost reasons).
SERIES: tuple[str, ...] = (
    "#1565C0",
    "#2E7D32",
    "#EF6C00",
    "#6A1B9A",
    "#00838F",
    "#AD1457",
    "#558B2F",
    "#4E342E",
    "#283593",
    "#F9A825",
)

CLIENT_TYPES: dict[str, str] = {
    "design_institute": "#1565C0",
    "steel_structure": "#EF6C00",
    "construction": "#6A1B9A",
    "owner": "#2E7D32",
    "other": "#90A4AE",
}

#: Open stages from pale to deep blue as a deal moves on; won green, lost red.
STAGES: dict[str, str] = dict(
    zip(STAGE_ORDER, ("#B0BEC5", "#90CAF9", "#42A5F5", "#1E88E5", "#1565C0", WON, WARN), strict=True)
)

#: The demo company's teams (salesmgmt.demo.TEAMS), fixed: the colours the per-team lines gave them.
DEMO_TEAMS: dict[str, str] = {
    "狼 Wolf": SERIES[0],
    "虎 Tiger": SERIES[1],
    "豹 Leopard": SERIES[2],
    "龙 Dragon": SERIES[3],
}


def client_type_color(client_type: str | None) -> str:
    """The colour of a client type; an unknown or missing type is 'other'."""
    return CLIENT_TYPES.get(client_type or "other", CLIENT_TYPES["other"])


def stage_color(stage: str | None) -> str:
    """The colour of an opportunity stage (salesmgmt.stages keys, won and lost); MUTED for anything else."""
    return STAGES.get(stage or "", MUTED)


def series_color(i: int) -> str:
    """The i-th colour of the qualitative sequence (it repeats after len(SERIES))."""
    return SERIES[i % len(SERIES)]


def team_color(team: str) -> str:
    """The colour of a team: fixed for the demo's teams, else one of SERIES chosen by a checksum of
    the name, the same in every run and every chart (two teams may share it: see `team_colors`)."""
    if team in DEMO_TEAMS:
        return DEMO_TEAMS[team]
    return series_color(zlib.crc32(team.encode("utf-8")))


def team_colors(teams: Iterable[str]) -> dict[str, str]:
    """The colour of each team of one chart: `team_color`, except that a team whose colour another
    team of the chart already has takes the next free one of SERIES (teams taken in name order, the
    demo's first), so the same set of teams is coloured the same in every chart."""
    names = sorted(set(teams), key=lambda t: (t not in DEMO_TEAMS, t))
    taken: set[str] = set()
    colors: dict[str, str] = {}
    for name in names:
        color = team_color(name)
        if color in taken and len(taken) < len(SERIES):
            start = SERIES.index(color)
            color = next(c for c in SERIES[start:] + SERIES[:start] if c not in taken)
        colors[name] = color
        taken.add(color)
    return colors


def rgb(color: str) -> tuple[int, int, int]:
    """The red, green and blue channels (0-255) of a '#RRGGBB' colour."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)

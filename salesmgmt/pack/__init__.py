"""The meeting pack: a PowerPoint deck for the weekly team meeting (a team) or the sales-manager
meeting (all teams in the filter), built with python-pptx only (no browser, no images).

Every chart is a native PowerPoint chart (editable in PowerPoint or LibreOffice, data included);
every text comes from the catalogue in the chosen language, each measure named and formatted by
its definition, and each run carries an East Asian font name so Chinese shows in the right face.
Names from the data (reps, clients, projects) are shown as they are.

Slides: title; KPI summary; forecast; trend (manager); rankings; recognitions; wins and success
cases; behind on the plan (team) or issues to escalate (manager); sales-school findings; next
steps. At least eight slides and four charts whatever the data (an empty section says so).

Modules: `build` (the two decks, slide by slide), `deck` (what every slide needs), `figures`,
`week`, `team_meeting`, `manager_meeting`, `practices` (the slides), `draw` and `charts` (text
boxes, tables, fonts, native charts), `naming` (finding a team, the file name).
"""

from salesmgmt.pack.build import build_deck, build_deck_for
from salesmgmt.pack.naming import file_name, resolve_team

__all__ = ["build_deck", "build_deck_for", "file_name", "resolve_team"]

"""The pack's arguments and file name: a team found by one word of its name, and the name a deck
is saved under."""

from __future__ import annotations

import duckdb

from salesmgmt.errors import SalesmgmtError
from salesmgmt.periods import Period

TEAM_NAMES_SQL = "SELECT DISTINCT team FROM reps WHERE team IS NOT NULL ORDER BY team"


def resolve_team(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The team named `text`: its full name, or one word of it ('Dragon' or '龙' for '龙 Dragon'),
    case-insensitive. Raises a SalesmgmtError listing the teams when none or several match."""
    names = [str(row[0]) for row in con.execute(TEAM_NAMES_SQL).fetchall()]
    wanted = text.strip().casefold()
    exact = [n for n in names if n.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [n for n in names if wanted in (w.casefold() for w in n.split())]
    if len(partial) == 1:
        return partial[0]
    raise SalesmgmtError("pack.error.team", team=text, teams=", ".join(names) or "–")


def file_name(period: Period, team: str | None, lang: str) -> str:
    """'team-meeting_龙-Dragon_2026-05_zh.pptx' or 'manager-meeting_2026-05_en.pptx'."""
    head = f"team-meeting_{team.replace(' ', '-')}" if team else "manager-meeting"
    return f"{head}_{period}_{lang}.pptx"

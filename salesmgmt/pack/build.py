"""The two decks, slide by slide: the weekly team meeting of a team and the sales-manager meeting
of every team in the filter."""

from __future__ import annotations

from datetime import date

import duckdb

from salesmgmt.filters import Filters
from salesmgmt.pack import figures, inspection, manager_meeting, playbook, practices, team_meeting, week
from salesmgmt.pack.deck import Deck
from salesmgmt.pack.draw import titled_slide
from salesmgmt.periods import Period


def build_deck(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    as_of: date,
    lang: str = "zh",
    team: str | None = None,
    week_of: date | None = None,
    filters: Filters | None = None,
) -> bytes:
    """The meeting pack as .pptx bytes: the weekly team meeting of `team` (the week of
    `week_of`, default as_of's), else the sales-manager meeting of every team in `filters`
    (default: everyone)."""
    d = Deck(con, period, filters or Filters(), as_of, lang, team, week_of)
    figures.title_slide(d)
    figures.kpi_slide(d)
    figures.forecast_slide(d)
    inspection.changes_slide(d)
    if team is None:
        manager_meeting.trend_slide(d)
    figures.rankings_slide(d)
    figures.recognitions_slide(d)
    week.wins_slide(d)
    week.cases_slides(d)
    if team is None:
        manager_meeting.issues_slide(d)
    else:
        team_meeting.behind_slide(d, team)
    practices.school_slide(d)
    if team is not None:
        playbook.playbook_slide(d)
    next_steps = titled_slide(d.deck, d.t("pack.next.title"), d.lang, d.subtitle)
    if team is None:
        manager_meeting.to_decide(d, next_steps)
    else:
        team_meeting.next_week(d, next_steps, team)
    practices.steps(d, next_steps)
    return d.save()


def build_deck_for(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    lang: str,
    team: str | None,
    week_of: date | None,
) -> bytes:
    """`build_deck` with positional arguments (for the app's cached `queries.call`)."""
    return build_deck(con, period, as_of=as_of, lang=lang, team=team, week_of=week_of, filters=filters)

"""The deck being built and what every slide needs: the data's frame of reference (period, scope,
as-of day, the meeting's week), the words in the chosen language, and the measures that name and
format the figures."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import duckdb
import pandas as pd
from pptx import Presentation

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.glossary import find
from salesmgmt.i18n import format_money, money_divisor, t
from salesmgmt.measures import Measure
from salesmgmt.metrics import core, meetings, rankings, school
from salesmgmt.pack.draw import HEIGHT, WIDTH
from salesmgmt.periods import Period


def records(frame: pd.DataFrame) -> list[Any]:
    """A frame's rows as named tuples (`row.won_amount`); typed Any, as their fields are the
    frame's columns."""
    return list(frame.itertuples())


class Deck:
    """One meeting pack in the making: the team meeting of `team`, else the manager meeting of
    every team in `filters`. A team outside `filters` is an error."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        period: Period,
        filters: Filters,
        as_of: date,
        lang: str,
        team: str | None,
        week_of: date | None,
    ) -> None:
        self.con, self.period, self.as_of, self.lang, self.team = con, period, as_of, lang, team
        self.filters = filters
        if team is not None:
            narrowed = rankings.team_filters(filters, team)
            if narrowed is None:
                raise SalesmgmtError("pack.error.outside", team=team)
            self.filters = narrowed
        self.week_start, self.week_end = meetings.meeting_week(week_of or as_of)
        self.divisor = money_divisor(lang)
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = WIDTH, HEIGHT

    @cached_property
    def issues(self) -> pd.DataFrame:
        """The issues to escalate (two slides of the manager's deck show them)."""
        return meetings.issues_to_escalate(self.con, self.period, self.filters, self.as_of)

    @cached_property
    def school(self) -> dict[str, pd.DataFrame]:
        """The sales school over its default window. A team alone is mostly too few to tell, so a
        team's deck compares the whole sales force in the user's scope."""
        scope = (
            self.filters
            if self.team is None
            else Filters(
                scope_regions=self.filters.scope_regions,
                scope_teams=self.filters.scope_teams,
                scope_rep_ids=self.filters.scope_rep_ids,
            )
        )
        return school.school(self.con, school.window_for(self.as_of), scope, self.as_of)

    @cached_property
    def last_complete(self) -> Period | None:
        """In the first days of the period (core.first_days) the last complete period, which the
        rankings, the recognitions and the trend show instead of a few days' figures; else None."""
        return rankings.last_complete_period(self.period, self.as_of)

    def first_days(self, key: str, **values: object) -> list[str]:
        """In the first days, the note `key` saying so (with now, until and last filled in) as
        the lines of a text box; no lines otherwise."""
        if self.last_complete is None:
            return []
        until = core.first_complete_week_end(self.period).isoformat()
        now, last = self.period.label(self.lang), self.last_complete.label(self.lang)
        return [self.t(key, now=now, until=until, last=last, **values)]

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def label(self, key: str) -> str:
        """The name of the measure `key` in the deck's language."""
        return self.measure(key).label(self.lang)

    def value(self, key: str, value: Any) -> str:
        """A value of the measure `key` (a number, None or NaN) as text, by the measure's format."""
        return self.measure(key).format(value, self.lang)

    @staticmethod
    def measure(key: str) -> Measure:
        found = find(key)
        if found is None:
            raise KeyError(f"no measure {key!r}")
        return found

    def money(self, value: Any) -> str:
        """An amount that is not a measure (a deal's: a number, None or NaN), as every amount is written."""
        return format_money(value, self.lang)

    def scaled(self, values: Iterable[float | None]) -> list[float | None]:
        """Amounts in the chart unit (万元 in Chinese, CNY in English)."""
        return [None if v is None or v != v else float(v) / self.divisor for v in values]

    @property
    def money_format(self) -> str:
        """万元 with one decimal in Chinese; whole CNY with thousands separators in English."""
        return "#,##0.0" if self.lang == "zh" else "#,##0"

    @property
    def week(self) -> str:
        """'Week of 2026-05-25 to 2026-05-31'."""
        end = self.week_end - timedelta(days=1)
        return self.t("pack.week", start=self.week_start.isoformat(), end=end.isoformat())

    @property
    def subtitle(self) -> str:
        who = self.team or self.filters.describe(self.lang)
        return f"{who} · {self.period.label(self.lang)} · {self.t('pack.as_of', day=self.as_of.isoformat())}"

    def save(self) -> bytes:
        out = io.BytesIO()
        self.deck.save(out)
        return out.getvalue()

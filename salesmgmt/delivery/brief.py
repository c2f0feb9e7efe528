"""The weekly brief: one page for a team, a region, the company or a user's scope, in the reader's
language. Won against target and the chance of making it (month and quarter so far), the week's
forecast call, who is behind on the monthly plan and why, key accounts going cold, the deals
that moved in the last seven days, and the week's wins with the playbook steps of the biggest.

Every figure comes from the metrics the app shows (`core.totals`, `calls.week_board`,
`team_meeting.behind_on_plan`, `overview.cold_key_accounts`, `inspection`, `success_cases`), read
with the audience's filters, so a team's brief holds that team's reps and nothing else. `build`
gathers the content once as words in the reader's language; `Brief.html()` (A4, see
`brief_html`), `Brief.markdown()` (the group bots, see `brief_text`) and `Brief.text()` (e-mail)
only lay it out.

The first days of a month (`core.first_days`): the month so far is a few days against a whole
month, so the brief says so, compares nothing with the previous month's same days and shows last
month's final figures beside; the pace is not judged (behind_on_plan does the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.delivery.audience import Audience
from salesmgmt.filters import Filters
from salesmgmt.glossary import find
from salesmgmt.i18n import format_count, format_money, t
from salesmgmt.measures import COLD_ACCOUNT_DAYS
from salesmgmt.metrics import calls, core, inspection, overview, success_cases, team_meeting
from salesmgmt.pack.team_meeting import BEHIND_HEADER
from salesmgmt.periods import Period

#: Rows of each list the printed page holds at most (printing drops rows until the page is one
#: A4 page), and lines of each list on a phone; the rest: "N more in the app".
PRINT_ROWS = 8
PAGE_ROWS = 5
#: Success cases told with their playbook steps.
CASES = 2
#: The columns of each list on the page (catalogue keys).
COLD_HEADER = (
    "brief.col.client",
    "brief.col.owner",
    "brief.col.last_visit",
    "brief.col.open",
)
MOVED_HEADER = (
    "ins.pack.col.deal",
    "ins.pack.col.client",
    "ins.pack.col.rep",
    "ins.pack.col.amount",
    "ins.pack.col.flags",
)
WINS_HEADER = (
    "tm.col.date",
    "tm.col.rep",
    "tm.col.client",
    "tm.col.amount",
)


def _records(frame: pd.DataFrame) -> list[Any]:
    """A frame's rows as named tuples, typed Any (their fields are the frame's columns)."""
    return list(frame.itertuples())


def value(key: str, number: Any, lang: str) -> str:
    """A value of the glossary measure `key` as every page writes it (万元 in Chinese)."""
    measure = find(key)
    if measure is None:
        raise KeyError(f"no measure {key!r}")
    return measure.format(number, lang)


def label(key: str, lang: str) -> str:
    measure = find(key)
    if measure is None:
        raise KeyError(f"no measure {key!r}")
    return measure.label(lang)


@dataclass(frozen=True)
class Figure:
    """One key figure: its name, its value, and a line under it."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Block:
    """The key figures of one period (the month or the quarter so far)."""

    title: str
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """A list of the brief: a table on the page, a line per row in a message."""

    key: str
    """'behind', 'cold', 'moved' or 'wins'."""
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    lines: list[str]
    """The rows as sentences, for markdown and plain text (same order as `rows`)."""
    empty: str
    """What the brief says when there is no row."""
    note: str = ""


@dataclass(frozen=True)
class Case:
    """One of the week's biggest wins, with the steps of the playbook it followed."""

    title: str
    facts: str
    steps: str


@dataclass
class Brief:
    """A built brief: its words in `lang`, ready to be laid out."""

    title: str
    lang: str
    audience: Audience
    filters_text: str
    """What the brief covers, printed at its top: the audience's filters, the periods, the day."""
    week_text: str
    week_start: date
    as_of: date
    blocks: list[Block]
    call: list[str]
    sections: list[Section]
    cases: list[Case]
    cases_rule: str
    reps: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)

    def named(self, rep: object, team: object) -> None:
        """Note that the brief names `rep` (of `team`, when it has one)."""
        self.reps.add(str(rep))
        if isinstance(team, str):
            self.teams.add(team)

    def rep_names(self) -> set[str]:
        """The reps named anywhere in the brief."""
        return set(self.reps)

    def team_names(self) -> set[str]:
        """The teams named anywhere in the brief."""
        return set(self.teams)

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def html(self) -> str:
        """The brief as a complete HTML document: one A4 page, printable, CJK fonts."""
        from salesmgmt.delivery.brief_html import brief_html

        return brief_html(self)

    def pdf(self) -> bytes:
        """The brief printed on one A4 page (real Chromium; as many rows of each list as fit)."""
        from salesmgmt.delivery import render

        return render.html_to_pdf(self.html())

    def png(self, width: int = 750) -> bytes:
        """The brief as a phone image `width` pixels wide, under WeCom's 2 MB (real Chromium)."""
        from salesmgmt.delivery import render

        return render.html_to_png(self.html(), width)

    def markdown(self, max_bytes: int = 4096, link: str | None = None) -> str:
        """The brief as group-bot markdown (WeCom, DingTalk) of at most `max_bytes` in UTF-8:
        long lists are cut, with "more in the app" and `link`."""
        from salesmgmt.delivery.brief_text import brief_markdown

        return brief_markdown(self, max_bytes, link)

    def text(self, link: str | None = None) -> str:
        """The brief as plain text (the body of an e-mail)."""
        from salesmgmt.delivery.brief_text import brief_text

        return brief_text(self, link)


# ------------------------------------------------------------------------------------------
# Building


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _period_block(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, lang: str
) -> Block:
    """Won against target, attainment, forecast and the chance of making it, for `period` as of
    `as_of`; in the first days, the last complete period beside instead of a comparison."""
    total = core.totals(con, period, filters, as_of)
    figures = [
        Figure(
            t("brief.kpi.won", lang),
            value("won_amount", total["won_amount"], lang),
            t("brief.kpi.of_target", lang, target=value("target", total["target"], lang)),
        ),
        Figure(label("attainment", lang), value("attainment", total["attainment"], lang)),
        Figure(
            label("forecast", lang),
            value("forecast", total["forecast"], lang),
            t(
                "brief.kpi.forecast_att",
                lang,
                pct=value("forecast_attainment", total["forecast_attainment"], lang),
            ),
        ),
        Figure(
            label("attainment_probability", lang),
            value("attainment_probability", total["attainment_probability"], lang),
        ),
    ]
    notes: list[str] = []
    if core.first_days(period, as_of):
        days = (as_of - period.start).days + 1
        previous = period.previous()
        last = core.totals(con, previous, filters, previous.last_day, with_probability=False)
        notes.append(
            t(
                "brief.first_days",
                lang,
                days=days,
                period=period.label(lang),
                previous=previous.label(lang),
                won=value("won_amount", last["won_amount"], lang),
                target=value("target", last["target"], lang),
                attainment=value("attainment", last["attainment"], lang),
            )
        )
    else:
        before = overview.totals_same_days_before(con, period, filters, as_of)
        cut = overview.same_days_before(period, as_of)
        won_before = before["won_amount"] or 0
        change = (total["won_amount"] - won_before) / won_before if won_before else None
        notes.append(
            t(
                "brief.same_days",
                lang,
                start=cut.start.isoformat(),
                end=cut.last_day.isoformat(),
                won=value("won_amount", won_before, lang),
                change="–" if change is None else f"{change:+.0%}",
            )
        )
    title = t("brief.block.title", lang, period=period.label(lang), day=as_of.isoformat())
    return Block(title, figures, notes)


def _unit_rows(board: pd.DataFrame, audience: Audience) -> pd.DataFrame:
    """The board's rows of the audience itself: its team, region or the company; for a user
    the highest level their scope holds."""
    if board.empty:
        return board
    if audience.kind in ("team", "region", "company"):
        return board[board["level"] == audience.kind]
    for level in ("company", "region", "team", "rep"):
        rows = board[board["level"] == level]
        if not rows.empty:
            return rows
    return board.iloc[0:0]


def _call_lines(
    con: duckdb.DuckDBPyConnection,
    month: Period,
    filters: Filters,
    audience: Audience,
    as_of: date,
    lang: str,
) -> list[str]:
    """The week's forecast call of the audience's unit(s): the commit and best case called,
    how many units below have called, against the computed forecast."""
    board = calls.week_board(con, month, filters, as_of, as_of)
    lines = []
    for row in _records(_unit_rows(board, audience)):
        unit = t("brief.company", lang) if row.level == "company" else str(row.unit)
        forecast = value("forecast", row.forecast, lang)
        below = ""
        if pd.notna(row.below_units):
            lower = calls.BELOW.get(row.level, "rep")
            below = t(
                f"brief.call.below.{lower}", lang, called=int(row.below_called), units=int(row.below_units)
            )
        if pd.isna(row.commit):
            lines.append(t("brief.call.none", lang, unit=unit, forecast=forecast) + below)
        else:
            lines.append(
                t(
                    "brief.call.line",
                    lang,
                    unit=unit,
                    commit=value("commit", row.commit, lang),
                    best=value("best_case", row.best_case, lang),
                    forecast=forecast,
                )
                + below
            )
    return lines


def _behind(
    con: duckdb.DuckDBPyConnection, filters: Filters, week_start: date, as_of: date, lang: str, brief: Brief
) -> Section:
    teams = team_meeting.teams(con, filters)
    frames = []
    for team in teams:
        found = team_meeting.behind_on_plan(con, team, week_start, filters, as_of)
        frames.append(found.assign(team=team))
    behind = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    many = len(teams) > 1
    rows, lines = [], []
    for b in _records(behind):
        why = "; ".join(t(f"tm.reason.{r}", lang) for r in b.reasons)
        who = (
            f"{b.rep}（{b.team}）"
            if many and lang == "zh"
            else (f"{b.rep} ({b.team})" if many else str(b.rep))
        )
        won = format_money(b.won_amount, lang)
        expected = format_money(b.expected_by_now, lang)
        rows.append(
            (who, why, won, expected, format_count(b.visits_this_week), format_count(b.planned_missed))
        )
        lines.append(t("brief.behind.line", lang, rep=who, why=why, won=won, expected=expected))
        brief.named(b.rep, b.team)
    header = tuple(t(key, lang) for key in BEHIND_HEADER)
    rule = t("tm.behind.rule", lang, pace=int(team_meeting.BEHIND_PACE_SHARE * 100))
    return Section(
        "behind", t("brief.section.behind", lang), header, rows, lines, t("brief.behind.none", lang), rule
    )


def _cold(con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, lang: str, brief: Brief) -> Section:
    cold = overview.cold_key_accounts(con, filters, as_of)
    rows, lines = [], []
    for c in _records(cold):
        days = (
            t("brief.cold.never", lang)
            if pd.isna(c.days_since_visit)
            else t("brief.cold.days", lang, days=int(c.days_since_visit))
        )
        pipeline = format_money(c.open_amount, lang)
        rows.append((str(c.client), str(c.owner), days, pipeline))
        lines.append(t("brief.cold.line", lang, client=c.client, owner=c.owner, days=days, pipeline=pipeline))
        brief.named(c.owner, c.team)
    header = tuple(t(key, lang) for key in COLD_HEADER)
    note = t("brief.cold.rule", lang, days=COLD_ACCOUNT_DAYS)
    return Section(
        "cold", t("brief.section.cold", lang), header, rows, lines, t("brief.cold.none", lang), note
    )


def _moved(
    con: duckdb.DuckDBPyConnection, quarter: Period, filters: Filters, as_of: date, lang: str, brief: Brief
) -> Section:
    since = inspection.default_since(as_of)
    deals = inspection.inspection(con, quarter, filters, as_of, since)
    biggest = inspection.biggest_changes(deals, len(deals))
    names = {flag: label(flag, lang) for flag in inspection.FLAGS}
    rows, lines = [], []
    for b in _records(biggest):
        what = _sep(lang).join(names[flag] for flag in inspection.CHANGES if getattr(b, flag))
        amount = format_money(b.amount, lang)
        if b.amount_up or b.amount_down:
            what += f" ({'+' if b.change > 0 else ''}{format_money(b.change, lang)})"
        deal = str(b.opportunity)
        rows.append((deal, str(b.client or ""), str(b.rep), amount, what))
        lines.append(
            t("brief.moved.line", lang, deal=deal, client=b.client or "", rep=b.rep, amount=amount, what=what)
        )
        brief.named(b.rep, b.team)
    header = tuple(t(key, lang) for key in MOVED_HEADER)
    note = t("brief.moved.rule", lang, since=since.isoformat(), period=quarter.label(lang))
    return Section(
        "moved", t("brief.section.moved", lang), header, rows, lines, t("brief.moved.none", lang), note
    )


def _wins(
    con: duckdb.DuckDBPyConnection, filters: Filters, week_start: date, as_of: date, lang: str, brief: Brief
) -> Section:
    wins = team_meeting.week_wins(con, None, week_start, filters)
    wins = wins[[d <= as_of for d in wins["close_date"]]] if not wins.empty else wins
    rows, lines = [], []
    for w in _records(wins):
        amount = format_money(w.amount, lang)
        rows.append((str(w.close_date), str(w.rep), str(w.client or ""), amount))
        lines.append(
            t("brief.wins.line", lang, day=w.close_date, rep=w.rep, client=w.client or "", amount=amount)
        )
        brief.named(w.rep, w.team)
    header = tuple(t(key, lang) for key in WINS_HEADER)
    return Section("wins", t("brief.section.wins", lang), header, rows, lines, t("brief.wins.none", lang))


#: How a playbook step is marked in a case: followed, skipped, not measurable.
MARKS = {True: "✔", False: "✘", None: "–"}


def _cases(
    con: duckdb.DuckDBPyConnection,
    audience: Audience,
    filters: Filters,
    week_start: date,
    as_of: date,
    lang: str,
) -> list[Case]:
    team = filters.teams[0] if audience.kind == "team" and filters.teams else None
    found = [
        c
        for c in success_cases.success_cases(con, team, week_start, filters)
        if c["win"]["close_date"] is not None and c["win"]["close_date"] <= as_of
    ][:CASES]
    if not found:
        return []
    checks = success_cases.case_steps(con, tuple(str(c["win"]["opp_id"]) for c in found), week_start, filters)
    cases = []
    for case in found:
        win, summary = case["win"], case["summary"]
        title = t(
            "tm.case.title",
            lang,
            deal=win["name"] or win["opp_id"],
            rep=win["rep"],
            amount=format_money(win["amount"], lang),
        )
        parties = _sep(lang).join(t(f"client_type.{p}", lang) for p in summary["parties_met"])
        facts = t(
            "pack.cases.facts",
            lang,
            days=summary["days_to_close"],
            visits=summary["visits"],
            accompanied=summary["ride_alongs"],
            parties=parties or "–",
        )
        mine = checks[checks["opp_id"] == str(win["opp_id"])]
        steps = (
            t("tm.case.playbook.none", lang)
            if mine.empty
            else t(
                "tm.case.playbook",
                lang,
                steps=" · ".join(
                    f"{MARKS[r.followed]} {t(f'sd.name.{r.behaviour}', lang)}" for r in _records(mine)
                ),
            )
        )
        cases.append(Case(f"{title} · {win['client'] or ''}", facts, steps))
    return cases


def build(
    con: duckdb.DuckDBPyConnection, audience: Audience, week: date, lang: str, filters: Filters | None = None
) -> Brief:
    """The brief of `audience` for the week holding `week`, read as of `week` (the week from its
    Monday up to that day; the month and quarter so far). For a Monday-morning delivery about the
    week gone, pass the Sunday before. `filters` replaces the audience's own (a reader's scope
    applied, see `Audience.within`)."""
    chosen = audience.filters(con) if filters is None else filters
    as_of = week
    week_start, _ = team_meeting.meeting_week(week)
    month = Period.month_of(as_of)
    quarter = Period.containing(as_of, "quarter")
    who = _audience_name(con, audience, chosen, lang)
    filters_text = t(
        "brief.filters",
        lang,
        filters=chosen.describe(lang),
        month=month.label(lang),
        quarter=quarter.label(lang),
        day=as_of.isoformat(),
    )
    brief = Brief(
        title=t("brief.title", lang, who=who),
        lang=lang,
        audience=audience,
        filters_text=filters_text,
        week_text=t("pack.week", lang, start=week_start.isoformat(), end=as_of.isoformat()),
        week_start=week_start,
        as_of=as_of,
        blocks=[],
        call=[],
        sections=[],
        cases=[],
        cases_rule=t("tm.case.playbook.rule", lang),
    )
    brief.blocks = [
        _period_block(con, month, chosen, as_of, lang),
        _period_block(con, quarter, chosen, as_of, lang),
    ]
    brief.call = _call_lines(con, month, chosen, audience, as_of, lang)
    brief.sections = [
        _behind(con, chosen, week_start, as_of, lang, brief),
        _cold(con, chosen, as_of, lang, brief),
        _moved(con, quarter, chosen, as_of, lang, brief),
        _wins(con, chosen, week_start, as_of, lang, brief),
    ]
    brief.cases = _cases(con, audience, chosen, week_start, as_of, lang)
    return brief


def _audience_name(con: duckdb.DuckDBPyConnection, audience: Audience, filters: Filters, lang: str) -> str:
    """The audience as the title names it: the team's or region's full name, the company, or
    the user's name."""
    if audience.kind == "team" and filters.teams:
        return filters.teams[0]
    if audience.kind == "region" and filters.regions:
        return filters.regions[0]
    if audience.kind == "user" and audience.key:
        from salesmgmt.auth import get_user

        user = get_user(con, audience.key)
        if user is not None and user.display_name:
            return user.display_name
    return audience.describe(lang)

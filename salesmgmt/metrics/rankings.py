"""Rankings (module 3): team against team and rep against rep within a team, on measures that
are fair to a small territory (attainment of one's own target, growth on oneself, visits against
the norm, win rate against one's group), a documented composite score, movement since last week,
and the recognitions earned (with the results worth reporting to head office).

The per-period figures come from `core.figures` (module 1's definitions); this module only
combines them. Every function takes a Filters and returns nothing outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import VISIT_NORM_PER_WEEK, Measure
from salesmgmt.metrics.core import NO_GROUP, figures, first_days
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

#: Weights of the composite score's components (renormalised over the components a row has).
COMPOSITE_WEIGHTS: dict[str, float] = {"attainment": 0.4, "growth": 0.2, "visits": 0.2, "win_rate": 0.2}
#: Each component is a ratio to its bar (1 = on the bar), capped here so that one huge value
#: cannot carry the whole score.
COMPONENT_CAP = 1.5
#: A win rate enters the score only with at least this many deals closed (won + lost).
MIN_CLOSED_FOR_WIN_RATE = 3
#: Movement compares today's rank with the rank computed this many days earlier.
MOVEMENT_DAYS = 7
#: Recognitions.
OUTSTANDING_ATTAINMENT = 1.5  # a rep at 150% of the period's target: reported to head office
TEAM_REPORT_ATTAINMENT = 1.1  # a team at 110%: reported to head office
BIG_DEAL_AMOUNT = 1_500_000  # a single deal this big (CNY): reported to head office
MOST_IMPROVED_MIN_POINTS = 0.20  # attainment up by at least 20 points (three months on three)
STREAK_MONTHS = 3  # "three months over target"

MEASURES: list[Measure] = [
    Measure(
        "growth",
        "Growth",
        "同比增长",
        "percent",
        "won_amount / won amount of the same period a year earlier up to the same day, minus 1 "
        "(like for like: a month in progress is compared with the same days of last year). "
        "Empty when nothing was won then. Reps are compared with themselves, so a small "
        "territory is no handicap.",
    ),
    Measure(
        "visits_vs_norm",
        "Visits vs norm",
        "拜访达标比",
        "percent",
        f"Client visits per week / the norm of {VISIT_NORM_PER_WEEK}, counting only complete "
        "Monday-to-Sunday weeks of the period up to the as-of date (a week in progress would "
        "count as a short week). Teams: per active sales engineer.",
    ),
    Measure(
        "composite_score",
        "Composite score",
        "综合得分",
        "number",
        "100 x the weighted mean of four ratios to their bar, each capped at "
        f"{COMPONENT_CAP}: attainment (bar: 100% of one's own target, weight "
        f"{COMPOSITE_WEIGHTS['attainment']:.0%}), growth (won / won a year earlier, bar 1, "
        f"{COMPOSITE_WEIGHTS['growth']:.0%}), visits vs norm ({COMPOSITE_WEIGHTS['visits']:.0%}) "
        "and win rate / the win rate of the group compared (all teams, or the rep's team; "
        f"{COMPOSITE_WEIGHTS['win_rate']:.0%}, only with at least {MIN_CLOSED_FOR_WIN_RATE} deals "
        "closed). A missing component leaves the score and the weights of the others are "
        "scaled up. 100 means on the bar everywhere. Rows without a target are not ranked.",
    ),
    Measure(
        "rank_movement",
        "Movement since last week",
        "较上周名次变化",
        "count",
        f"Rank {MOVEMENT_DAYS} days before the as-of date minus rank now (positive: moved up). "
        "The earlier rank is computed the same way from the deals closed and visits made up to "
        "that day (in the period current then), against the same targets. In the first days "
        "of a period (first_days) nobody is scored or ranked and there is no movement: the last "
        "complete period's ranking and recognitions are shown beside.",
    ),
]

#: Won and lost per rep in [start, end), by close date. Used for the earlier views (last week,
#: last year), which `figures` cannot clip to a day.
CLOSED_SQL = """
SELECT o.rep_id,
       CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'won'), 0) AS DOUBLE) AS won_amount,
       count(*) FILTER (WHERE o.status = 'won') AS won_count,
       count(*) FILTER (WHERE o.status = 'lost') AS lost_count
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
WHERE o.status IN ('won', 'lost') AND o.close_date >= $start AND o.close_date < $end AND {where}
GROUP BY o.rep_id
"""


# ------------------------------------------------------------------------------------------
# Helpers


def team_filters(filters: Filters, team: str) -> Filters | None:
    """`filters` narrowed to one team; None when the team is outside them."""
    from dataclasses import replace

    if filters.teams and team not in filters.teams:
        return None
    return replace(filters, teams=(team,))


def last_complete_sunday(day: date) -> date:
    """The Sunday on or before `day`: the end of the last complete Monday-Sunday week."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _clip(period: Period, day: date) -> Period:
    """The period's days up to and including `day`."""
    return Period(period.kind, period.start, max(period.start, min(period.end, day + timedelta(days=1))))


def _cap(series: pd.Series) -> pd.Series:
    return series.astype("float64").clip(lower=0, upper=COMPONENT_CAP)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype("float64"), den.astype("float64")
    return num / den.where(den > 0)


# ------------------------------------------------------------------------------------------
# The ranking


def _view(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    filters: Filters,
    as_of: date,
    level: str,
    full: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ranking's raw columns for `period` as known on `as_of` (facts after it left out).

    Targets are the whole period's (`full`: figures of the whole period at `level`, which
    depend on the period only, so a caller may pass them in); won and closed deals are those up
    to as_of; visits count complete weeks up to as_of.
    """
    keys = ["team"] if level == "team" else ["rep_id", "rep", "team"]
    if full is None:
        full = figures(con, period, filters, as_of, level, with_probability=False)
    # figures counts every close in the period; clipping the period to as_of leaves out later
    # ones (none for "now", a week's worth for "last week"). With as_of on the last complete
    # Sunday, its visit weeks are the complete weeks only (the Mondays up to that Sunday).
    sunday = last_complete_sunday(as_of)
    known = figures(con, _clip(period, as_of), filters, sunday, level, with_probability=False)
    out = full[keys + ["target"]].copy()
    known = known.set_index(keys)
    idx = pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else out[keys[0]]
    for col in ("won_amount", "won_count", "lost_count", "win_rate", "visits_per_week"):
        out[col] = known[col].reindex(idx).to_numpy()
    out.loc[known["weeks"].reindex(idx).fillna(0).to_numpy() == 0, "visits_per_week"] = np.nan
    out["region"] = full["region"].to_numpy()
    if level == "team":  # reps without a team (the director) are no team
        out = out[out["team"] != NO_GROUP].reset_index(drop=True)
    # Last year, like for like: the same period up to the same day a year earlier.
    ly_period = period.same_last_year()
    ly_end = min(ly_period.end, _year_earlier(as_of) + timedelta(days=1))
    ly = run(con, CLOSED_SQL, filters, {"start": ly_period.start, "end": ly_end})
    if level == "rep":
        out["won_last_year"] = out["rep_id"].map(ly.set_index("rep_id")["won_amount"]).fillna(0.0)
    else:
        rep_team = _rep_teams(con, filters)
        ly["team"] = ly["rep_id"].map(rep_team)
        by_team = ly.groupby("team")["won_amount"].sum()
        out["won_last_year"] = out["team"].map(by_team).fillna(0.0)
    if level == "rep":  # only sales engineers are ranked (managers carry the team's target)
        out = out[full["role"].to_numpy() == "sales_engineer"].reset_index(drop=True)
    return out


REP_TEAMS_SQL = f"SELECT r.rep_id, coalesce(r.team, '{NO_GROUP}') AS team FROM reps r WHERE {{where}}"


def _rep_teams(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.Series:
    """rep_id -> team (a missing team named as `figures` names it) for the reps in the filter."""
    return run(con, REP_TEAMS_SQL, filters).set_index("rep_id")["team"]


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _score(view: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """Add the components, the composite and the rank (within `group`, else overall)."""
    out = view.copy()
    out["attainment"] = _ratio(out["won_amount"], out["target"])
    out["growth"] = _ratio(out["won_amount"], out["won_last_year"]) - 1
    out["visits_vs_norm"] = out["visits_per_week"] / VISIT_NORM_PER_WEEK
    out["closed_count"] = (out["won_count"] + out["lost_count"]).astype("int64")
    if group:
        sums = out.groupby(group)[["won_count", "closed_count"]].transform("sum")
    else:
        sums = pd.DataFrame({c: float(out[c].sum()) for c in ("won_count", "closed_count")}, index=out.index)
    group_rate = _ratio(sums["won_count"], sums["closed_count"])
    rate = out["win_rate"].where(out["closed_count"] >= MIN_CLOSED_FOR_WIN_RATE)
    components = pd.DataFrame(
        {
            "attainment": _cap(out["attainment"]),
            "growth": _cap(out["growth"] + 1),
            "visits": _cap(out["visits_vs_norm"]),
            "win_rate": _cap(_ratio(rate, group_rate)),
        }
    )
    weights = pd.Series(COMPOSITE_WEIGHTS)
    have = components.notna()
    weighted = (components.fillna(0) * weights).sum(axis=1)
    total_w = (have * weights).sum(axis=1)
    out["composite"] = (100 * weighted / total_w.where(total_w > 0)).where(have["attainment"])
    for name in COMPOSITE_WEIGHTS:
        out[f"score_{name}"] = components[name]
    ranked = out["composite"].notna()
    order = out[ranked].sort_values(["composite", "attainment"], ascending=False, kind="stable")
    keys = [group] if group else []
    rank = (
        order.groupby(keys)["composite"].rank(method="min", ascending=False)
        if keys
        else order["composite"].rank(method="min", ascending=False)
    )
    out["rank"] = rank.reindex(out.index).astype("Int64")
    return out


def _ranking(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, level: str
) -> pd.DataFrame:
    group = "team" if level == "rep" else None
    full = figures(con, period, filters, as_of, level, with_probability=False)
    now = _score(_view(con, period, filters, as_of, level, full), group)
    before_day = as_of - timedelta(days=MOVEMENT_DAYS)
    before_period = period if before_day >= period.start else Period.containing(before_day, period.kind)
    then = _score(
        _view(con, before_period, filters, before_day, level, full if before_period == period else None),
        group,
    )
    key = "team" if level == "team" else "rep_id"
    now["rank_last_week"] = now[key].map(then.set_index(key)["rank"]).astype("Int64")
    if first_days(period, as_of):
        # A few days' figures (everyone at zero on the 1st) score and rank nobody: no score, no
        # rank, no movement; the page shows the last complete period's ranking beside
        # (ranked_period).
        now["rank"] = pd.array([pd.NA] * len(now), dtype="Int64")
        now[["composite", *(f"score_{name}" for name in COMPOSITE_WEIGHTS)]] = np.nan
    now["movement"] = (now["rank_last_week"] - now["rank"]).astype("Int64")
    sort = (["team"] if level == "rep" else []) + ["rank"]
    return now.sort_values(sort, na_position="last", kind="stable").reset_index(drop=True)


def last_complete_period(period: Period, as_of: date) -> Period | None:
    """In the first days of `period` (core.first_days) the period before it, whose ranking the
    page shows beside the unranked current one; None otherwise."""
    return period.previous() if first_days(period, as_of) else None


def ranked_period(period: Period, as_of: date) -> tuple[Period, date]:
    """The period whose ranking and recognitions are shown, with the day they are read at: the
    last complete period on its last day in the first days of `period`, else `period` at
    `as_of`."""
    last = last_complete_period(period, as_of)
    return (last, last.last_day) if last is not None else (period, as_of)


def team_rankings(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """Team against team: one row per team with target, won_amount, attainment, won_last_year,
    growth, visits_per_week, visits_vs_norm, win_rate, closed_count, the score_* components,
    composite, rank, rank_last_week and movement (see the glossary), best first."""
    return _ranking(con, period, filters, as_of, "team")


def rep_rankings(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, team: str | None = None
) -> pd.DataFrame:
    """Rep against rep within each team (sales engineers only; rank within the team), the same
    columns as `team_rankings` plus rep_id and rep; `team` narrows to one team."""
    if team is not None:
        narrowed = team_filters(filters, team)
        if narrowed is None:
            return _ranking(con, period, filters, as_of, "rep").iloc[0:0]
        filters = narrowed
    return _ranking(con, period, filters, as_of, "rep")


# ------------------------------------------------------------------------------------------
# Recognitions

#: Won deals of the period whose client is a design institute nobody had won a deal with before.
FIRST_DESIGN_INSTITUTE_SQL = """
SELECT o.opp_id, o.rep_id, r.name AS rep, r.team, c.client_id, c.name AS client,
       o.close_date, CAST(o.amount AS DOUBLE) AS amount
FROM opportunities o
JOIN reps r ON r.rep_id = o.rep_id
JOIN clients c ON c.client_id = o.client_id
WHERE o.status = 'won' AND c.client_type = 'design_institute'
  AND o.close_date >= $start AND o.close_date <= $as_of AND {where}
  AND NOT EXISTS (
      SELECT 1 FROM opportunities e
      WHERE e.client_id = o.client_id AND e.status = 'won'
        AND (e.close_date < o.close_date OR (e.close_date = o.close_date AND e.opp_id < o.opp_id)))
ORDER BY o.close_date, o.opp_id
"""

BIG_WINS_SQL = """
SELECT o.opp_id, o.rep_id, r.name AS rep, r.team, c.name AS client, o.close_date,
       CAST(o.amount AS DOUBLE) AS amount
FROM opportunities o
JOIN reps r ON r.rep_id = o.rep_id
LEFT JOIN clients c ON c.client_id = o.client_id
WHERE o.status = 'won' AND o.amount >= $big AND o.close_date >= $start AND o.close_date <= $as_of
  AND {where}
ORDER BY o.amount DESC, o.opp_id
"""

RECOGNITION_KINDS = (
    "three_months_over_target",
    "outstanding_attainment",
    "big_win",
    "team_over_target",
    "first_design_institute",
    "most_improved",
)
#: Recognitions judged on the complete months up to the as-of date, not on the period: the same
#: for a period in its first days and the last complete one.
COMPLETE_MONTHS_KINDS = ("three_months_over_target", "most_improved")


def last_complete_month(as_of: date) -> Period:
    """The latest calendar month that has ended on or before `as_of`."""
    current = Period.month_of(as_of)
    return current if as_of == current.last_day else current.previous()


#: Won (closed won, by close date) and rep targets of each rep in the filter, for several
#: windows at once: {columns} holds one pair of sums per window (module 1's definitions, as in
#: core.figures: exact decimal sums, then DOUBLE).
WINDOW_ATTAINMENT_SQL = """
WITH fr AS (SELECT r.rep_id FROM reps r WHERE {where}),
facts AS (
    SELECT o.rep_id, o.close_date AS day, o.amount, 'won' AS kind FROM opportunities o
    WHERE o.status = 'won' AND o.close_date >= $first AND o.close_date < $last
    UNION ALL
    SELECT TRY_CAST(t.scope_key AS INTEGER), t.month, t.amount, 'target' FROM targets t
    WHERE t.scope_kind = 'rep' AND t.month >= $first AND t.month < $last
)
SELECT fr.rep_id{columns}
FROM fr LEFT JOIN facts f USING (rep_id)
GROUP BY fr.rep_id
"""


def _window_attainments(
    con: duckdb.DuckDBPyConnection, filters: Filters, windows: dict[str, Period]
) -> pd.DataFrame:
    """Each rep's attainment (won / target, as core.figures counts them) in each of `windows`,
    by one read: rep_id, then one column per window name (NaN without a positive target)."""
    named: dict = {
        "first": min(w.start for w in windows.values()),
        "last": max(w.end for w in windows.values()),
    }
    columns = ""
    for i, name in enumerate(windows):
        named[f"s{i}"], named[f"e{i}"] = windows[name].start, windows[name].end
        inside = f"f.day >= $s{i} AND f.day < $e{i}"
        columns += (
            f",\n       CAST(coalesce(sum(f.amount) FILTER (WHERE f.kind = 'won' AND {inside}), 0)"
            f" AS DOUBLE) AS won_{i},"
            f"\n       CAST(sum(f.amount) FILTER (WHERE f.kind = 'target' AND {inside})"
            f" AS DOUBLE) AS target_{i}"
        )
    sums = run(con, compose(WINDOW_ATTAINMENT_SQL, columns=columns), filters, named)
    out = sums[["rep_id"]].copy()
    for i, name in enumerate(windows):
        out[name] = _ratio(sums[f"won_{i}"], sums[f"target_{i}"])
    return out


def recognitions(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """Recognitions earned, one row each: kind, rep_id, rep (empty for a team), team, when
    (the day or month), value (attainment, amount or points gained), client, head_office.

    - three_months_over_target: a sales engineer at or over 100% of target in each of the
      STREAK_MONTHS complete months up to as_of (head office);
    - outstanding_attainment: the sales engineer of each team with the highest attainment, when
      won to date >= OUTSTANDING_ATTAINMENT x the period's target (head office);
    - big_win: a deal of BIG_DEAL_AMOUNT or more won in the period (head office);
    - team_over_target: a team's won to date >= its period target (head office at
      TEAM_REPORT_ATTAINMENT);
    - first_design_institute: the first deal ever won with a design institute, in the period;
    - most_improved: per team, the sales engineer whose attainment over the last STREAK_MONTHS
      complete months rose most against the STREAK_MONTHS before, by at least
      MOST_IMPROVED_MIN_POINTS.
    """
    rows: list[dict] = []
    end = min(as_of, period.last_day)
    named = {"start": period.start, "as_of": end}

    last = last_complete_month(as_of)
    months = [last.shift(-i) for i in range(STREAK_MONTHS)]
    # Most improved compares the last STREAK_MONTHS complete months with the same span before
    # them (a quarter's worth evens out the lumpiness of single deals). Every attainment by
    # month and span in one read.
    recent = Period("months", months[-1].start, last.end)
    earlier = Period("months", months[-1].shift(-STREAK_MONTHS).start, recent.start)
    streak = [f"month_{i}" for i in range(STREAK_MONTHS)]
    attainments = _window_attainments(
        con, filters, {**dict(zip(streak, months)), "recent": recent, "earlier": earlier}
    )
    now = figures(con, period, filters, as_of, "rep", False)
    engineers = now.loc[now["role"] == "sales_engineer", ["rep_id", "rep", "team"]].merge(
        attainments, on="rep_id", how="left"
    )
    every_month = (engineers[streak] >= 1).all(axis=1)
    rep: Any
    deal: Any
    team: Any
    for rep, lowest in zip(
        engineers[every_month].itertuples(), engineers.loc[every_month, streak].min(axis=1)
    ):
        rows.append(_recognition("three_months_over_target", rep, str(last), float(lowest), head_office=True))

    outstanding = now[(now["role"] == "sales_engineer") & (now["attainment"] >= OUTSTANDING_ATTAINMENT)]
    outstanding = outstanding.sort_values(["attainment", "rep_id"], ascending=[False, True])
    for rep in outstanding.drop_duplicates("team").itertuples():  # the best of each team
        rows.append(
            _recognition("outstanding_attainment", rep, str(period), float(rep.attainment), head_office=True)
        )

    for deal in run(con, BIG_WINS_SQL, filters, {**named, "big": BIG_DEAL_AMOUNT}).itertuples():
        rows.append(_deal_recognition("big_win", deal, head_office=True))

    teams = figures(con, period, filters, as_of, "team", False)
    for team in teams[teams["attainment"] >= 1].itertuples():
        rows.append(
            dict(
                kind="team_over_target",
                rep_id=None,
                rep=None,
                team=team.team,
                when=str(period),
                value=float(team.attainment),
                client=None,
                head_office=bool(team.attainment >= TEAM_REPORT_ATTAINMENT),
            )
        )

    for deal in run(con, FIRST_DESIGN_INSTITUTE_SQL, filters, named).itertuples():
        rows.append(_deal_recognition("first_design_institute", deal, head_office=False))

    change = engineers[["rep_id", "rep", "team"]].assign(gain=engineers["recent"] - engineers["earlier"])
    change = change[change["gain"] >= MOST_IMPROVED_MIN_POINTS - 1e-9]
    for _team, group in change.sort_values(["gain", "rep_id"], ascending=[False, True]).groupby(
        "team", sort=True
    ):
        best = group.iloc[0]
        rows.append(_recognition("most_improved", best, f"{months[-1]} – {last}", float(best.gain), False))

    frame = pd.DataFrame(
        rows, columns=["kind", "rep_id", "rep", "team", "when", "value", "client", "head_office"]
    )
    frame["order"] = frame["kind"].map({k: i for i, k in enumerate(RECOGNITION_KINDS)})
    frame = frame.sort_values(["order", "team", "when"], kind="stable").drop(columns="order")
    frame["rep_id"] = frame["rep_id"].astype("Int64")
    return frame.reset_index(drop=True)


def recognitions_so_far(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The recognitions the period has earned of its own up to `as_of`: `recognitions` without
    those judged on complete months (COMPLETE_MONTHS_KINDS), which in the first days are the
    last complete period's too."""
    found = recognitions(con, period, filters, as_of)
    return found[~found["kind"].isin(COMPLETE_MONTHS_KINDS)].reset_index(drop=True)


def head_office_report(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """The outstanding results worth reporting to head office (recognitions so flagged)."""
    found = recognitions(con, period, filters, as_of)
    return found[found["head_office"]].reset_index(drop=True)


def _recognition(
    kind: str, rep: Any, when: str, value: float, head_office: bool, client: str | None = None
) -> dict[str, Any]:
    """A row of recognitions about a rep (`rep` a row with rep_id, rep and team)."""
    return dict(
        kind=kind,
        rep_id=int(rep.rep_id),
        rep=rep.rep,
        team=rep.team,
        when=when,
        value=value,
        client=client,
        head_office=head_office,
    )


def _deal_recognition(kind: str, deal: Any, head_office: bool) -> dict[str, Any]:
    """A row of recognitions about a won deal: its rep, close date, amount and client."""
    return _recognition(
        kind, deal, _iso(deal.close_date), float(deal.amount), head_office, client=deal.client
    )


def _iso(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def recognition_text(row: Any, lang: str, escape: Callable[[str], str] = str) -> str:
    """A recognition in words (`escape` makes names safe for where they go, e.g. Markdown)."""
    who = row.rep if isinstance(row.rep, str) else row.team
    return t(
        f"rk.rec.{row.kind}",
        lang,
        who=escape(who),
        team=escape(row.team),
        when=row.when,
        client=escape(row.client) if isinstance(row.client, str) else "",
        pct=format_percent(row.value),
        money=format_money(row.value, lang),
        points=f"{row.value * 100:+.0f}",
    )


def movement_text(movement: Any) -> str:
    """'▲2' (moved up two places), '▼1', '=' (no change) or '' (no earlier rank)."""
    if movement is None or pd.isna(movement):
        return ""
    movement = int(movement)
    return f"▲{movement}" if movement > 0 else (f"▼{-movement}" if movement < 0 else "=")

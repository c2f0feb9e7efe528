"""The demo's weekly forecast calls (`forecast_calls`): every engineer, manager and the director
calling week by week, for the last six months and two quarters and the current ones, with the
habits a director should learn to read.

What each unit will win in a period is known (the won deals of a closed period; for the current
period the computed forecast at as-of: won so far plus the weighted open pipeline), so a call in
week k of a period is that amount with noise that shrinks as the period goes, scaled by the
person's habit:

- most engineers call a little low (a commit is a promise); `DEMO_STORIES['sandbagging_rep']`
  calls about 30% below what he then wins, and his manager often adjusts him up, with a note;
- most managers call their team within a few percent; `DEMO_STORIES['optimistic_manager']`
  (the 豹 Leopard team) calls about 20% above, and the director adjusts that team down every week;
- an engineer who wins nothing in a month had hoped for something early in it, and lets it go.

When: engineers call on the week's first working day (a few habitually a working day later), the
manager calls the team on the day after, the director the regions and the company on the day after
that; a week without a working day (Spring Festival) has no calls; nothing is dated after as-of.
So on a Monday the managers' and director's calls of the week are still to come.

The rows follow `salesmgmt.metrics.call_records`: a rep's unit is their rep_id as text, a
manager's adjustment is a row of kind 'adjustment' on the rep (the director's on the team), and
`submitted_by` is the person's name (the demo has no users).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesmgmt.demo.company import DEMO_STORIES, OPTIMISTIC_TEAM, SANDBAG_TEAM, Geography
from salesmgmt.demo.draws import stream
from salesmgmt.demo.reps import Rep
from salesmgmt.demo.workdays import EPOCH, Calendar
from salesmgmt.metrics.call_records import period_weeks, week_of
from salesmgmt.periods import Period
from salesmgmt.stages import DEFAULT_PROBABILITY, UNKNOWN_OPEN_PROBABILITY, WON

#: How many closed months and quarters before the current ones carry calls.
CLOSED_MONTHS, CLOSED_QUARTERS = 6, 2

#: The sandbagger's commit as a share of what he then wins (drawn once per seed in this range).
SANDBAG_HABIT = (0.66, 0.72)
#: The optimistic manager's team call as a multiple of what the team then wins.
OPTIMISTIC_HABIT = (1.18, 1.22)

COLUMNS = [
    "call_id",
    "period",
    "week",
    "level",
    "unit",
    "kind",
    "commit_amount",
    "best_case_amount",
    "note",
    "submitted_by",
    "submitted_at",
]

_REP_NOTES = [
    "报价已发，等客户回复",
    "一单在走合同流程",
    "客户预算还没批下来，先保守报",
    "大单推迟到下月",
    "新项目刚立项，本月难落地",
    "两个项目在等甲方付款审批",
]
_SANDBAG_NOTES = ["先保守报，签了再说", "不确定因素多，先报这些", "合同没盖章前不算"]
_SANDBAG_ADJUST_NOTES = [
    "他一向报得保守，按历史成交上调",
    "两个单子已进入合同阶段，应该算进来",
    "上月同样保守，最终超出三成，上调",
]
_ADJUST_UP_NOTES = ["客户已确认下单，上调", "样品已通过，本月可签"]
_ADJUST_DOWN_NOTES = ["付款条件未谈妥，先下调", "甲方换了负责人，推迟风险大"]
_OPTIMISTIC_NOTES = ["几个大单都在谈，冲一冲", "月底有两单能签，有信心", "按全队冲刺目标报"]
_TEAM_NOTES = ["按各人提交汇总，略作调整", "大项目进度正常"]
_DIRECTOR_ADJUST_NOTE = "按该团队历来偏高约两成下调"
_NO_NOTE = np.array([None], dtype=object)


@dataclass(frozen=True)
class _Slots:
    """One row per (period, week) that carries calls: what the period is, how far into it the
    week is, and the days each kind of caller submits on (epoch days)."""

    period: np.ndarray
    """Index into the periods."""
    week: np.ndarray
    """The Monday (epoch day)."""
    progress: np.ndarray
    """0 in the period's first week, 1 in its last."""
    is_month: np.ndarray
    rep_day: np.ndarray
    late_day: np.ndarray
    manager_day: np.ndarray
    director_day: np.ndarray


def call_periods(as_of: date) -> list[Period]:
    """The months and quarters with calls: the last closed ones and the current ones."""
    month, quarter = Period.containing(as_of, "month"), Period.containing(as_of, "quarter")
    months = [month.shift(-k) for k in range(CLOSED_MONTHS, -1, -1)]
    quarters = [quarter.shift(-k) for k in range(CLOSED_QUARTERS, -1, -1)]
    return months + quarters


def _next_workday_in_week(cal: Calendar, day: date, monday: date) -> date | None:
    """The working day on or after `day` within the week of `monday`, if there is one."""
    found = cal.next_workday(day)
    return found if found <= monday + timedelta(days=6) and cal.next_workday(found) == found else None


def _slots(periods: list[Period], as_of: date, cal: Calendar) -> _Slots:
    rows: list[tuple[int, int, float, bool, int, int, int, int]] = []
    for i, period in enumerate(periods):
        weeks = period_weeks(period)
        for k, monday in enumerate(weeks):
            if monday > week_of(as_of):
                break
            first = _next_workday_in_week(cal, monday, monday)
            if first is None:
                continue  # no working day that week: nobody calls
            second = _next_workday_in_week(cal, first + timedelta(days=1), monday) or first
            third = _next_workday_in_week(cal, second + timedelta(days=1), monday) or second
            rep, late, manager, director = (d.toordinal() - EPOCH for d in (first, second, second, third))
            progress = k / max(1, len(weeks) - 1)
            rows.append(
                (
                    i,
                    monday.toordinal() - EPOCH,
                    progress,
                    period.kind == "month",
                    rep,
                    late,
                    manager,
                    director,
                )
            )
    cols = list(zip(*rows)) if rows else [()] * 8
    arr = [np.array(c) for c in cols]
    return _Slots(
        period=arr[0].astype(int),
        week=arr[1].astype(int),
        progress=arr[2].astype(float),
        is_month=arr[3].astype(bool),
        rep_day=arr[4].astype(int),
        late_day=arr[5].astype(int),
        manager_day=arr[6].astype(int),
        director_day=arr[7].astype(int),
    )


def _outcomes(
    opportunities: pd.DataFrame, periods: list[Period], rep_ids: np.ndarray, as_of: date
) -> np.ndarray:
    """What each rep wins in each period (reps x periods, CNY): the won amount of a closed period;
    for the current one, the won amount so far plus the weighted open deals expected in it."""
    ids = opportunities["rep_id"].to_numpy()
    amount = opportunities["amount"].to_numpy(dtype=float)
    won = (opportunities["status"] == WON).to_numpy()
    is_open = (opportunities["status"] == "open").to_numpy()
    closed = opportunities["close_date"].to_numpy(dtype="datetime64[D]")
    expected = opportunities["expected_close_date"].to_numpy(dtype="datetime64[D]")
    default = opportunities["stage"].map(DEFAULT_PROBABILITY).fillna(UNKNOWN_OPEN_PROBABILITY)
    probability = opportunities["probability"].astype("float64").fillna(default).to_numpy()
    position = pd.Index(rep_ids).get_indexer(ids)
    known = position >= 0
    out = np.zeros((len(rep_ids), len(periods)))
    for j, period in enumerate(periods):
        start, end = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
        value = np.where(won & (closed >= start) & (closed < end), amount, 0.0)
        if period.end > as_of:
            value = value + np.where(
                is_open & (expected >= start) & (expected < end), amount * probability, 0.0
            )
        out[:, j] = np.bincount(position[known], weights=value[known], minlength=len(rep_ids))
    return out


def _period_targets(
    targets: dict[tuple[int, date], int], periods: list[Period], rep_ids: np.ndarray
) -> np.ndarray:
    """Each rep's target in each period (reps x periods, CNY)."""
    return np.array(
        [[sum(targets.get((int(r), m), 0) for m in p.month_starts()) for p in periods] for r in rep_ids],
        dtype=float,
    ).reshape(len(rep_ids), len(periods))


def _expected(outcome: np.ndarray, target: np.ndarray, hope: np.ndarray, progress: np.ndarray) -> np.ndarray:
    """What a caller expects in a week: the outcome; when it is nothing, what they hoped for
    early in the period (a share of the target) fading to nothing as the period ends."""
    return np.where(outcome > 0, outcome, target * hope * (1 - progress))


def _money(values: np.ndarray) -> np.ndarray:
    """Amounts as callers type them: to the thousand CNY (0.1 万)."""
    return np.asarray(np.round(np.maximum(values, 0.0), -3), dtype=float)


def _noise(rng: np.random.Generator, shape: tuple[int, ...], progress: np.ndarray, wide: float) -> np.ndarray:
    """A multiplicative error that shrinks as the period goes, bounded so habits show through."""
    spread = wide * (1 - progress) + wide / 8
    return np.exp(np.clip(rng.normal(0.0, 1.0, shape) * spread, -0.25, 0.25))


def _times(rng: np.random.Generator, days: np.ndarray, hour: float, hours: float) -> np.ndarray:
    """Timestamps on `days` (epoch days) between `hour` and `hour + hours`, to the second."""
    seconds = days.astype("int64") * 86_400 + np.round((hour + rng.random(days.shape) * hours) * 3600)
    return seconds.astype("int64").astype("datetime64[s]")


def _pick_notes(rng: np.random.Generator, notes: list[str], n: int) -> np.ndarray:
    return np.array(notes, dtype=object)[rng.integers(0, len(notes), n)]


def name_optimistic_manager(reps: list[Rep]) -> None:
    """Give the optimistic team's manager the story's name (their engineers' `manager` too)."""
    manager = next(r for r in reps if r.role == "sales_manager" and r.team == OPTIMISTIC_TEAM)
    old, manager.name = manager.name, DEMO_STORIES["optimistic_manager"]
    for r in reps:
        if r.manager == old:
            r.manager = manager.name


def name_sandbagger(reps: list[Rep], opportunities: pd.DataFrame, as_of: date) -> Rep:
    """Give the story's name to the engineer of the sandbagging team (not the star) who won
    something in the last closed month and in the most of the closed months with calls (the
    lower rep_id on a tie), so his calls can be judged against wins on first run."""
    candidates = [
        r
        for r in reps
        if r.team == SANDBAG_TEAM and r.role == "sales_engineer" and r.name != DEMO_STORIES["star_rep"]
    ]
    closed = [p for p in call_periods(as_of) if p.kind == "month" and p.end <= as_of]
    ids = np.array([r.rep_id for r in candidates])
    won = _outcomes(opportunities, closed, ids, as_of) > 0
    score = [(bool(w[-1]), int(w.sum()), -r.rep_id) for r, w in zip(candidates, won)]
    chosen = candidates[max(range(len(candidates)), key=score.__getitem__)]
    chosen.name = DEMO_STORIES["sandbagging_rep"]
    return chosen


def _frame(
    periods: list[Period],
    slots: _Slots,
    pick: np.ndarray,
    level: str,
    units: np.ndarray,
    kind: str,
    commit: np.ndarray,
    best: np.ndarray,
    notes: np.ndarray,
    by: np.ndarray,
    at: np.ndarray,
) -> pd.DataFrame:
    """Rows of one kind of call; `pick` masks a (units x slots) grid, the other arrays are of
    that grid's shape (or broadcast to it)."""
    shape = pick.shape
    unit_idx, slot_idx = np.nonzero(pick)
    names = np.array([str(p) for p in periods], dtype=object)

    def take(values: np.ndarray) -> np.ndarray:
        return np.broadcast_to(values, shape)[unit_idx, slot_idx]

    return pd.DataFrame(
        {
            "period": names[slots.period[slot_idx]],
            "week": (slots.week[slot_idx]).astype("datetime64[D]").astype("datetime64[s]"),
            "level": level,
            "unit": units[unit_idx],
            "kind": kind,
            "commit_amount": take(commit),
            "best_case_amount": take(best),
            "note": take(notes),
            "submitted_by": take(by),
            "submitted_at": take(at),
        }
    )


def build_calls(
    seed: int,
    as_of: date,
    cal: Calendar,
    reps: list[Rep],
    geo: Geography,
    opportunities: pd.DataFrame,
    targets: dict[tuple[int, date], int],
) -> pd.DataFrame:
    """The `forecast_calls` rows of the demo (COLUMNS), call_id in order of submission."""
    rng = stream(seed, 6)
    periods = call_periods(as_of)
    slots = _slots(periods, as_of, cal)
    n_slots = len(slots.week)
    progress = slots.progress[None, :]
    limit = (as_of.toordinal() - EPOCH + 1) * 86_400  # the end of the as-of day, in seconds
    engineers = [r for r in reps if r.role == "sales_engineer" and r.team is not None]
    managers = {r.team: r for r in reps if r.role == "sales_manager"}
    director = next(r for r in reps if r.role == "director")
    rep_ids = np.array([r.rep_id for r in engineers])
    rep_team = np.array([r.team for r in engineers])
    n_teams = len(geo.teams)

    # Engineers: what they will win, their habit, their calls.
    outcome = _outcomes(opportunities, periods, rep_ids, as_of)[:, slots.period]
    target = _period_targets(targets, periods, rep_ids)[:, slots.period]
    hope = rng.uniform(0.2, 0.5, (len(engineers), len(periods)))[:, slots.period]
    expected = _expected(outcome, target, hope, progress)
    sandbagger = np.array([r.name == DEMO_STORIES["sandbagging_rep"] for r in engineers])
    habit = np.clip(rng.normal(0.95, 0.05, len(engineers)), 0.85, 1.05)
    habit = np.where(sandbagger, rng.uniform(*SANDBAG_HABIT), habit)
    late = rng.random(len(engineers)) < 0.15
    commit = _money(expected * habit[:, None] * _noise(rng, outcome.shape, progress, 0.22))
    upside = 1 + rng.uniform(0.1, 0.35, outcome.shape) * (1 - 0.6 * progress)
    best = _money(np.maximum(commit * upside, commit))
    noted = rng.random(outcome.shape) < 0.15
    note_text = np.where(
        sandbagger[:, None],
        _pick_notes(rng, _SANDBAG_NOTES, outcome.size).reshape(outcome.shape),
        _pick_notes(rng, _REP_NOTES, outcome.size).reshape(outcome.shape),
    )
    rep_days = np.where(late[:, None], slots.late_day[None, :], slots.rep_day[None, :])
    rep_at = _times(rng, np.broadcast_to(rep_days, outcome.shape), 8.5, 3.0)
    rep_units = np.array([str(i) for i in rep_ids], dtype=object)
    rep_names = np.array([r.name for r in engineers], dtype=object)[:, None]
    frames = [
        _frame(
            periods,
            slots,
            rep_at.astype("int64") < limit,
            "rep",
            rep_units,
            "call",
            commit,
            best,
            np.where(noted, note_text, _NO_NOTE),
            rep_names,
            rep_at,
        )
    ]

    # Managers adjust: the sandbagger often (up, to what he will win), anyone now and then;
    # months only, from the second week on, just before the team call.
    manager_names = np.array([managers[t].name for t in rep_team], dtype=object)[:, None]
    adjust_at = _times(rng, np.broadcast_to(slots.manager_day[None, :], outcome.shape), 13.0, 1.0)
    chance = np.where(sandbagger[:, None], 0.6, 0.03)
    adjusting = (
        (rng.random(outcome.shape) < chance)
        & slots.is_month[None, :]
        & (progress > 0)
        & (adjust_at.astype("int64") < limit)
    )
    adjusted = _money(expected * _noise(rng, outcome.shape, progress, 0.08))
    up = adjusted >= commit
    adjust_notes = np.where(
        sandbagger[:, None],
        _pick_notes(rng, _SANDBAG_ADJUST_NOTES, outcome.size).reshape(outcome.shape),
        np.where(
            up,
            _pick_notes(rng, _ADJUST_UP_NOTES, outcome.size).reshape(outcome.shape),
            _pick_notes(rng, _ADJUST_DOWN_NOTES, outcome.size).reshape(outcome.shape),
        ),
    )
    frames.append(
        _frame(
            periods,
            slots,
            adjusting,
            "rep",
            rep_units,
            "adjustment",
            adjusted,
            _money(adjusted * 1.1),
            adjust_notes,
            manager_names,
            adjust_at,
        )
    )

    # Teams: each manager's call on what the team will win, with their habit.
    team_outcome = np.zeros((n_teams, n_slots))
    team_target = np.zeros((n_teams, n_slots))
    np.add.at(team_outcome, rep_team, outcome)
    np.add.at(team_target, rep_team, target)
    team_expected = _expected(team_outcome, team_target, rng.uniform(0.5, 0.8, (n_teams, 1)), progress)
    optimistic = np.arange(n_teams) == OPTIMISTIC_TEAM
    team_habit = np.clip(rng.normal(1.0, 0.025, n_teams), 0.95, 1.05)
    team_habit = np.where(optimistic, rng.uniform(*OPTIMISTIC_HABIT), team_habit)
    team_commit = _money(
        team_expected * team_habit[:, None] * _noise(rng, team_outcome.shape, progress, 0.08)
    )
    team_best = _money(team_commit * (1 + rng.uniform(0.08, 0.25, team_outcome.shape)))
    team_at = _times(rng, np.broadcast_to(slots.manager_day[None, :], team_outcome.shape), 14.0, 4.0)
    team_notes = np.where(
        optimistic[:, None],
        _pick_notes(rng, _OPTIMISTIC_NOTES, team_outcome.size).reshape(team_outcome.shape),
        _pick_notes(rng, _TEAM_NOTES, team_outcome.size).reshape(team_outcome.shape),
    )
    team_noted = rng.random(team_outcome.shape) < np.where(optimistic, 0.5, 0.1)[:, None]
    team_units = np.array([name for name, _ in geo.teams], dtype=object)
    team_by = np.array([managers[t].name for t in range(n_teams)], dtype=object)[:, None]
    team_made = team_at.astype("int64") < limit
    frames.append(
        _frame(
            periods,
            slots,
            team_made,
            "team",
            team_units,
            "call",
            team_commit,
            team_best,
            np.where(team_noted, team_notes, _NO_NOTE),
            team_by,
            team_at,
        )
    )

    # The director: adjusts the optimistic team down to what it will win, every week he calls
    # (he knows the habit), then calls each region and the company.
    director_at = _times(rng, np.broadcast_to(slots.director_day[None, :], team_outcome.shape), 9.0, 0.5)
    director_made = director_at.astype("int64") < limit
    team_adjusting = optimistic[:, None] & director_made & team_made
    team_adjusted = _money(team_expected * _noise(rng, team_outcome.shape, progress, 0.05))
    director_name = np.array([director.name], dtype=object)
    frames.append(
        _frame(
            periods,
            slots,
            team_adjusting,
            "team",
            team_units,
            "adjustment",
            team_adjusted,
            _money(team_adjusted * 1.1),
            np.array([_DIRECTOR_ADJUST_NOTE], dtype=object),
            director_name,
            director_at,
        )
    )
    regions = sorted({region for _, region in geo.teams})
    team_region = np.array([regions.index(region) for _, region in geo.teams])
    region_expected = np.zeros((len(regions), n_slots))
    np.add.at(region_expected, team_region, team_expected)
    region_commit = _money(region_expected * 0.97 * _noise(rng, region_expected.shape, progress, 0.06))
    region_best = _money(region_commit * (1 + rng.uniform(0.08, 0.2, region_expected.shape)))
    region_at = director_at[: len(regions)] + np.timedelta64(30, "m")
    region_made = director_made[: len(regions)]
    frames.append(
        _frame(
            periods,
            slots,
            region_made,
            "region",
            np.array(regions, dtype=object),
            "call",
            region_commit,
            region_best,
            _NO_NOTE,
            director_name,
            region_at,
        )
    )
    company_at = director_at[:1] + np.timedelta64(60, "m")
    frames.append(
        _frame(
            periods,
            slots,
            director_made[:1],
            "company",
            np.array([""], dtype=object),
            "call",
            region_commit.sum(axis=0, keepdims=True),
            region_best.sum(axis=0, keepdims=True),
            _NO_NOTE,
            director_name,
            company_at,
        )
    )

    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(
        ["submitted_at", "level", "unit", "kind", "period"], kind="stable", ignore_index=True
    )
    out.insert(0, "call_id", np.arange(1, len(out) + 1))
    out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
    return out[COLUMNS]

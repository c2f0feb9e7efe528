"""The process behind the exports: each engineer's monthly plans (made at the start of the
month, signed by both, reviewed weekly) and the key-account reviews on their cadence.

Plans are drawn from the visits (`demo/visits.py`), so what a plan promised and what the visits
table shows agree: a planned visit that was made is a visit marked planned that week; a missed
one is a follow-up planned for a week in which the rep did not see that client; a planned visit
after as-of repeats the rep's visits of four weeks before. Everything is vectorised (the large
company has ~1,200 engineers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesmgmt.demo.company import DEMO_STORIES
from salesmgmt.demo.draws import stream
from salesmgmt.demo.plan import Frame
from salesmgmt.demo.workdays import EPOCH, Calendar
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics.client_reviews import REVIEW_INTERVAL_DAYS
from salesmgmt.periods import Period

#: Whole months of plans before the as-of month (the as-of month has one too).
PLAN_MONTHS = 6
#: Share of a month's planned visits that were missed: most engineers, the star, the struggler.
_MISSED_SHARE = (0.15, 0.04, 0.45)
#: Share of key accounts whose review is overdue at as-of (the cold account always is).
OVERDUE_REVIEW_SHARE = 0.06

_FINDINGS = [
    "采购流程调整，新项目需经集团招采平台",
    "设计院对排烟天窗选型有新要求",
    "对交期满意，价格压力较大",
    "决策人变动，需重新建立高层关系",
    "在建项目进展顺利，回款正常",
]
_DEVELOPMENT = [
    "每月一次技术交流，季度高层拜访",
    "跟进明年新建厂房项目，提前介入设计阶段",
    "安排样板工程参观，巩固品牌认可",
    "梳理在跟项目清单，逐一明确决策链",
    "联合设计院做选型培训",
]


def _days(dates: pd.Series) -> np.ndarray:
    """Epoch days of a date column."""
    out: np.ndarray = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    return out


def _monday(days: np.ndarray) -> np.ndarray:
    """The Monday on or before each epoch day (1970-01-01 was a Thursday)."""
    out: np.ndarray = days - (days + 3) % 7
    return out


def _stamp(days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Timestamps: epoch days at a time of day (minutes after midnight)."""
    out: np.ndarray = days.astype("datetime64[D]").astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    return out.astype("datetime64[us]")


def plan_months(frame: Frame) -> list[date]:
    """The months that have plans: PLAN_MONTHS before the as-of month and the as-of month."""
    last = Period.month_of(frame.as_of)
    months = [last.shift(-k).start for k in range(PLAN_MONTHS, -1, -1)]
    return [m for m in months if m >= frame.start]


@dataclass(frozen=True)
class PlanFrames:
    monthly_plans: pd.DataFrame
    plan_visits: pd.DataFrame


def _entries(
    rng: np.random.Generator, frame: Frame, reps: pd.DataFrame, visits: pd.DataFrame, months: list[date]
) -> pd.DataFrame:
    """Every planned visit: rep_id, month (epoch day of its first), client_id, day, purpose,
    status ('done', 'missed', 'upcoming')."""
    as_of = frame.as_of.toordinal() - EPOCH
    month_days = np.array([m.toordinal() - EPOCH for m in months])
    month_ends = np.array([Period.month_of(m).end.toordinal() - EPOCH for m in months])
    v = visits.loc[visits.visit_type == "visit", ["rep_id", "client_id", "visit_date", "planned", "purpose"]]
    v = v.assign(day=_days(v.visit_date)).drop(columns="visit_date")
    v = v[v.rep_id.isin(reps.rep_id)]
    v["month"] = month_days[np.clip(np.searchsorted(month_days, v.day.to_numpy(), side="right") - 1, 0, None)]
    v = v[v.day >= month_days[0]]
    done = v[v.planned.astype(bool)].drop(columns="planned").assign(status="done")

    # Missed: a follow-up planned a week or two after a visit, in a week without that client.
    share = np.full(len(reps), _MISSED_SHARE[0])
    share[(reps.name == DEMO_STORIES["star_rep"]).to_numpy()] = _MISSED_SHARE[1]
    share[(reps.name == DEMO_STORIES["struggling_rep"]).to_numpy()] = _MISSED_SHARE[2]
    share_of = pd.Series(share, index=reps.rep_id.to_numpy())
    cand = done[rng.random(len(done)) < 2.2 * done.rep_id.map(share_of).to_numpy()].copy()
    cand["day"] = cand.day.to_numpy() + 7 * rng.integers(1, 3, size=len(cand))
    end_of = dict(zip(month_days.tolist(), month_ends.tolist(), strict=True))
    cand = cand[(cand.day < cand.month.map(end_of)) & (_monday(cand.day.to_numpy()) + 6 < as_of)]
    cand["week"] = _monday(cand.day.to_numpy())
    seen = v.assign(week=_monday(v.day.to_numpy()))[["rep_id", "client_id", "week"]].drop_duplicates()
    cand = cand.merge(seen, on=["rep_id", "client_id", "week"], how="left", indicator=True)
    missed = cand[cand["_merge"] == "left_only"].drop(columns=["_merge", "week"]).assign(status="missed")
    missed = missed.drop_duplicates(["rep_id", "client_id", "day"])

    # After as-of: the rep's visits of four weeks before, four weeks on (same weekday).
    month_end = month_ends[-1]
    ahead = v[(v.day > as_of - 28) & (v.day < month_end - 28)].drop(columns="planned")
    ahead = ahead.assign(day=ahead.day.to_numpy() + 28, month=month_days[-1], status="upcoming")
    out = pd.concat(
        [done, missed, ahead, _top_up(rng, as_of, (month_days[-1], month_end), reps, v, ahead)],
        ignore_index=True,
    )
    out["purpose"] = out.purpose.where(out.status != "missed", "回访跟进")
    out = out.drop_duplicates(["rep_id", "client_id", "day"])
    ordered: pd.DataFrame = out.sort_values(["rep_id", "day", "client_id"], kind="stable")
    return ordered.reset_index(drop=True)


def _top_up(
    rng: np.random.Generator,
    as_of: int,
    month: tuple[int, int],
    reps: pd.DataFrame,
    v: pd.DataFrame,
    ahead: pd.DataFrame,
) -> pd.DataFrame:
    """A plan meets the norm ahead: each whole week after as-of in the month gets at least
    VISIT_NORM_PER_WEEK planned visits (on Tuesday and Thursday), with clients the rep saw in
    the last quarter."""
    month_start, month_end = month
    first = _monday(np.array([as_of]))[0] + 7
    weeks = np.arange(first, month_end - 4, 7)
    if not len(weeks):
        return ahead.iloc[:0]
    grid = pd.DataFrame(
        {"rep_id": np.repeat(reps.rep_id.to_numpy(), len(weeks)), "week": np.tile(weeks, len(reps))}
    )
    have = ahead.assign(week=_monday(ahead.day.to_numpy())).groupby(["rep_id", "week"]).size()
    key = pd.MultiIndex.from_arrays([grid.rep_id, grid.week])
    need = np.clip(int(VISIT_NORM_PER_WEEK) - have.reindex(key).fillna(0).to_numpy().astype(int), 0, None)
    rows = grid.loc[grid.index.repeat(need)].reset_index(drop=True)
    rows["day"] = rows.week.to_numpy() + 1 + 2 * rows.groupby(["rep_id", "week"]).cumcount().to_numpy()
    recent = v[v.day > as_of - 91]
    clients = np.zeros(len(rows), dtype=np.int64)
    keep = np.zeros(len(rows), dtype=bool)
    for rep_id, idx in rows.groupby("rep_id").indices.items():
        pool = recent.client_id.to_numpy()[recent.rep_id.to_numpy() == rep_id]
        if len(pool):
            clients[idx] = pool[rng.integers(0, len(pool), size=len(idx))]
            keep[idx] = True
    rows = rows.assign(client_id=clients, purpose="客户维护", month=month_start)
    rows = rows.assign(status="upcoming")[keep & (rows.day.to_numpy() < month_end)]
    # A top-up that falls on a visit already planned to that client moves to the next day.
    planned = ahead[["rep_id", "client_id", "day"]].assign(taken=True)
    clash = rows.merge(planned, on=["rep_id", "client_id", "day"], how="left").taken.notna().to_numpy()
    rows["day"] = rows.day.to_numpy() + clash
    return rows.drop(columns="week")


def _revisions(frame: Frame, cal: Calendar, reps: pd.DataFrame, months: list[date]) -> pd.DataFrame:
    """One row per (rep, month, revision) with saved_on as an epoch day: revision 1 on the
    month's first working day (never after as-of), then one each Monday up to as-of."""
    as_of = frame.as_of.toordinal() - EPOCH
    rows: list[tuple[int, int, int]] = []
    for m in months:
        first = min(cal.next_workday(m), frame.as_of).toordinal() - EPOCH
        end = min(Period.month_of(m).end.toordinal() - EPOCH, as_of + 1)
        mondays = [d for d in range(first + 1, end) if (d + 3) % 7 == 0]
        rows += [(m.toordinal() - EPOCH, r + 1, d) for r, d in enumerate([first, *mondays])]
    per_month = pd.DataFrame(rows, columns=["month", "revision", "saved_on"])
    return reps[["rep_id"]].merge(per_month, how="cross")


def build_plans(
    seed: int,
    frame: Frame,
    cal: Calendar,
    reps: pd.DataFrame,
    clients: pd.DataFrame,
    visits: pd.DataFrame,
    targets: pd.DataFrame,
) -> PlanFrames:
    """`monthly_plans` and `plan_visits` of every sales engineer for the plan months."""
    rng = stream(seed, 7)
    months = plan_months(frame)
    engineers = reps[reps.role == "sales_engineer"].reset_index(drop=True)
    entries = _entries(rng, frame, engineers, visits, months)
    revs = _revisions(frame, cal, engineers, months)
    revs = revs.sort_values(["rep_id", "month", "revision"], kind="stable").reset_index(drop=True)
    revs["plan_id"] = np.arange(1, len(revs) + 1)

    # What each weekly review saw: planned visits of the weeks before the review.
    e = entries.assign(week=_monday(entries.day.to_numpy()))
    seen = revs[revs.revision > 1].merge(
        e[["rep_id", "month", "week", "status", "client_id"]], on=["rep_id", "month"]
    )
    seen = seen[seen.week + 7 <= seen.saved_on]
    tally = (
        seen.assign(done=seen.status == "done", missed=seen.status == "missed")
        .groupby("plan_id")
        .agg(planned=("status", "size"), done=("done", "sum"), missed=("missed", "sum"))
    )
    last_missed = seen[seen.status == "missed"].groupby("plan_id").client_id.last()
    name_of = clients.set_index("client_id").name
    planned = revs.plan_id.map(tally.planned).fillna(0).astype(int)
    done = revs.plan_id.map(tally.done).fillna(0).astype(int)
    missed = revs.plan_id.map(tally.missed).fillna(0).astype(int)
    week_no = revs.revision - 1
    notes = (
        "第"
        + week_no.astype(str)
        + "周复盘：截至上周计划拜访 "
        + planned.astype(str)
        + " 次，完成 "
        + done.astype(str)
        + " 次，未完成 "
        + missed.astype(str)
        + " 次"
    )
    missed_client = revs.plan_id.map(last_missed).map(name_of)
    remedial = ("下周补访" + missed_client.fillna("未完成的客户") + "，周一与经理确认本周拜访安排").where(
        (revs.revision > 1) & (missed > 0)
    )

    n_planned = entries.groupby(["rep_id", "month"]).size()
    key = list(zip(revs.rep_id, revs.month, strict=True))
    n_month = pd.Series(n_planned.reindex(key).fillna(0).astype(int).to_numpy())
    t = targets[targets.scope_kind == "rep"]
    target_of = pd.Series(
        t.amount.to_numpy(), index=pd.MultiIndex.from_arrays([t.scope_key.astype(int), _days(t.month)])
    )
    target = pd.Series(target_of.reindex(key).fillna(0).to_numpy())
    commitments = (
        "本月目标 "
        + (target / 10_000).round().astype(int).astype(str)
        + " 万元；计划拜访 "
        + n_month.astype(str)
        + " 次，每周不少于 2 次"
    )

    names = engineers.set_index("rep_id")
    saved = revs.saved_on.to_numpy()
    n = len(revs)
    rep_at = _stamp(saved, rng.integers(9 * 60, 11 * 60, size=n))
    manager_at = _stamp(saved, rng.integers(11 * 60, 18 * 60, size=n))
    # The manager has not yet signed some of this week's new revisions.
    latest = revs.saved_on.to_numpy() > frame.as_of.toordinal() - EPOCH - 3
    waiting = latest & (revs.revision.to_numpy() > 1) & (rng.random(n) < 0.3)
    manager = revs.rep_id.map(names.manager).to_numpy(dtype=object)
    plans = pd.DataFrame(
        {
            "plan_id": revs.plan_id,
            "rep_id": revs.rep_id,
            "month": revs.month.to_numpy().astype("datetime64[D]"),
            "revision": revs.revision,
            "saved_on": saved.astype("datetime64[D]"),
            "saved_at": _stamp(saved, rng.integers(8 * 60, 9 * 60, size=n)),
            "commitments": commitments.to_numpy(dtype=object),
            "remedial_actions": remedial.to_numpy(dtype=object),
            "review_notes": notes.where(revs.revision > 1).to_numpy(dtype=object),
            "rep_signed_by": revs.rep_id.map(names.name).to_numpy(dtype=object),
            "rep_signed_at": rep_at,
            "manager_signed_by": pd.Series(manager).where(~waiting).to_numpy(dtype=object),
            "manager_signed_at": pd.Series(manager_at).where(~waiting),
        }
    )
    # Every revision carries the month's whole list of planned visits.
    pv = revs[["plan_id", "rep_id", "month"]].merge(entries, on=["rep_id", "month"])
    plan_visits = pd.DataFrame(
        {
            "plan_id": pv.plan_id.to_numpy(),
            "client_id": pv.client_id.to_numpy(),
            "planned_date": pv.day.to_numpy().astype("datetime64[D]"),
            "purpose": pv.purpose.to_numpy(dtype=object),
        }
    ).sort_values(["plan_id", "planned_date", "client_id"], kind="stable")
    return PlanFrames(plans, plan_visits.reset_index(drop=True))


def build_reviews(seed: int, frame: Frame, reps: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """`client_reviews`: every key account reviewed about every REVIEW_INTERVAL_DAYS by its
    owner and the owner's manager since the history starts; a few (always the cold account)
    are overdue at as-of, and a review comes due within two weeks only now and then."""
    rng = stream(seed, 8)
    as_of = frame.as_of.toordinal() - EPOCH
    start = frame.start.toordinal() - EPOCH
    key = clients[clients.key_account].reset_index(drop=True)
    n = len(key)
    overdue = (key.name == DEMO_STORIES["cold_account"]).to_numpy().copy()
    overdue[rng.permutation(n)[: round(n * OVERDUE_REVIEW_SHARE)]] = True
    last = as_of - np.where(
        overdue,
        rng.integers(REVIEW_INTERVAL_DAYS + 5, REVIEW_INTERVAL_DAYS + 50, size=n),
        rng.integers(3, REVIEW_INTERVAL_DAYS - 12, size=n),
    )
    k_max = (as_of - start) // (REVIEW_INTERVAL_DAYS - 10) + 1
    gaps = rng.integers(REVIEW_INTERVAL_DAYS - 10, REVIEW_INTERVAL_DAYS + 10, size=(n, k_max))
    gaps[:, 0] = 0
    days = last[:, None] - np.cumsum(gaps, axis=1)
    i, k = np.nonzero(days >= start)
    day = days[i, k]
    owner = key.owner_rep_id.to_numpy()[i]
    who = reps.set_index("rep_id")
    rep_name = pd.Series(owner).map(who.name).fillna("")
    manager = pd.Series(owner).map(who.manager).fillna("")
    reviews = pd.DataFrame(
        {
            "client_id": key.client_id.to_numpy()[i],
            "review_date": day.astype("datetime64[D]"),
            "participants": (rep_name + "、" + manager).str.strip("、").to_numpy(dtype=object),
            "findings": np.array(_FINDINGS, dtype=object)[rng.integers(0, len(_FINDINGS), size=len(i))],
            "development_plan": np.array(_DEVELOPMENT, dtype=object)[
                rng.integers(0, len(_DEVELOPMENT), size=len(i))
            ],
            "next_review_date": (day + REVIEW_INTERVAL_DAYS).astype("datetime64[D]"),
            "recorded_at": _stamp(day, rng.integers(16 * 60, 19 * 60, size=len(i))),
        }
    ).sort_values(["review_date", "client_id"], kind="stable")
    reviews.insert(0, "review_id", np.arange(1, len(reviews) + 1))
    return reviews.reset_index(drop=True)

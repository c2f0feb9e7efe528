"""The opportunities: won deals from the plan, lost and open deals around them, the cold
account's scripted pipeline, projects and products, and their ids."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from salesmgmt.demo.clients import Client
from salesmgmt.demo.company import DEMO_STORIES, PRODUCTS, DemoSize, Geography
from salesmgmt.demo.draws import choose, pick, stream
from salesmgmt.demo.names import project_name
from salesmgmt.demo.plan import Frame
from salesmgmt.demo.reps import Rep, engineers_by_team
from salesmgmt.demo.timeline import (
    OPEN_KEYS,
    Opp,
    build_timeline,
    close_day,
    deal_amount,
    months_for,
    script_cold_timeline,
    split_amount,
)
from salesmgmt.demo.workdays import Calendar
from salesmgmt.stages import LOST, WON

_LOST_REASONS = {
    "early": (["项目取消", "预算不足", "项目延期搁置", "竞争对手关系更好"], [0.3, 0.25, 0.25, 0.2]),
    "solution": (["技术参数不符", "竞争对手关系更好", "业主指定品牌", "项目取消"], [0.35, 0.25, 0.2, 0.2]),
    "late": (["价格偏高", "竞争对手关系更好", "付款条件不接受", "项目取消"], [0.5, 0.25, 0.15, 0.1]),
}


def _assign_projects(rng: np.random.Generator, opps: list[Opp], geo: Geography, words: int = 1) -> None:
    """Group opportunities of a region into projects: one project reaches several client types
    (the design institute specifies, the steel-structure firm or builder buys, the owner
    decides), so a project's chain can be followed across clients."""
    taken: set[str] = set()
    by_team: list[list[Opp]] = [[] for _ in geo.teams]
    for o in opps:
        by_team[o.team].append(o)
    for t in range(len(geo.teams)):
        region = sorted(by_team[t], key=lambda o: (o.created, o.seq))
        done = [False] * len(region)
        for i, o in enumerate(region):
            if done[i]:
                continue
            done[i] = True
            group = [o]
            size = choose(rng, [1, 2, 3, 4], [0.35, 0.35, 0.2, 0.1])
            types = {o.client_type}
            for j in range(i + 1, len(region)):
                if len(group) >= size or (region[j].created - o.created).days > 150:
                    break
                if not done[j] and region[j].client_type not in types and region[j].cold == o.cold:
                    done[j] = True
                    group.append(region[j])
                    types.add(region[j].client_type)
            project = project_name(rng, geo.cities[t], taken, words)
            used: set[str] = set()
            for member in group:
                member.project = project
                member.product = _product_for(rng, member, used)
                used.add(member.product)


def _product_for(rng: np.random.Generator, opp: Opp, used: set[str]) -> str:
    top = max(int(v["amount"]) for _, v in opp.events if "amount" in v)
    fits = [(p, w) for p, lo, hi, w in PRODUCTS if lo <= top <= hi]
    fits = [(p, w) for p, w in fits if p not in used] or fits or [(PRODUCTS[0][0], 1.0)]
    return pick(rng, [p for p, _ in fits], [w for _, w in fits])


_DEAL_WEIGHT_BY_TYPE = {
    "steel_structure": 1.3,
    "construction": 1.1,
    "owner": 1.0,
    "design_institute": 0.9,
    "other": 0.4,
}


class _ClientPicker:
    """Draws the client of a new deal: nearly always one of the rep's own, weighted towards
    key accounts and the client types that buy; now and then another client of the region."""

    def __init__(self, own: dict[int, list[Client]], region: dict[int, list[Client]]) -> None:
        self._pools = {
            **{("own", k): v for k, v in own.items()},
            **{("region", k): v for k, v in region.items()},
        }
        self._cdf: dict[tuple[str, int], list[float]] = {}
        for key, pool in self._pools.items():
            w = np.array(
                [(2.5 if c.key_account else 1.0) * _DEAL_WEIGHT_BY_TYPE[c.client_type] for c in pool]
            )
            if len(w):
                cdf = (w / w.sum()).cumsum()  # as rng.choice(len(pool), p=w / w.sum()) does
                cdf /= cdf[-1]
                self._cdf[key] = cdf.tolist()

    def pick(self, rng: np.random.Generator, rep: Rep) -> Client:
        key = ("own", rep.rep_id)
        if rng.random() >= 0.95 or not self._pools.get(key):
            key = ("region", rep.team or 0)
        pool = self._pools[key]
        return pool[bisect.bisect_right(self._cdf[key], rng.random())]


@dataclass
class _ColdAccount:
    """The cold account of the story: its owner, the day of its last visit, and its part of
    the owner's wins in some past quarters (quarter index -> CNY)."""

    client: Client
    owner: Rep
    last_visit: date
    won: dict[int, int]


def _cold_account(
    rng: np.random.Generator,
    cal: Calendar,
    frame: Frame,
    reps: list[Rep],
    clients: list[Client],
    plan: dict[tuple[int, int], float],
) -> _ColdAccount:
    """The cold account's last visit, 62-85 days before as-of on a working day; it was a good
    customer, so part of its owner's planned wins in three past quarters move to it (taken
    out of `plan`)."""
    as_of = frame.as_of
    cold = next(c for c in clients if c.name == DEMO_STORIES["cold_account"])
    cold_owner = next(r for r in reps if r.rep_id == cold.owner_rep_id)
    window = cal.workdays(as_of - timedelta(days=85), as_of - timedelta(days=62))
    cold_last = (
        window[int(rng.integers(len(window)))] if window else cal.prev_workday(as_of - timedelta(days=70))
    )
    n_q = len(frame.quarters)
    cold_won: dict[int, int] = {}
    for j in (n_q - 8, n_q - 6, n_q - 5):
        if 0 <= j < n_q - 2 and plan[(cold_owner.rep_id, j)] > 200_000:
            cold_won[j] = int(round(plan[(cold_owner.rep_id, j)] * 0.6, -3))
            plan[(cold_owner.rep_id, j)] -= cold_won[j]
    return _ColdAccount(cold, cold_owner, cold_last, cold_won)


class _Book:
    """The opportunities as they are drawn, numbered in order (`Opp.seq`); a deal without a
    given client gets one from the rep's book (see `_ClientPicker`), never the cold account."""

    def __init__(
        self, rng: np.random.Generator, reps: list[Rep], clients: list[Client], cold: Client, n_teams: int
    ) -> None:
        self.rng = rng
        self.cold = cold
        self.opps: list[Opp] = []
        own: dict[int, list[Client]] = {r.rep_id: [] for r in reps if r.role == "sales_engineer"}
        region: dict[int, list[Client]] = {t: [] for t in range(n_teams)}
        for c in clients:
            if c is not cold:
                own[c.owner_rep_id].append(c)
                region[c.team].append(c)
        self._picker = _ClientPicker(own, region)

    def new(
        self,
        rep: Rep,
        outcome: str,
        amount: int,
        stage: str,
        close: date | None,
        client: Client | None = None,
    ) -> Opp:
        client = client or self._picker.pick(self.rng, rep)
        o = Opp(
            len(self.opps),
            rep.rep_id,
            outcome,
            amount,
            stage,
            close,
            client.client_id,
            client.client_type,
            rep.team or 0,
            cold=client is self.cold,
        )
        self.opps.append(o)
        return o


def _won_deals(
    book: _Book,
    cal: Calendar,
    frame: Frame,
    reps: list[Rep],
    plan: dict[tuple[int, int], float],
    targets: dict[tuple[int, date], int],
    size: DemoSize,
    cold: _ColdAccount,
) -> dict[int, int]:
    """The won deals: each engineer's planned amount of a quarter split into deals, closed in
    the months that keep the team's months on its story. Returns won deals per engineer."""
    rng = book.rng
    won_stage = OPEN_KEYS[-1]
    n_won = {r.rep_id: 0 for r in reps if r.role == "sales_engineer"}
    by_team = engineers_by_team(reps, size.teams)
    for t in range(size.teams):
        team = by_team[t]
        for j, q in enumerate(frame.quarters):
            months = q.month_starts()
            due = [sum(targets[(r.rep_id, m)] for r in team) * frame.elapsed(m) for m in months]
            if sum(due) <= 0:
                continue
            deals: list[tuple[Rep, int, Client | None]] = []
            for rep in team:
                deals += [
                    (rep, amount, None)
                    for amount in split_amount(rng, plan[(rep.rep_id, j)], size.deal_factor)
                ]
                if rep is cold.owner and j in cold.won:
                    deals.append((rep, cold.won[j], cold.client))
            for (rep, amount, client), m in zip(deals, months_for(deals, months, due)):
                book.new(rep, WON, amount, won_stage, close_day(rng, cal, m, frame.as_of), client)
                n_won[rep.rep_id] += 1
    return n_won


def _lost_and_open_deals(
    book: _Book, cal: Calendar, frame: Frame, reps: list[Rep], n_won: dict[int, int], deal_factor: float
) -> None:
    """Lost deals in proportion to each engineer's wins, lost on any working day of the
    history, and the engineer's open deals at as-of."""
    rng = book.rng
    lost_stage_p = [0.15, 0.2, 0.2, 0.3, 0.15]
    lost_days = cal.workdays(frame.start, frame.as_of)
    for rep in reps:
        if rep.role != "sales_engineer":
            continue
        for _ in range(int(round(n_won[rep.rep_id] * rep.lose_ratio))):
            stage = pick(rng, OPEN_KEYS, lost_stage_p)
            close = lost_days[int(rng.integers(len(lost_days)))]
            book.new(rep, LOST, deal_amount(rng, 550_000 * deal_factor), stage, close)
        for _ in range(max(1, int(rng.poisson(rep.open_deals)))):
            stage = pick(rng, OPEN_KEYS, [0.2, 0.2, 0.25, 0.2, 0.15])
            book.new(rep, "open", deal_amount(rng, 600_000 * deal_factor), stage, None)


def _timelines(rng: np.random.Generator, cal: Calendar, opps: list[Opp], as_of: date) -> None:
    """Every deal's history, and why each lost deal was lost (by the stage it was lost in)."""
    for o in opps:
        build_timeline(rng, cal, o, as_of)
        if o.outcome == LOST:
            kind = (
                "early"
                if o.final_stage in ("lead", "qualified")
                else ("solution" if o.final_stage == "solution" else "late")
            )
            reasons, p = _LOST_REASONS[kind]
            o.lost_reason = pick(rng, reasons, p)


def _cold_pipeline(book: _Book, cal: Calendar, as_of: date, cold: _ColdAccount) -> None:
    """The cold account's open pipeline: built up while it was visited, then left to drift.
    After the last visit no stage moves; deals are pushed out, cut, or lost."""
    rng, cold_last = book.rng, cold.last_visit
    quiet = cal.prev_workday(cold_last - timedelta(days=3))
    scripts: list[tuple[str, int, int, list[tuple[int, dict[str, Any]]]]] = [
        # (current stage, amount at its peak, amount now, [(days after the last visit, change)])
        (
            "quote",
            1_200_000,
            800_000,
            [(20, {"amount": 800_000}), (35, {"expected_close_date": as_of + timedelta(days=95)})],
        ),
        (
            "solution",
            900_000,
            900_000,
            [
                (10, {"expected_close_date": cold_last + timedelta(days=75)}),
                (48, {"expected_close_date": as_of + timedelta(days=70)}),
            ],
        ),
        ("qualified", 600_000, 400_000, [(45, {"amount": 400_000})]),
    ]
    for stage, peak, final, changes in scripts:
        o = book.new(cold.owner, "open", final, stage, None, cold.client)
        extra = [(cold_last + timedelta(days=d), ch) for d, ch in changes]
        script_cold_timeline(rng, cal, o, quiet, peak, cold_last, extra)
    # And a deal in negotiation, lost to a competitor with a better relationship.
    o = book.new(cold.owner, LOST, 1_500_000, "negotiation", None, cold.client)
    o.close = cal.prev_workday(as_of - timedelta(days=int(rng.integers(18, 36))))
    o.lost_reason = "竞争对手关系更好"
    script_cold_timeline(
        rng,
        cal,
        o,
        quiet,
        o.amount,
        cold_last,
        [(o.close, {"stage": LOST, "status": LOST, "close_date": o.close, "probability": None})],
    )
    for o in book.opps:
        if o.cold:  # nobody visits it after the last visit, so nothing is preceded by one
            o.transitions = [(d, s) for d, s in o.transitions if d <= quiet]


def _number(opps: list[Opp]) -> None:
    """Ids: numbered per year of creation, in order of creation."""
    counter: dict[int, int] = {}
    for o in sorted(opps, key=lambda o: (o.created, o.rep_id, o.seq)):
        counter[o.created.year] = counter.get(o.created.year, 0) + 1
        o.opp_id = f"OPP-{o.created.year}-{counter[o.created.year]:04d}"


def build_opportunities(
    seed: int,
    cal: Calendar,
    frame: Frame,
    reps: list[Rep],
    clients: list[Client],
    plan: dict[tuple[int, int], float],
    targets: dict[tuple[int, date], int],
    size: DemoSize,
    geo: Geography,
) -> tuple[list[Opp], date]:
    """Won deals from the plan, lost and open deals around them, the cold account's script.
    Returns the opportunities and the cold account's last visit day."""
    rng = stream(seed, 4)
    cold = _cold_account(rng, cal, frame, reps, clients, plan)
    book = _Book(rng, reps, clients, cold.client, size.teams)
    n_won = _won_deals(book, cal, frame, reps, plan, targets, size, cold)
    _lost_and_open_deals(book, cal, frame, reps, n_won, size.deal_factor)
    _timelines(rng, cal, book.opps, frame.as_of)
    _cold_pipeline(book, cal, frame.as_of, cold)
    _assign_projects(rng, book.opps, geo, size.client_name_words)
    _number(book.opps)
    return book.opps, cold.last_visit

"""The sales force: the director, a manager per team and its sales engineers, with the rates
and quotas that drive their deals and visits (the star and the struggling rep scripted)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesmgmt.demo.company import BEHIND_TEAM, DEMO_STORIES, STAR_TEAM, STRUGGLING_TEAM, DemoSize
from salesmgmt.demo.names import unique_person_names


@dataclass
class Rep:
    rep_id: int
    name: str
    team: int | None
    role: str
    manager: str | None
    visit_rate: float = 0.0
    """Client visits (type 'visit') a week, before holidays."""
    call_rate: float = 0.0
    meeting_rate: float = 0.0
    ride_rate: float = 0.0
    """Manager ride-alongs a month."""
    quota: float = 0.0
    """Annual quota of the as-of year, CNY."""
    skill: float = 1.0
    key_visit_p: float = 0.6
    """Chance that a stage change is preceded by a visit."""
    lose_ratio: float = 0.8
    """Lost deals per won deal."""
    open_deals: float = 0.0


def build_reps(rng: np.random.Generator, size: DemoSize) -> list[Rep]:
    taken = set(DEMO_STORIES.values())
    sizes = [
        int(rng.integers(size.engineers_per_team[0], size.engineers_per_team[1] + 1))
        for _ in range(size.teams)
    ]
    names = unique_person_names(rng, 1 + size.teams + sum(sizes), taken)
    director = names.pop(0)
    reps = [Rep(1, director, None, "director", None)]
    norm = size.visit_norm_per_week
    quotas = [2_400_000, 2_700_000, 3_000_000, 3_300_000, 3_600_000]
    for t, n_eng in enumerate(sizes):
        manager = names.pop(0)
        reps.append(Rep(len(reps) + 1, manager, t, "sales_manager", director))
        # One or two engineers per team visit clearly less than the norm: the view of
        # visits against the norm needs someone to point at besides the scripted story.
        below = set(rng.choice(n_eng, size=int(rng.integers(1, 3)), replace=False).tolist())
        for i in range(n_eng):
            name = names.pop(0)
            if t == STAR_TEAM and i == 0:
                name = DEMO_STORIES["star_rep"]
            if t == STRUGGLING_TEAM and i == 1:
                name = DEMO_STORIES["struggling_rep"]
            rep = Rep(len(reps) + 1, name, t, "sales_engineer", manager)
            base = 0.88 * norm if t == BEHIND_TEAM else 1.1 * norm
            rep.visit_rate = float(np.clip(rng.normal(base, 0.09 * norm), 0.8 * norm, 1.25 * norm))
            if i in below and not (t == STAR_TEAM and i == 0):
                rep.visit_rate = float(rng.uniform(0.65, 0.78) * norm)
            rep.call_rate = float(rng.uniform(*size.call_rate))
            rep.meeting_rate = float(rng.uniform(*size.meeting_rate))
            rep.ride_rate = float(rng.uniform(1.5, 2.5) if rng.random() < 0.75 else rng.uniform(0.3, 0.7))
            if t == BEHIND_TEAM:
                rep.ride_rate *= 0.5  # the Wolf manager coaches in the field less
            rep.quota = float(quotas[int(rng.integers(len(quotas)))]) * size.quota_factor
            rep.skill = float(np.exp(rng.normal(0, 0.12)))
            rep.lose_ratio = float(rng.uniform(0.6, 1.0) * (1.25 if t == BEHIND_TEAM else 1.0))
            rep.open_deals = size.open_deals_per_engineer * (0.7 if t == BEHIND_TEAM else 1.0)
            if name == DEMO_STORIES["star_rep"]:
                rep.visit_rate, rep.key_visit_p = 1.9 * norm, 0.75
                rep.quota = 3_300_000.0 * size.quota_factor
                rep.lose_ratio, rep.ride_rate = 0.5, 1.0
                rep.open_deals = 1.6 * size.open_deals_per_engineer
            if name == DEMO_STORIES["struggling_rep"]:
                rep.visit_rate, rep.call_rate, rep.meeting_rate = 0.2 * norm, 0.05, 0.0
                rep.quota, rep.key_visit_p, rep.lose_ratio = 2_700_000.0 * size.quota_factor, 0.2, 1.6
                rep.open_deals, rep.ride_rate = 0.5 * size.open_deals_per_engineer, 1.0
            reps.append(rep)
    return reps


def engineers_by_team(reps: list[Rep], n_teams: int) -> list[list[Rep]]:
    """Each team's engineers in rep order."""
    out: list[list[Rep]] = [[] for _ in range(n_teams)]
    for r in reps:
        if r.team is not None and r.role == "sales_engineer":
            out[r.team].append(r)
    return out

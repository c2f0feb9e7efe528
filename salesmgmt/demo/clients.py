"""The clients of each team's region, their key accounts and owners (the cold account
scripted into the story team)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesmgmt.demo.company import COLD_TEAM, DEMO_STORIES, DemoSize, Geography
from salesmgmt.demo.draws import choose
from salesmgmt.demo.names import client_name
from salesmgmt.demo.reps import Rep, engineers_by_team
from salesmgmt.text import name_key

_CLIENT_TYPES = ["design_institute", "steel_structure", "construction", "owner", "other"]


_CLIENT_TYPE_P = [0.20, 0.25, 0.25, 0.26, 0.04]


@dataclass
class Client:
    client_id: int
    name: str
    client_type: str
    team: int
    key_account: bool
    owner_rep_id: int
    level: int


def build_clients(rng: np.random.Generator, reps: list[Rep], size: DemoSize, geo: Geography) -> list[Client]:
    taken = {name_key(DEMO_STORIES["cold_account"])}
    clients: list[Client] = []
    by_team = engineers_by_team(reps, size.teams)
    for t in range(size.teams):
        engineers = by_team[t]
        n = int(round(len(engineers) * size.clients_per_engineer))
        types = [str(x) for x in rng.choice(_CLIENT_TYPES, size=n, p=_CLIENT_TYPE_P)]
        # Key accounts: big steel-structure firms and key design institutes first.
        n_key = max(1, int(round(n * size.key_account_share)))
        key_w = np.array(
            [
                {"steel_structure": 5, "design_institute": 4, "construction": 1, "owner": 0.6, "other": 0}[x]
                for x in types
            ],
            dtype=float,
        )
        key_idx = set(rng.choice(n, size=n_key, replace=False, p=key_w / key_w.sum()).tolist())
        region_clients: list[Client] = []
        if t == COLD_TEAM:
            region_clients.append(Client(0, DEMO_STORIES["cold_account"], "design_institute", t, True, 0, 4))
        for i, ctype in enumerate(types):
            key = i in key_idx
            level = (
                choose(rng, [3, 4, 5], [0.2, 0.45, 0.35])
                if key
                else choose(rng, [1, 2, 3, 4], [0.15, 0.35, 0.35, 0.15])
            )
            name = client_name(rng, ctype, geo, t, taken, size.client_name_words)
            region_clients.append(Client(0, name, ctype, t, key, 0, level))
        # Owners: round-robin over a shuffled order, key accounts dealt first so each engineer
        # gets about one; the struggling rep owns none (his visits would not cover them).
        eligible_key = [r for r in engineers if r.name != DEMO_STORIES["struggling_rep"]]
        order = sorted(range(len(region_clients)), key=lambda j: (not region_clients[j].key_account, j))
        k_i = o_i = 0
        owner_order = [engineers[j] for j in rng.permutation(len(engineers))]
        key_order = [eligible_key[j] for j in rng.permutation(len(eligible_key))]
        for j in order:
            c = region_clients[j]
            if c.key_account:
                c.owner_rep_id = key_order[k_i % len(key_order)].rep_id
                k_i += 1
            else:
                c.owner_rep_id = owner_order[o_i % len(owner_order)].rep_id
                o_i += 1
        if t == COLD_TEAM:
            # The cold account belongs to an ordinary engineer: it went cold while its owner was
            # busy elsewhere, not because the owner is the struggling one.
            region_clients[0].owner_rep_id = eligible_key[0].rep_id
        # Keep the cold account off the first row: it should be found, not be obvious.
        perm = rng.permutation(len(region_clients))
        clients.extend(region_clients[j] for j in perm)
    for i, c in enumerate(clients, start=1):
        c.client_id = i
    return clients

"""The demo company as one DataFrame per table, in the columns and types the schema has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesmgmt.demo.calls import build_calls, name_optimistic_manager, name_sandbagger
from salesmgmt.demo.clients import Client, build_clients
from salesmgmt.demo.company import STANDARD_SIZE, UNALLOCATED_TEAM, DemoSize, Geography, geography
from salesmgmt.demo.deals import build_opportunities
from salesmgmt.demo.draws import stream
from salesmgmt.demo.field import build_checkins, client_locations
from salesmgmt.demo.plan import Frame, monthly_targets, time_frame, won_plan
from salesmgmt.demo.process import build_plans, build_reviews
from salesmgmt.demo.reps import Rep, build_reps, engineers_by_team
from salesmgmt.demo.timeline import FIELDS, Opp, change_intervals
from salesmgmt.demo.visits import build_visits
from salesmgmt.demo.workdays import EPOCH, Calendar
from salesmgmt.stages import LOST
from salesmgmt.text import name_key


def _as_dates(values: list[date | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[s]")


def _reps_frame(reps: list[Rep], geo: Geography) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": [r.rep_id for r in reps],
            "name": [r.name for r in reps],
            "name_key": [name_key(r.name) for r in reps],
            "code": [f"E{r.rep_id:03d}" for r in reps],
            "team": [geo.teams[r.team][0] if r.team is not None else None for r in reps],
            "region": [geo.teams[r.team][1] if r.team is not None else None for r in reps],
            "role": [r.role for r in reps],
            "manager": [r.manager for r in reps],
            "active": True,
        }
    )


def _clients_frame(clients: list[Client], geo: Geography, seed: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "client_id": [c.client_id for c in clients],
            "name": [c.name for c in clients],
            "name_key": [name_key(c.name) for c in clients],
            "code": [f"C{c.client_id:04d}" for c in clients],
            "client_type": [c.client_type for c in clients],
            "region": [geo.teams[c.team][1] for c in clients],
            "key_account": [c.key_account for c in clients],
            "owner_rep_id": [c.owner_rep_id for c in clients],
            "relationship_level": [c.level for c in clients],
        }
    )
    return pd.concat([frame, client_locations(stream(seed, 21), clients, geo)], axis=1)


@dataclass(frozen=True)
class _DealFrames:
    opportunities: pd.DataFrame
    history: pd.DataFrame
    """`opportunity_history`: one row per change interval."""
    history_days: pd.DataFrame
    """Each history row's opp_id, first epoch day and stage (for the visits' follow-ups)."""


def _deal_frames(opps: list[Opp]) -> _DealFrames:
    """The opportunities (their current state) and their history, in order of id."""
    hist_rows: list[dict[str, Any]] = []
    opp_rows: list[dict[str, Any]] = []
    for o in sorted(opps, key=lambda o: o.opp_id):
        intervals = change_intervals(o)
        for valid_from, valid_to, st in intervals:
            hist_rows.append(
                {
                    "opp_id": o.opp_id,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "client_id": o.client_id,
                    "rep_id": o.rep_id,
                    "product": o.product,
                    **{k: st[k] for k in FIELDS},
                }
            )
        cur = intervals[-1][2]
        short = o.product.split(" ")[0]
        opp_rows.append(
            {
                "opp_id": o.opp_id,
                "name": f"{o.project}-{short}",
                "client_id": o.client_id,
                "rep_id": o.rep_id,
                "product": o.product,
                "project": o.project,
                **{k: cur[k] for k in FIELDS},
                "created_date": o.created,
                "lost_reason": o.lost_reason if cur["status"] == LOST else None,
            }
        )
    history = pd.DataFrame(hist_rows)
    opportunities = pd.DataFrame(opp_rows)
    for df in (history, opportunities):
        for col in ("valid_from", "valid_to", "expected_close_date", "close_date", "created_date"):
            if col in df:
                df[col] = _as_dates(df[col].tolist())
        df["probability"] = pd.array(df["probability"].tolist(), dtype="Float64")
        df["amount"] = df["amount"].astype("int64")
    history_days = pd.DataFrame(
        {
            "opp_id": history.opp_id,
            "from_day": np.array([d.toordinal() - EPOCH for d in (r["valid_from"] for r in hist_rows)]),
            "stage": history.stage,
        }
    )
    return _DealFrames(opportunities, history, history_days)


def team_targets(
    targets: dict[tuple[int, date], int], reps: list[Rep], geo: Geography, frame: Frame
) -> dict[tuple[str, date], int]:
    """Each team's own monthly target, as the director sets it: its engineers' targets added up
    and rounded to 10万 (the manager's split to engineers seldom adds up to a round figure, so the
    targets grid shows a small unallocated difference in most months); from the month after
    as-of, the unallocated team's target also holds a post to fill (an average engineer's
    target), split to nobody yet."""
    out: dict[tuple[str, date], int] = {}
    for t, engineers in enumerate(engineers_by_team(reps, len(geo.teams))):
        if not engineers:
            continue
        for m in frame.months:
            split = sum(targets[(r.rep_id, m)] for r in engineers)
            post = split / len(engineers) if t == UNALLOCATED_TEAM and m > frame.as_of else 0
            out[(geo.teams[t][0], m)] = int(round(split + post, -5))
    return out


def _targets_frame(targets: dict[tuple[int, date], int], teams: dict[tuple[str, date], int]) -> pd.DataFrame:
    """Monthly targets per rep and per team, in order of month, kind and key (rep id as text)."""
    rows = sorted(
        [(m, "rep", str(r), a) for (r, m), a in targets.items()]
        + [(m, "team", team, a) for (team, m), a in teams.items()]
    )
    return pd.DataFrame(
        {
            "month": _as_dates([m for m, _, _, _ in rows]),
            "scope_kind": [k for _, k, _, _ in rows],
            "scope_key": [key for _, _, key, _ in rows],
            "amount": [a for _, _, _, a in rows],
        }
    )


def build_demo_frames(as_of: date, seed: int = 7, size: DemoSize = STANDARD_SIZE) -> dict[str, pd.DataFrame]:
    """The demo company as one DataFrame per table, sorted by key (pure: no database)."""
    frame = time_frame(as_of, size.history_years)
    geo = geography(size)
    # Wide enough for deals created before the history starts and expected after as-of.
    cal = Calendar(frame.start - timedelta(days=400), date(as_of.year + 2, 12, 31))
    reps = build_reps(stream(seed, 1), size)
    name_optimistic_manager(reps)
    clients = build_clients(stream(seed, 2), reps, size, geo)
    targets = monthly_targets(reps, frame)
    plan = won_plan(stream(seed, 3), reps, frame, targets, size.teams)
    opps, cold_last = build_opportunities(seed, cal, frame, reps, clients, plan, targets, size, geo)
    deals = _deal_frames(opps)
    name_sandbagger(reps, deals.opportunities, as_of)
    visits = build_visits(seed, cal, frame, reps, clients, opps, deals.history_days, cold_last, size.teams)
    reps_frame, clients_frame = _reps_frame(reps, geo), _clients_frame(clients, geo, seed)
    targets_frame = _targets_frame(targets, team_targets(targets, reps, geo, frame))
    plans = build_plans(seed, frame, cal, reps_frame, clients_frame, visits, targets_frame)
    return {
        "reps": reps_frame,
        "clients": clients_frame,
        "opportunities": deals.opportunities,
        "opportunity_history": deals.history,
        "visits": visits,
        "targets": targets_frame,
        "forecast_calls": build_calls(seed, as_of, cal, reps, geo, deals.opportunities, targets),
        "monthly_plans": plans.monthly_plans,
        "plan_visits": plans.plan_visits,
        "client_reviews": build_reviews(seed, frame, reps_frame, clients_frame),
        "checkins": build_checkins(stream(seed, 22), as_of, reps, clients_frame, visits),
    }

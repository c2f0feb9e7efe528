"""The visits (and calls and meetings): the key-account rhythm and the visits before stage
changes are scripted; a weekly filler tops each engineer up to their rate; then whom each
contact is with, what it is about, whether it was planned and who rode along."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesmgmt.demo.clients import Client
from salesmgmt.demo.company import DEMO_STORIES
from salesmgmt.demo.draws import stream
from salesmgmt.demo.plan import Frame
from salesmgmt.demo.reps import Rep
from salesmgmt.demo.timeline import OPEN_KEYS, Opp
from salesmgmt.demo.visit_texts import visit_texts
from salesmgmt.demo.workdays import EPOCH, Calendar
from salesmgmt.stages import LOST

# Where a visit came from: sets how likely it was planned, and which of two contacts with a
# client on one day is kept (the lower: a visit that moved a deal says the most).
_SRC_STAGE, _SRC_KEY_ACCOUNT, _SRC_FILLER = 0, 1, 2
#: None and `object` as numpy and pandas take them (their stubs want neither).
_NONE: Any = None
_OBJECT: Any = object


def _window_sum(a: np.ndarray, width: int) -> np.ndarray:
    """Sum over a centred window of `width` columns (cut at the edges), per row."""
    half = width // 2
    cs = np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)
    n = a.shape[1]
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    out: np.ndarray = cs[:, hi] - cs[:, lo]
    return out


#: A scripted contact: (rep_id, client_id, epoch day, visit_type, opp_id, category, source).
_Row = tuple[int, int, int, str, str | None, str, int]


@dataclass(frozen=True)
class _Window:
    """The days visits are drawn for, as epoch days, and the cold account's last visit."""

    first: int
    last: int
    cold: Client
    cold_end: int


@dataclass(frozen=True)
class _Deals:
    """The opportunities as arrays, one entry per deal: who, with whom, and the days it is open
    (from creation to its close, or to as-of)."""

    rep: np.ndarray
    client: np.ndarray
    ids: np.ndarray
    open_from: np.ndarray
    open_to: np.ndarray
    cold: np.ndarray

    @classmethod
    def of(cls, opps: list[Opp], as_of: date) -> _Deals:
        return cls(
            rep=np.array([o.rep_id for o in opps]),
            client=np.array([o.client_id for o in opps]),
            ids=np.array([o.opp_id for o in opps], dtype=object),
            open_from=np.array([o.created.toordinal() - EPOCH for o in opps]),
            open_to=np.array([(o.close or as_of).toordinal() - EPOCH for o in opps]),
            cold=np.array([o.cold for o in opps]),
        )


@dataclass(frozen=True)
class _Filler:
    """The filler contacts: rep, epoch day and visit type of each; the client and deal are
    chosen after."""

    rep: np.ndarray
    day: np.ndarray
    kind: np.ndarray


def _key_account_rows(
    rng: np.random.Generator, cal: Calendar, clients: list[Client], w: _Window
) -> list[_Row]:
    """Key accounts are seen every two to four weeks by their owner; the cold account every
    two to three weeks until its last visit."""
    rows: list[_Row] = []
    for c in clients:
        if not c.key_account:
            continue
        end = w.cold_end if c is w.cold else w.last
        lo, hi = (7, 15) if c is w.cold else (7, 21)  # working days between visits
        ranks = (
            int(cal.rank_days(np.array([w.first]))[0])
            + int(rng.integers(0, 10))
            + np.cumsum(rng.integers(lo, hi, size=(end - w.first) // lo + 2))
        )
        days = cal.at_rank_days(ranks)
        # Half-speed days around holidays keep only some of their visits.
        days = days[(days >= w.first) & (days <= end) & (rng.random(len(days)) < cal.factor_days(days))]
        if c is w.cold:
            days = np.append(days[days < w.cold_end - 5], w.cold_end)
        kinds = np.where(rng.random(len(days)) < 0.9, "visit", "meeting")
        rows += [
            (c.owner_rep_id, c.client_id, int(d), str(k), None, "key_account", _SRC_KEY_ACCOUNT)
            for d, k in zip(days.tolist(), kinds.tolist())
        ]
    return rows


def _stage_change_rows(
    rng: np.random.Generator, cal: Calendar, opps: list[Opp], by_id: dict[int, Rep], w: _Window
) -> list[_Row]:
    """A visit comes before most stage changes: the change is what the visit achieved."""
    rows: list[_Row] = []
    for o in opps:
        rep = by_id[o.rep_id]
        created = o.created.toordinal() - EPOCH
        for i, (t, stage) in enumerate(o.transitions):
            t_day = t.toordinal() - EPOCH
            if t_day < w.first or t_day > w.last:
                continue
            if stage == LOST:
                if rng.random() < 0.3:  # sometimes a call to learn why
                    rows.append((o.rep_id, o.client_id, t_day, "call", o.opp_id, "lost", _SRC_STAGE))
                continue
            if rng.random() >= rep.key_visit_p * (0.8 if i == 0 else 1.0):
                continue
            day = t_day
            if i > 0:
                day = cal.prev_workday_day(t_day - int(rng.integers(0, 4)))
            day = max(day, created)
            if day < w.first:
                continue
            u = rng.random()
            kind = "visit" if u < 0.85 else ("meeting" if u < 0.95 else "call")
            rows.append((o.rep_id, o.client_id, day, kind, o.opp_id, stage, _SRC_STAGE))
    return rows


#: Chance that a deal starts with a visit to the project's design institute, by (star, won):
#: the star opens the deals she wins there; everyone does it more for the deals they win.
_OPENING_P = {(True, True): 0.9, (True, False): 0.1, (False, True): 0.75, (False, False): 0.1}
#: Chance that the manager comes along to the opening visit of a deal then won, by star: the
#: star brings her manager to most, everyone brings theirs to some (never to one then lost).
_OPENING_RIDE_P = {True: 0.8, False: 0.45}
#: Chance that a deal then won is followed up within days of its quote (a visit 1-4 working
#: days later); a deal then lost waits for the next visit the rep happens to make.
_QUOTE_FOLLOWUP_P = 0.8
_QUOTE_STAGES = frozenset({"quote", "negotiation", "won"})


def _opening_rows(seed: int, opps: list[Opp], by_id: dict[int, Rep], w: _Window) -> pd.DataFrame:
    """The visit that opens a deal at the design institute of its project (the institute with a
    deal in the same project), when the institute specifies: 80-89 days before the deal's own
    client has a deal. It carries no deal id (a linked visit is with the deal's own client);
    the sales school finds it as the first visit to a client of the deal's project within
    PROJECT_LEAD_DAYS before the deal. `ride` marks the openings of won deals the manager comes
    along to (most of the star's, some of everyone's). Drawn from a stream of its own, so the
    other visits keep their draws."""
    rng = stream(seed, 9)
    project_di: dict[str, int] = {}
    for o in opps:
        if o.client_type == "design_institute" and o.project:
            project_di.setdefault(o.project, o.client_id)
    star = DEMO_STORIES["star_rep"]
    rows: list[tuple[int, int, int, str, str | None, str, int, bool]] = []
    for o in opps:
        u, lead, r = rng.random(), int(rng.integers(80, 90)), rng.random()
        institute = project_di.get(o.project)
        day = o.created.toordinal() - EPOCH - lead
        if o.client_type == "design_institute":
            institute = o.client_id  # the deal's own client is the institute: it opens there
        if o.outcome == "open" or institute is None or institute == w.cold.client_id:
            continue
        is_star, won = by_id[o.rep_id].name == star, o.outcome == "won"
        if u >= _OPENING_P[(is_star, won)] or not w.first <= day <= w.last:
            continue
        ride = won and r < _OPENING_RIDE_P[is_star]
        rows.append((o.rep_id, institute, day, "visit", None, "lead", _SRC_STAGE, ride))
    columns = ["rep_id", "client_id", "day", "visit_type", "opp_id", "cat", "src", "ride"]
    return pd.DataFrame(rows, columns=columns).assign(opening=True)


def _quote_followup_rows(seed: int, cal: Calendar, opps: list[Opp], w: _Window) -> list[_Row]:
    """The visit that follows up a quote of a deal then won: 1-4 working days after the day it
    reached the quote stage (its first stage change to quote, negotiation or won), before its
    close. Drawn from a stream of its own, so the other visits keep their draws."""
    rng = stream(seed, 10)
    rows: list[_Row] = []
    for o in opps:
        u, lag = rng.random(), int(rng.integers(1, 5))
        if o.outcome != "won" or o.cold or u >= _QUOTE_FOLLOWUP_P or o.close is None:
            continue
        quoted = next((t for t, stage in o.transitions if stage in _QUOTE_STAGES), None)
        if quoted is None:
            continue
        day = quoted
        for _ in range(lag):
            day = cal.next_workday(day + timedelta(days=1))
        d = day.toordinal() - EPOCH
        if day < o.close and w.first <= d <= w.last:
            rows.append((o.rep_id, o.client_id, d, "visit", o.opp_id, "negotiation", _SRC_STAGE))
    return rows


def _weekly_filler(
    rng: np.random.Generator, cal: Calendar, engineers: list[Rep], scripted: pd.DataFrame, w: _Window
) -> _Filler:
    """Each engineer's weekly rhythm up to their visit rate, drawn per week with little spread
    (reps plan their week around the norm), then spread over the week's working days."""
    d0, d1 = w.first, w.last
    monday0 = d0 - (d0 + 3) % 7
    n_weeks = (d1 - monday0) // 7 + 1
    grid = monday0 + np.arange(n_weeks * 7)
    in_window = (grid >= d0) & (grid <= d1)
    day_f = np.where(in_window, cal.factor_days(grid), 0.0).reshape(n_weeks, 7)
    week_f = day_f.sum(axis=1) / 5
    cdf = np.cumsum(day_f, axis=1) / np.maximum(day_f.sum(axis=1, keepdims=True), 1e-9)
    rep_ids = np.array([r.rep_id for r in engineers])
    visit_rate = np.array([r.visit_rate for r in engineers])
    # The filler tops the scripted visits up to the rep's rate. Scripted visits come in
    # bursts (a deal moving), so subtract their rate over the surrounding quarter, not the
    # week: weeks stay natural, and every stretch of time still shows the rep's rhythm.
    row = {rid: i for i, rid in enumerate(rep_ids.tolist())}
    s_visits = scripted[scripted.visit_type == "visit"]
    s_count = np.zeros((len(rep_ids), n_weeks))
    np.add.at(s_count, (s_visits.rep_id.map(row).to_numpy(), (s_visits.day.to_numpy() - monday0) // 7), 1)
    s_rate = _window_sum(s_count, 13) / np.maximum(_window_sum(week_f[None, :], 13), 1e-9)
    streams = {
        "visit": np.maximum(0.15 * visit_rate[:, None], visit_rate[:, None] - s_rate),
        "call": np.array([r.call_rate for r in engineers])[:, None],
        "meeting": np.array([r.meeting_rate for r in engineers])[:, None],
    }
    f_rep: list[np.ndarray] = []
    f_day: list[np.ndarray] = []
    f_type: list[np.ndarray] = []
    for vtype, rate in streams.items():
        mean = rate * week_f[None, :] * np.exp(rng.normal(0, 0.2, size=(len(rep_ids), n_weeks)))
        counts = np.floor(mean + rng.random(mean.shape)).astype(int)
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        r_i, w_i = flat // n_weeks, flat % n_weeks
        k = (rng.random(len(flat))[:, None] > cdf[w_i]).sum(axis=1).clip(0, 6)
        f_rep.append(rep_ids[r_i])
        f_day.append(monday0 + 7 * w_i + k)
        f_type.append(np.full(len(flat), vtype, dtype=object))
    fr, fd, ft = np.concatenate(f_rep), np.concatenate(f_day), np.concatenate(f_type)
    keep = (fd >= d0) & (fd <= d1)
    return _Filler(fr[keep], fd[keep], ft[keep])


def _filler_clients(
    rng: np.random.Generator,
    engineers: list[Rep],
    clients: list[Client],
    deals: _Deals,
    filler: _Filler,
    cold: Client,
    n_teams: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Whom the filler contacts are with, and the deal they are about (client ids, deal ids
    or None): often a client with a deal in progress (the visit is about the deal), otherwise
    someone from the rep's own book, now and then another client of the region."""
    fr, fd, ft = filler.rep, filler.day, filler.kind
    fc = np.zeros(len(fr), dtype=np.int64)
    fo = np.full(len(fr), None, dtype=object)
    book: dict[int, list[Client]] = {r.rep_id: [] for r in engineers}
    team_book: dict[int, list[Client]] = {t: [] for t in range(n_teams)}
    for c in clients:
        if c is not cold:
            book[c.owner_rep_id].append(c)
            team_book[c.team].append(c)
    for rep in engineers:
        idx = np.nonzero(fr == rep.rep_id)[0]
        if not len(idx):
            continue
        days = fd[idx]
        share = np.where(ft[idx] == "call", 0.6, 0.45)
        pipe = rng.random(len(idx)) < share
        mine = np.nonzero((deals.rep == rep.rep_id) & ~deals.cold)[0]
        if len(mine):
            live = (deals.open_from[mine][None, :] <= days[:, None]) & (
                days[:, None] <= deals.open_to[mine][None, :]
            )
            pick = np.argmax(rng.random(live.shape) * live, axis=1)
            pipe &= live.any(axis=1)
            fc[idx[pipe]] = deals.client[mine[pick[pipe]]]
            fo[idx[pipe]] = deals.ids[mine[pick[pipe]]]
        else:
            pipe[:] = False
        rest = idx[~pipe]
        own = book[rep.rep_id]
        region = [c for c in team_book[rep.team or 0] if c.owner_rep_id != rep.rep_id]
        pool = own + region
        weights = np.array([(2.0 if c.key_account else 1.0) * (0.6 + 0.2 * c.level) for c in pool])
        weights[: len(own)] *= 0.85 / weights[: len(own)].sum()
        weights[len(own) :] *= 0.15 / max(weights[len(own) :].sum(), 1e-9)
        chosen = rng.choice(len(pool), size=len(rest), p=weights / weights.sum())
        fc[rest] = np.array([c.client_id for c in pool])[chosen]
    return fc, fo


def _one_contact_a_day(scripted: pd.DataFrame, filler: pd.DataFrame, w: _Window) -> pd.DataFrame:
    """Scripted and filler contacts, none with the cold account after its last visit, sorted;
    one contact per client a day: the scripted one (it carries the deal) wins."""
    v = pd.concat([scripted, filler], ignore_index=True)
    v = v[~((v.client_id == w.cold.client_id) & (v.day > w.cold_end))]
    v = v.sort_values(["day", "rep_id", "client_id", "src"], kind="stable")
    return v.drop_duplicates(["day", "rep_id", "client_id"]).reset_index(drop=True)


def _link_open_deals(rng: np.random.Generator, v: pd.DataFrame, deals: _Deals) -> None:
    """Half of the visits without a deal are still about one: a deal of that client and rep
    open on the day (sets `opp_id` in place). A deal's opening visit stays about its project."""
    links = (
        v[v.opp_id.isna() & ~v.opening.to_numpy(dtype=bool)]
        .reset_index()
        .merge(
            pd.DataFrame(
                {
                    "rep_id": deals.rep,
                    "client_id": deals.client,
                    "opp": deals.ids,
                    "lo": deals.open_from,
                    "hi": deals.open_to,
                }
            ),
            on=["rep_id", "client_id"],
        )
    )
    links = links[(links.lo <= links.day) & (links.day <= links.hi)]
    links = links.sort_values(["index", "opp"], kind="stable")
    links = links.drop_duplicates("index")
    links = links[rng.random(len(links)) < 0.5]
    v.loc[links["index"].to_numpy(), "opp_id"] = links["opp"].to_numpy()


def _follow_up_stages(v: pd.DataFrame, history: pd.DataFrame) -> None:
    """A follow-up's purpose depends on the deal's stage that day (sets `cat` in place)."""
    follow = v.opp_id.notna() & v.cat.isin(["general", "key_account", "call"])
    if not follow.any():
        return
    f = v[follow].reset_index()[["index", "opp_id", "day"]].sort_values("day", kind="stable")
    h = history[["opp_id", "from_day", "stage"]].sort_values("from_day", kind="stable")
    f["opp_id"], h["opp_id"] = f["opp_id"].astype(str), h["opp_id"].astype(str)  # same key dtype
    f = pd.merge_asof(f, h, left_on="day", right_on="from_day", by="opp_id")
    stage = f.stage.where(f.stage.isin(OPEN_KEYS), "negotiation")
    v.loc[f["index"].to_numpy(), "cat"] = ("follow:" + stage.astype(str)).to_numpy()


def _ride_alongs(
    rng: np.random.Generator,
    v: pd.DataFrame,
    cat: np.ndarray,
    types: np.ndarray,
    by_id: dict[int, Rep],
    client_by_id: dict[int, Client],
    forced: np.ndarray,
) -> np.ndarray:
    """The manager who rode along on each contact, or None. A manager joins one or two visits
    a month, more often at key accounts and for the deciding talks, and always the `forced`
    ones (the star's openings); a manager is in one place a day, a forced ride first."""
    n = len(v)
    rep_arr = v.rep_id.to_numpy()
    per_month = np.array(
        [by_id[r].ride_rate / max(by_id[r].visit_rate * 4.33, 0.5) for r in rep_arr.tolist()]
    )
    key_client = np.array([client_by_id[c].key_account for c in v.client_id.tolist()])
    boost = np.where(key_client | np.isin(cat, ["negotiation", "won"]), 1.8, 0.85)
    ride = ((types != "call") & (rng.random(n) < per_month * boost)) | forced
    manager = np.array([by_id[r].manager for r in rep_arr.tolist()], dtype=object)
    accompanied = np.where(ride, manager, _NONE)
    order = np.argsort(~forced, kind="stable")
    dup = np.empty(n, dtype=bool)
    dup[order] = pd.DataFrame({"m": accompanied[order], "d": v.day.to_numpy()[order]}).duplicated().to_numpy()
    accompanied[dup & ride] = None
    return accompanied


def build_visits(
    seed: int,
    cal: Calendar,
    frame: Frame,
    reps: list[Rep],
    clients: list[Client],
    opps: list[Opp],
    history: pd.DataFrame,
    cold_last: date,
    n_teams: int,
) -> pd.DataFrame:
    """The `visits` table: every contact of the engineers with their clients up to as-of.
    `history` has each deal's stages with their first epoch day (opp_id, from_day, stage)."""
    rng = stream(seed, 5)
    engineers = [r for r in reps if r.role == "sales_engineer"]
    by_id = {r.rep_id: r for r in reps}
    client_by_id = {c.client_id: c for c in clients}
    cold = next(c for c in clients if c.name == DEMO_STORIES["cold_account"])
    w = _Window(
        frame.start.toordinal() - EPOCH, frame.as_of.toordinal() - EPOCH, cold, cold_last.toordinal() - EPOCH
    )

    rows = _key_account_rows(rng, cal, clients, w) + _stage_change_rows(rng, cal, opps, by_id, w)
    rows += _quote_followup_rows(seed, cal, opps, w)
    scripted = pd.DataFrame(
        rows, columns=["rep_id", "client_id", "day", "visit_type", "opp_id", "cat", "src"]
    )
    scripted["ride"] = False
    scripted["opening"] = False
    scripted = pd.concat([scripted, _opening_rows(seed, opps, by_id, w)], ignore_index=True)
    scripted["opp_id"] = scripted["opp_id"].astype(object)

    filler = _weekly_filler(rng, cal, engineers, scripted, w)
    deals = _Deals.of(opps, frame.as_of)
    fc, fo = _filler_clients(rng, engineers, clients, deals, filler, cold, n_teams)
    filler_df = pd.DataFrame(
        {
            "rep_id": filler.rep,
            "client_id": fc,
            "day": filler.day,
            "visit_type": filler.kind,
            "opp_id": pd.array(fo, dtype=_OBJECT),
            "cat": np.where(filler.kind == "call", "call", "general"),
            "src": _SRC_FILLER,
            "ride": False,
            "opening": False,
        }
    )
    v = _one_contact_a_day(scripted, filler_df, w)
    _link_open_deals(rng, v, deals)
    _follow_up_stages(v, history)

    cat = v.cat.to_numpy(dtype=object)
    texts = visit_texts(rng, cat)
    types = v.visit_type.to_numpy(dtype=object)
    src = v.src.to_numpy()
    planned_p = np.select(
        [types == "call", src == _SRC_KEY_ACCOUNT, src == _SRC_STAGE], [0.4, 0.85, 0.75], 0.7
    )
    planned = rng.random(len(v)) < planned_p
    accompanied = _ride_alongs(rng, v, cat, types, by_id, client_by_id, v.ride.to_numpy(dtype=bool))

    keys = np.arange(1, len(v) + 1)
    return pd.DataFrame(
        {
            "visit_key": keys,
            "visit_id": [f"V{k:06d}" for k in keys],
            "visit_date": (v.day.to_numpy() + 0).astype("datetime64[D]"),
            "rep_id": v.rep_id.to_numpy(),
            "client_id": v.client_id.to_numpy(),
            "visit_type": types,
            "planned": planned,
            "accompanied_by": accompanied,
            "opp_id": v.opp_id.to_numpy(dtype=object),
            "purpose": texts.purpose,
            "outcome": texts.outcome,
            "notes": texts.notes,
        }
    )

"""Access control holds in the domain: every public metric function, run with a manager's scope
and with a rep's scope on the demo company, returns nothing about reps outside that scope.

The functions are found by walking `salesmgmt.metrics`: every public function whose first
parameter is the connection and which takes `filters`. Arguments are filled by their names; a
function this test cannot call makes it fail, so a new metric cannot slip past unchecked.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, timedelta

import pandas as pd
import pytest

import salesmgmt.metrics as metrics_pkg
from salesmgmt import auth, db
from salesmgmt.demo import generate_demo
from salesmgmt.periods import Period

AS_OF = date(2026, 11, 27)
MANAGER_TEAM = "虎 Tiger"
#: Functions that change data: checked for refusing out-of-scope reps in their own tests.
WRITERS = {"save_plan", "sign_plan", "record_review"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("scope") / "demo.duckdb"
    with db.connect(path) as con:
        generate_demo(con, as_of=AS_OF, seed=7)
        reps = con.execute("SELECT rep_id, name, team, region, role FROM reps").df()
        rep_id = int(reps[(reps.team == MANAGER_TEAM) & (reps.role == "sales_engineer")].rep_id.iloc[0])
        auth.add_user(con, "tiger", "manager", "pw", teams=(MANAGER_TEAM,))
        auth.add_user(con, "one", "rep", "pw", rep=reps.set_index("rep_id").name[rep_id])
        users = {"manager": auth.get_user(con, "tiger"), "rep": auth.get_user(con, "one")}
    return path, reps, users


def metric_functions():
    found = []
    for info in sorted(pkgutil.iter_modules(metrics_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"salesmgmt.metrics.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_") or name in WRITERS:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "con" and "filters" in params and "sql" not in params:
                found.append(pytest.param(fn, id=f"{info.name}.{name}"))
    return found


def arguments(fn, filters, in_scope_rep: int, team: str, client_id: int, project: str, opp_id: str) -> dict:
    month = Period.month_of(AS_OF)
    monday = AS_OF - timedelta(days=AS_OF.weekday())
    known = {
        "filters": filters,
        "as_of": AS_OF,
        "period": month,
        "last": month,
        "month": month,
        "window": Period.parse("2026-Q3"),
        "rep_id": in_scope_rep,
        "team": team,
        "week_start": monday - timedelta(days=7),
        "start": date(2026, 1, 1),
        "end": AS_OF,
        "level": "rep",
        "by": "team",
        "lang": "en",
        "dates": (date(2026, 10, 1), AS_OF),
        "d0": date(2026, 10, 1),
        "d1": AS_OF,
        "opp_id": opp_id,
        "project": project,
        "client_id": client_id,
        "first": date(2026, 10, 1),
        "second": AS_OF,
        "date_from": date(2026, 10, 1),
        "date_to": AS_OF,
        "since": date(2026, 10, 1),
        "until": AS_OF,
        "today": AS_OF,
        "week": monday,
        "unit_key": str(in_scope_rep),
        "months": 12,
        "opp_ids": (opp_id,),
    }
    args = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name in known:
            if name == "by" and param.default is not inspect.Parameter.empty:
                continue  # keep the function's own default grouping
            args[name] = known[name]
        elif param.default is inspect.Parameter.empty:
            raise AssertionError(f"{fn.__module__}.{fn.__name__}: no test value for '{name}'")
    return args


def texts(value) -> list[str]:
    """Every text cell / string found in a result, for the name check."""
    if isinstance(value, pd.DataFrame):
        out = []
        for column in value.columns:
            if value[column].dtype == object or str(value[column].dtype).startswith("str"):
                out += [str(v) for v in value[column].dropna()]
        return out
    if isinstance(value, pd.Series):
        return [str(v) for v in value.dropna()] + [str(i) for i in value.index]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)] + [str(k) for k in value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in texts(v)]
    if isinstance(value, bytes):
        return [value.decode("utf-8", "ignore")]
    if value is None or isinstance(value, (int, float, date)):
        return []
    return [str(value)]


def frames(value):
    if isinstance(value, pd.DataFrame):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from frames(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from frames(v)


@pytest.mark.parametrize("role", ["manager", "rep"])
@pytest.mark.parametrize("fn", metric_functions())
def test_no_metric_returns_anything_outside_the_users_scope(demo, fn, role):
    path, reps, users = demo
    user = users[role]
    if role == "manager":
        allowed = reps[reps.team == MANAGER_TEAM]
    else:
        allowed = reps[reps.rep_id == user.rep_id]
    outside = reps[~reps.rep_id.isin(allowed.rep_id)]
    # A rep's own manager (who co-signs their plan and rides along) and the director may be named.
    outside = outside[
        ~outside.role.isin(["sales_manager", "director"])
        | ((outside.role == "sales_manager") & (outside.team != MANAGER_TEAM))
    ]
    in_scope_rep = int(allowed[allowed.role == "sales_engineer"].rep_id.iloc[0])
    with db.connect(path, read_only=True) as con:
        opp_id, client_id, project = con.execute(
            "SELECT o.opp_id, o.client_id, o.project FROM opportunities o JOIN clients c USING (client_id) "
            "WHERE o.rep_id = ? AND c.owner_rep_id = ? AND o.project IS NOT NULL "
            "ORDER BY o.opp_id LIMIT 1",
            [in_scope_rep, in_scope_rep],
        ).fetchall()[0]
        result = fn(
            con, **arguments(fn, user.scope(), in_scope_rep, MANAGER_TEAM, client_id, project, opp_id)
        )
    for frame in frames(result):
        if "rep_id" in frame.columns:
            leaked = set(frame["rep_id"].dropna().astype(int)) - set(allowed.rep_id)
            assert not leaked, f"rep ids outside the scope: {sorted(leaked)[:5]}"
        if "team" in frame.columns:
            teams = set(frame["team"].dropna()) - {"—", ""}
            assert teams <= {MANAGER_TEAM}, f"teams outside the scope: {teams}"
    names = set(outside["name"])
    cells = texts(result)
    leaked = {c for c in cells if c in names}
    long_texts = [c for c in cells if len(c) > 40]
    leaked |= {n for n in names if any(n in text for text in long_texts)}
    assert not leaked, f"names of reps outside the scope: {sorted(leaked)[:5]}"


def test_every_metrics_module_is_covered():
    covered = {p.values[0].__module__ for p in metric_functions()}
    modules = {f"salesmgmt.metrics.{i.name}" for i in pkgutil.iter_modules(metrics_pkg.__path__)}
    without = {
        m
        for m in modules
        if any(
            fn.__module__ == m
            for _, fn in inspect.getmembers(importlib.import_module(m), inspect.isfunction)
            if "filters" in inspect.signature(fn).parameters
        )
    }
    assert without <= covered

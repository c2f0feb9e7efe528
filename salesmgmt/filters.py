"""Filters: which reps a figure covers. One object compiles to a WHERE fragment with **named**
bound parameters and to a human description, so SQL never carries user input and a page can say
what it shows (as datasette's `filters.py` does). `salesmgmt.query.run` puts the fragment into a
query.

Every fact (visit, opportunity, target) belongs to a rep; region and team are the rep's. A filter
therefore always narrows the set of reps, and every metric joins its facts to `reps`.

Two kinds of narrowing, combined with AND:
- the user's choices (`regions`, `teams`, `rep_ids`): an empty tuple means "all";
- the signed-in user's scope (`scope_*`): None means unrestricted, an empty tuple means nothing;
  the scope's parts are alternatives (a manager of a team OR a region), combined with OR.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: The reps table's columns a filter narrows, in the order they are written into SQL.
COLUMNS = ("region", "team", "rep_id")


@dataclass(frozen=True)
class Where:
    """A compiled filter: `sql` (a condition on the reps table's alias) and its parameters."""

    sql: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Filters:
    """Selected regions, teams and reps, and the user's scope."""

    regions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    rep_ids: tuple[int, ...] = ()
    #: Scope imposed by the signed-in user (access control); None means unrestricted.
    scope_regions: tuple[str, ...] | None = None
    scope_teams: tuple[str, ...] | None = None
    scope_rep_ids: tuple[int, ...] | None = None
    #: The names of `rep_ids`, in the same order, for `describe` (not part of the selection).
    labels: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def _chosen(self) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        return (("region", self.regions), ("team", self.teams), ("rep_id", self.rep_ids))

    def _scope(self) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        parts = (("region", self.scope_regions), ("team", self.scope_teams), ("rep_id", self.scope_rep_ids))
        return tuple((column, values) for column, values in parts if values is not None)

    def where(self, alias: str = "r", prefix: str = "f") -> Where:
        """The condition on the reps table aliased `alias`; parameters are named `prefix_...`
        so that several fragments can share one query."""
        if not alias.isidentifier() or not prefix.isidentifier():
            raise ValueError(f"not an identifier: {alias!r} / {prefix!r}")
        params: dict[str, Any] = {}

        def in_list(column: str, values: tuple[Any, ...], group: str) -> str:
            names = []
            for i, value in enumerate(values):
                name = f"{prefix}_{group}{column}_{i}"
                params[name] = value
                names.append("$" + name)
            return f"{alias}.{column} IN ({', '.join(names)})"

        clauses = [in_list(column, values, "") for column, values in self._chosen() if values]
        scope = self._scope()
        if scope:
            alternatives = [in_list(column, values, "scope_") for column, values in scope if values]
            clauses.append("(" + " OR ".join(alternatives) + ")" if alternatives else "FALSE")
        return Where(" AND ".join(clauses) if clauses else "TRUE", params)

    def is_empty(self) -> bool:
        """True when the user chose nothing (the scope may still narrow)."""
        return not (self.regions or self.teams or self.rep_ids)

    def scope_only(self) -> Filters:
        """The user's scope without their narrowing choices: the whole company they may see
        (for norms that describe "usual", which should not change when one rep is picked)."""
        return Filters(
            scope_regions=self.scope_regions, scope_teams=self.scope_teams, scope_rep_ids=self.scope_rep_ids
        )

    def one_rep(self, rep_id: int, label: str | None = None) -> Filters:
        """These filters narrowed to one rep (the scope stays, so a rep outside it gives nothing)."""
        return replace(self, rep_ids=(rep_id,), labels=(label,) if label else ())

    def describe(self, lang: str = "en") -> str:
        """What the filters select, in words: 'Team: 龙 Dragon; Rep: 李娜 · scope: Region: East'."""
        from salesmgmt.i18n import t

        parts = []
        if self.regions:
            parts.append(t("filter.region", lang) + ": " + ", ".join(self.regions))
        if self.teams:
            parts.append(t("filter.team", lang) + ": " + ", ".join(self.teams))
        if self.rep_ids:
            names = self.labels if len(self.labels) == len(self.rep_ids) else tuple(map(str, self.rep_ids))
            parts.append(t("filter.rep", lang) + ": " + ", ".join(names))
        scope = []
        if self.scope_regions:
            scope.append(t("filter.region", lang) + ": " + ", ".join(self.scope_regions))
        if self.scope_teams:
            scope.append(t("filter.team", lang) + ": " + ", ".join(self.scope_teams))
        if self.scope_rep_ids is not None:
            scope.append(t("filter.own_figures", lang))
        if not scope and self._scope():  # a scope, but nothing in it
            scope.append(t("filter.no_scope", lang))
        if parts:
            text = "; ".join(parts)
        else:
            text = t("filter.all_in_scope" if scope else "filter.everyone", lang)
        return text + (" · " + t("filter.scope", lang) + " " + "; ".join(scope) if scope else "")


ALL = Filters()

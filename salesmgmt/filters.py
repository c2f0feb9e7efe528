"""Filters: which reps a figure covers. One object gives a WHERE fragment, its bound parameters
and a human description, so SQL never carries user input and the page can say what it shows.

Every fact (visit, opportunity, target) belongs to a rep; region and team are the rep's. A
filter therefore always narrows the set of reps, and every metric joins its facts to `reps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """Selected regions, teams and reps; an empty tuple means "all"."""

    regions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    rep_ids: tuple[int, ...] = ()
    #: Scope imposed by the signed-in user (access control); None means unrestricted.
    scope_regions: tuple[str, ...] | None = None
    scope_teams: tuple[str, ...] | None = None
    scope_rep_ids: tuple[int, ...] | None = None
    labels: tuple[str, ...] = field(default=(), compare=False)

    def rep_where(self, alias: str = "r") -> tuple[str, list]:
        """A SQL condition on the reps table aliased `alias`, with its parameters."""
        if not alias.isidentifier():
            raise ValueError(alias)
        clauses: list[str] = []
        params: list = []

        def add(column: str, values: tuple) -> None:
            if not values:
                clauses.append("FALSE")
                return
            clauses.append(f"{alias}.{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

        for column, values in (("region", self.regions), ("team", self.teams), ("rep_id", self.rep_ids)):
            if values:
                add(column, values)
        # Scope: an empty tuple here means "nothing", unlike the filters above.
        scope = []
        for column, values in (
            ("region", self.scope_regions),
            ("team", self.scope_teams),
            ("rep_id", self.scope_rep_ids),
        ):
            if values is not None:
                scope.append((column, values))
        if scope:
            parts = []
            for column, values in scope:
                if values:
                    parts.append(f"{alias}.{column} IN ({', '.join('?' for _ in values)})")
                    params.extend(values)
            clauses.append("(" + " OR ".join(parts) + ")" if parts else "FALSE")
        return (" AND ".join(clauses) if clauses else "TRUE"), params

    def is_empty(self) -> bool:
        return not (self.regions or self.teams or self.rep_ids)

    def describe(self, lang: str = "en") -> str:
        from salesmgmt.i18n import t

        parts = []
        if self.regions:
            parts.append(t("filter.region", lang) + ": " + ", ".join(self.regions))
        if self.teams:
            parts.append(t("filter.team", lang) + ": " + ", ".join(self.teams))
        if self.rep_ids:
            names = self.labels or tuple(str(r) for r in self.rep_ids)
            parts.append(t("filter.rep", lang) + ": " + ", ".join(names))
        scope = []
        if self.scope_regions:
            scope.append(t("filter.region", lang) + ": " + ", ".join(self.scope_regions))
        if self.scope_teams:
            scope.append(t("filter.team", lang) + ": " + ", ".join(self.scope_teams))
        if self.scope_rep_ids is not None:
            scope.append(t("filter.own_figures", lang))
        text = (
            "; ".join(parts) if parts else t("filter.everyone" if not scope else "filter.all_in_scope", lang)
        )
        return text + (" · " + t("filter.scope", lang) + " " + "; ".join(scope) if scope else "")


ALL = Filters()

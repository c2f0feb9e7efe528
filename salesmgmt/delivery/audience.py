"""Who a brief (or a subscription) is for: a team, a region, the whole company, or a user whose
scope applies. An audience becomes the `Filters` every figure of the brief is read with, so a
team's brief reads that team's reps and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import t
from salesmgmt.query import run

#: The kinds of audience; every kind but 'company' names its team, region or user in `key`.
KINDS = ("team", "region", "company", "user")

TEAMS_SQL = "SELECT DISTINCT team FROM reps WHERE team IS NOT NULL ORDER BY team"
REGIONS_SQL = "SELECT DISTINCT region FROM reps WHERE region IS NOT NULL ORDER BY region"
USERS_SQL = "SELECT username FROM users WHERE active ORDER BY username"
REPS_SQL = "SELECT count(*) AS reps FROM reps r WHERE {where}"


def _one_of(text: str, names: list[str]) -> str | None:
    """The name `text` stands for: the name itself, or one word of it ('Dragon' or '龙' for
    '龙 Dragon'), case-insensitive; None when none or several match."""
    wanted = text.strip().casefold()
    exact = [n for n in names if n.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [n for n in names if wanted in (w.casefold() for w in n.split())]
    return partial[0] if len(partial) == 1 else None


def _names(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return [str(row[0]) for row in con.execute(sql).fetchall()]


@dataclass(frozen=True)
class Audience:
    """A team, a region, the company or a user (their scope)."""

    kind: str
    """'team', 'region', 'company' or 'user'."""
    key: str | None = None
    """The team's or region's name (or one word of it), or the username; None for the company."""

    @classmethod
    def parse(cls, kind: str, key: str | None = None) -> Audience:
        """An audience from its kind and key, checked for form (not yet against the database:
        `filters` does that)."""
        kind = (kind or "").strip().lower()
        if kind not in KINDS:
            raise SalesmgmtError("brief.error.kind", kind=kind, kinds=", ".join(KINDS))
        key = key.strip() if key else None
        if kind == "company":
            return cls("company", None)
        if not key:
            raise SalesmgmtError("brief.error.no_key", kind=kind)
        return cls(kind, key)

    def filters(self, con: duckdb.DuckDBPyConnection) -> Filters:
        """The filters of the audience: a team's or region's reps (chosen, as the sidebar
        chooses), everyone for the company, a user's scope. An unknown team, region or user is a
        SalesmgmtError listing the valid ones."""
        if self.kind == "company":
            return Filters()
        key = self.key or ""
        if self.kind == "user":
            from salesmgmt.auth import get_user

            user = get_user(con, key)
            if user is None or not user.active:
                raise SalesmgmtError(
                    "brief.error.user", user=key, users=", ".join(_names(con, USERS_SQL)) or "–"
                )
            return user.scope()
        names = _names(con, TEAMS_SQL if self.kind == "team" else REGIONS_SQL)
        found = _one_of(key, names)
        if found is None:
            raise SalesmgmtError(f"brief.error.{self.kind}", name=key, names=", ".join(names) or "–")
        return Filters(teams=(found,)) if self.kind == "team" else Filters(regions=(found,))

    def within(self, con: duckdb.DuckDBPyConnection, scope: Filters, who: str) -> Filters:
        """The audience's filters read by someone whose scope is `scope` (the user `who`):
        refused unless every rep of the audience is inside that scope."""
        chosen = self.filters(con)
        if scope.scope_only() == Filters() or (self.kind == "user" and self.key == who):
            return chosen
        if self.kind == "user":  # another user's scope: not for a reader with a scope
            raise self._outside(who)
        seen = replace(
            chosen,
            scope_regions=scope.scope_regions,
            scope_teams=scope.scope_teams,
            scope_rep_ids=scope.scope_rep_ids,
        )
        everyone = int(run(con, REPS_SQL, chosen)["reps"].iloc[0])
        visible = int(run(con, REPS_SQL, seen)["reps"].iloc[0])
        if visible < everyone or everyone == 0:
            raise self._outside(who)
        return seen

    def _outside(self, who: str) -> SalesmgmtError:
        if self.kind == "company":
            return SalesmgmtError("brief.error.outside_company", user=who)
        return SalesmgmtError("brief.error.outside", name=self.key or "", user=who)

    def describe(self, lang: str) -> str:
        """'Team 龙 Dragon', 'Region East', 'Whole company', 'Scope of chen' in `lang`."""
        if self.kind == "company":
            return t("brief.audience.company", lang)
        return t(f"brief.audience.{self.kind}", lang, name=self.key or "")

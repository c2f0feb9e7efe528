"""Matching the reps and clients a file names against those stored: by code, else by name.

A name that matches several records refuses its row; anything unmatched is a record to create,
which gets its id only once the rows refused while matching are known (see `finalise_people`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.db import quote_ident as _q
from salesmgmt.importer.upsert import SEQUENCES, Batch, kept, new_ids, upsert
from salesmgmt.importer.validate import RowError
from salesmgmt.text import name_key


@dataclass
class People:
    """The reps or clients named by the rows of a file, matched against those stored."""

    #: "reps" or "clients".
    table: str
    #: Per frame row: the record's id (a negative placeholder for a record still to create).
    ids: pd.Series
    #: Records to create: placeholder id -> (name, name_key, code).
    new: dict[int, tuple[str | None, str, str | None]]
    #: Frame rows whose name matches several records.
    ambiguous: pd.Index


#: The id given to a row whose name matches several records while matching.
_AMBIGUOUS = -(10**12)


def _resolve(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: pd.Series | None,
    codes: pd.Series | None,
    index: pd.Index,
) -> People:
    """Match each row's (code, name) to a rep or client: by code when given (a record without a
    code and the same name counts as the same person), else by name key; a name matching
    several records is ambiguous; anything unmatched is a record to create.

    The work is per distinct (code, name) pair; rows get their id through factor codes. Pairs
    whose code is stored already are matched at once; only the others (new codes, rows without
    a code) are looked at one by one, in the order of the file, and only they need name keys.
    """
    id_col = SEQUENCES[table][1]
    none = pd.Series(None, index=index, dtype=object)
    names = none if names is None else names
    codes = none if codes is None else codes
    name_codes, name_uniques = pd.factorize(names, use_na_sentinel=True)
    code_codes, code_uniques = pd.factorize(codes, use_na_sentinel=True)
    width = len(name_uniques) + 1
    pair_codes, pairs_seen = pd.factorize((code_codes.astype("int64") + 1) * width + (name_codes + 1))
    pair_code_index, pair_name_index = np.divmod(np.asarray(pairs_seen, dtype="int64"), width)
    # Plain lists: one element at a time from a pandas (Arrow) array costs microseconds each.
    name_list, code_list = name_uniques.tolist(), code_uniques.tolist()

    existing = con.execute(
        f"SELECT {_q(id_col)}, name_key, code FROM {_q(table)} ORDER BY {_q(id_col)}"
    ).fetchall()
    by_code = {code: rid for rid, _nk, code in existing if code is not None}
    lookup = np.full(len(pairs_seen), np.nan)
    stored = (
        pd.Index(list(by_code), dtype=object).get_indexer(code_list)
        if code_list
        else np.array([], dtype="int64")
    )
    stored_ids = np.array(list(by_code.values()), dtype="float64")
    has_code = pair_code_index > 0
    code_at = np.where(has_code, pair_code_index - 1, 0)
    known = has_code & (stored[code_at] >= 0 if len(stored) else False)
    lookup[known] = stored_ids[stored[code_at[known]]]

    rest_with_code = np.flatnonzero(has_code & ~known)
    rest_by_name = np.flatnonzero(~has_code & (pair_name_index > 0))
    new: dict[int, tuple[str | None, str, str | None]] = {}
    if len(rest_with_code) or len(rest_by_name):
        nocode_by_nk: dict[str, list[int]] = {}
        all_by_nk: dict[str, list[int]] = {}
        for rid, nk, code in existing:
            all_by_nk.setdefault(nk, []).append(rid)
            if code is None:
                nocode_by_nk.setdefault(nk, []).append(rid)
        keys: dict[int, str] = {}

        def pair(i: int) -> tuple[str | None, str | None, str | None]:
            """(code, name key, name) of pair i."""
            ci, ni = int(pair_code_index[i]), int(pair_name_index[i])
            name = name_list[ni - 1] if ni else None
            name = name if isinstance(name, str) else None
            if ni and ni not in keys:
                keys[ni] = name_key(name_list[ni - 1])
            return (code_list[ci - 1] if ci else None), (keys[ni] if ni else None), name

        claimed: set[int] = set()
        for i in rest_with_code.tolist():
            code, nk, name = pair(i)
            assert code is not None  # these pairs have a code
            if code in by_code:
                lookup[i] = by_code[code]
                continue
            candidates = [r for r in nocode_by_nk.get(nk, []) if r not in claimed] if nk else []
            if len(candidates) == 1:
                claimed.add(candidates[0])
                by_code[code] = lookup[i] = candidates[0]
                continue
            if len(candidates) > 1:
                lookup[i] = _AMBIGUOUS
                continue
            placeholder = -(len(new) + 1)
            key = nk or name_key(code)
            new[placeholder] = (name if name is not None else code, key, code)
            by_code[code] = lookup[i] = placeholder
            all_by_nk.setdefault(key, []).append(placeholder)
        for i in rest_by_name.tolist():
            _code, nk, name = pair(i)
            assert nk is not None  # these pairs have a name
            candidates = all_by_nk.get(nk, [])
            if len(candidates) == 1:
                lookup[i] = candidates[0]
            elif len(candidates) > 1:
                lookup[i] = _AMBIGUOUS
            else:
                placeholder = -(len(new) + 1)
                new[placeholder] = (name, nk, None)
                all_by_nk[nk] = [placeholder]
                lookup[i] = placeholder
    values = lookup[pair_codes] if len(pair_codes) else np.array([], dtype=float)
    ambiguous_mask = values == _AMBIGUOUS
    values[ambiguous_mask] = np.nan
    ids = pd.Series(values, index=index).astype("Int64")
    return People(table, ids, new, index[ambiguous_mask])


def plan_people(
    ctx: Batch, rows: pd.DataFrame, table: str, name_field: str, code_field: str | None
) -> People | None:
    """Each row's rep or client by `code_field` and `name_field` (see `match_people`), or None
    when the file has neither column."""
    if name_field not in rows and (code_field is None or code_field not in rows):
        return None
    return match_people(ctx, rows, table, name_field, code_field)


def match_people(
    ctx: Batch, rows: pd.DataFrame, table: str, name_field: str, code_field: str | None
) -> People:
    """Each row's rep or client (see `_resolve`); a row whose name matches several records is
    refused."""
    people = _resolve(
        ctx.con, table, _col(rows, name_field), _col(rows, code_field) if code_field else None, rows.index
    )
    _ambiguity(ctx, people, rows, name_field)
    return people


def _ambiguity(ctx: Batch, people: People, frame: pd.DataFrame, name_field: str) -> None:
    """Refuse the rows whose name matches several records, naming the name."""
    if len(people.ambiguous):
        for row in people.ambiguous:
            ctx.errors.append(
                RowError(
                    int(row),
                    ctx.col_of.get(name_field, ""),
                    "import.ambiguous_name",
                    {"name": frame.at[row, name_field]},
                )
            )


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """A column of the file, or None when the file does not have it."""
    return frame.get(name)


def placeholders(ids: pd.Series) -> list[int]:
    """The placeholder ids (negative) among `ids`, each once, in the order the records are
    created: -1, -2, ..."""
    return sorted((int(i) for i in pd.unique(ids[ids < 0].dropna())), reverse=True)


def finalise_people(
    ctx: Batch, people: People, keep_rows: pd.Index, entity: str, list_created: bool
) -> pd.Series:
    """Create the records still needed by the rows kept and return the final ids per row."""
    ids = kept(people.ids, keep_rows)
    needed = placeholders(ids)
    fresh = new_ids(ctx.con, people.table, len(needed))
    remap = dict(zip(needed, fresh))
    if needed:
        id_col = SEQUENCES[people.table][1]
        frame = pd.DataFrame(
            {
                id_col: fresh,
                "name": [people.new[p][0] for p in needed],
                "name_key": [people.new[p][1] for p in needed],
                "code": [people.new[p][2] for p in needed],
                "_new": True,
            }
        )
        upsert(ctx, entity, frame, ["name", "name_key", "code"])
        if list_created:
            ctx.created[people.table].extend(frame["name"].tolist())
    return replace_placeholders(ids, remap)


def replace_placeholders(ids: pd.Series, remap: dict[int, int]) -> pd.Series:
    """Placeholder ids (negative: -1, -2, ...) replaced by real ones; Int64, NA for no reference."""
    values = ids.to_numpy(dtype="float64", na_value=np.nan).copy()
    if remap:
        table = np.full(max(-k for k in remap) + 1, np.nan)
        for placeholder, real in remap.items():
            table[-placeholder] = real
        negative = values < 0
        values[negative] = table[(-values[negative]).astype("int64")]
    return pd.Series(values, index=ids.index).astype("Int64")


def same_record(ctx: Batch, keys: pd.Series, field_name: str) -> None:
    """Rows of one file that turn out to name the same record (a code in one row, the name in
    another) cannot both be applied: each is refused, naming the other."""
    keys = keys.dropna()
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return
    column = ctx.col_of.get(field_name, "")
    for _key, group in keys[dup].groupby(keys[dup], sort=False).groups.items():
        rows = [int(r) for r in group]
        for row in rows:
            other = rows[1] if row == rows[0] else rows[0]
            ctx.errors.append(RowError(row, column, "import.same_record", {"other": other}))

"""The import format: the six kinds, their fields, which are required, and each field's value type.

Field names are the contract shared by mapping files, templates, exports and the preview's
columns (see docs/importing.md).
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("reps", "clients", "opportunities", "visits", "targets", "checkins")

#: The order in which files of several kinds are applied, so that a reps file given together with a
#: visits file fills in the reps before the visits refer to them.
KIND_ORDER: dict[str, int] = {kind: i for i, kind in enumerate(KINDS)}

#: Value type of each field: how its cells are parsed (see `values.py`).
FIELD_TYPES: dict[str, str] = {
    "rep": "text",
    "rep_code": "code",
    "team": "text",
    "region": "text",
    "role": "role",
    "manager": "text",
    "client": "text",
    "client_code": "code",
    "client_type": "client_type",
    "key_account": "flag",
    "owner": "text",
    "relationship_level": "level",
    "opportunity_id": "code",
    "opportunity_name": "text",
    "product": "text",
    "project": "text",
    "stage": "stage",
    "status": "status",
    "amount": "money",
    "probability": "probability",
    "created_date": "date",
    "expected_close_date": "date",
    "close_date": "date",
    "lost_reason": "text",
    "date": "date",
    "visit_id": "code",
    "type": "visit_type",
    "planned": "flag",
    "accompanied_by": "text",
    "opportunity": "code",
    "purpose": "text",
    "outcome": "text",
    "notes": "text",
    "period": "period",
    # Locations (clients) and field check-ins (DingTalk 签到, WeCom 外出打卡). Times and
    # coordinates are read as text and parsed where they are applied (`importer.checkins`).
    "address": "text",
    "longitude": "text",
    "latitude": "text",
    "coordinates": "text",
    "checked_at": "text",
    "checkin_id": "code",
    "checkin_type": "text",
    "place": "text",
    # Columns of the platforms' exports that nothing here stores: recognised so that an export
    # imports as it is, each noted in the summary as not stored.
    "department": "text",
    "user_account": "text",
    "device": "text",
    "photos": "text",
}
FIELDS: tuple[str, ...] = tuple(FIELD_TYPES)

#: The fields each kind stores, in template order.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "reps": ("rep", "rep_code", "team", "region", "role", "manager"),
    "clients": (
        "client",
        "client_code",
        "client_type",
        "key_account",
        "owner",
        "relationship_level",
        "region",
        "address",
        "longitude",
        "latitude",
    ),
    "opportunities": (
        "opportunity_id",
        "opportunity_name",
        "rep",
        "rep_code",
        "client",
        "client_code",
        "product",
        "project",
        "stage",
        "status",
        "amount",
        "probability",
        "created_date",
        "expected_close_date",
        "close_date",
        "lost_reason",
    ),
    "visits": (
        "date",
        "rep",
        "rep_code",
        "client",
        "client_code",
        "visit_id",
        "type",
        "planned",
        "accompanied_by",
        "opportunity",
        "purpose",
        "outcome",
        "notes",
    ),
    "targets": ("period", "amount", "rep", "rep_code", "team", "region"),
    "checkins": (
        "checked_at",
        "date",
        "rep",
        "rep_code",
        "client",
        "client_code",
        "place",
        "address",
        "longitude",
        "latitude",
        "coordinates",
        "notes",
        "checkin_type",
        "checkin_id",
    ),
}

#: Fields every row needs. A tuple inside means "at least one of these".
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "reps": (("rep",),),
    "clients": (("client",),),
    "opportunities": (("opportunity_id",), ("rep", "rep_code", "client", "client_code")),
    "visits": (("date",), ("rep", "rep_code"), ("client", "client_code")),
    "targets": (("period",), ("amount",), ("rep", "rep_code", "team", "region")),
    "checkins": (("checked_at",), ("rep", "rep_code")),
}

#: What a field read under its generic meaning becomes in a kind where that meaning differs:
#: a clients file's "owner"/"负责人" is the client's owner rep; a visits file's "opportunity id"
#: is the visit's linked opportunity; an opportunities file's "opportunity" is its name.
KIND_REMAP: dict[str, dict[str, str]] = {
    "clients": {"rep": "owner"},
    "visits": {"opportunity_id": "opportunity"},
    "opportunities": {"opportunity": "opportunity_name"},
}

#: The most characters a text cell may hold, per field (issue 18, finding 16): codes 64, names of
#: people, teams and regions 100, names of clients, deals, products and projects 200, free text
#: (purpose, outcome, notes, lost reason) 2,000. A longer cell is a row error; nothing is cut.
MAX_LENGTH: dict[str, int] = {
    **{f: 64 for f, kind in FIELD_TYPES.items() if kind == "code"},
    **dict.fromkeys(("rep", "team", "region", "manager", "owner", "accompanied_by"), 100),
    **dict.fromkeys(("client", "opportunity_name", "product", "project"), 200),
    **dict.fromkeys(("purpose", "outcome", "notes", "lost_reason"), 2000),
    **dict.fromkeys(("checked_at", "longitude", "latitude", "coordinates", "checkin_type"), 64),
    **dict.fromkeys(("place", "address", "department", "user_account", "device"), 200),
    "photos": 2000,
}

#: Fields that name or identify something, where a bidirectional control character (which
#: reorders how the text is shown: 'exe.txt' after U+202E reads 'txt.exe') is refused.
NAME_FIELDS: frozenset[str] = frozenset(MAX_LENGTH) - {"purpose", "outcome", "notes", "lost_reason", "photos"}

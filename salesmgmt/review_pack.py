"""The document a rep prepares before a key-account review: everything about the client on a
few printed pages, in the user's language, as Excel or printable HTML (`salesmgmt.documents`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.documents import Document, Facts, Table, Text, to_html, to_xlsx
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, t
from salesmgmt.metrics.clients import ClientProfile, client_profile, health_explanation

#: Rows of each list the document has room for (newest first).
VISIT_ROWS = 25
CLOSED_DEAL_ROWS = 15
REVIEW_ROWS = 5


def _day(value: Any) -> str:
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return "–"
    return str(value)[:10]


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _whole(value: Any) -> str:
    """A count as a whole number ('3')."""
    return str(int(value))


def review_document(profile: ClientProfile, lang: str) -> Document:
    """The review pack of a client_profile, in `lang`."""
    c = profile["client"]

    def money(value: Any) -> str:
        return format_money(value, lang)

    def more(frame: pd.DataFrame, shown: int) -> str:
        return t("cl.doc.more", lang, n=len(frame) - shown) if len(frame) > shown else ""

    kind = t(f"client_type.{c['client_type']}", lang)
    tier = t("cl.tier.key" if c["key_account"] else "cl.tier.other", lang)
    subtitle = t(
        "cl.doc.subtitle",
        lang,
        type=kind,
        tier=tier,
        owner=_text(c.get("owner")) or "–",
        team=_text(c.get("team")) or "–",
        as_of=str(profile["as_of"]),
    )
    parts = health_explanation(c, lang)
    health = [(t("cl.col.health", lang), f"{c['health_score']:.0f} / 100")] + [
        (
            p["label"],
            (
                t("cl.doc.left_out", lang)
                if p["points"] is None or p["points"] != p["points"]
                else f"{p['points']:.1f} / {p['max']}"
            )
            + " · "
            + p["detail"],
        )
        for p in parts
    ]
    last = profile["last_review"]
    review_facts = [
        (t("cl.doc.last_review", lang), _day(last["review_date"]) if last else t("cl.doc.never", lang)),
        (t("cl.doc.next_review", lang), _day(profile["next_review_date"])),
        (t("cl.doc.participants", lang), _text(last["participants"]) if last else "–"),
    ]
    deals = profile["deals"]
    open_deals = deals[deals["status"] == "open"]
    closed = deals[deals["status"] != "open"]
    deal_head = [
        t(f"cl.col.{k}", lang)
        for k in ("opportunity", "product", "project", "stage", "amount", "expected_close", "rep")
    ]
    open_rows = [
        [
            _text(d.opportunity) or str(d.opp_id),
            _text(d.product),
            _text(d.project),
            t(f"stage.{d.stage}", lang),
            money(d.amount),
            _day(d.expected_close_date),
            _text(d.rep),
        ]
        for d in open_deals.itertuples()
    ]
    closed_head = [
        t(f"cl.col.{k}", lang)
        for k in ("opportunity", "product", "status", "amount", "close_date", "lost_reason", "rep")
    ]
    closed_rows = [
        [
            _text(d.opportunity) or str(d.opp_id),
            _text(d.product),
            t(f"status.{d.status}", lang),
            money(d.amount),
            _day(d.close_date),
            _text(d.lost_reason),
            _text(d.rep),
        ]
        for d in closed.head(CLOSED_DEAL_ROWS).itertuples()
    ]
    visits = profile["visits"]
    visit_head = [
        t(f"cl.col.{k}", lang)
        for k in ("date", "visit_type", "rep", "accompanied_by", "purpose", "outcome", "notes")
    ]
    visit_rows = [
        [
            _day(v.visit_date),
            t(f"visit_type.{v.visit_type}", lang),
            _text(v.rep) or t("cl.people.outside", lang),
            _text(v.accompanied_by),
            _text(v.purpose),
            _text(v.outcome),
            _text(v.notes),
        ]
        for v in visits.head(VISIT_ROWS).itertuples()
    ]
    people = profile["people"]
    people_rows = [
        [
            _text(p.person) or t("cl.people.outside", lang),
            t(f"cl.role.{p.role}", lang),
            _whole(p.visits),
            _day(p.last_visit),
        ]
        for p in people.itertuples()
    ]
    reviews = profile["reviews"]
    review_rows = [
        [
            _day(r.review_date),
            _text(r.participants),
            _text(r.findings),
            _text(r.development_plan),
            _day(r.next_review_date),
        ]
        for r in reviews.head(REVIEW_ROWS).itertuples()
    ]
    return Document(
        title=t("cl.doc.title", lang, client=c["client"]),
        subtitle=subtitle,
        lang=lang,
        sheet_name=t("cl.doc.sheet", lang),
        sections=[
            Facts(t("cl.doc.health", lang), health),
            Facts(t("cl.doc.review", lang), review_facts),
            Text(t("cl.doc.plan", lang), profile["development_plan"] or t("cl.doc.no_plan", lang)),
            Table(t("cl.doc.open_deals", lang), deal_head, open_rows),
            Table(t("cl.doc.closed_deals", lang), closed_head, closed_rows, more(closed, CLOSED_DEAL_ROWS)),
            Table(t("cl.doc.visits", lang), visit_head, visit_rows, more(visits, VISIT_ROWS)),
            Table(
                t("cl.doc.people", lang),
                [t(f"cl.col.{k}", lang) for k in ("person", "role", "visits", "last_visit")],
                people_rows,
            ),
            Table(
                t("cl.doc.history", lang),
                [t(f"cl.col.{k}", lang) for k in ("date", "participants", "findings", "plan", "next")],
                review_rows,
                more(reviews, REVIEW_ROWS),
            ),
            Text(t("cl.doc.findings_now", lang), "", lines=6),
            Text(t("cl.doc.plan_now", lang), "", lines=6),
        ],
    )


def _profile(con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters, as_of: date) -> ClientProfile:
    profile = client_profile(con, client_id, filters, as_of)
    if profile is None:
        raise SalesmgmtError("cl.error.not_in_scope", client=str(client_id))
    return profile


def review_pack_xlsx(
    con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters, as_of: date, lang: str
) -> bytes:
    return to_xlsx(review_document(_profile(con, client_id, filters, as_of), lang))


def review_pack_html(
    con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters, as_of: date, lang: str
) -> str:
    return to_html(review_document(_profile(con, client_id, filters, as_of), lang))

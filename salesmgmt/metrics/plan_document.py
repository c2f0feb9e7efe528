"""The monthly plan as a one-page document, in the user's language: the rep's report, a revision
of the plan and the weekly review, written as Excel or printable HTML by `salesmgmt.documents`.

Like every plan function it takes the user's Filters and a rep inside them (see
`plan_records.rep_in_scope`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.documents import Document, Facts, Note, Table, Text, to_html, to_xlsx
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.metrics.plan_records import Plan, as_date, plan_detail
from salesmgmt.metrics.plan_review import weekly_review
from salesmgmt.metrics.plans import RepReport, actions_text, rep_report
from salesmgmt.periods import Period

#: Rows of open deals the one page has room for.
REPORT_DEALS = 12
#: Excel column widths: the open deals' eight columns.
COLUMN_WIDTHS = (22, 18, 12, 14, 9, 12, 8, 12)


class PlanContent(RepReport):
    """Everything the one-page report shows: the rep's report, the plan revision, the review."""

    plan: Plan | None
    review: pd.DataFrame


def plan_document(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> PlanContent:
    """The report of the rep's month, with a revision of the plan (the latest when `revision` is
    None) and the weekly review."""
    report = rep_report(con, rep_id, month, filters, as_of)
    return PlanContent(
        **report,
        plan=plan_detail(con, rep_id, month, filters, as_of, revision),
        review=weekly_review(con, rep_id, month, filters, as_of, revision),
    )


def _text(value: Any) -> str:
    """A cell's text: '' for None or NaN (pandas fills missing text with either)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The frame's rows as named tuples, their values untyped (they come from SQL)."""
    return frame.itertuples()


def _day(value: Any) -> str:
    """A date as ISO text, '–' when missing."""
    missing = value is None or (not isinstance(value, (str, date)) and pd.isna(value))
    return "–" if missing else str(as_date(value))


def _deals(content: PlanContent, lang: str) -> Table:
    deals = content["deals"]
    head = [
        t(f"plan.col.{key}", lang)
        for key in (
            "opportunity",
            "client",
            "stage",
            "amount",
            "probability",
            "expected_close",
            "age",
            "last_visit",
        )
    ]
    rows = [
        [
            _text(d.opportunity) or str(d.opp_id),
            _text(d.client) or "–",
            t(f"stage.{d.stage}", lang),
            format_money(d.amount, lang),
            format_percent(d.probability),
            _day(d.expected_close_date),
            "–" if pd.isna(d.age_days) else str(int(d.age_days)),
            _day(d.last_visit),
        ]
        for d in _rows(deals.head(REPORT_DEALS))
    ]
    more = max(len(deals) - REPORT_DEALS, 0)
    return Table(t("plan.doc.deals", lang), head, rows, t("plan.doc.more", lang, n=more) if more else "")


def _planned_visits(plan: Plan | None, lang: str) -> Table:
    head = [t(f"plan.col.{key}", lang) for key in ("date", "client", "purpose", "status")]
    visits = plan["visits"] if plan else pd.DataFrame()
    rows = [
        [_day(v.planned_date), _text(v.client) or "–", _text(v.purpose), t(f"plan.status.{v.status}", lang)]
        for v in _rows(visits)
    ]
    return Table(t("plan.doc.visits", lang), head, rows)


def _review(review: pd.DataFrame, lang: str) -> Table:
    head = [t(f"plan.col.{key}", lang) for key in ("week", "planned", "done", "visits", "won", "advanced")]
    rows = [
        [
            _day(w.week),
            str(w.planned),
            str(w.planned_done),
            str(w.visits),
            format_money(w.won_amount, lang) if w.won_count else "–",
            str(w.deals_advanced),
        ]
        for w in _rows(review)
        if w.state != "future"
    ]
    return Table(t("plan.doc.review", lang), head, rows)


def document(content: PlanContent, lang: str) -> Document:
    """The one page in `lang`: key figures, open deals, the planned visits, commitments and
    remedial actions (those proposed by the report when the plan has none and the chance is
    low), the weekly review, review notes and both signatures."""
    f, rep, plan = content["figures"], content["rep"], content["plan"]
    kpis = [
        (t("plan.kpi.target", lang), format_money(f.get("target"), lang)),
        (t("plan.kpi.won", lang), format_money(f.get("won_amount"), lang)),
        (t("plan.kpi.forecast", lang), format_money(f.get("forecast"), lang)),
        (t("plan.kpi.gap", lang), format_money(f.get("gap"), lang)),
        (t("plan.kpi.probability", lang), format_percent(f.get("attainment_probability"))),
        (
            t("plan.kpi.visits", lang),
            t(
                "plan.kpi.visits_value",
                lang,
                visits=f.get("visits", 0),
                ok=f.get("weeks_meeting_norm", 0),
                weeks=f.get("weeks", 0),
            ),
        ),
    ]
    proposed = actions_text(content["actions"], lang) if content["low"] else ""
    actions = (plan and plan["remedial_actions"]) or proposed

    def signature(party: str) -> str:
        by = plan.get(f"{party}_signed_by") if plan else None
        if not plan or not by:
            return t("plan.doc.unsigned", lang)
        return t("plan.doc.signed", lang, name=by, at=str(plan.get(f"{party}_signed_at"))[:16])

    subtitle = t(
        "plan.doc.subtitle",
        lang,
        team=rep.get("team") or "–",
        manager=rep.get("manager") or "–",
        as_of=str(content["as_of"]),
        revision=plan["revision"] if plan else "–",
    )
    sections: list[Facts | Table | Text | Note] = [Facts("", kpis), _deals(content, lang)]
    if not plan:
        sections.append(Note(t("plan.doc.no_plan", lang)))
    sections += [
        _planned_visits(plan, lang),
        Text(t("plan.doc.commitments", lang), (plan and plan["commitments"]) or ""),
        Text(t("plan.doc.actions", lang), actions),
        _review(content["review"], lang),
        Text(t("plan.doc.notes", lang), (plan and plan["review_notes"]) or "", lines=2),
        Facts(
            "",
            [
                (t("plan.doc.manager", lang), signature("manager")),
                (t("plan.doc.rep", lang), signature("rep")),
            ],
        ),
    ]
    return Document(
        title=t("plan.doc.title", lang, rep=rep["name"], month=content["month"].label(lang)),
        subtitle=subtitle,
        sections=sections,
        lang=lang,
        sheet_name=t("plan.doc.sheet", lang),
        one_page=True,
        column_widths=COLUMN_WIDTHS,
    )


def export_file(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    lang: str,
    revision: int | None = None,
    file_type: Literal["xlsx", "html"] = "xlsx",
) -> bytes | str:
    """The one page as a file: an Excel workbook ('xlsx': A4 portrait, fitted to one page when
    printed) or printable HTML ('html': A4, every value escaped)."""
    page = document(plan_document(con, rep_id, month, filters, as_of, revision), lang)
    return to_html(page) if file_type == "html" else to_xlsx(page)

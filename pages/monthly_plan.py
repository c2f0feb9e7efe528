"""Monthly plan & review: the seed's one-to-one of a manager and a rep. The rep's report and the
chance of making the month; the plan (visits, commitments, remedial actions) signed by both;
the weekly review, planned against actual; the one-page report."""

import pandas as pd
import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import module1 as charts
from app.tables import Column
from app.texts import t
from salesmgmt.errors import SalesmgmtError
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics import field, plan_document, plans
from salesmgmt.metrics.core import first_days
from salesmgmt.metrics.directory import filter_options
from salesmgmt.periods import Period

layout.page_header("page.monthly_plan")
pp.show_flash()
filters, lang = sidebar.filters(), texts.lang()
chosen = sidebar.period()
month = chosen if chosen.kind == "month" else Period.month_of(sidebar.as_of())
as_of = min(queries.today(), month.last_day)
if chosen.kind != "month":
    st.info(t("mp.month_of_period", month=month.label(lang)), icon=":material/info:")

reps = queries.query(filter_options, filters)["reps"]
engineers = reps[(reps["role"] == "sales_engineer") & reps["active"].astype(bool)]
candidates = engineers if len(engineers) else reps
if candidates.empty:
    layout.empty_state()
    st.stop()
names = {
    int(r.rep_id): f"{r.name} · {r.team}" if isinstance(r.team, str) else r.name
    for r in candidates.itertuples()
}
left, right = st.columns([2, 1])
rep_id = left.selectbox(t("mp.rep"), list(names), format_func=names.get, key="mp_rep")
right.text_input(t("mp.month"), month.label(lang), disabled=True, key="mp_month_shown")

try:
    report = queries.query(plans.rep_report, rep_id, month, filters, as_of)
except SalesmgmtError as exc:
    texts.show_error(exc)
    st.stop()
rep, f = report["rep"], report["figures"]

# ---------------------------------------------------------------- the rep's report
st.subheader(t("mp.report.title", rep=rep["name"]))
c = st.columns(5)
c[0].metric(pp.with_unit("plan.kpi.target"), formats.money_short(f["target"]), border=True)
c[1].metric(pp.with_unit("plan.kpi.won"), formats.money_short(f["won_amount"]), border=True)
c[1].caption(t("mp.kpi.attainment", att=formats.pct(f["attainment"])))
c[2].metric(pp.with_unit("plan.kpi.forecast"), formats.money_short(f["forecast"]), border=True)
c[2].caption(t("mp.kpi.open", open=formats.money(f["open_amount"]), n=f["open_count"]))
c[3].metric(t("plan.kpi.probability"), formats.pct(f["attainment_probability"]), border=True)
c[3].caption(t("mp.kpi.gap", gap=formats.money(f["gap"])))
c[4].metric(t("plan.kpi.visits"), formats.count(f["visits"]), border=True)
c[4].caption(t("mp.kpi.norm", ok=f["weeks_meeting_norm"], weeks=f["weeks"], norm=VISIT_NORM_PER_WEEK))

actions = report["actions"]
with st.container(key="mp_actions"):
    if f["target"] is None:
        st.info(t("mp.no_target"), icon=":material/info:")
    elif report["low"]:
        st.warning(t("mp.low", p=formats.pct(f["attainment_probability"])), icon=":material/warning:")
    else:
        st.success(
            t("mp.on_track", p=formats.pct(f["attainment_probability"])), icon=":material/check_circle:"
        )
    if len(actions):
        with st.expander(t("mp.actions.title", n=len(actions)), expanded=report["low"]):
            for i, action in enumerate(actions.to_dict(orient="records"), start=1):
                st.markdown(f"{i}. " + formats.md(plans.action_text(action, lang)))

deals = report["deals"]
st.markdown("**" + t("mp.deals.title", n=len(deals)) + "**")
if len(deals):
    tables.show(
        deals,
        [
            "opportunity",
            "client",
            Column("stage", kind="stage"),
            "amount",
            "probability",
            "expected_close_date",
            "age_days",
            ("days_in_stage", "plan.col.days_in_stage"),
            "last_visit",
        ],
        key="mp_deals",
    )
    st.caption(t("mp.deals.caption"))
else:
    st.caption(t("mp.deals.none"))

# ---------------------------------------------------------------- the plan
st.subheader(t("mp.plan.title"))
revisions = queries.query(plans.plan_revisions, rep_id, month, filters)
latest = queries.query(plans.plan_detail, rep_id, month, filters, as_of)
if latest:
    st.caption(
        t(
            "mp.plan.latest",
            revision=latest["revision"],
            saved_on=formats.date_text(latest["saved_on"]),
            by=latest.get("saved_by") or "–",
        )
    )
else:
    st.caption(t("mp.plan.none"))

clients = queries.query(plans.plannable_clients, rep_id, filters, as_of)
client_name = dict(zip(clients["client_id"], clients["client"]))
by_name = {v: k for k, v in client_name.items()}
if latest is not None and len(latest["visits"]):
    for cid, cname in zip(latest["visits"]["client_id"], latest["visits"]["client"]):
        client_name.setdefault(cid, cname)
        by_name.setdefault(cname, cid)
start_rows = pd.DataFrame(
    {
        "client": [client_name.get(c) for c in latest["visits"]["client_id"]] if latest else [],
        "planned_date": list(latest["visits"]["planned_date"]) if latest else [],
        "purpose": [p if isinstance(p, str) else "" for p in latest["visits"]["purpose"]] if latest else [],
    },
    columns=["client", "planned_date", "purpose"],
).astype({"client": object, "purpose": object})
start_rows["planned_date"] = pd.to_datetime(start_rows["planned_date"]).dt.date
editor_key = f"mp_visits_{rep_id}_{month}_{latest['revision'] if latest else 0}"
edited = st.data_editor(
    start_rows,
    num_rows="dynamic",
    hide_index=True,
    key=editor_key,
    width="stretch",
    column_config={
        "client": st.column_config.SelectboxColumn(
            t("plan.col.client"), options=sorted(by_name), required=True, width="large"
        ),
        "planned_date": st.column_config.DateColumn(
            t("plan.col.date"),
            min_value=month.start,
            max_value=month.last_day,
            required=True,
            format="YYYY-MM-DD",
        ),
        "purpose": st.column_config.TextColumn(t("plan.col.purpose"), width="large"),
    },
)
edited = edited.dropna(subset=["client"])
planned_dates = [d for d in edited["planned_date"] if d is not None and not pd.isna(d)]
short = plans.weeks_below_norm(planned_dates, month)
with st.container(key="mp_norm_check"):
    if short and planned_dates:
        st.warning(
            t(
                "mp.plan.below_norm",
                norm=VISIT_NORM_PER_WEEK,
                weeks=", ".join(t("mp.plan.week_count", week=formats.date_text(w), n=n) for w, n in short),
            ),
            icon=":material/warning:",
        )
    elif short:
        st.caption(t("mp.plan.norm_hint", norm=VISIT_NORM_PER_WEEK))
    else:
        st.caption(t("mp.plan.norm_ok", norm=VISIT_NORM_PER_WEEK))

suggested = plans.actions_text(actions, lang) if report["low"] else ""
key_suffix = f"{rep_id}_{month}_{latest['revision'] if latest else 0}"
commitments = st.text_area(
    t("plan.doc.commitments"),
    value=(latest or {}).get("commitments") or "",
    key=f"mp_commit_{key_suffix}",
    placeholder=t("mp.plan.commitments_hint"),
)
remedies = st.text_area(
    t("plan.doc.actions"),
    value=(latest or {}).get("remedial_actions") or suggested,
    key=f"mp_remedies_{key_suffix}",
    height=140,
)
notes = st.text_area(
    t("plan.doc.notes"), value="", key=f"mp_notes_{key_suffix}", placeholder=t("mp.plan.notes_hint")
)
user = st.session_state.get("user")
if st.button(
    t("mp.plan.save") if not latest else t("mp.plan.revise"),
    type="primary",
    key="mp_save",
    icon=":material/save:",
):
    visits = [(by_name.get(row.client), row.planned_date, row.purpose) for row in edited.itertuples()]
    try:
        queries.write(
            plans.save_plan,
            rep_id,
            month,
            filters,
            visits=visits,
            commitments=commitments,
            remedial_actions=remedies,
            review_notes=notes or None,
            saved_by=getattr(user, "display_name", None),
            saved_on=as_of,
        )
    except SalesmgmtError as exc:
        texts.show_error(exc)
    else:
        pp.flash(t("mp.plan.saved"))
        st.rerun()

# ---------------------------------------------------------------- signatures
if latest:
    st.markdown("**" + t("mp.sign.title", revision=latest["revision"]) + "**")
    role = getattr(user, "role", None)
    allowed = {party: plans.may_sign(party, role) for party in plans.PARTIES}
    defaults = {"manager": rep.get("manager") or getattr(user, "display_name", "") or "", "rep": rep["name"]}
    columns = st.columns(2)
    for col, party in zip(columns, plans.PARTIES):
        with col.container(border=True, key=f"mp_sign_{party}"):
            st.markdown("**" + t(f"plan.doc.{party}") + "**")
            signed_by = latest.get(f"{party}_signed_by")
            if signed_by:
                st.markdown(
                    ":material/check_circle: "
                    + formats.md(
                        t("plan.doc.signed", name=signed_by, at=str(latest[f"{party}_signed_at"])[:16])
                    )
                )
                continue
            name = st.text_input(
                t("mp.sign.name"),
                value=defaults[party],
                key=f"mp_signer_{party}_{key_suffix}",
                disabled=not allowed[party],
            )
            if st.button(
                t(f"mp.sign.as_{party}"),
                key=f"mp_sign_button_{party}",
                disabled=not allowed[party],
                icon=":material/draw:",
            ):
                try:
                    queries.write(
                        plans.sign_plan,
                        int(latest["plan_id"]),
                        party,
                        name,
                        filters,
                        signer_role=role,
                        signer_user=getattr(user, "username", None),
                    )
                except SalesmgmtError as exc:
                    texts.show_error(exc)
                else:
                    pp.flash(t("mp.sign.done", name=name))
                    st.rerun()

# ---------------------------------------------------------------- the weekly review
st.subheader(t("mp.review.title"))
review = queries.query(plans.weekly_review, rep_id, month, filters, as_of)
pp.chart(
    charts.weekly_review(
        review,
        VISIT_NORM_PER_WEEK,
        {
            "title": t("mp.review.chart"),
            "planned": t("plan.col.planned"),
            "done": t("mp.review.planned_done"),
            "visits": formats.label("visits"),
            "norm": t("mp.review.norm", norm=VISIT_NORM_PER_WEEK),
            "week": t("plan.col.week"),
            "count": t("axis.count"),
        },
    ),
    key="mp_review_chart",
    height=320,
)
behind = review[review["below_norm"]]
if len(behind):
    st.warning(
        t(
            "mp.review.below",
            weeks=", ".join(formats.date_text(w) for w in behind["week"]),
            norm=VISIT_NORM_PER_WEEK,
        ),
        icon=":material/warning:",
    )
# Were the month's visits made at the client? (check-ins imported from DingTalk and WeCom)
# In the first days a check-in or two would read 0% or 100%: the rate is the last complete month's.
# Without any then (a new installation), the days there are.
checked_month = month.previous() if first_days(month, as_of) else month
checked = queries.query(field.on_site_summary, checked_month, plans.rep_only(filters, rep_id))
if checked_month != month and not checked.checkins:
    checked_month = month
    checked = queries.query(field.on_site_summary, month, plans.rep_only(filters, rep_id))
early = checked_month != month
with st.container(key="mp_on_site"):
    if early:
        st.caption(t("fw.plan.of_last", now=month.label(lang), last=checked_month.label(lang)))
    if checked.checkins:
        on_site_col, _rest = st.columns([1, 3])
        kpi = t("fw.plan.kpi_in", month=checked_month.label(lang)) if early else t("fw.plan.kpi")
        on_site_col.metric(kpi, formats.pct(checked.on_site_rate), border=True)
        st.caption(
            t(
                "fw.plan.kpi_help",
                on_site=checked.on_site,
                known=checked.known,
                visits=checked.visits_checked_in,
                all_visits=checked.visits,
            )
        )
    else:
        st.caption(t("fw.plan.none_in", month=checked_month.label(lang)) if early else t("fw.plan.none"))
if latest is not None and len(latest["visits"]):
    tables.show(
        latest["visits"],
        [
            "planned_date",
            "client",
            Column("client_type", kind="client_type"),
            "purpose",
            Column("status", kind="status"),
            "done_on",
        ],
        key="mp_planned",
    )
    st.caption(t("mp.review.caption"))

# ---------------------------------------------------------------- history and exports
if len(revisions):
    with st.expander(t("mp.history.title", n=len(revisions))):
        tables.show(
            revisions,
            ["revision", "saved_on", "saved_by", "planned_visits", "manager_signed_by", "rep_signed_by"],
            key="mp_history",
        )

st.subheader(t("mp.export.title"))
options = [None] + list(revisions["revision"])
latest_label = t("mp.export.latest")
revision = st.selectbox(
    t("mp.export.revision"),
    options,
    key="mp_export_revision",
    format_func=lambda r: latest_label if r is None else str(r),
)
revision = None if revision is None else int(revision)
file_base = f"plan-{rep['name']}-{month}".replace(" ", "_")
c1, c2 = st.columns(2)
# The files are built when a button is clicked (Streamlit calls `data` then), not on every run.
c1.download_button(
    t("mp.export.xlsx"),
    key="mp_xlsx",
    icon=":material/table_view:",
    data=lambda: queries.call(plan_document.export_file, rep_id, month, filters, as_of, lang, revision),
    file_name=f"{file_base}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
c2.download_button(
    t("mp.export.html"),
    key="mp_html",
    icon=":material/print:",
    data=lambda: queries.call(
        plan_document.export_file, rep_id, month, filters, as_of, lang, revision, "html"
    ),
    file_name=f"{file_base}.html",
    mime="text/html",
)
st.caption(t("mp.export.caption"))

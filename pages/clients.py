"""Client relationships: a health score per client with its parts (key accounts going cold
first), the key-account profile with its review pack, recording reviews, reviews due, and the
coverage of the construction project chain."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from app import blocks, formats, layout, queries, session, sidebar, tables, texts
from app.charts import maps as map_charts
from app.tables import Column
from app.texts import t
from salesmgmt.errors import SalesmgmtError
from salesmgmt.metrics import clients, coverage
from salesmgmt.review_pack import review_pack_html, review_pack_xlsx

#: The client picker lists at most this many clients (those matching the search).
CHOICES = 100

layout.page_header(
    "page.clients",
    t("cl.caption", date=formats.date_text(sidebar.as_of()), scope=sidebar.filters().describe(texts.lang())),
)
filters, as_of, lang = sidebar.filters(), sidebar.as_of(), texts.lang()

health = queries.query(clients.client_health, filters, as_of)
if health.empty:
    layout.empty_state()
    st.stop()
due = queries.query(clients.reviews_due, filters, as_of)
key = health[health["key_account"]]

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("cl.kpi.clients"), formats.count(len(health)), border=True)
c1.caption(t("cl.kpi.key_accounts", n=len(key)))
c2.metric(t("cl.kpi.cold"), formats.count(int(health["going_cold"].sum())), border=True)
c3.metric(t("cl.kpi.avg_health"), f"{key['health_score'].mean():.0f}" if len(key) else "–", border=True)
c3.caption(t("cl.kpi.avg_all", score=f"{health['health_score'].mean():.0f}"))
c4.metric(t("cl.kpi.due"), formats.count(len(due)), border=True)
c4.caption(t("cl.kpi.due_days", days=clients.REVIEW_DUE_DAYS))

# Only the open tab runs (its queries and tables): switching tabs reruns the page.
tab_health, tab_profile, tab_due, tab_chain, tab_map = st.tabs(
    [t("cl.tab.health"), t("cl.tab.profile"), t("cl.tab.due"), t("cl.tab.chain"), t("map.tab")],
    key="cl_tab",
    on_change="rerun",
)

TYPE = {
    k: t(f"client_type.{k}")
    for k in ("design_institute", "steel_structure", "construction", "owner", "other")
}

if tab_health.open:
    with tab_health:
        only_key = st.toggle(t("cl.health.key_only"), value=len(key) > 0, key="cl_key_only")
        shown = key if only_key else health
        if shown.empty:
            st.info(t("cl.health.no_key"), icon=":material/info:")
        else:
            cold = shown[shown["going_cold"]]
            if len(cold):
                st.warning(
                    t("cl.health.cold", n=len(cold), days=clients.COLD_ACCOUNT_DAYS),
                    icon=":material/ac_unit:",
                )
            tables.show(
                shown.assign(client_type=shown["client_type"].map(TYPE)),
                [
                    "client",
                    Column("going_cold", label="cl.col.cold", kind="check"),
                    Column("health_score", label="cl.col.health", kind="score"),
                    Column("recency_points", header=t("cl.part.recency") + " /30"),
                    Column("visit_trend_points", header=t("cl.part.visit_trend") + " /15"),
                    Column("pipeline_points", header=t("cl.part.pipeline") + " /20"),
                    Column("revenue_points", header=t("cl.part.revenue") + " /20"),
                    Column("relationship_points", header=t("cl.part.relationship") + " /15"),
                    ("client_type", "cl.col.type"),
                    "owner",
                    ("days_since_visit", "cl.col.days_since_visit"),
                    "visits_recent",
                    "visits_previous",
                    Column("pipeline_at", column="pipeline_now", label="cl.col.pipeline_now"),
                    Column("pipeline_at", column="pipeline_then", label="cl.col.pipeline_then"),
                    Column("won_amount", column="won_last_12m", label="cl.col.won_12m"),
                    Column("won_amount", column="won_prior_12m", label="cl.col.won_prior"),
                ],
                key="cl_health",
                height=420,
            )
            st.caption(
                t(
                    "cl.health.formula",
                    key_days=clients.CADENCE_DAYS[True],
                    other_days=clients.CADENCE_DAYS[False],
                )
            )

if tab_profile.open:
    with tab_profile:
        search, pick, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        all_clients = right.toggle(t("cl.profile.all_clients"), value=key.empty, key="cl_all_clients")
        # In the order of the health list: key accounts going cold first. A company has up to
        # 100,000 clients: the picker lists the first CHOICES that match the search.
        source = health if all_clients else key
        text = search.text_input(t("cl.profile.search"), key="cl_client_search")
        matches = clients.find_clients(source, text)
        listed = matches.head(CHOICES)
        names = dict(zip(listed["client_id"], listed["client"]))
        if text.strip() and matches.empty:
            st.info(t("cl.profile.no_match", text=text.strip()), icon=":material/search_off:")
        elif len(matches) > len(listed):
            st.caption(t("cl.profile.matches", n=formats.count(len(matches)), shown=len(listed)))
        if st.session_state.get("cl_client") not in names:
            st.session_state.pop("cl_client", None)  # picked under other filters
        client_id = pick.selectbox(
            t("cl.profile.pick"), list(names), format_func=lambda i: names.get(i, str(i)), key="cl_client"
        )
        profile = queries.query(clients.client_profile, client_id, filters, as_of) if names else None
        if profile is None:
            st.info(t("cl.profile.none"), icon=":material/info:")
        else:
            c = profile["client"]
            m1, m2, m3, m4 = st.columns(4)
            m1.metric(t("cl.col.health"), f"{c['health_score']:.0f}", border=True)
            m1.caption(
                TYPE.get(c["client_type"], c["client_type"])
                + " · "
                + t("cl.tier.key" if c["key_account"] else "cl.tier.other")
            )
            m2.metric(t("cl.col.days_since_visit"), formats.count(c["days_since_visit"]), border=True)
            m2.caption(t("cl.profile.cadence", days=c["cadence_days"]))
            m3.metric(
                t("cl.profile.next_review"), formats.date_text(profile["next_review_date"]), border=True
            )
            last = profile["last_review"]
            m3.caption(
                t("cl.profile.last_review", date=formats.date_text(last["review_date"]))
                if last
                else t("cl.profile.never_reviewed")
            )
            m4.metric(t("cl.col.owner"), "–" if pd.isna(c["owner"]) else c["owner"], border=True)
            m4.caption("" if pd.isna(c["team"]) else formats.md(c["team"]))

            st.markdown("**" + t("cl.profile.why") + "**")
            parts = clients.health_explanation(c, lang)
            tables.show(
                pd.DataFrame(parts),
                [
                    "label",
                    "points",
                    "max",
                    "detail",
                ],
                key="cl_parts",
            )

            st.markdown("**" + t("cl.doc.plan") + "**")
            with st.container(border=True, key="cl_plan"):
                st.markdown(
                    formats.md(profile["development_plan"])
                    if profile["development_plan"]
                    else "_" + t("cl.doc.no_plan") + "_"
                )

            d1, d2, _ = st.columns([1, 1, 2])
            file_stem = f"review-{client_id}-{as_of.isoformat()}"
            d1.download_button(
                t("cl.profile.excel"),
                key="cl_xlsx",
                data=lambda: queries.call(review_pack_xlsx, client_id, filters, as_of, lang),
                file_name=f"{file_stem}.xlsx",
                icon=":material/download:",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            d2.download_button(
                t("cl.profile.html"),
                key="cl_html",
                data=lambda: queries.call(review_pack_html, client_id, filters, as_of, lang),
                file_name=f"{file_stem}.html",
                mime="text/html",
                icon=":material/print:",
            )

            t_deals, t_visits, t_people, t_reviews = st.tabs(
                [
                    t("cl.doc.open_deals") + " / " + t("cl.doc.closed_deals"),
                    t("cl.doc.visits"),
                    t("cl.doc.people"),
                    t("cl.doc.history"),
                ]
            )
            with t_deals:
                deals = profile["deals"]
                tables.show(
                    deals.assign(
                        stage=deals["stage"].map(lambda s: t(f"stage.{s}")),
                        status=deals["status"].map(lambda s: t(f"status.{s}")),
                    ),
                    [
                        "opportunity",
                        "status",
                        "stage",
                        "product",
                        "project",
                        "amount",
                        "expected_close_date",
                        "close_date",
                        "lost_reason",
                        "rep",
                    ],
                    key="cl_deals",
                )
            with t_visits:
                visits = profile["visits"]
                tables.show(
                    visits.assign(
                        visit_type=visits["visit_type"].map(lambda v: t(f"visit_type.{v}")),
                        rep=visits["rep"].fillna(t("cl.people.outside")),
                    ),
                    [
                        "visit_date",
                        ("visit_type", "cl.col.visit_type"),
                        "rep",
                        ("accompanied_by", "cl.col.accompanied_by"),
                        "purpose",
                        "outcome",
                        "notes",
                        "opportunity",
                    ],
                    key="cl_visits",
                )
            with t_people:
                people = profile["people"]
                tables.show(
                    people.assign(
                        role=people["role"].map(lambda r: t(f"cl.role.{r}")),
                        person=people["person"].fillna(t("cl.people.outside")),
                    ),
                    [
                        "person",
                        "role",
                        ("visits", "cl.col.visits"),
                        "last_visit",
                    ],
                    key="cl_people",
                )
            with t_reviews:
                tables.show(
                    profile["reviews"],
                    [
                        "review_date",
                        "participants",
                        "findings",
                        "development_plan",
                        "next_review_date",
                        "recorded_by",
                    ],
                    key="cl_reviews",
                )

            st.markdown("**" + t("cl.review.title") + "**")
            with st.form("cl_review_form", clear_on_submit=True, border=True):
                f1, f2 = st.columns(2)
                review_date = f1.date_input(
                    t("cl.review.date"), value=queries.today(), key="cl_review_date", format="YYYY-MM-DD"
                )
                next_date = f2.date_input(
                    t("cl.review.next"),
                    key="cl_review_next",
                    format="YYYY-MM-DD",
                    value=queries.today() + timedelta(days=clients.REVIEW_INTERVAL_DAYS),
                )
                participants = st.text_input(
                    t("cl.review.participants"),
                    key="cl_review_participants",
                    placeholder=t("cl.review.participants_hint"),
                )
                findings = st.text_area(t("cl.review.findings"), key="cl_review_findings", height=90)
                plan = st.text_area(t("cl.review.plan"), key="cl_review_plan", height=110)
                submitted = st.form_submit_button(t("cl.review.save"), type="primary")
            if submitted:
                user = session.current_user()
                try:
                    queries.write(
                        clients.record_review,
                        client_id,
                        filters,
                        review_date=review_date,
                        participants=participants,
                        development_plan=plan,
                        findings=findings,
                        next_review_date=next_date,
                        recorded_by=(user.display_name or user.username) if user else None,
                    )
                except SalesmgmtError as exc:
                    texts.show_error(exc)
                else:
                    st.toast(t("cl.review.saved"), icon=":material/check_circle:")
                    st.rerun()

if tab_due.open:
    with tab_due:
        if due.empty:
            st.success(t("cl.due.none", days=clients.REVIEW_DUE_DAYS))
        else:
            tables.show(
                due.assign(client_type=due["client_type"].map(TYPE)),
                [
                    "client",
                    ("client_type", "cl.col.type"),
                    "owner",
                    "last_review_date",
                    "next_review_date",
                    "days_to_review",
                ],
                key="cl_due",
            )
            st.caption(t("cl.due.note", days=clients.REVIEW_INTERVAL_DAYS))

if tab_chain.open:
    with tab_chain:
        open_only = st.toggle(t("cl.chain.open_only"), value=True, key="cl_chain_open")
        chain = queries.query(clients.project_coverage, filters, as_of, open_only)
        if chain.empty:
            st.info(t("cl.chain.none"), icon=":material/info:")
        else:
            marks = {"visited": "●", "not_visited": "○", "none": "–"}
            shown = chain.assign(
                **{
                    k: chain[k].map(marks) + " " + chain[f"{k}_clients"].fillna("")
                    for k in clients.CHAIN_TYPES
                }
            )
            shown["chain_coverage"] = shown["chain_coverage"] * 100
            tables.show(
                shown,
                [
                    "project",
                    Column("chain_coverage", label="cl.col.coverage", kind="score"),
                    *[Column("client", column=k, header=TYPE[k]) for k in clients.CHAIN_TYPES],
                    ("open_amount", "cl.col.open_amount"),
                    "open_count",
                    "started",
                ],
                key="cl_chain",
                height=420,
            )
            st.caption(t("cl.chain.note", days=clients.PROJECT_LEAD_DAYS))

if tab_map.open:
    with tab_map:
        where = queries.query(coverage.located, filters)
        if not where.located:
            st.info(t("map.empty", clients=formats.count(where.clients)), icon=":material/location_off:")
        else:
            cold = queries.query(coverage.key_accounts_not_visited, filters, as_of)
            blocks.chart(
                map_charts.coverage_map(
                    queries.query(coverage.by_area, sidebar.period(), filters, as_of, "city"),
                    "city",
                    "area_clients",
                    {
                        "title": t("map.chart.clients", days=clients.COLD_ACCOUNT_DAYS),
                        "value": formats.label("area_clients"),
                        "points": t("map.points.clients"),
                        "gaps": t("map.points.gaps", days=clients.COLD_ACCOUNT_DAYS),
                    },
                    points=queries.query(coverage.client_points, filters),
                    gaps=cold,
                ),
                key="cl_map",
            )
            if where.located < where.clients:
                st.caption(
                    t(
                        "map.partly",
                        located=formats.count(where.located),
                        clients=formats.count(where.clients),
                    )
                )
            st.markdown("**" + t("map.gaps.accounts", days=clients.COLD_ACCOUNT_DAYS, n=len(cold)) + "**")
            if cold.empty:
                st.success(t("map.gaps.accounts.none", days=clients.COLD_ACCOUNT_DAYS))
            else:
                tables.show(
                    cold,
                    ["client", "province", "city", "district", "owner", "last_visit", "days_since_visit"],
                    key="cl_map_cold",
                )

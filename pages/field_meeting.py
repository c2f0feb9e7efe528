"""Field meeting: one live project (or one client and its projects) on one screen: the parties of
the project chain and who covers them, the deal history, visits and open actions."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import theme
from app.texts import t
from salesmgmt.metrics import meetings

layout.page_header("page.field_meeting")
filters, as_of, lang = sidebar.filters(), sidebar.as_of(), texts.lang()

# A national company has ~100,000 projects and clients: the picker offers the best matches of a
# search (part of a name or a code), or without one the most relevant (live, most open business).
c_kind, c_search, c_pick = st.columns([3, 4, 6], vertical_alignment="bottom")
search = c_search.text_input(t("fm.search"), key="fm_search", placeholder=t("fm.search.placeholder")).strip()
subjects = queries.query(meetings.field_subjects, filters, search)
projects, clients = subjects["projects"], subjects["clients"]
if not search and projects.empty and clients.empty:
    layout.empty_state()
    st.stop()
kind = (
    c_kind.segmented_control(
        t("fm.about"),
        ["project", "client"],
        key="fm_kind",
        default="project" if len(projects) else "client",
        format_func=lambda k: t(f"fm.about.{k}"),
    )
    or "project"
)
project = client_id = None
if kind == "client":
    names = dict(zip(clients["client_id"], clients["client"]))
    types = dict(zip(clients["client_id"], clients["client_type"]))
    client_id = c_pick.selectbox(
        t("fm.client"),
        list(names),
        key="fm_client",
        format_func=lambda c: f"{names[c]} · {m3.client_type(types[c])}",
    )
else:
    open_amounts = dict(zip(projects["project"], projects["open_amount"]))
    open_deals = dict(zip(projects["project"], projects["open_deals"]))
    project = c_pick.selectbox(
        t("fm.project"),
        list(open_amounts),
        key="fm_project",
        format_func=lambda p: t(
            "fm.project_option", project=p, deals=open_deals[p], amount=formats.money(open_amounts[p])
        ),
    )
found, shown = subjects[f"{kind}s_found"], len(projects if kind == "project" else clients)
if search and not found:
    st.info(t(f"fm.none.{kind}", search=formats.md(search)), icon=":material/search_off:")
    st.stop()
st.caption(
    t(f"fm.found.{kind}", shown=formats.count(shown), total=formats.count(found), search=formats.md(search))
    if search
    else t(f"fm.shown.{kind}", shown=formats.count(shown), total=formats.count(found))
)
if project is None and client_id is None:
    layout.empty_state()
    st.stop()

view = queries.query(
    meetings.field_view, filters, as_of, project, None if client_id is None else int(client_id)
)
deals = view["opportunities"]
if deals.empty:
    layout.empty_state()
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("fm.kpi.deals"), formats.count(len(deals)), border=True)
# The unit in the label, so that millions fit a quarter of the page.
c2.metric(
    pp.with_unit("fm.kpi.open"),
    formats.money_short(deals.loc[deals["status"] == "open", "amount"].sum()),
    border=True,
)
c3.metric(
    pp.with_unit("fm.kpi.won"),
    formats.money_short(deals.loc[deals["status"] == "won", "amount"].sum()),
    border=True,
)
parties = view["parties"]
chain = parties[parties["client_type"].isin(meetings.CHAIN_TYPES)]
covered = chain.dropna(subset=["client"])["client_type"].nunique()
c4.metric(t("fm.kpi.chain"), f"{covered} / {len(meetings.CHAIN_TYPES)}", border=True)


def draw_parties() -> None:
    columns = st.columns(len(meetings.CHAIN_TYPES))
    for col, ctype in zip(columns, meetings.CHAIN_TYPES):
        rows = parties[parties["client_type"] == ctype]
        with col.container(border=True, key=f"fm_party_{ctype}"):
            st.markdown("**" + m3.client_type(ctype) + "**")
            for row in rows.itertuples():
                if not isinstance(row.client, str):
                    st.warning(t("fm.party.uncovered"), icon=":material/warning:")
                    continue
                st.markdown(formats.md(row.client))
                last = (
                    formats.date_text(row.last_visit) if row.last_visit is not None else t("fm.party.never")
                )
                st.caption(
                    t("fm.party.line", rep=formats.md(row.covered_by or "–"), visits=row.visits, last=last)
                )
    other = parties[~parties["client_type"].isin(meetings.CHAIN_TYPES)]
    if len(other):
        st.caption(t("fm.party.others", names="、".join(other["client"].astype(str))))


def draw_deals() -> None:
    shown = deals.assign(
        stage=deals["stage"].map(m3.stage),
        status=[t(f"status.{s}") for s in deals["status"]],
        client_type=deals["client_type"].map(m3.client_type),
    )
    tables.show(
        shown,
        [
            "name",
            "client",
            "client_type",
            "rep",
            "stage",
            "status",
            "amount",
            "expected_close_date",
            ("close_date", "fm.col.closed"),
        ],
        key="fm_deals",
    )
    history = view["history"]
    if len(history):
        st.plotly_chart(
            theme.style_figure(
                charts.deal_history(
                    history,
                    as_of,
                    {
                        "title": t("fm.chart.history"),
                        "date": t("fm.col.date"),
                        "stages": m3.stage_labels(),
                    },
                )
            ),
            key="fm_history",
        )


def draw_visits() -> None:
    visits = view["visits"]
    if visits.empty:
        st.info(t("fm.visits.none"), icon=":material/info:")
        return
    shown = visits.assign(
        client_type=visits["client_type"].map(m3.client_type),
        visit_type=[t(f"visit_type.{v}") for v in visits["visit_type"]],
    )
    tables.show(
        shown,
        [
            "visit_date",
            "client",
            "client_type",
            "visit_type",
            "rep",
            "accompanied_by",
            "purpose",
            "outcome",
        ],
        key="fm_visits",
    )


def draw_actions() -> None:
    actions = view["actions"]
    if actions.empty:
        st.success(t("fm.actions.none"))
        return
    with st.container(key="fm_actions"):
        for row in actions.itertuples():
            st.markdown("- " + meetings.action_text(row, lang, escape=formats.md))


m3.sections(
    [
        (t("fm.section.parties"), draw_parties),
        (t("fm.section.deals"), draw_deals),
        (t("fm.section.visits"), draw_visits),
        (t("fm.section.actions"), draw_actions),
    ],
    "fm",
)

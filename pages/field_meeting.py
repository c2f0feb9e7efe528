"""Field meeting: one live project (or one client and its projects) on one screen: the parties of
the project chain and who covers them, the deal history, visits and open actions."""

import streamlit as st

import meeting_ui as m3
import pageparts as pp
import ui
import ui_tables
from charts import module3 as charts
from salesmgmt.metrics import meetings

ui.page_header("page.field_meeting")
filters, as_of, lang = ui.filters(), ui.as_of(), ui.lang()

# A national company has ~100,000 projects and clients: the picker offers the best matches of a
# search (part of a name or a code), or without one the most relevant (live, most open business).
c_kind, c_search, c_pick = st.columns([3, 4, 6], vertical_alignment="bottom")
search = c_search.text_input(
    ui.t("fm.search"), key="fm_search", placeholder=ui.t("fm.search.placeholder")
).strip()
subjects = ui.query(meetings.field_subjects, filters, search)
projects, clients = subjects["projects"], subjects["clients"]
if not search and projects.empty and clients.empty:
    ui.empty_state()
    st.stop()
kind = (
    c_kind.segmented_control(
        ui.t("fm.about"),
        ["project", "client"],
        key="fm_kind",
        default="project" if len(projects) else "client",
        format_func=lambda k: ui.t(f"fm.about.{k}"),
    )
    or "project"
)
project = client_id = None
if kind == "client":
    names = dict(zip(clients["client_id"], clients["client"]))
    types = dict(zip(clients["client_id"], clients["client_type"]))
    client_id = c_pick.selectbox(
        ui.t("fm.client"),
        list(names),
        key="fm_client",
        format_func=lambda c: f"{names[c]} · {m3.client_type(types[c])}",
    )
else:
    open_amounts = dict(zip(projects["project"], projects["open_amount"]))
    open_deals = dict(zip(projects["project"], projects["open_deals"]))
    project = c_pick.selectbox(
        ui.t("fm.project"),
        list(open_amounts),
        key="fm_project",
        format_func=lambda p: ui.t(
            "fm.project_option", project=p, deals=open_deals[p], amount=ui.money(open_amounts[p])
        ),
    )
found, shown = subjects[f"{kind}s_found"], len(projects if kind == "project" else clients)
if search and not found:
    st.info(ui.t(f"fm.none.{kind}", search=ui.md(search)), icon=":material/search_off:")
    st.stop()
st.caption(
    ui.t(f"fm.found.{kind}", shown=ui.count(shown), total=ui.count(found), search=ui.md(search))
    if search
    else ui.t(f"fm.shown.{kind}", shown=ui.count(shown), total=ui.count(found))
)
if project is None and client_id is None:
    ui.empty_state()
    st.stop()

view = ui.query(meetings.field_view, filters, as_of, project, None if client_id is None else int(client_id))
deals = view["opportunities"]
if deals.empty:
    ui.empty_state()
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(ui.t("fm.kpi.deals"), ui.count(len(deals)), border=True)
# The unit in the label, so that millions fit a quarter of the page.
c2.metric(
    pp.with_unit("fm.kpi.open"),
    ui.money_short(deals.loc[deals["status"] == "open", "amount"].sum()),
    border=True,
)
c3.metric(
    pp.with_unit("fm.kpi.won"),
    ui.money_short(deals.loc[deals["status"] == "won", "amount"].sum()),
    border=True,
)
parties = view["parties"]
chain = parties[parties["client_type"].isin(meetings.CHAIN_TYPES)]
covered = chain.dropna(subset=["client"])["client_type"].nunique()
c4.metric(ui.t("fm.kpi.chain"), f"{covered} / {len(meetings.CHAIN_TYPES)}", border=True)


def draw_parties() -> None:
    columns = st.columns(len(meetings.CHAIN_TYPES))
    for col, ctype in zip(columns, meetings.CHAIN_TYPES):
        rows = parties[parties["client_type"] == ctype]
        with col.container(border=True, key=f"fm_party_{ctype}"):
            st.markdown("**" + m3.client_type(ctype) + "**")
            for row in rows.itertuples():
                if not isinstance(row.client, str):
                    st.warning(ui.t("fm.party.uncovered"), icon=":material/warning:")
                    continue
                st.markdown(ui.md(row.client))
                last = ui.date_text(row.last_visit) if row.last_visit is not None else ui.t("fm.party.never")
                st.caption(
                    ui.t("fm.party.line", rep=ui.md(row.covered_by or "–"), visits=row.visits, last=last)
                )
    other = parties[~parties["client_type"].isin(meetings.CHAIN_TYPES)]
    if len(other):
        st.caption(ui.t("fm.party.others", names="、".join(other["client"].astype(str))))


def draw_deals() -> None:
    shown = deals.assign(
        stage=deals["stage"].map(m3.stage),
        status=[ui.t(f"status.{s}") for s in deals["status"]],
        client_type=deals["client_type"].map(m3.client_type),
    )
    ui_tables.show(
        shown,
        [
            ("name", ui.t("fm.col.deal"), "text"),
            ("client", ui.t("fm.col.client"), "text"),
            ("client_type", ui.t("fm.col.client_type"), "text"),
            ("rep", ui.t("fm.col.rep"), "text"),
            ("stage", ui.t("fm.col.stage"), "text"),
            ("status", ui.t("fm.col.status"), "text"),
            ("amount", ui.t("fm.col.amount"), "money"),
            ("expected_close_date", ui.t("fm.col.expected"), "date"),
            ("close_date", ui.t("fm.col.closed"), "date"),
        ],
        key="fm_deals",
    )
    history = view["history"]
    if len(history):
        st.plotly_chart(
            ui.style_figure(
                charts.deal_history(
                    history,
                    as_of,
                    {
                        "title": ui.t("fm.chart.history"),
                        "date": ui.t("fm.col.date"),
                        "stages": m3.stage_labels(),
                    },
                )
            ),
            key="fm_history",
        )


def draw_visits() -> None:
    visits = view["visits"]
    if visits.empty:
        st.info(ui.t("fm.visits.none"), icon=":material/info:")
        return
    shown = visits.assign(
        client_type=visits["client_type"].map(m3.client_type),
        visit_type=[ui.t(f"visit_type.{v}") for v in visits["visit_type"]],
    )
    ui_tables.show(
        shown,
        [
            ("visit_date", ui.t("fm.col.date"), "date"),
            ("client", ui.t("fm.col.client"), "text"),
            ("client_type", ui.t("fm.col.client_type"), "text"),
            ("visit_type", ui.t("fm.col.visit_type"), "text"),
            ("rep", ui.t("fm.col.rep"), "text"),
            ("accompanied_by", ui.t("fm.col.accompanied_by"), "text"),
            ("purpose", ui.t("fm.col.purpose"), "text"),
            ("outcome", ui.t("fm.col.outcome"), "text"),
        ],
        key="fm_visits",
    )


def draw_actions() -> None:
    actions = view["actions"]
    if actions.empty:
        st.success(ui.t("fm.actions.none"))
        return
    with st.container(key="fm_actions"):
        for row in actions.itertuples():
            st.markdown("- " + meetings.action_text(row, lang, escape=ui.md))


m3.sections(
    [
        (ui.t("fm.section.parties"), draw_parties),
        (ui.t("fm.section.deals"), draw_deals),
        (ui.t("fm.section.visits"), draw_visits),
        (ui.t("fm.section.actions"), draw_actions),
    ],
    "fm",
)

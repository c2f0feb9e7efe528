"""Weekly team meeting: for a team and a week, the wins and who won them, the success cases as
timelines of the steps that led to them, who is behind on the plan, next week's planned visits;
the meeting pack to download."""

from datetime import timedelta

import streamlit as st

import meeting_ui as m3
import ui
import ui_tables
from charts import module3 as charts
from salesmgmt.metrics import meetings

ui.page_header("page.team_meeting")
period, filters, as_of = ui.period(), ui.filters(), ui.as_of()

team_names = ui.query(meetings.teams, filters)
if not team_names:
    ui.empty_state("m3.no_teams")
    st.stop()

c_team, c_week, c_deck = st.columns([2, 2, 1], vertical_alignment="bottom")
with c_team:
    team = m3.team_choice(team_names, "tm_team")
day = c_week.date_input(ui.t("tm.week"), value=m3.day_from_url(as_of), key="tm_day", format="YYYY-MM-DD")
week_start, week_end = meetings.meeting_week(day)
with c_deck:
    m3.deck_button(period, filters, as_of, team, day, key="tm_deck")
st.caption(
    ui.t(
        "tm.week_caption",
        team=ui.md(team),
        start=ui.date_text(week_start),
        end=ui.date_text(week_end - timedelta(days=1)),
    )
)

wins = ui.query(meetings.week_wins, team, week_start, filters)


def draw_wins() -> None:
    c1, c2 = st.columns(2)
    c1.metric(ui.t("tm.kpi.wins"), ui.count(len(wins)), border=True)
    c2.metric(ui.t("tm.kpi.won"), ui.money(float(wins["amount"].sum()) if len(wins) else 0), border=True)
    if wins.empty:
        st.info(ui.t("tm.wins.none"), icon=":material/info:")
        return
    ui_tables.show(
        wins.assign(client_type=wins["client_type"].map(m3.client_type)),
        [
            ("close_date", ui.t("tm.col.date"), "date"),
            ("rep", ui.t("tm.col.rep"), "text"),
            ("client", ui.t("tm.col.client"), "text"),
            ("client_type", ui.t("tm.col.client_type"), "text"),
            ("name", ui.t("tm.col.deal"), "text"),
            ("product", ui.t("tm.col.product"), "text"),
            ("amount", ui.t("tm.col.amount"), "money"),
            ("cycle_days", ui.t("tm.col.cycle_days"), "count"),
        ],
        key="tm_wins",
    )


def draw_cases() -> None:
    cases = ui.query(meetings.success_cases, team, week_start, filters)
    if not cases:
        st.info(ui.t("tm.cases.none"), icon=":material/info:")
        return
    stages, types = m3.stage_labels(), m3.type_labels()
    for i, case in enumerate(cases):
        win, timeline, summary = case["win"], case["timeline"], case["summary"]
        with st.container(border=True, key=f"tm_case_{i}"):
            st.markdown(
                "**"
                + ui.t(
                    "tm.case.title",
                    deal=ui.md(win["name"] or win["opp_id"]),
                    rep=ui.md(win["rep"]),
                    amount=ui.money(win["amount"]),
                )
                + "**"
            )
            c1, c2, c3, c4 = st.columns(4)
            c1.metric(ui.t("tm.case.days"), ui.count(summary["days_to_close"]))
            c2.metric(ui.t("tm.case.visits"), ui.count(summary["visits"]))
            c3.metric(ui.t("tm.case.accompanied"), ui.count(summary["ride_alongs"]))
            c4.metric(ui.t("tm.case.parties"), ui.count(len(summary["parties_met"])))
            if summary["parties_met"]:
                st.caption(
                    ui.t(
                        "tm.case.parties_met",
                        parties="、".join(types[p] for p in summary["parties_met"])
                        if ui.lang() == "zh"
                        else ", ".join(types[p] for p in summary["parties_met"]),
                    )
                )
            left, right = st.columns([3, 2])
            figure = ui.style_figure(
                charts.case_timeline(
                    timeline,
                    {
                        "title": ui.t("tm.case.timeline"),
                        "lane_stage": ui.t("tm.case.lane_stage"),
                        "lane_visit": ui.t("tm.case.lane_visit"),
                        "with": ui.t("tm.case.with"),
                        "date": ui.t("tm.col.date"),
                        "stages": stages,
                        "types": types,
                    },
                ),
                height=340,
            )
            figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
            left.plotly_chart(figure, key=f"tm_case_timeline_{i}")
            right.plotly_chart(
                ui.style_figure(
                    charts.stage_days(
                        case["stages"],
                        {
                            "title": ui.t("tm.case.stage_days"),
                            "axis": ui.t("tm.case.days_axis"),
                            "stages": stages,
                        },
                    ),
                    height=340,
                ),
                key=f"tm_case_stages_{i}",
            )
            with st.expander(ui.t("tm.case.steps", n=len(timeline))):
                shown = timeline.assign(
                    kind=[ui.t(f"tm.kind.{k}") for k in timeline["kind"]],
                    stage=timeline["stage"].map(m3.stage),
                    client_type=timeline["client_type"].map(m3.client_type),
                    visit_type=[
                        ui.t(f"visit_type.{v}") if isinstance(v, str) else "" for v in timeline["visit_type"]
                    ],
                )
                ui_tables.show(
                    shown,
                    [
                        ("day", ui.t("tm.col.date"), "date"),
                        ("kind", ui.t("tm.col.step"), "text"),
                        ("stage", ui.t("tm.col.stage"), "text"),
                        ("client", ui.t("tm.col.client"), "text"),
                        ("client_type", ui.t("tm.col.client_type"), "text"),
                        ("visit_type", ui.t("tm.col.visit_type"), "text"),
                        ("rep", ui.t("tm.col.rep"), "text"),
                        ("accompanied_by", ui.t("tm.col.accompanied_by"), "text"),
                        ("purpose", ui.t("tm.col.purpose"), "text"),
                        ("outcome", ui.t("tm.col.outcome"), "text"),
                        ("days_since_previous", ui.t("tm.col.days_since_previous"), "count"),
                    ],
                    key=f"tm_case_steps_{i}",
                )


def draw_behind() -> None:
    behind = ui.query(meetings.behind_on_plan, team, week_start, filters, as_of)
    if behind.empty:
        st.success(ui.t("tm.behind.none"))
        return
    shown = behind.assign(
        why=["; ".join(ui.t(f"tm.reason.{r}") for r in reasons) for reasons in behind["reasons"]]
    )
    ui_tables.show(
        shown,
        [
            ("rep", ui.t("tm.col.rep"), "text"),
            ("why", ui.t("tm.col.why"), "text"),
            ("won_amount", ui.t("tm.col.won"), "money"),
            ("expected_by_now", ui.t("tm.col.expected"), "money"),
            ("target", ui.t("tm.col.target"), "money"),
            ("forecast_attainment", ui.t("tm.col.forecast_attainment"), "percent"),
            ("visits_this_week", ui.t("tm.col.visits_week"), "count"),
            ("planned_missed", ui.t("tm.col.planned_missed"), "count"),
        ],
        key="tm_behind",
    )
    st.caption(ui.t("tm.behind.rule", pace=int(meetings.BEHIND_PACE_SHARE * 100)))


def draw_next_week() -> None:
    planned = ui.query(meetings.next_week_visits, team, week_start, filters)
    if planned.empty:
        st.info(ui.t("tm.next.none"), icon=":material/info:")
        return
    st.caption(ui.t(f"tm.next.source.{planned['source'].iloc[0]}"))
    ui_tables.show(
        planned.assign(client_type=planned["client_type"].map(m3.client_type)),
        [
            ("planned_date", ui.t("tm.col.date"), "date"),
            ("rep", ui.t("tm.col.rep"), "text"),
            ("client", ui.t("tm.col.client"), "text"),
            ("client_type", ui.t("tm.col.client_type"), "text"),
            ("purpose", ui.t("tm.col.purpose"), "text"),
        ],
        key="tm_next",
    )


m3.sections(
    [
        (ui.t("tm.section.wins"), draw_wins),
        (ui.t("tm.section.cases"), draw_cases),
        (ui.t("tm.section.behind"), draw_behind),
        (ui.t("tm.section.next"), draw_next_week),
    ],
    "tm",
)

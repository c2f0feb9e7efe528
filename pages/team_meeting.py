"""Weekly team meeting: for a team and a week, the wins and who won them, the success cases as
timelines of the steps that led to them, who is behind on the plan, next week's planned visits;
the meeting pack to download."""

from datetime import timedelta

import streamlit as st

from app import formats, layout, queries, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import theme
from app.texts import t
from salesmgmt.metrics import meetings, success_cases

layout.page_header("page.team_meeting")
period, filters, as_of = sidebar.period(), sidebar.filters(), sidebar.as_of()

team_names = queries.query(meetings.teams, filters)
if not team_names:
    layout.empty_state("m3.no_teams")
    st.stop()

c_team, c_week, c_deck = st.columns([2, 2, 1], vertical_alignment="bottom")
with c_team:
    team = m3.team_choice(team_names, "tm_team")
day = c_week.date_input(t("tm.week"), value=m3.day_from_url(as_of), key="tm_day", format="YYYY-MM-DD")
week_start, week_end = meetings.meeting_week(day)
with c_deck:
    m3.deck_button(period, filters, as_of, team, day, key="tm_deck")
st.caption(
    t(
        "tm.week_caption",
        team=formats.md(team),
        start=formats.date_text(week_start),
        end=formats.date_text(week_end - timedelta(days=1)),
    )
)

wins = queries.query(meetings.week_wins, team, week_start, filters)


def draw_wins() -> None:
    c1, c2 = st.columns(2)
    c1.metric(formats.label("won_count"), formats.count(len(wins)), border=True)
    c2.metric(t("tm.kpi.won"), formats.money(float(wins["amount"].sum()) if len(wins) else 0), border=True)
    if wins.empty:
        st.info(t("tm.wins.none"), icon=":material/info:")
        return
    tables.show(
        wins.assign(client_type=wins["client_type"].map(m3.client_type)),
        [
            ("close_date", "tm.col.date"),
            "rep",
            "client",
            "client_type",
            "name",
            "product",
            "amount",
            "cycle_days",
        ],
        key="tm_wins",
    )


def draw_cases() -> None:
    cases = queries.query(meetings.success_cases, team, week_start, filters)
    if not cases:
        st.info(t("tm.cases.none"), icon=":material/info:")
        return
    stages, types = m3.stage_labels(), m3.type_labels()
    checks = queries.query(
        success_cases.case_steps, tuple(str(c["win"]["opp_id"]) for c in cases), week_start, filters
    )
    for i, case in enumerate(cases):
        win, timeline, summary = case["win"], case["timeline"], case["summary"]
        with st.container(border=True, key=f"tm_case_{i}"):
            st.markdown(
                "**"
                + t(
                    "tm.case.title",
                    deal=formats.md(win["name"] or win["opp_id"]),
                    rep=formats.md(win["rep"]),
                    amount=formats.money(win["amount"]),
                )
                + "**"
            )
            c1, c2, c3, c4 = st.columns(4)
            c1.metric(t("tm.case.days"), formats.count(summary["days_to_close"]))
            c2.metric(formats.label("visits"), formats.count(summary["visits"]))
            c3.metric(t("tm.case.accompanied"), formats.count(summary["ride_alongs"]))
            c4.metric(t("tm.case.parties"), formats.count(len(summary["parties_met"])))
            if summary["parties_met"]:
                st.caption(
                    t(
                        "tm.case.parties_met",
                        parties="、".join(types[p] for p in summary["parties_met"])
                        if texts.lang() == "zh"
                        else ", ".join(types[p] for p in summary["parties_met"]),
                    )
                )
            draw_case_steps(checks[checks["opp_id"] == str(win["opp_id"])], f"tm_case_playbook_{i}")
            left, right = st.columns([3, 2])
            figure = theme.style_figure(
                charts.case_timeline(
                    timeline,
                    {
                        "title": t("tm.case.timeline"),
                        "lane_stage": t("tm.case.lane_stage"),
                        "lane_visit": t("tm.case.lane_visit"),
                        "with": t("tm.case.with"),
                        "date": t("tm.col.date"),
                        "stages": stages,
                        "types": types,
                    },
                ),
                height=340,
            )
            figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
            left.plotly_chart(figure, key=f"tm_case_timeline_{i}")
            right.plotly_chart(
                theme.style_figure(
                    charts.stage_days(
                        case["stages"],
                        {
                            "title": t("tm.case.stage_days"),
                            "axis": t("tm.case.days_axis"),
                            "stages": stages,
                        },
                    ),
                    height=340,
                ),
                key=f"tm_case_stages_{i}",
            )
            with st.expander(t("tm.case.steps", n=len(timeline))):
                shown = timeline.assign(
                    kind=[t(f"tm.kind.{k}") for k in timeline["kind"]],
                    stage=timeline["stage"].map(m3.stage),
                    client_type=timeline["client_type"].map(m3.client_type),
                    visit_type=[
                        t(f"visit_type.{v}") if isinstance(v, str) else "" for v in timeline["visit_type"]
                    ],
                )
                tables.show(
                    shown,
                    [
                        "day",
                        "kind",
                        "stage",
                        "client",
                        "client_type",
                        "visit_type",
                        "rep",
                        "accompanied_by",
                        "purpose",
                        "outcome",
                        "days_since_previous",
                    ],
                    key=f"tm_case_steps_{i}",
                )


MARKS = {True: "✔", False: "✘", None: "–"}


def draw_case_steps(checks, key: str) -> None:
    """Which steps of the sales school's playbook the case's deal followed (✔), skipped (✘) or
    had no value for (–)."""
    with st.container(key=key):
        if checks.empty:
            st.caption(t("tm.case.playbook.none"))
            return
        marks = " · ".join(
            f"{MARKS[row.followed]} {t(f'sd.name.{row.behaviour}')}" for row in checks.itertuples()
        )
        st.markdown(t("tm.case.playbook", steps=marks))
        st.caption(t("tm.case.playbook.rule"))


def draw_behind() -> None:
    behind = queries.query(meetings.behind_on_plan, team, week_start, filters, as_of)
    if behind.empty:
        st.success(t("tm.behind.none"))
        return
    shown = behind.assign(
        why=["; ".join(t(f"tm.reason.{r}") for r in reasons) for reasons in behind["reasons"]]
    )
    tables.show(
        shown,
        [
            "rep",
            "why",
            ("won_amount", "tm.col.won"),
            "expected_by_now",
            ("target", "tm.col.target"),
            "forecast_attainment",
            "visits_this_week",
            ("planned_missed", "tm.col.planned_missed"),
        ],
        key="tm_behind",
    )
    st.caption(t("tm.behind.rule", pace=int(meetings.BEHIND_PACE_SHARE * 100)))


def draw_next_week() -> None:
    planned = queries.query(meetings.next_week_visits, team, week_start, filters)
    if planned.empty:
        st.info(t("tm.next.none"), icon=":material/info:")
        return
    st.caption(t(f"tm.next.source.{planned['source'].iloc[0]}"))
    tables.show(
        planned.assign(client_type=planned["client_type"].map(m3.client_type)),
        [
            "planned_date",
            "rep",
            "client",
            "client_type",
            "purpose",
        ],
        key="tm_next",
    )


m3.sections(
    [
        (t("tm.section.wins"), draw_wins),
        (t("tm.section.cases"), draw_cases),
        (t("tm.section.behind"), draw_behind),
        (t("tm.section.next"), draw_next_week),
    ],
    "tm",
)

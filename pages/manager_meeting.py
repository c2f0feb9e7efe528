"""Sales-manager meeting: teams side by side on module 1 and 2 figures, each team's trend, the
best practices of the sales school, issues to escalate; the meeting pack to download."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import overview as overview_charts
from app.charts import theme
from app.texts import t
from salesmgmt.metrics import core, meetings, school

layout.page_header("page.manager_meeting")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()

teams = queries.query(meetings.teams_side_by_side, period, filters, as_of)
if teams.empty:
    layout.empty_state("m3.no_teams" if not queries.query(meetings.teams, filters) else "empty.no_data")
    st.stop()

# The first days of a period: its figures are a few days'; the last complete period beside.
last = period.previous() if core.first_days(period, as_of) else None

with st.columns([3, 1])[1]:
    m3.deck_button(period, filters, as_of, None, None, key="mm_deck")


def draw_teams() -> None:
    pp.first_days_note("mm.first_days", period, last)
    # At company scale (100 teams) the chart shows the strongest and weakest; the table all.
    charted, note = pp.strongest_and_weakest(teams, "attainment", "teams", rows=24, ends=10)
    st.plotly_chart(
        theme.style_figure(
            overview_charts.won_forecast_vs_target(
                charted,
                "team",
                formats.money_divisor(),
                {
                    "title": t("mm.chart.teams"),
                    "won": t("mm.col.won"),
                    "forecast": formats.label("forecast"),
                    "target": formats.label("target"),
                    "money_axis": t("axis.money", unit=formats.money_unit()),
                },
            ),
            height=None if note is None else 520,
        ),
        key="mm_teams_chart",
    )  # room for 20 long names
    if note:
        st.caption(note)
    teams_table(teams, "mm_teams")
    if last is not None:
        with st.expander(t("mm.last_period", last=last.label(lang))):
            teams_table(
                queries.query(meetings.teams_side_by_side, last, filters, last.last_day), "mm_teams_last"
            )
    st.caption(t("mm.teams.note"))


def teams_table(frame, key: str) -> None:
    tables.show(
        frame,
        [
            "team",
            ("won_amount", "mm.col.won"),
            "target",
            "attainment",
            "forecast_attainment",
            ("attainment_probability", "mm.col.probability"),
            "win_rate",
            "visits_per_week",
            ("norm_share", "mm.col.norm_share"),
            "ride_alongs_per_engineer",
            "key_account_coverage",
            "cold_key_accounts",
        ],
        key=key,
    )


def draw_trends() -> None:
    trends = queries.query(meetings.team_trends, filters, period, as_of, 6)
    if trends.empty:
        layout.empty_state()
        return
    drawn, total = meetings.trend_ends(trends)
    figure = theme.style_figure(
        charts.team_trends(
            drawn,
            {
                "title": t("mm.chart.trend"),
                "month": t("ov.trend.month"),
                "axis": formats.label("attainment"),
            },
        ),
        height=460,
    )
    # Ten long team names take three rows: under the chart, clear of its title.
    figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))
    st.plotly_chart(figure, key="mm_trend")
    if drawn["team"].nunique() < total:
        st.caption(
            t(
                "mm.trend.ends",
                n=meetings.TREND_ENDS,
                total=formats.count(total),
                month=trends["month"].max().strftime("%Y-%m"),
            )
        )


def draw_practices() -> None:
    window = school.window_for(as_of)
    found = queries.query(school.best_practices, window, filters, as_of)
    st.caption(t("mm.practices.window", window=school.window_label(window, lang)))
    if found.empty:
        st.info(t("mm.practices.none", n=school.MIN_REPS), icon=":material/info:")
        return
    with st.container(key="mm_practices"):
        for row in found.itertuples():
            st.markdown("- " + formats.md(school.finding_text(row, lang)))


def draw_issues() -> None:
    issues = queries.query(meetings.issues_to_escalate, period, filters, as_of)
    if last is not None:
        st.caption(
            t("ov.attention.first_days", until=formats.date_text(core.first_complete_week_end(period)))
        )
    if issues.empty:
        st.success(t("mm.issues.none"))
        return
    with st.container(key="mm_issues"):
        for kind, group in issues.groupby("kind", sort=False):
            st.markdown("**" + t(f"mm.issue.{kind}") + "**")
            for row in group.head(8).itertuples():
                st.markdown("- " + meetings.issue_text(row, lang, escape=formats.md))
            if len(group) > 8:
                st.caption(t("ov.attention.more", n=len(group) - 8))


m3.sections(
    [
        (t("mm.section.teams"), draw_teams),
        (t("mm.section.trends"), draw_trends),
        (t("mm.section.practices"), draw_practices),
        (t("mm.section.issues"), draw_issues),
    ],
    "mm",
    tabs=True,
)  # each section reads the whole selection: only the open one runs

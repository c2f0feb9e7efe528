"""Rankings: team against team and rep against rep within a team on the documented composite,
movement since last week, recognitions and the results worth reporting to head office."""

import pandas as pd
import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, screen, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import theme
from app.tables import Column
from app.texts import t
from salesmgmt.metrics import rankings

layout.page_header("page.rankings")
period, filters, as_of = sidebar.period(), sidebar.filters(), sidebar.as_of()

teams = queries.query(rankings.team_rankings, period, filters, as_of)
reps = queries.query(rankings.rep_rankings, period, filters, as_of)
if teams.empty and reps.empty:
    layout.empty_state()
    st.stop()

# The first days of a period rank nobody (a few days' figures): the last complete period's
# ranking is shown, the current one beside it unranked.
last = rankings.last_complete_period(period, as_of)
current_teams, current_reps = teams, reps
if last is not None:
    teams = queries.query(rankings.team_rankings, last, filters, last.last_day)
    reps = queries.query(rankings.rep_rankings, last, filters, last.last_day)
pp.first_days_note("rk.first_days", period, last)

if not reps["composite"].notna().any() and not teams["composite"].notna().any():
    st.warning(t("rk.no_targets"), icon=":material/warning:")
st.caption(
    t(
        "rk.composite_help",
        days=rankings.MOVEMENT_DAYS,
        cap=rankings.COMPONENT_CAP,
        n=rankings.MIN_CLOSED_FOR_WIN_RATE,
    )
)

COMPONENT_LABELS = {
    "attainment": formats.label("attainment"),
    "growth": formats.label("growth"),
    "visits": formats.label("visits_vs_norm"),
    "win_rate": formats.label("win_rate"),
    "axis": t("rk.axis.ratio"),
}


def so_far(frame, name_col: str, name_header: str, key: str) -> None:
    """In the first days: the current period's figures so far, unranked, under the last period's."""
    if last is None or frame.empty:
        return
    with st.expander(t("rk.so_far", now=period.label(texts.lang()))):
        ranking_table(frame, name_col, name_header, key)


def ranking_table(frame, name_col: str, name_header: str, key: str) -> None:
    shown = frame.assign(
        move=[rankings.movement_text(m) for m in frame["movement"]],
        rank_text=["–" if pd.isna(r) else str(int(r)) for r in frame["rank"]],
    )
    tables.show(
        shown,
        [
            "rank_text",
            "move",
            Column(name_col, header=name_header),
            Column("composite_score", column="composite", kind="score"),
            "attainment",
            ("won_amount", "rk.col.won"),
            "target",
            "growth",
            "visits_vs_norm",
            "win_rate",
            "closed_count",
        ],
        key=key,
    )


def draw_teams() -> None:
    if teams.empty:
        layout.empty_state()
        return
    # At company scale (100 teams) the charts show the strongest and weakest; the table all.
    # Four component bars a team: the 10 strongest and 10 weakest beyond 24 teams.
    charted, note = pp.strongest_and_weakest(teams, "composite", "teams", rows=24, ends=10)
    # Side by side for a few teams; one under the other when 20 need the page's width.
    left, right = st.columns([3, 2]) if note is None else (st.container(), st.container())
    left.plotly_chart(
        theme.style_figure(
            charts.ranking_bars(
                charted, "team", {"title": t("rk.chart.teams"), "axis": formats.label("composite_score")}
            )
        ),
        key="rk_team_bars",
    )
    right.plotly_chart(
        theme.style_figure(
            charts.score_components(charted, "team", {**COMPONENT_LABELS, "title": t("rk.chart.components")})
        ),
        key="rk_team_components",
    )
    if note:
        st.caption(note)
    if last is not None:
        st.caption(t("rk.ranking_of", last=last.label(texts.lang())))
    ranking_table(teams, "team", t("rk.col.team"), "rk_team_table")
    so_far(current_teams, "team", t("rk.col.team"), "rk_team_so_far")


def draw_reps_of(team: str, suffix: str) -> None:
    mine = reps[reps["team"] == team]
    if mine.empty:
        layout.empty_state()
        return
    st.plotly_chart(
        theme.style_figure(
            charts.ranking_bars(
                mine,
                "rep",
                {"title": t("rk.chart.reps", team=team), "axis": formats.label("composite_score")},
            )
        ),
        key=f"rk_rep_bars_{suffix}",
    )
    if last is not None:
        st.caption(t("rk.ranking_of", last=last.label(texts.lang())))
    ranking_table(mine, "rep", t("rk.col.rep"), f"rk_rep_table_{suffix}")
    so_far(current_reps[current_reps["team"] == team], "rep", t("rk.col.rep"), f"rk_rep_so_far_{suffix}")


def recognition_line(row) -> str:
    return rankings.recognition_text(row, texts.lang(), escape=formats.md)


ICONS = {
    "three_months_over_target": ":material/local_fire_department:",
    "outstanding_attainment": ":material/star:",
    "big_win": ":material/paid:",
    "team_over_target": ":material/flag:",
    "first_design_institute": ":material/architecture:",
    "most_improved": ":material/trending_up:",
}


#: Up to this many recognitions are all listed; beyond, the biggest LINES_PER_KIND of each kind
#: (a national company earns hundreds a month) and the whole list in a table.
ALL_LINES = 30
LINES_PER_KIND = 5


def recognition_lines(found: pd.DataFrame, cut: bool) -> None:
    for _kind, group in found.groupby("kind", sort=False):
        shown = (
            group.sort_values("value", ascending=False, kind="stable").head(LINES_PER_KIND) if cut else group
        )
        for row in shown.itertuples():
            st.markdown(f"{ICONS.get(row.kind, '•')} " + recognition_line(row))
        if len(group) > len(shown):
            st.caption(t("ov.attention.more", n=formats.count(len(group) - len(shown))))


def draw_recognitions() -> None:
    # In the first days the last complete period's (a few days earn little); the period so far
    # beside, when it has earned something already.
    shown_period, shown_as_of = rankings.ranked_period(period, as_of)
    found = queries.query(rankings.recognitions, shown_period, filters, shown_as_of)
    if last is not None:
        st.caption(t("rk.rec.of_last", last=last.label(texts.lang())))
    if found.empty:
        st.info(t("rk.rec.none"), icon=":material/info:")
    else:
        recognitions_of(found)
    if last is not None:  # what the period so far has earned of its own already
        so_far = queries.query(rankings.recognitions_so_far, period, filters, as_of)
        if len(so_far):
            with st.expander(t("rk.rec.so_far", now=period.label(texts.lang()))):
                recognition_lines(so_far, len(so_far) > ALL_LINES)


def recognitions_of(found: pd.DataFrame) -> None:
    """The recognitions found: those for head office first, then the others."""
    cut = len(found) > ALL_LINES
    head_office = found[found["head_office"]]
    with st.container(key="rk_head_office", border=True):
        st.markdown("**" + t("rk.head_office") + "**")
        if head_office.empty:
            st.caption(t("rk.head_office.none"))
        recognition_lines(head_office, cut)
    others = found[~found["head_office"]]
    if len(others):
        st.markdown("**" + t("rk.recognitions.more") + "**")
        with st.container(key="rk_recognitions"):
            recognition_lines(others, cut)
    if cut:
        with st.expander(t("rk.rec.all", n=formats.count(len(found)))):
            tables.show(
                found.assign(
                    text=[rankings.recognition_text(row, texts.lang()) for row in found.itertuples()]
                ),
                [
                    "text",
                    "team",
                    "head_office",
                ],
                key="rk_recognitions_all",
            )


team_names = sorted(set(reps["team"]))
parts = [(t("rk.section.teams"), draw_teams)]
if screen.presenting():
    # On the meeting screen every team's table takes its turn.
    parts += [
        (t("rk.section.reps_of", team=team), lambda team=team, i=i: draw_reps_of(team, str(i)))
        for i, team in enumerate(team_names)
    ]
else:

    def draw_reps() -> None:
        team = m3.team_choice(team_names, "rk_team")
        if team:
            draw_reps_of(team, "chosen")

    parts.append((t("rk.section.reps"), draw_reps))
parts.append((t("rk.section.recognitions"), draw_recognitions))
m3.sections(parts, "rk")

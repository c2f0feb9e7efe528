"""Excellent sales school: what the top quartile does differently, how big and how sure the
differences are, and the two or three steps that would bring each rep closest to them."""

import streamlit as st

import meeting_ui as m3
import ui
import ui_tables
from charts import module3 as charts
from salesmgmt.metrics import school

ui.page_header("page.sales_school")
filters, as_of, lang = ui.filters(), ui.as_of(), ui.lang()

months = st.segmented_control(
    ui.t("ss.window"),
    list(school.WINDOW_MONTHS),
    key="ss_months",
    default=school.DEFAULT_WINDOW_MONTHS,
    format_func=lambda m: ui.t("ss.window.months", n=m),
)
window = school.window_for(as_of, int(months or school.DEFAULT_WINDOW_MONTHS))
found = ui.query(school.school, window, filters, as_of)
reps, comparison, steps = found["reps"], found["comparison"], found["steps"]
ranked = reps[reps["attainment"].notna()]
if ranked.empty:
    ui.empty_state("ss.no_targets" if len(reps) else "empty.no_data")
    st.stop()

top = ranked[ranked["top"]]
st.caption(
    ui.t(
        "ss.intro",
        window=school.window_label(window, lang),
        top=len(top),
        all=len(ranked),
        cut=ui.pct(top["attainment"].min()),
        min_group=school.MIN_GROUP,
        min_reps=school.MIN_REPS,
    )
)
if (comparison["verdict"] == "too_few").all():
    st.warning(
        ui.t(
            "ss.too_few",
            n_top=len(top),
            n_rest=len(ranked) - len(top),
            min_group=school.MIN_GROUP,
            min_reps=school.MIN_REPS,
        ),
        icon=":material/warning:",
    )

NAMES = {b: ui.t(f"ss.b.{b}") for b in school.BEHAVIOURS}


def draw_findings() -> None:
    st.plotly_chart(
        ui.style_figure(
            charts.school_effects(
                comparison,
                NAMES,
                {
                    "title": ui.t("ss.chart.effects"),
                    "axis": ui.t("ss.axis.effect"),
                    "verdicts": {
                        v: ui.t(f"ss.verdict.{v}")
                        for v in ("clear", "suggestive", "no_difference", "too_few")
                    },
                },
            )
        ),
        key="ss_effects",
    )
    claims = comparison[comparison["verdict"].isin(["clear", "suggestive"])]
    with st.container(key="ss_findings"):
        for row in claims.itertuples():
            st.markdown("- " + ui.md(school.finding_text(row, lang)))
        if claims.empty:
            st.info(ui.t("ss.findings.none"), icon=":material/info:")
    shown = comparison.assign(
        name=comparison["behaviour"].map(NAMES),
        top_text=[
            school.behaviour_value(b, v) for b, v in zip(comparison["behaviour"], comparison["mean_top"])
        ],
        rest_text=[
            school.behaviour_value(b, v) for b, v in zip(comparison["behaviour"], comparison["mean_rest"])
        ],
        interval=[
            interval_text(b, lo, hi)
            for b, lo, hi in zip(comparison["behaviour"], comparison["low"], comparison["high"])
        ],
        verdict_text=[ui.t(f"ss.verdict.{v}") for v in comparison["verdict"]],
        p_text=[("–" if p != p else f"{p:.3f}") for p in comparison["p_value"]],
        g=comparison["effect_size"],
    )
    ui_tables.show(
        shown,
        [
            ("name", ui.t("ss.col.behaviour"), "text"),
            ("top_text", ui.t("ss.col.top"), "text"),
            ("rest_text", ui.t("ss.col.rest"), "text"),
            ("interval", ui.t("ss.col.interval"), "text"),
            ("g", ui.t("ss.col.effect"), "number"),
            ("p_text", ui.t("ss.col.p"), "text"),
            ("n_top", ui.t("ss.col.n_top"), "count"),
            ("n_rest", ui.t("ss.col.n_rest"), "count"),
            ("verdict_text", ui.t("ss.col.verdict"), "text"),
        ],
        key="ss_comparison",
    )
    st.caption(
        ui.t("ss.method", draws=school.BOOTSTRAP_DRAWS, min_group=school.MIN_GROUP, min_reps=school.MIN_REPS)
    )


def interval_text(behaviour: str, low: float, high: float) -> str:
    if low != low:
        return "–"
    scale = 100 if behaviour in school.PERCENT_BEHAVIOURS else 1
    unit = " " + ui.t("unit.points") if scale == 100 else ""
    digits = 1 if max(abs(low), abs(high)) * scale >= 10 else 2
    return f"{low * scale:+.{digits}f} … {high * scale:+.{digits}f}{unit}"


def draw_spread() -> None:
    behaviour = st.selectbox(
        ui.t("ss.behaviour"),
        list(comparison["behaviour"]),
        key="ss_behaviour",
        format_func=lambda b: NAMES[b],
    )
    st.plotly_chart(
        ui.style_figure(
            charts.school_spread(
                reps,
                behaviour,
                {"title": NAMES[behaviour], "top": ui.t("ss.top"), "rest": ui.t("ss.rest")},
                percent=behaviour in school.PERCENT_BEHAVIOURS,
            ),
            height=280,
        ),
        key="ss_spread",
    )
    if not charts.spread_dots(reps):
        st.caption(ui.t("ss.spread.boxes", total=ui.count(len(reps))))


def draw_steps() -> None:
    if steps.empty:
        st.info(ui.t("ss.steps.none"), icon=":material/info:")
        return
    names = dict(zip(steps["rep_id"], steps["rep"]))
    teams = dict(zip(steps["rep_id"], steps["team"]))
    rep = st.selectbox(
        ui.t("ss.rep"), list(names), key="ss_rep", format_func=lambda r: f"{names[r]} · {teams[r]}"
    )
    with st.container(key="ss_steps", border=True):
        for i, row in enumerate(steps[steps["rep_id"] == rep].itertuples(), start=1):
            text = school.step_text(row, lang)
            suffix = "" if row.verdict == "clear" else " " + ui.t("ss.step.tentative")
            st.markdown(f"{i}. " + ui.md(text + suffix))
    shown = steps.assign(
        name=steps["behaviour"].map(NAMES), step=[school.step_text(row, lang) for row in steps.itertuples()]
    )
    with st.expander(ui.t("ss.steps.all", n=steps["rep_id"].nunique())):
        ui_tables.show(
            shown,
            [
                ("rep", ui.t("ss.col.rep"), "text"),
                ("team", ui.t("ss.col.team"), "text"),
                ("step", ui.t("ss.col.step"), "text"),
                ("gap_sd", ui.t("ss.col.gap"), "number"),
            ],
            key="ss_steps_all",
        )


m3.sections(
    [
        (ui.t("ss.section.findings"), draw_findings),
        (ui.t("ss.section.spread"), draw_spread),
        (ui.t("ss.section.steps"), draw_steps),
    ],
    "ss",
)

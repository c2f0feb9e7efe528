"""Pipeline inspection: the period's deals, what changed since an earlier day and which are at
risk, filtered by flag; the table downloads as CSV or Excel."""

from datetime import timedelta

import streamlit as st

from app import formats, layout, queries, sidebar, tables, texts
from app.tables import Column
from app.texts import t
from salesmgmt.metrics import inspection

layout.page_header("page.inspection")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()

since = st.date_input(
    t("ins.since"),
    value=inspection.default_since(as_of),
    max_value=as_of - timedelta(days=1),
    key="ins_since",
    help=t("ins.since_help"),
)
deals = queries.query(inspection.inspection, period, filters, as_of, since)
if deals.empty:
    layout.empty_state("ins.empty")
    st.stop()

names = {flag: formats.label(flag) for flag in inspection.FLAGS}
counts = inspection.flag_counts(deals).set_index("flag")


KPIS_A_ROW = 6


def kpis(flags: tuple[str, ...]) -> None:
    """How many deals have each flag, and their amount."""
    for first in range(0, len(flags), KPIS_A_ROW):
        for col, flag in zip(st.columns(KPIS_A_ROW), flags[first : first + KPIS_A_ROW]):
            col.metric(names[flag], formats.count(counts.loc[flag, "deals"]), border=True)
            col.caption(formats.money(counts.loc[flag, "amount"]))


st.subheader(t("ins.changes", since=formats.date_text(since)))
kpis(inspection.CHANGES)
st.subheader(t("ins.risks", as_of=formats.date_text(as_of)))
kpis(inspection.RISKS)

st.subheader(t("ins.table"))
chosen = st.multiselect(
    t("ins.pick"), inspection.FLAGS, format_func=names.get, key="ins_flags", placeholder=t("ins.pick_all")
)
shown = inspection.with_flags(deals, tuple(chosen))
st.caption(t("ins.deals", n=formats.count(len(shown))) + " · " + t("ins.table_caption"))
if shown.empty:
    st.info(t("ins.none"), icon=":material/info:")
    st.stop()
tables.show(
    shown.assign(flags=inspection.flags_text(shown, names, "、" if lang == "zh" else ", ")),
    [
        "opportunity",
        "flags",
        "amount",
        "change",
        "client",
        "rep",
        "team",
        Column("stage", kind="stage"),
        "expected_close_date",
        "close_expected_before",
        Column("push_count", column="pushed_count"),
        "days_in_stage",
        "usual_days",
        "last_visit",
    ],
    key="ins_table",
)

left, right = st.columns([2, 5], vertical_alignment="bottom")
fmt = left.segmented_control(
    t("ins.format"), ("xlsx", "csv"), default="xlsx", key="ins_format", format_func=str.upper
)
fmt = fmt or "xlsx"
# Built when clicked (Streamlit calls it then), not on every run of the page.
right.download_button(
    t("ins.download"),
    data=lambda: inspection.render(inspection.export_table(shown), fmt),
    mime=inspection.MIME[fmt],
    file_name=inspection.file_name(period, since, as_of, fmt),
    key="ins_download",
    icon=":material/download:",
)

"""Targets (目标分解): the year's grid per rep, team and region; edit, check the changes, save as
one undoable batch; the wide Excel layout to download and to import."""

import pandas as pd
import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, session, sidebar, texts
from app.texts import t
from salesmgmt import importer, targets
from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer.wide_targets import CellsRefused

layout.page_header("page.targets", t("targets.caption"))
pp.show_flash()
filters, lang = sidebar.filters(), texts.lang()
scope = session.scope_filters()
user = st.session_state.get("user")
user_name = user.username if user is not None else None
divisor = formats.money_divisor()
this_year = queries.today().year
year = st.selectbox(t("targets.year"), [this_year - 1, this_year, this_year + 1], index=1, key="tg_year")

grid = queries.query(targets.year_grid, year, filters)
if grid.empty:
    st.info(t("targets.empty", year=year), icon=":material/info:")
    st.stop()

shown = grid.copy()
shown["label"] = [targets.line_label(row, lang) for _, row in grid.iterrows()]
for column in targets.AMOUNTS:
    shown[column] = shown[column] / divisor
shown = shown.set_index("key")[["label", "team", "region", *targets.AMOUNTS]]
config = {
    "label": st.column_config.TextColumn(t("targets.col.line"), pinned=True, width="medium"),
    "team": st.column_config.TextColumn(t("targets.col.team")),
    "region": st.column_config.TextColumn(t("targets.col.region")),
    **{
        c: st.column_config.NumberColumn(t(f"targets.col.{c}"), min_value=0.0, format="localized")
        for c in targets.AMOUNTS
    },
}
st.caption(t("targets.unit_note", unit=formats.money_unit()))

if targets.read_only(scope):
    st.info(t("targets.read_only_note"), icon=":material/info:")
    st.dataframe(shown, column_config=config, hide_index=True, key="tg_grid_view")
    st.stop()

version = st.session_state.setdefault("tg_editor_version", 0)
edited = st.data_editor(
    shown,
    column_config=config,
    disabled=["label", "team", "region", *targets.QUARTERS, targets.YEAR],
    hide_index=True,
    num_rows="fixed",
    height=560,
    placeholder="–",
    key=f"tg_grid_{year}_{version}",
)
edited = edited.reset_index()
changes = queries.call(targets.grid_changes, year, edited, divisor, filters, lang)
if changes.errors:
    st.error(t("targets.refused", cells=len(changes.errors)), icon=":material/warning:")
    st.dataframe(
        pd.DataFrame({t("targets.errors_title"): [e.message(lang) for e in changes.errors]}),
        hide_index=True,
        key="tg_errors",
    )
elif changes.cells.empty:
    st.caption(t("targets.no_changes"))
else:
    st.info(
        t(
            "targets.changes",
            cells=len(changes.cells),
            rows=changes.lines,
            before=formats.money(changes.before_total),
            after=formats.money(changes.after_total),
        ),
        icon=":material/edit:",
    )

left, middle, right = st.columns(3)
if left.button(
    t("targets.save"),
    type="primary",
    disabled=bool(changes.errors) or changes.cells.empty,
    key="tg_save",
):
    try:
        result = queries.write(targets.save_grid, year, edited, divisor, filters, user_name, lang)
    except SalesmgmtError as exc:
        texts.show_error(exc)
    else:
        st.session_state["tg_last_batch"] = result.upload_id
        st.session_state["tg_editor_version"] = version + 1
        pp.flash(t("targets.saved", batch=result.upload_id, added=result.added, updated=result.updated))
        st.rerun()

last = st.session_state.get("tg_last_batch")
if last is not None and middle.button(t("targets.undo"), key="tg_undo", help=t("targets.undo_hint")):
    try:
        queries.write(importer.undo, last, user=user_name, scope=scope)
    except SalesmgmtError as exc:
        texts.show_error(exc)
    else:
        st.session_state["tg_last_batch"] = None
        st.session_state["tg_editor_version"] = version + 1
        pp.flash(t("targets.undone", batch=last))
        st.rerun()
right.download_button(
    t("targets.download"),
    data=targets.wide_workbook(grid, year, lang),
    file_name=f"targets-{year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="tg_download",
)
st.caption(t("targets.undo_hint"))

st.divider()
upload = st.file_uploader(
    t("targets.upload"), type=["xlsx", "xlsm", "csv"], help=t("targets.upload_help"), key="tg_upload"
)
if upload is not None and st.button(t("targets.import"), key="tg_import"):
    try:
        result = queries.write(
            targets.import_wide, upload.getvalue(), upload.name, filters, year, user_name, lang
        )
    except CellsRefused as exc:
        st.error(SalesmgmtError.message(exc, lang), icon=":material/warning:")
        st.dataframe(
            pd.DataFrame({t("targets.errors_title"): [e.message(lang) for e in exc.errors]}),
            hide_index=True,
            key="tg_import_errors",
        )
    except SalesmgmtError as exc:
        texts.show_error(exc)
    else:
        st.session_state["tg_last_batch"] = result.upload_id
        st.session_state["tg_editor_version"] = version + 1
        pp.flash(
            t(
                "targets.imported",
                batch=result.upload_id,
                added=result.added,
                updated=result.updated,
                unchanged=result.unchanged,
            )
        )
        st.rerun()

"""Import data: upload the weekly exports, check them, map columns, import or cancel; the upload
history with undo; templates to download."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app import formats, layout, queries, session, texts
from app.texts import t
from salesmgmt import exports, importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer.scope import within_scope

MAX_UPLOAD_MB = 200
PREVIEW_ROWS = 200

layout.page_header("page.import", t("imp.caption"))
lang = texts.lang()
user = st.session_state.get("user")
user_name = user.username if user is not None else None

if "imp_uploader" not in st.session_state:
    st.session_state["imp_uploader"] = 0
files = st.file_uploader(
    t("imp.upload"),
    type=["csv", "txt", "tsv", "xlsx", "xlsm"],
    accept_multiple_files=True,
    max_upload_size=MAX_UPLOAD_MB,
    key=f"imp_files_{st.session_state['imp_uploader']}",
    help=t("imp.upload_help"),
)

with st.expander(t("imp.options"), expanded=False):
    o1, o2, o3 = st.columns(3)
    kind_choice = o1.selectbox(
        t("imp.kind"),
        ["auto", *importer.KINDS],
        key="imp_kind",
        format_func=lambda k, _l=lang: t("imp.auto") if k == "auto" else t(f"import.kind.{k}"),
    )
    encoding_choice = o2.selectbox(
        t("imp.encoding"),
        ["auto", "utf-8", "gb18030", "utf-16", "big5"],
        key="imp_encoding",
        format_func=lambda e, _l=lang: t("imp.auto") if e == "auto" else e,
    )
    as_of = o3.date_input(t("imp.as_of"), value=queries.today(), key="imp_as_of", help=t("imp.as_of_help"))


def _prepare(
    data: bytes, name: str, mapping: dict | None, sheet: str | None, ignore_unknown: bool = False
) -> importer.Preview:
    return importer.prepare(
        data,
        name,
        kind=None if kind_choice == "auto" else kind_choice,
        mapping=mapping,
        encoding=None if encoding_choice == "auto" else encoding_choice,
        sheet=sheet,
        as_of=as_of,
        lang=lang,
        ignore_unknown=ignore_unknown,
    )


def _remembered(signature: str) -> dict | None:
    return queries.query(importer.remembered_mapping, signature, user_name)


def _mapping_editor(key: str, columns: list[importer.ColumnInfo], options: list[str], undecided: bool):
    """An editable table of source columns, their field and sample values; the undecided ones
    (no field yet) open empty, the placed ones with their field."""
    table = pd.DataFrame(
        {
            "source": [c.source for c in columns],
            "field": [None if undecided else (c.field or importer.IGNORE) for c in columns],
            "samples": [" | ".join(c.samples) for c in columns],
        }
    )
    return st.data_editor(
        table,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=["source", "samples"],
        column_config={
            "source": st.column_config.TextColumn(t("imp.col_source")),
            "field": st.column_config.SelectboxColumn(
                t("imp.col_field"), options=options, required=not undecided
            ),
            "samples": st.column_config.TextColumn(t("imp.col_samples")),
        },
    )


def mapping_step(key: str, preview: importer.Preview, show_placed: bool = False) -> None:
    """The column mapping: the columns the kind does not use are asked first (pick a field each,
    or leave them all out); every column already placed sits in an expander, changeable (open
    when `show_placed`: a file refused for a column missing, or two columns for one field)."""
    options = [
        importer.IGNORE,
        *(importer.KIND_FIELDS.get(preview.kind, importer.FIELDS) if preview.kind else importer.FIELDS),
    ]
    st.markdown("**" + t("imp.mapping") + "**")
    placed = [c for c in preview.columns if c.source not in preview.unknown]
    undecided = [c for c in preview.columns if c.source in preview.unknown]
    decided: dict[str, str | None] = {}
    if undecided:
        st.markdown("**" + t("imp.undecided", count=len(undecided)) + "**")
        st.checkbox(
            formats.md(t("imp.ignore_unknown", columns=", ".join(c.source for c in undecided))),
            key=f"{key}_ignore_unknown",
            help=t("imp.ignore_unknown_help"),
        )
        edited = _mapping_editor(f"{key}_undecided", undecided, options, undecided=True)
        decided = {
            row.source: (None if row.field == importer.IGNORE else row.field)
            for row in edited.itertuples()
            if isinstance(row.field, str) and row.field
        }
    with st.expander(t("imp.placed", count=len(placed)), expanded=show_placed):
        edited = _mapping_editor(f"{key}_editor", placed, options, undecided=False)
    new_mapping = {
        row.source: (None if row.field == importer.IGNORE else row.field) for row in edited.itertuples()
    }
    current = {c.source: c.field for c in placed}
    # The button shows only when the mapping was edited.
    if (new_mapping != current or decided) and st.button(
        t("imp.apply_mapping"), key=f"{key}_remap", type="secondary"
    ):
        st.session_state[f"{key}_mapping"] = {**new_mapping, **decided}
        st.rerun()


def file_section(index: int, upload) -> None:
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    key = f"imp_{index}_{digest}"
    st.subheader(upload.name)
    sheet = st.session_state.get(f"{key}_sheet")
    mapping = st.session_state.get(f"{key}_mapping")
    ignore_unknown = bool(st.session_state.get(f"{key}_ignore_unknown", False))
    with st.status(t("imp.reading"), expanded=False) as status:
        preview = _prepare(data, upload.name, mapping, sheet, ignore_unknown)
        if mapping is None and (preview.file_error is None or preview.unknown):
            remembered = _remembered(preview.signature)
            if remembered:
                preview = _prepare(data, upload.name, remembered, sheet, ignore_unknown)
                st.session_state[f"{key}_mapping"] = remembered
                st.caption(t("imp.mapping_remembered"))
        # A manager imports only rows within their scope (checked in the domain).
        preview = queries.call(within_scope, preview, session.scope_filters())
        status.update(label=t("imp.read_done", rows=preview.rows_total), state="complete")

    if preview.file_error is not None:
        if preview.unknown and not preview.ignore_unknown:  # the mapping step asks about them
            kind = t(f"import.kind.{preview.kind}")
            columns = ", ".join(preview.unknown)
            st.warning(
                formats.md(t("imp.unknown_columns", kind=kind, columns=columns)), icon=":material/help:"
            )
        else:
            st.error(preview.file_error.message(lang), icon=":material/warning:")
        if preview.columns:  # the columns were read: a mapping may fix the file
            mapping_step(key, preview, show_placed=not preview.unknown)
        return

    facts = st.columns(4)
    facts[0].metric(t("imp.detected_kind"), t(f"import.kind.{preview.kind}") if preview.kind else "–")
    facts[1].metric(
        t("imp.detected_encoding"),
        preview.encoding or (f"Excel · {preview.sheet}" if preview.sheet else "–"),
    )
    facts[2].metric(t("imp.rows"), formats.count(preview.rows_total))
    facts[3].metric(t("imp.rows_with_errors"), formats.count(len(preview.error_rows)))
    if len(preview.sheet_names) > 1:
        st.selectbox(
            t("imp.sheet"),
            preview.sheet_names,
            key=f"{key}_sheet",
            index=preview.sheet_names.index(preview.sheet) if preview.sheet in preview.sheet_names else 0,
        )

    mapping_step(key, preview)

    for note in preview.notes:
        st.caption(formats.md(note.message(lang)))

    st.markdown("**" + t("imp.preview", n=min(PREVIEW_ROWS, len(preview.rows))) + "**")
    st.dataframe(preview.rows.head(PREVIEW_ROWS), key=f"{key}_rows", width="stretch", height=260)

    if preview.errors:
        st.warning(
            t("imp.has_errors", rows=len(preview.error_rows), errors=len(preview.errors)),
            icon=":material/warning:",
        )
        st.dataframe(
            importer.errors_frame(preview, lang),
            key=f"{key}_errors",
            width="stretch",
            hide_index=True,
            height=220,
        )
        st.download_button(
            t("imp.download_errors"),
            data=importer.errors_csv(preview, lang),
            file_name=f"{upload.name.rsplit('.', 1)[0]}-errors.csv",
            mime="text/csv",
            key=f"{key}_errors_csv",
        )

    b1, b2, b3, b4 = st.columns(4)
    go = b1.button(t("imp.import"), key=f"{key}_go", type="primary", disabled=not preview.ok)
    skip = b2.button(
        t("imp.import_valid"), key=f"{key}_skip", disabled=preview.ok or not len(preview.valid_rows)
    ) or st.session_state.pop(f"{key}_skip_now", False)
    test = b3.button(t("imp.test_run"), key=f"{key}_dry", disabled=not len(preview.valid_rows))
    cancel = b4.button(t("imp.cancel"), key=f"{key}_cancel")
    if cancel:
        st.session_state["imp_uploader"] += 1  # a fresh uploader: the files are dropped
        st.rerun()
    if go or skip or test:
        bar = st.progress(0.1, text=t("imp.writing"))
        try:
            result = queries.write(
                importer.apply,
                preview,
                skip_invalid=bool(skip),
                user=user_name,
                dry_run=bool(test),
                scope=session.scope_filters(),  # checked again as it is written
            )
        except SalesmgmtError as exc:
            bar.empty()
            texts.show_error(exc)
            # Rows refused against the database (names not found: check-ins) show only now.
            if isinstance(exc, importer.ImportRefused) and exc.key == "import.refused" and not skip:
                st.button(
                    t("imp.import_valid"),
                    key=f"{key}_skip_after",
                    on_click=st.session_state.__setitem__,
                    args=(f"{key}_skip_now", True),
                )
            return
        bar.progress(1.0, text=t("imp.done"))
        text = "\n\n".join([result.summary(lang), *(formats.md(n) for n in preview.summary_notes(lang))])
        if result.dry_run:
            st.info(text, icon=":material/science:")
        else:
            st.session_state["imp_last_result"] = text
            st.session_state["imp_uploader"] += 1
            st.rerun()


if st.session_state.get("imp_last_result"):
    st.success(st.session_state.pop("imp_last_result"), icon=":material/check_circle:")

if files:
    for i, upload in enumerate(files):
        with st.container(border=True, key=f"imp_file_{i}"):
            file_section(i, upload)
else:
    st.info(t("imp.empty"), icon=":material/upload_file:")

# ------------------------------------------------------------------------------------------
st.header(t("imp.history"))
# A manager sees (and may undo) only the batches all within their scope.
uploads = queries.query(importer.list_uploads, session.scope_filters(), user_name)
if uploads.empty:
    st.caption(t("imp.no_uploads"))
else:
    shown = pd.DataFrame(
        {
            t("imp.h_batch"): uploads["upload_id"],
            t("imp.h_when"): pd.to_datetime(uploads["created_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            t("imp.h_file"): uploads["file_name"],
            t("imp.h_kind"): [t(f"import.kind.{k}") for k in uploads["kind"]],
            t("imp.h_added"): uploads["rows_added"],
            t("imp.h_updated"): uploads["rows_updated"],
            t("imp.h_unchanged"): uploads["rows_unchanged"],
            t("imp.h_refused"): uploads["rows_refused"],
            t("imp.h_who"): uploads["user_name"].fillna("–"),
            t("imp.h_state"): [t("imp.undone") if pd.notna(u) else "" for u in uploads["undone_at"]],
        }
    )
    st.dataframe(shown, key="imp_history", hide_index=True, width="stretch")
    undoable = uploads[uploads["can_undo"]]
    if len(undoable):
        u1, u2 = st.columns([3, 1])
        file_of = dict(zip(undoable["upload_id"], undoable["file_name"]))
        batch = u1.selectbox(
            t("imp.undo_pick"),
            list(undoable["upload_id"]),
            key="imp_undo_pick",
            format_func=lambda b: f"#{b} · {file_of.get(b, '')}",
        )
        u2.write("")
        if u2.button(t("imp.undo"), key="imp_undo", type="secondary"):
            try:
                queries.write(importer.undo, int(batch), user=user_name, scope=session.scope_filters())
                st.success(t("imp.undone_ok", batch=batch))
            except SalesmgmtError as exc:
                texts.show_error(exc)

# ------------------------------------------------------------------------------------------
st.header(t("imp.templates"))
st.caption(t("imp.templates_help"))
cols = st.columns(len(importer.KINDS))
for col, kind in zip(cols, importer.KINDS):
    for tlang in ("zh", "en"):
        path = exports.template_path(kind, tlang)
        if path.exists():
            col.download_button(
                f"{t(f'import.kind.{kind}')} ({'中文' if tlang == 'zh' else 'English'})",
                data=path.read_bytes(),
                file_name=path.name,
                mime="text/csv",
                key=f"imp_tpl_{kind}_{tlang}",
            )

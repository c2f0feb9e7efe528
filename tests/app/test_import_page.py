"""The Import data page, driven with AppTest: upload, check, import, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from salesmgmt import db
from tests import tiny

ROOT = Path(__file__).resolve().parents[2]

GOOD_VISITS = (
    "拜访日期,拜访人,拜访客户,拜访方式,备注\n"
    "2026-05-27,张伟 Zhang,华东设计院,拜访,技术交流\n"
    "2026/5/28,李娜 Li,新客户有限公司,拜访,初次拜访\n"
).encode("gb18030")
BAD_VISITS = (
    "拜访日期,拜访人,拜访客户\n2026-05-27,张伟 Zhang,华东设计院\n2026-13-45,李娜 Li,江苏钢构\n"
).encode()


@pytest.fixture
def app(tiny_db, monkeypatch):
    monkeypatch.setenv("SALESMGMT_DB", str(tiny_db))
    monkeypatch.setenv("SALESMGMT_TODAY", tiny.AS_OF.isoformat())
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/import_data.py")
    at.run()
    assert not at.exception
    yield at, tiny_db
    st.cache_data.clear()


def table_count(path, table: str) -> int:
    with db.connect(path) as con:
        return db.table_counts(con)[table]


def visits_count(path) -> int:
    return table_count(path, "visits")


def test_an_uploaded_gbk_export_is_previewed_then_imported_and_can_be_undone(app):
    at, path = app
    before = visits_count(path)
    at.file_uploader[0].set_value(("visits.csv", GOOD_VISITS, "text/csv")).run()
    assert not at.exception, at.exception
    facts = {m.label: m.value for m in at.metric}
    assert facts["Kind"] == "visits" and facts["Rows"] == "2" and facts["Rows with errors"] == "0"
    assert "gb18030" in facts["Encoding"].lower() or "gbk" in facts["Encoding"].lower()
    assert visits_count(path) == before, "nothing is written before Import"
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception, at.exception
    assert visits_count(path) == before + 2
    assert any("新客户有限公司" in s.value or "added" in s.value.lower() for s in at.success)
    at.button(key="imp_undo").click().run()
    assert not at.exception
    assert visits_count(path) == before
    assert any("undone" in s.value for s in at.success)


def test_a_file_with_a_bad_row_shows_the_row_and_column_and_writes_nothing(app):
    at, path = app
    before = visits_count(path)
    at.file_uploader[0].set_value(("bad.csv", BAD_VISITS, "text/csv")).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "1 rows have 1 errors" in warning
    errors = at.dataframe[-1].value if hasattr(at.dataframe[-1], "value") else None
    text = errors.to_string() if errors is not None else ""
    assert "3" in text and "拜访日期" in text, "row 3 (header = row 1), column 拜访日期"
    import_button = next(b for b in at.button if b.label == "Import")
    assert import_button.disabled
    next(b for b in at.button if b.label == "Import only the valid rows").click().run()
    assert visits_count(path) == before + 1


# --- A manager's Import page: only their own batches, only their own records (issue 18, 1 and 2)


def _as(path, username: str) -> dict:
    """The session state of a signed-in user (a session token where the app has them)."""
    from salesmgmt import auth

    with db.connect(path) as con:
        if hasattr(auth, "start_session"):
            return {"session_token": auth.start_session(con, username)}
        return {"user": auth.get_user(con, username)}


@pytest.fixture
def managers(app_env):
    """Chen manages Dragon, Wu Tiger; Wu imported a visit of Wang (batch 1), Chen one of Zhang
    (batch 2)."""
    from salesmgmt import auth, importer

    with db.connect(app_env) as con:
        dragon = auth.add_user(con, "chen", "manager", "Chen-long-pass-1", teams=("Dragon",)).scope()
        tiger = auth.add_user(con, "wu", "manager", "Wu-long-pass-1", teams=("Tiger",)).scope()
        for data, scope, user in (
            ("date,rep,client,type\n2026-05-27,王强 Wang,西部业主,visit\n", tiger, "wu"),
            ("date,rep,client,type\n2026-05-27,张伟 Zhang,华东设计院,visit\n", dragon, "chen"),
        ):
            importer.apply(con, importer.prepare(data.encode(), f"{user}.csv"), scope=scope, user=user)
    return app_env


def test_the_dragon_manager_sees_and_can_undo_only_their_own_batch(managers):
    from tests.app.support import open_page

    at = open_page("pages/import_data.py", "en", check=True, **_as(managers, "chen"))
    (history,) = (d.value for d in at.dataframe)  # no file uploaded: the history alone
    assert history["Batch"].tolist() == [2] and history["File"].tolist() == ["chen.csv"]
    assert at.selectbox(key="imp_undo_pick").options == ["#2 · chen.csv"]


def test_the_dragon_manager_cannot_import_a_change_to_a_tiger_deal(managers):
    from tests.app.support import open_page

    at = open_page("pages/import_data.py", "en", check=True, **_as(managers, "chen"))
    data = b"opportunity_id,client,amount\nO4,x,51000\nO8,y,1\n"
    at.file_uploader[0].set_value(("deals.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "reason" in d.value.columns).to_string()
    assert "O8" in errors and "王强 Wang" in errors and "Tiger" in errors
    assert next(b for b in at.button if b.label == "Import").disabled
    next(b for b in at.button if b.label == "Import only the valid rows").click().run()
    assert not at.exception, at.exception
    with db.connect(managers) as con:
        amounts = dict(
            con.execute("SELECT opp_id, amount FROM opportunities WHERE opp_id IN ('O4', 'O8')").fetchall()
        )
    assert amounts == {"O4": 51000, "O8": 20000}


# --- A CRM export as it comes (issue 16): the mapping step asks only what it could not place

CRM_DEALS = (
    b'Organization,Owner,Product,Stage,"Deal Value, $","Probability, %",Expected close date,'
    b"Actual close date,Engage date,Sector\n"
    b'Northwind Build,Ann Lee,Deck Pro,Won,"4,821",100,2026-03-01,2026-03-05,2026-01-10,retail\n'
    b"Kite Steel,Bo Chen,Beam 100,Engaging,550,40,2026-06-30,,2026-02-01,construction\n"
)


def test_a_crm_export_opens_with_its_columns_placed_and_asks_only_about_the_unknown_one(app):
    at, path = app
    before = table_count(path, "opportunities")
    at.file_uploader[0].set_value(("crm.csv", CRM_DEALS, "text/csv")).run()
    assert not at.exception, at.exception
    assert "not recognised for opportunities: Sector." in at.warning[0].value.replace("\\", "")
    undecided, placed = (d.value for d in at.dataframe)
    assert undecided["source"].tolist() == ["Sector"] and undecided["field"].isna().all()
    fields = dict(zip(placed["source"], placed["field"]))
    assert fields == {
        "Organization": "client",
        "Owner": "rep",
        "Product": "product",
        "Stage": "stage",
        "Deal Value, $": "amount",
        "Probability, %": "probability",
        "Expected close date": "expected_close_date",
        "Actual close date": "close_date",
        "Engage date": "created_date",
    }
    (leave_out,) = at.checkbox
    assert leave_out.label.endswith("Sector")
    leave_out.check().run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Rows"] == "2"
    assert table_count(path, "opportunities") == before, "nothing is written before Import"
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception, at.exception
    assert table_count(path, "opportunities") == before + 2
    summary = " ".join(s.value for s in at.success)
    assert "2 added" in summary and "Sector" in summary and "USD" in summary


def test_columns_left_out_once_are_left_out_for_the_next_file_with_the_same_headers(app):
    at, path = app
    at.file_uploader[0].set_value(("crm.csv", CRM_DEALS, "text/csv")).run()
    next(iter(at.checkbox)).check().run()
    next(b for b in at.button if b.label == "Import").click().run()
    next_week = CRM_DEALS.replace(b"Engaging,550,40", b"Won,600,100")
    at.file_uploader[0].set_value(("crm-next-week.csv", next_week, "text/csv")).run()
    assert not at.exception and not at.warning, "Sector is not asked about again"
    assert any("mapping you saved" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Import").click().run()
    assert "0 added, 1 updated, 1 unchanged" in " ".join(s.value for s in at.success)


def test_a_file_missing_a_required_column_shows_why_and_the_mapping_that_can_fix_it(app):
    at, _path = app
    data = b"Firm,Product,Stage,Amount\nKite Steel,Beam 100,Won,500\n"
    at.file_uploader[0].set_value(("firm.csv", data, "text/csv")).run()
    assert not at.exception
    assert "not recognised for opportunities: Firm." in at.warning[0].value.replace("\\", "")
    next(iter(at.checkbox)).check().run()
    assert not at.exception
    assert "needs a column for rep / rep_code / client / client_code" in at.error[0].value
    undecided, placed = (d.value for d in at.dataframe)
    assert undecided["source"].tolist() == ["Firm"], "still offered: Firm is the client"
    assert placed["field"].tolist() == ["product", "stage", "amount"]
    assert next(iter(at.checkbox)).value, "the box stays, to be unticked"

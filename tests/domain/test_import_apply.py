"""Writing imports: idempotent re-imports, history, matching, refusal that writes nothing,
--skip-invalid, the audit, and undo."""

from __future__ import annotations

from datetime import date

import pytest

from salesmgmt import db, importer
from salesmgmt.errors import SalesmgmtError
from tests.import_fixtures import AS_OF, VISITS, csv_bytes, import_rows, prepare_rows, snapshot


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "import.duckdb") as con:
        yield con


OPPS_HEADER = [
    "商机编号",
    "商机名称",
    "销售人员",
    "客户名称",
    "商机阶段",
    "金额",
    "赢率",
    "创建日期",
    "预计成交日期",
]


def opps(*rows):
    return [OPPS_HEADER, *[list(r) for r in rows]]


def test_importing_visits_creates_the_reps_and_clients_they_name_and_lists_them(con):
    result = import_rows(con, VISITS)
    assert (result.added, result.updated, result.unchanged, result.refused) == (3, 0, 0, 0)
    assert result.created_reps == ["张伟", "李娜"]
    assert result.created_clients == ["华东设计院", "江苏钢构", "西部业主"]
    rows = con.execute(
        "SELECT v.visit_date, r.name, c.name, v.visit_type, v.planned "
        "FROM visits v JOIN reps r USING (rep_id) JOIN clients c USING (client_id) "
        "ORDER BY v.visit_date"
    ).fetchall()
    assert rows == [
        (date(2024, 5, 6), "张伟", "华东设计院", "visit", True),
        (date(2024, 5, 7), "李娜", "江苏钢构", "call", False),
        (date(2024, 5, 8), "张伟", "西部业主", "meeting", True),
    ]
    assert "张伟" in result.summary("zh") and "新建" in result.summary("zh")


def test_reimporting_the_same_export_adds_nothing(con):
    first = snapshot(con)
    import_rows(con, VISITS)
    after_first = snapshot(con)
    again = import_rows(con, VISITS)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert again.created_reps == [] and again.created_clients == []
    after_second = snapshot(con)
    for table in ("reps", "clients", "visits", "upload_changes"):
        assert after_second[table] == after_first[table], table
    assert len(after_second["uploads"]) == 2 and first["visits"] == []


def test_an_exact_duplicate_line_in_a_file_is_imported_once():
    rows = [*VISITS, VISITS[1]]
    preview = prepare_rows(rows)
    assert preview.ok and preview.repeats == [5]
    assert len(preview.valid_rows) == 3


def test_two_rows_with_the_same_key_and_different_values_are_an_error_naming_both_rows():
    rows = [*VISITS, ["2024-05-06", "张伟", "华东设计院", "上门拜访", "是", "另一个目的", ""]]
    preview = prepare_rows(rows)
    assert sorted((e.row, e.column) for e in preview.errors) == [(2, "拜访目的"), (5, "拜访目的")]
    message = next(e for e in preview.errors if e.row == 5).message("en")
    assert "row 2" in message and "另一个目的" in message and "介绍采光板" in message
    zh = next(e for e in preview.errors if e.row == 2).message("zh")
    assert "第 5 行" in zh


def test_two_opportunity_rows_with_one_id_and_different_amounts_are_refused():
    preview = prepare_rows(
        opps(
            ["O1", "", "张伟", "甲", "报价", "100", "", "", ""],
            ["O1", "", "张伟", "甲", "报价", "200", "", "", ""],
        )
    )
    assert {e.row for e in preview.errors} == {2, 3}
    assert all(e.column == "金额" for e in preview.errors)


def test_a_refused_file_leaves_the_database_exactly_as_it_was(con):
    import_rows(con, VISITS)
    before = snapshot(con)
    bad = [*VISITS, ["2024-13-45", "王强", "新客户", "拜访", "是", "", ""]]
    preview = prepare_rows(bad)
    with pytest.raises(SalesmgmtError) as info:
        importer.apply(con, preview)
    assert "Row 5, column 拜访日期: '2024-13-45' is not a date" in info.value.message("en")
    assert snapshot(con) == before


def test_skip_invalid_imports_the_valid_rows_and_the_errors_file_holds_the_refused_ones(con):
    bad = [*VISITS, ["2024-13-45", "王强", "新客户", "拜访", "是", '=HYPERLINK("http://x")', ""]]
    preview = prepare_rows(bad)
    result = importer.apply(con, preview, skip_invalid=True)
    assert (result.added, result.refused) == (3, 1)
    assert "王强" not in result.created_reps
    text = importer.errors_csv(preview, "zh").decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "原行号," + ",".join(VISITS[0]) + ",错误原因"
    assert lines[1].startswith("5,2024-13-45,王强")
    assert "'=HYPERLINK" in lines[1], "formula-like text is made inert"
    assert "不是有效日期" in lines[1]
    # The errors file, fixed, imports as it is (its row and reason columns are ignored).
    fixed = text.replace("2024-13-45", "2024-05-09").replace("\r\n", "\n").encode("utf-8-sig")
    again = importer.prepare(fixed, "errors.csv", as_of=AS_OF)
    assert again.ok, again.error_messages()
    assert again.rows["purpose"].iloc[0] == '=HYPERLINK("http://x")'


def test_an_import_where_every_row_is_invalid_is_refused_even_with_skip_invalid(con):
    preview = prepare_rows([VISITS[0], ["bad", "张伟", "甲", "", "", "", ""]])
    with pytest.raises(SalesmgmtError) as info:
        importer.apply(con, preview, skip_invalid=True)
    assert info.value.key == "import.nothing_valid"


def test_stored_text_is_data_formulas_and_sql_are_kept_verbatim(con):
    evil = ['=HYPERLINK("http://evil","click")', "'; drop table visits; --", "@SUM(1+1)*cmd|' /C calc'!A0"]
    rows = [["客户名称", "客户类型"], *[[name, "业主"] for name in evil]]
    import_rows(con, rows)
    assert sorted(r[0] for r in con.execute("SELECT name FROM clients").fetchall()) == sorted(evil)
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == 0  # the table still exists
    from salesmgmt import exports

    text = exports.export_csv(con, "clients").decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    # ... and the export imports back to the same names.
    preview = importer.prepare(exports.export_csv(con, "clients"), "clients.csv", as_of=AS_OF)
    assert sorted(preview.rows["client"]) == sorted(evil)


def test_reps_and_clients_are_matched_by_code_first_then_by_normalised_name(con):
    import_rows(con, [["姓名", "工号", "团队"], ["张伟", "E01", "龙队"], ["李娜", "", "虎队"]])
    # A visits file naming the rep by code (with a different spelling of the name), and by a
    # full-width, spaced variant of the name.
    rows = [
        ["拜访日期", "销售人员", "工号", "客户名称"],
        ["2024-05-06", "张 伟", "E01", "华东设计院"],
        ["2024-05-07", "  李娜　", "", "华东设计院"],
    ]
    result = import_rows(con, rows)
    assert result.created_reps == []
    assert con.execute("SELECT count(*) FROM reps").fetchone()[0] == 2


def test_a_code_given_later_is_attached_to_the_rep_of_the_same_name_without_one(con):
    import_rows(con, [["姓名", "团队"], ["张伟", "龙队"]])
    result = import_rows(con, [["姓名", "工号", "团队"], ["张伟", "E01", "龙队"]])
    assert (result.added, result.updated) == (0, 1)
    assert con.execute("SELECT name, code FROM reps").fetchall() == [("张伟", "E01")]


def test_a_name_shared_by_two_coded_reps_is_ambiguous_and_refused(con):
    import_rows(con, [["姓名", "工号"], ["张伟", "E01"], ["张伟", "E02"]])
    preview = prepare_rows([["拜访日期", "销售人员", "客户名称"], ["2024-05-06", "张伟", "甲"]])
    with pytest.raises(SalesmgmtError) as info:
        importer.apply(con, preview)
    assert "matches several records" in info.value.message("en")
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_reimporting_opportunities_at_a_later_date_keeps_the_previous_state_in_the_history(con):
    import_rows(
        con,
        opps(
            ["O1", "三号厂房", "张伟", "甲", "方案设计", "10万", "", "2024-04-01", "2024-06-30"],
            ["O2", "仓库", "李娜", "乙", "报价", "5万", "60%", "2024-04-10", "2024-07-31"],
        ),
        as_of=date(2024, 5, 6),
    )
    week2 = import_rows(
        con,
        opps(
            ["O1", "三号厂房", "张伟", "甲", "报价", "12万", "", "2024-04-01", "2024-06-30"],
            ["O2", "仓库", "李娜", "乙", "报价", "5万", "60%", "2024-04-10", "2024-07-31"],
        ),
        as_of=date(2024, 5, 13),
    )
    assert (week2.added, week2.updated, week2.unchanged) == (0, 1, 1)
    history = con.execute(
        "SELECT opp_id, valid_from, valid_to, stage, amount FROM opportunity_history "
        "ORDER BY opp_id, valid_from"
    ).fetchall()
    assert history == [
        ("O1", date(2024, 4, 1), date(2024, 5, 13), "solution", 100_000),
        ("O1", date(2024, 5, 13), None, "quote", 120_000),
        ("O2", date(2024, 4, 10), None, "quote", 50_000),
    ]
    assert con.execute(
        "SELECT stage, amount, probability FROM opportunities WHERE opp_id = 'O2'"
    ).fetchone() == ("quote", 50_000, 0.6)
    # The same export again adds no history.
    import_rows(
        con,
        opps(["O1", "三号厂房", "张伟", "甲", "报价", "12万", "", "2024-04-01", "2024-06-30"]),
        as_of=date(2024, 5, 20),
    )
    assert con.execute("SELECT count(*) FROM opportunity_history").fetchone()[0] == 3


def test_a_second_change_on_the_same_day_rewrites_that_days_interval(con):
    import_rows(
        con, opps(["O1", "", "张伟", "甲", "报价", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 6)
    )
    import_rows(
        con, opps(["O1", "", "张伟", "甲", "谈判", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 13)
    )
    import_rows(
        con, opps(["O1", "", "张伟", "甲", "赢单", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 13)
    )
    assert con.execute(
        "SELECT valid_from, valid_to, stage, status FROM opportunity_history ORDER BY valid_from"
    ).fetchall() == [
        (date(2024, 4, 1), date(2024, 5, 13), "quote", "open"),
        (date(2024, 5, 13), None, "won", "won"),
    ]


def test_an_export_older_than_the_last_recorded_change_is_refused(con):
    import_rows(
        con, opps(["O1", "", "张伟", "甲", "报价", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 13)
    )
    import_rows(
        con, opps(["O1", "", "张伟", "甲", "谈判", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 20)
    )
    before = snapshot(con)
    preview = prepare_rows(
        opps(["O1", "", "张伟", "甲", "丢单", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 14)
    )
    with pytest.raises(SalesmgmtError) as info:
        importer.apply(con, preview)
    assert "2024-05-20" in info.value.message("en")
    assert snapshot(con) == before


def test_status_comes_from_the_stage_label_or_an_explicit_status_column(con):
    rows = [
        ["商机编号", "销售人员", "商机阶段", "商机状态"],
        ["O1", "张伟", "Closed Won", ""],
        ["O2", "张伟", "谈判", "丢单"],
        ["O3", "张伟", "我们自己的阶段", ""],
        ["O4", "张伟", "", "赢单"],
    ]
    import_rows(con, rows)
    assert con.execute("SELECT opp_id, stage, status FROM opportunities ORDER BY opp_id").fetchall() == [
        ("O1", "won", "won"),
        ("O2", "negotiation", "lost"),
        ("O3", "我们自己的阶段", "open"),
        ("O4", "won", "won"),
    ]


def test_an_opportunity_needs_a_rep_or_a_client():
    preview = prepare_rows([["商机编号", "销售人员", "客户名称"], ["O1", "", ""]])
    assert [(e.row, e.key) for e in preview.errors] == [(2, "import.required_one_of")]


def test_quarter_and_year_targets_are_split_evenly_over_their_months(con):
    rows = [
        ["期间", "销售人员", "团队", "目标金额"],
        ["2024-Q2", "", "龙队", "300万"],
        ["2024-05", "张伟", "", "50000"],
        ["2025", "", "虎队", "1200000"],
    ]
    result = import_rows(con, rows)
    assert result.added == 3 and result.created_reps == ["张伟"]
    assert con.execute(
        "SELECT month, amount FROM targets WHERE scope_kind = 'team' AND scope_key = '龙队' ORDER BY month"
    ).fetchall() == [
        (date(2024, 4, 1), 1_000_000),
        (date(2024, 5, 1), 1_000_000),
        (date(2024, 6, 1), 1_000_000),
    ]
    assert con.execute("SELECT count(*), sum(amount) FROM targets WHERE scope_key = '虎队'").fetchone() == (
        12,
        1_200_000,
    )
    rep_id = con.execute("SELECT rep_id FROM reps WHERE name = '张伟'").fetchone()[0]
    assert con.execute("SELECT scope_kind, scope_key FROM targets WHERE amount = 50000").fetchone() == (
        "rep",
        str(rep_id),
    )


def test_a_year_target_and_a_month_target_for_the_same_scope_overlap_and_are_refused():
    preview = prepare_rows(
        [["期间", "团队", "目标金额"], ["2024", "龙队", "1200000"], ["2024-05", "龙队", "90000"]]
    )
    assert {e.row for e in preview.errors} == {2, 3}


def test_a_dry_run_reports_the_counts_and_keeps_nothing(con):
    before = snapshot(con)
    result = importer.apply(con, prepare_rows(VISITS), dry_run=True)
    assert result.dry_run and result.upload_id is None and result.added == 3
    assert snapshot(con) == before
    assert "nothing kept" in result.summary("en")


def test_each_import_is_one_audited_batch(con):
    result = import_rows(con, VISITS, name="拜访.csv")
    uploads = importer.list_uploads(con)
    row = uploads.iloc[0]
    assert (row.upload_id, row.file_name, row.kind, row.rows_total, row.rows_added) == (
        result.upload_id,
        "拜访.csv",
        "visits",
        3,
        3,
    )
    assert row.created_reps == 2 and row.created_clients == 3 and row.user_name is None
    changes = con.execute(
        "SELECT entity, action, count(*) FROM upload_changes GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert changes == [("client", "insert", 3), ("rep", "insert", 2), ("visit", "insert", 3)]
    file_hash = con.execute("SELECT file_hash FROM uploads").fetchone()[0]
    assert len(file_hash) == 64


def test_undo_restores_exactly_what_a_batch_changed_including_updated_opportunities(con):
    import_rows(
        con,
        opps(["O1", "三号厂房", "张伟", "甲", "方案设计", "10万", "", "2024-04-01", "2024-06-30"]),
        as_of=date(2024, 5, 6),
    )
    before = snapshot(con)
    week2 = import_rows(
        con,
        opps(
            ["O1", "三号厂房", "张伟", "丙", "报价", "12万", "50%", "2024-04-01", "2024-06-30"],
            ["O3", "新商机", "王强", "丙", "线索", "1万", "", "2024-05-10", ""],
        ),
        as_of=date(2024, 5, 13),
    )
    assert week2.created_reps == ["王强"] and week2.created_clients == ["丙"]
    importer.undo(con, week2.upload_id, user="经理")
    after = snapshot(con)
    for table in ("reps", "clients", "opportunities", "opportunity_history", "visits", "targets"):
        assert after[table] == before[table], table
    row = importer.list_uploads(con).set_index("upload_id").loc[week2.upload_id]
    assert row.undone_by == "经理" and not row.can_undo


def test_undo_restores_updated_reps_and_clients(con):
    import_rows(con, [["姓名", "工号", "团队", "职位"], ["张伟", "E01", "龙队", "销售工程师"]])
    before = snapshot(con)
    batch = import_rows(con, [["姓名", "工号", "团队", "职位"], ["张伟 Zhang", "E01", "虎队", "销售经理"]])
    assert batch.updated == 1
    importer.undo(con, batch.upload_id)
    assert snapshot(con)["reps"] == before["reps"]


def test_undoing_a_batch_twice_is_refused(con):
    result = import_rows(con, VISITS)
    importer.undo(con, result.upload_id)
    with pytest.raises(SalesmgmtError) as info:
        importer.undo(con, result.upload_id)
    assert info.value.key == "import.undo_twice"
    with pytest.raises(SalesmgmtError) as info:
        importer.undo(con, 999)
    assert info.value.key == "import.undo_unknown"


def test_a_batch_whose_rows_a_later_batch_changed_can_only_be_undone_after_that_one(con):
    first = import_rows(
        con, opps(["O1", "", "张伟", "甲", "报价", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 6)
    )
    second = import_rows(
        con, opps(["O1", "", "张伟", "甲", "谈判", "100", "", "2024-04-01", ""]), as_of=date(2024, 5, 13)
    )
    with pytest.raises(SalesmgmtError) as info:
        importer.undo(con, first.upload_id)
    assert info.value.key == "import.undo_later" and str(second.upload_id) in info.value.message("en")
    assert list(importer.list_uploads(con).set_index("upload_id").loc[first.upload_id].blocked_by) == [
        second.upload_id
    ]
    importer.undo(con, second.upload_id)
    importer.undo(con, first.upload_id)
    assert con.execute("SELECT count(*) FROM opportunities").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM opportunity_history").fetchone()[0] == 0


def test_a_batch_whose_new_rep_is_used_by_a_later_batch_cannot_be_undone_first(con):
    first = import_rows(con, VISITS)
    second = import_rows(con, [VISITS[0], ["2024-05-20", "张伟", "新客户", "拜访", "是", "", ""]])
    before = snapshot(con)
    with pytest.raises(SalesmgmtError) as info:
        importer.undo(con, first.upload_id)
    assert info.value.key == "import.undo_rep_in_use"
    assert str(second.upload_id) in info.value.message("zh")
    assert snapshot(con) == before
    importer.undo(con, second.upload_id)
    importer.undo(con, first.upload_id)
    assert con.execute("SELECT count(*) FROM reps").fetchone()[0] == 0


def test_a_users_mapping_is_remembered_for_files_with_the_same_headers(con):
    data = csv_bytes([["A", "B", "C"], ["2024-05-06", "张伟", "华东设计院"]])
    mapping = {"A": "date", "B": "rep", "C": "client"}
    preview = importer.prepare(data, "x.csv", mapping=mapping, as_of=AS_OF)
    importer.apply(con, preview)
    assert importer.remembered_mapping(con, preview.signature) == mapping
    assert importer.remembered_mapping(con, importer.headers_signature(["Other"])) is None


def test_a_mapping_is_remembered_for_the_user_who_made_it_only(con):
    data = csv_bytes([["A", "B", "C"], ["2024-05-06", "张伟", "华东设计院"]])
    mapping = {"A": "date", "B": "rep", "C": "client"}
    preview = importer.prepare(data, "x.csv", mapping=mapping, as_of=AS_OF)
    importer.apply(con, preview, user="chen")
    assert importer.remembered_mapping(con, preview.signature, "chen") == mapping
    assert importer.remembered_mapping(con, preview.signature, "CHEN ") == mapping
    assert importer.remembered_mapping(con, preview.signature, "wang") is None
    assert importer.remembered_mapping(con, preview.signature) is None


def test_ids_written_by_other_code_are_not_reused(con):
    con.execute("INSERT INTO reps (rep_id, name, name_key) VALUES (7, '老员工', '老员工')")
    con.execute(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id) VALUES (5, DATE '2024-01-01', 7, 1)"
    )
    import_rows(con, VISITS)
    assert con.execute("SELECT min(rep_id) FROM reps WHERE name <> '老员工'").fetchone()[0] > 7
    assert con.execute("SELECT min(visit_key) FROM visits WHERE visit_key <> 5").fetchone()[0] > 5


def test_visits_with_ids_are_matched_by_id_and_updated(con):
    header = ["拜访编号", "拜访日期", "销售人员", "客户名称", "拜访结果"]
    import_rows(con, [header, ["V1", "2024-05-06", "张伟", "甲", "待定"]])
    result = import_rows(con, [header, ["V1", "2024-05-07", "张伟", "甲", "已报价"]])
    assert (result.added, result.updated) == (0, 1)
    assert con.execute("SELECT visit_id, visit_date, outcome FROM visits").fetchall() == [
        ("V1", date(2024, 5, 7), "已报价")
    ]


def test_a_partial_export_updates_only_the_columns_it_holds(con):
    import_rows(con, [["客户名称", "客户类型", "是否重点客户", "区域"], ["甲", "设计院", "是", "华东"]])
    result = import_rows(con, [["客户名称", "区域"], ["甲", "华南"]])
    assert result.updated == 1
    assert con.execute("SELECT client_type, key_account, region FROM clients").fetchone() == (
        "design_institute",
        True,
        "华南",
    )


def test_a_status_only_export_closes_deals_without_touching_their_stages(con):
    import_rows(con, [["商机编号", "销售人员", "商机阶段"], ["O1", "张伟", "谈判"], ["O2", "张伟", "报价"]])
    import_rows(
        con,
        [["商机编号", "销售人员", "商机状态"], ["O1", "张伟", "赢单"], ["O2", "张伟", "进行中"]],
        as_of=date(2024, 5, 13),
    )
    assert con.execute("SELECT opp_id, stage, status FROM opportunities ORDER BY opp_id").fetchall() == [
        ("O1", "negotiation", "won"),
        ("O2", "quote", "open"),
    ]


def test_progress_is_reported_for_a_progress_bar(con):
    steps = []
    preview = importer.prepare(csv_bytes(VISITS), "v.csv", progress=lambda f, s: steps.append((f, s)))
    importer.apply(con, preview, progress=lambda f, s: steps.append((f, s)))
    fractions = [f for f, _ in steps]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions[:3] == sorted(fractions[:3])
    assert all(s.startswith("import.step_") for _, s in steps)


def test_a_client_reviewed_since_its_import_keeps_its_batch_from_being_undone(con):
    batch = import_rows(con, VISITS)
    client_id = con.execute("SELECT client_id FROM clients WHERE name = '华东设计院'").fetchone()[0]
    con.execute(
        "INSERT INTO client_reviews (review_id, client_id, review_date) VALUES (1, ?, ?)",
        [client_id, date(2024, 5, 20)],
    )
    with pytest.raises(SalesmgmtError) as info:
        importer.undo(con, batch.upload_id)
    assert info.value.key == "import.undo_client_in_use" and "client_reviews (1)" in info.value.message("en")
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == 3

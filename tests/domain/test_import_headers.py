"""Header recognition: every name of the issue, in Chinese and English, with the usual noise;
what kind a file is; the user's mapping over everything; templates that import as they are."""

from __future__ import annotations

import pytest

from salesmgmt import exports, importer
from salesmgmt.importer import headers as H
from salesmgmt.importer.fields import FIELD_TYPES, FIELDS, KIND_FIELDS

ISSUE_HEADERS = {
    "rep": [
        "rep",
        "sales rep",
        "salesperson",
        "owner",
        "opportunity owner",
        "deal owner",
        "assigned to",
        "销售",
        "销售人员",
        "业务员",
        "负责人",
        "拜访人",
        "跟进人",
        "姓名",
    ],
    "client": [
        "client",
        "account",
        "account name",
        "company",
        "customer",
        "organization",
        "客户",
        "客户名称",
        "关联客户",
        "单位名称",
        "拜访客户",
    ],
    "opportunity_id": ["opportunity id", "deal id", "record id", "商机编号", "编号"],
    "opportunity_name": ["opportunity name", "deal name", "商机名称"],
    "stage": ["stage", "deal stage", "stage name", "商机阶段", "销售阶段", "阶段"],
    "status": ["status", "商机状态", "结束状态"],
    "amount": ["amount", "value", "deal value", "商机金额", "预计金额", "预期金额", "金额", "目标金额"],
    "probability": ["probability", "win probability", "赢率", "赢率(%)", "赢单率"],
    "created_date": ["created date", "create date", "创建时间", "创建日期"],
    "expected_close_date": ["expected close date", "预计成交日期", "预计结单日期"],
    "close_date": ["close date", "成交日期", "关闭日期"],
    "date": ["date", "visit date", "activity date", "拜访日期", "拜访时间", "跟进时间", "日期"],
    "type": ["type", "activity type", "拜访方式", "跟进方式"],
    "planned": ["planned", "是否计划内"],
    "accompanied_by": ["accompanied by", "陪访人", "协访人"],
    "purpose": ["purpose", "拜访目的"],
    "outcome": ["outcome", "拜访结果"],
    "notes": ["notes", "备注", "跟进内容"],
    "product": ["product", "product name", "产品", "产品名称"],
    "rep_code": ["rep code", "employee id", "工号", "员工编号"],
    "client_code": ["client code", "客户编号"],
    "team": ["team", "团队", "所属团队", "小组"],
    "region": ["region", "区域", "大区", "所属区域"],
    "role": ["role", "职位", "角色"],
    "manager": ["manager", "直属上级", "销售经理"],
    "client_type": ["client type", "客户类型", "客户类别"],
    "key_account": ["key account", "重点客户", "是否重点客户"],
    "period": ["period", "month", "月份", "期间", "年月"],
}


@pytest.mark.parametrize("field, header", [(f, h) for f, hs in ISSUE_HEADERS.items() for h in hs])
def test_every_header_name_of_the_issue_is_recognised(field, header):
    assert H.guess_field(header) == field


@pytest.mark.parametrize(
    "header", ["Sales Rep", "SALES_REP", " sales-rep ", "Sales Rep *", "销售人员（必填）", "销售　人员"]
)
def test_headers_match_whatever_their_case_spacing_underscores_and_notes(header):
    assert H.guess_field(header) == "rep"


def test_every_field_name_is_itself_a_recognised_header():
    for field in FIELDS:
        assert H.guess_field(field) == field or H.for_kind(H.guess_field(field), "clients") == field


@pytest.mark.parametrize(
    "kind, header, field",
    [
        ("clients", "负责人", "owner"),
        ("clients", "Owner", "owner"),
        ("visits", "商机编号", "opportunity"),
        ("opportunities", "Opportunity", "opportunity_name"),
        ("opportunities", "负责人", "rep"),
    ],
)
def test_a_header_means_what_the_kind_of_file_makes_it_mean(kind, header, field):
    assert H.for_kind(H.guess_field(header), kind) == field


@pytest.mark.parametrize(
    "headers, kind",
    [
        (["姓名", "团队", "区域"], "reps"),
        (["客户名称", "客户类型", "负责人"], "clients"),
        (["商机编号", "客户名称", "商机阶段", "金额"], "opportunities"),
        (
            [
                "opportunity_id",
                "sales_agent",
                "product",
                "account",
                "deal_stage",
                "engage_date",
                "close_date",
                "close_value",
            ],
            "opportunities",
        ),
        (["拜访日期", "销售人员", "客户名称", "商机编号"], "visits"),
        (["月份", "销售人员", "目标金额"], "targets"),
        (["sales_agent", "manager", "regional_office"], "reps"),
        (["备注"], None),
    ],
)
def test_the_kind_of_a_file_is_detected_from_its_headers(headers, kind):
    assert H.detect_kind(H.guess_field(h) for h in headers) == kind


def test_a_header_in_wan_multiplies_its_amounts():
    rows = "商机编号,销售人员,预计金额(万元)\nO1,张伟,12.5\n".encode()
    preview = importer.prepare(rows, "o.csv")
    assert preview.rows["amount"].iloc[0] == 125_000


def test_the_users_mapping_overrides_the_headers_and_the_kind_can_be_given():
    rows = "A,B,C\n2024-05-06,张伟,华东设计院\n".encode()
    assert importer.prepare(rows, "x.csv").file_error.key == "import.unknown_kind"
    preview = importer.prepare(rows, "x.csv", mapping={"A": "date", "B": "rep", "C": "client"})
    assert preview.ok and preview.kind == "visits"
    forced = importer.prepare("客户名称,负责人\n华东设计院,张伟\n".encode(), "x.csv", kind="clients")
    assert forced.mapping == {"客户名称": "client", "负责人": "owner"}


def test_a_mapping_to_a_field_that_does_not_exist_is_refused_with_the_list_of_fields():
    preview = importer.prepare(b"A\n1\n", "x.csv", mapping={"A": "revenue"})
    assert preview.file_error.key == "import.mapping_unknown_field"
    assert "opportunity_id" in preview.file_error.message("en")


def test_a_recognised_column_the_kind_does_not_store_is_left_out_with_a_note():
    rows = "拜访日期,销售人员,客户名称,团队\n2024-05-06,张伟,华东设计院,龙队\n".encode()
    preview = importer.prepare(rows, "v.csv")
    assert preview.ok and "team" not in preview.rows
    assert [n.key for n in preview.notes] == ["import.note_not_stored", "import.note_left_out"]
    assert preview.left_out == ["团队"]


def test_the_same_headers_in_another_order_or_case_have_the_same_signature():
    assert importer.headers_signature(["Client", "Owner"]) == importer.headers_signature(["owner", "CLIENT "])
    assert importer.headers_signature(["Client"]) != importer.headers_signature(["Client", "Owner"])


def test_every_field_has_a_type_and_every_kind_stores_known_fields():
    assert set(FIELD_TYPES) == set(FIELDS)
    for fields in KIND_FIELDS.values():
        assert set(fields) <= set(FIELDS)


@pytest.mark.parametrize("kind", importer.KINDS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_committed_templates_are_generated_and_import_as_they_are(kind, lang):
    path = exports.template_path(kind, lang)
    assert path.read_bytes() == exports.template_csv(kind, lang), (
        "regenerate: exports.template_path(k, l).write_bytes(exports.template_csv(k, l))"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    preview = importer.prepare(path.read_bytes(), path.name)
    assert preview.ok and preview.kind == kind and len(preview.rows) == 2
    assert [c.source for c in preview.columns] == importer.template_headers(kind, lang)
    assert all(c.field is not None for c in preview.columns)


def test_the_documentation_lists_every_recognised_header():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "importing.md").read_text(encoding="utf-8")
    assert H.headers_markdown() in doc, "update the generated table in docs/importing.md"
    for field in FIELDS:
        assert f"`{field}`" in doc


@pytest.mark.parametrize(
    "header, field, scale, currency, percent",
    [
        ("Deal Value, $", "amount", 1, "USD", False),
        ("Probability, %", "probability", 1, None, True),
        ("Amount (USD)", "amount", 1, "USD", False),
        ("金额（元）", "amount", 1, "CNY", False),
        ("金额(万元)", "amount", 10_000, "CNY", False),
        ("预计金额【万】", "amount", 10_000, "CNY", False),
        ("合同金额，万元", "amount", 10_000, "CNY", False),
        ("Deal value (EUR)", "amount", 1, "EUR", False),
        ("Amount (k)", "amount", 1_000, None, False),
        ("Value $", "amount", 1, "USD", False),
        ("Win probability %", "probability", 1, None, True),
        ("赢率(%)", "probability", 1, None, True),
        ("Organization", "client", 1, None, False),
        ("Name, First", None, 1, None, False),
    ],
)
def test_a_unit_after_a_comma_or_in_brackets_is_read_apart_from_the_header(
    header, field, scale, currency, percent
):
    unit = H.header_unit(header)
    read = (unit.scale, unit.currency, unit.percent) if unit else (1, None, False)
    assert H.guess_field(header) == field
    assert read == (scale, currency, percent)
    assert H.header_multiplier(header) == scale


@pytest.mark.parametrize(
    "header, cells, expected",
    [
        ("Deal Value, $", ["1,054", "4514"], [1054, 4514]),
        ("金额(万元)", ["12.5", "3"], [125_000, 30_000]),
        ("Amount (k)", ["2.5"], [2_500]),
        ("Probability, %", ["60", "1", "100"], [0.6, 0.01, 1.0]),
        ("Probability, %", ["0.25", "0.6"], [0.25, 0.6]),  # fractions despite the header
    ],
)
def test_the_cells_under_a_unit_are_read_in_that_unit(header, cells, expected):
    data = "\n".join([f'Opportunity ID,Client,"{header}"', *(f'O{i},A,"{c}"' for i, c in enumerate(cells))])
    preview = importer.prepare(data.encode(), "x.csv")
    assert preview.ok, preview.file_error or preview.errors
    column = "amount" if H.guess_field(header) == "amount" else "probability"
    assert preview.rows[column].tolist() == pytest.approx(expected)

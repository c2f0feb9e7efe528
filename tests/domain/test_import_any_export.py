"""A CRM export as it comes (issue 16): 3,000 deals from another system, headed
`Organization, Owner, Product, Stage, Deal Value, $, Probability, %, Expected close date,
Actual close date` and nine more columns, with no id column. It imports with --ignore-unknown,
its figures are those counted by hand, importing it again adds nothing and next week's export
updates the same deals."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from salesmgmt import db, importer
from salesmgmt.cli import main
from salesmgmt.filters import Filters
from salesmgmt.metrics import core
from salesmgmt.periods import Period

HEADERS = [
    "Organization",
    "Owner",
    "Product",
    "Stage",
    "Deal Value, $",
    "Probability, %",
    "Expected close date",
    "Actual close date",
    # nine more, as a CRM writes them beside the deal: the created day, the account's, the
    # product's and the owner's details
    "Engage date",
    "Sector",
    "Revenue",
    "Employees",
    "Office location",
    "Series",
    "Sales price",
    "Manager",
    "Regional office",
]
#: The columns a file of deals does not use: unknown ones, then those of reps (manager, region).
UNKNOWN = ["Sector", "Revenue", "Employees", "Office location", "Series", "Sales price"]
LEFT_OUT = [*UNKNOWN, "Manager", "Regional office"]

ACCOUNTS = [  # name, sector, revenue (millions), employees, office location
    ("Acornfield", "retail", 718.62, 2448, "United States"),
    ("Bluestem Works", "technolgy", 1223.72, 4253, "United States"),
    ("Cobalt Harbor", "medical", 587.34, 1238, "Kenya"),
    ("Dunmore Rail", "software", 2345.04, 7523, "United States"),
    ("Elmcrest", "finance", 3922.42, 6663, "Norway"),
    ("Fernhill Energy", "energy", 4587.12, 9012, "United States"),
    ("Glasswing", "telecommunications", 98.79, 174, "Philipines"),
    ("Hollowpine", "marketing", 405.59, 1017, "United States"),
    ("Ironbark Labs", "technolgy", 2714.9, 8833, "Korea"),
    ("Juniper Row", "services", 167.89, 507, "United States"),
    ("Kestrel Mills", "entertainment", 4321.99, 10111, "Panama"),
    ("Larkspur Health", "medical", 1501.1, 3921, "United States"),
]
PRODUCTS = [  # name, series, list price (USD)
    ("Beam 100", "Beam", 550),
    ("Beam 300", "Beam", 1096),
    ("Beam Plus", "Beam", 3393),
    ("Deck Lite", "Deck", 55),
    ("Deck Pro", "Deck", 4821),
    ("Frame X", "Frame", 5482),
    ("Frame XL", "Frame", 26768),
]
OWNERS = [  # name, manager, regional office
    ("Moira Castell", "Dana Brink", "Central"),
    ("Ilse Varga", "Dana Brink", "Central"),
    ("Tomas Reyne", "Dana Brink", "Central"),
    ("Priya Holm", "Cara Losch", "East"),
    ("Owen Strand", "Cara Losch", "East"),
    ("Lena Marsh", "Cara Losch", "East"),
    ("Hugo Palmer", "Rocco Neal", "West"),
    ("Nadia Ferro", "Rocco Neal", "West"),
    ("Jonas Whitby", "Rocco Neal", "West"),
]
STAGES = ["Prospecting", "Engaging", "Won", "Lost"]


def deals(count: int, seed: int = 16) -> list[dict[str, object]]:
    """`count` deals as a CRM exports them: open deals in Prospecting have no value yet, lost
    deals are worth 0, won ones their price give or take; dates ISO, probabilities in percent."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        account, sector, revenue, employees, office = rng.choice(ACCOUNTS)
        product, series, price = rng.choice(PRODUCTS)
        owner, manager, regional = rng.choice(OWNERS)
        stage = rng.choices(STAGES, weights=[2, 3, 4, 3])[0]
        engaged = date(2025, 10, 1) + timedelta(days=rng.randrange(240))
        expected = engaged + timedelta(days=rng.randrange(30, 120))
        closed = engaged + timedelta(days=rng.randrange(10, 130)) if stage in ("Won", "Lost") else None
        value = {"Prospecting": "", "Engaging": price, "Won": round(price * rng.uniform(0.9, 1.1)), "Lost": 0}
        probability = {"Prospecting": 10, "Engaging": rng.choice([20, 40, 60]), "Won": 100, "Lost": 0}
        out.append(
            dict(
                zip(
                    HEADERS,
                    [
                        account,
                        owner,
                        product,
                        stage,
                        value[stage],
                        probability[stage],
                        expected.isoformat(),
                        closed.isoformat() if closed else "",
                        engaged.isoformat(),
                        sector,
                        revenue,
                        employees,
                        office,
                        series,
                        price,
                        manager,
                        regional,
                    ],
                )
            )
        )
    return out


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    """The rows as the CRM's CSV (UTF-8, CRLF) or Excel workbook, by the path's suffix."""
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADERS)
        for row in rows:
            sheet.append([None if row[h] == "" else row[h] for h in HEADERS])
        book.save(path)
        return path
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HEADERS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def opportunities(path: Path) -> dict[str, tuple]:
    with db.connect(path) as con:
        rows = con.execute("SELECT opp_id, stage, status, amount, probability FROM opportunities").fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_3000_deal_export_without_ids_imports_again_unchanged_and_next_week_updates(
    tmp_path, capsys, suffix
):
    dbfile = tmp_path / "crm.duckdb"
    week1 = deals(3000)
    export = write(tmp_path / f"deals{suffix}", week1)
    assert (
        main(["import", "--db", str(dbfile), "--ignore-unknown", "--as-of", "2026-06-01", str(export)]) == 0
    )
    out = capsys.readouterr().out
    assert "3000 added, 0 updated, 0 unchanged, 0 refused" in out
    assert f"Columns left out (not imported): {', '.join(LEFT_OUT)}." in out
    assert "identified by Organization + Product + Engage date" in out
    assert "amounts read in USD ('$' in the header) and kept as they are: not converted to CNY" in out
    first = opportunities(dbfile)
    assert len(first) == 3000
    won = [d for d in week1 if d["Stage"] == "Won"]
    assert sum(v[2] for v in first.values() if v[1] == "won") == sum(d["Deal Value, $"] for d in won)

    # The same file again: every deal found by its key, nothing added or changed.
    assert (
        main(["import", "--db", str(dbfile), "--ignore-unknown", "--as-of", "2026-06-01", str(export)]) == 0
    )
    assert "0 added, 0 updated, 3000 unchanged, 0 refused" in capsys.readouterr().out
    assert opportunities(dbfile) == first

    # Next week: ten deals in Engaging are won, five in Prospecting get a value, two are new.
    week2 = [dict(d) for d in week1]
    engaging = [d for d in week2 if d["Stage"] == "Engaging"][:10]
    for d in engaging:
        d.update({"Stage": "Won", "Probability, %": 100, "Actual close date": "2026-06-05"})
    prospecting = [d for d in week2 if d["Stage"] == "Prospecting"][:5]
    for d in prospecting:
        d.update({"Deal Value, $": 1234, "Probability, %": 20})
    week2 += deals(2, seed=99)
    export2 = write(tmp_path / f"deals-next-week{suffix}", week2)
    assert (
        main(["import", "--db", str(dbfile), "--ignore-unknown", "--as-of", "2026-06-08", str(export2)]) == 0
    )
    assert "2 added, 15 updated, 2985 unchanged, 0 refused" in capsys.readouterr().out
    second = opportunities(dbfile)
    assert len(second) == 3002
    changed = {k for k in first if first[k] != second[k]}
    assert len(changed) == 15
    assert sorted(second[k][1] for k in changed) == ["open"] * 5 + ["won"] * 10


FIVE = [  # the hand-checked slice: two won, one lost, two open
    [
        "Northwind Build",
        "Ann Lee",
        "Deck Pro",
        "Won",
        "4,821",
        "100",
        "2026-03-01",
        "2026-03-05",
        "2026-01-10",
    ],
    ["Northwind Build", "Ann Lee", "Deck Lite", "Lost", "55", "0", "2026-03-20", "2026-03-18", "2026-01-12"],
    ["Kite Steel", "Bo Chen", "Beam 100", "Engaging", "550", "40", "2026-06-30", "", "2026-02-01"],
    ["Kite Steel", "Bo Chen", "Deck Pro", "Prospecting", "4821", "10", "2026-07-15", "", "2026-02-03"],
    ["Harbor Design", "Ann Lee", "Beam 100", "Won", "1,100", "100", "2026-04-01", "2026-04-02", "2026-02-20"],
]


def five_deals(tmp_path: Path, rows: list[list[str]] = FIVE) -> Path:
    lines = [HEADERS[:9] + ["Sector"], *(r + ["retail"] for r in rows)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    path = tmp_path / "five.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_five_deals_give_the_won_amount_open_pipeline_and_count_counted_by_hand(tmp_path):
    dbfile = tmp_path / "five.duckdb"
    assert main(["import", "--db", str(dbfile), "--ignore-unknown", str(five_deals(tmp_path))]) == 0
    with db.connect(dbfile) as con:
        total = core.figures(con, Period.parse("2026"), Filters(), date(2026, 5, 1), level="total").iloc[0]
        count = con.execute("SELECT count(*) FROM opportunities").fetchone()[0]
    assert count == 5
    assert total.won_amount == 4821 + 1100 and total.won_count == 2 and total.lost_count == 1
    assert total.open_amount == 550 + 4821
    # "Probability, %": 40 is 40%, 10 is 10%.
    assert total.weighted_amount == pytest.approx(550 * 0.40 + 4821 * 0.10)


def test_deals_sharing_client_product_and_day_are_told_apart_by_their_order_and_keep_their_ids(tmp_path):
    twin = ["Kite Steel", "Bo Chen", "Beam 100", "Engaging", "900", "60", "2026-08-30", "", "2026-02-01"]
    data = five_deals(tmp_path, [*FIVE, twin]).read_bytes()
    preview = importer.prepare(data, "six.csv", ignore_unknown=True)
    assert preview.ok
    ids = preview.rows["opportunity_id"]
    assert ids.loc[7] == ids.loc[4] + "-2", "the second Kite Steel / Beam 100 / 2026-02-01 deal"
    again = importer.prepare(data, "six.csv", ignore_unknown=True)
    assert again.rows["opportunity_id"].tolist() == ids.tolist()


def test_without_ids_every_row_is_a_deal_even_two_alike(tmp_path):
    """Two open deals of one rep for one product, with no client or date yet, look the same
    without their ids: both are deals (the public Maven export has hundreds of them)."""
    data = five_deals(tmp_path, [*FIVE, FIVE[2]]).read_bytes()
    preview = importer.prepare(data, "alike.csv", ignore_unknown=True)
    assert preview.ok and preview.repeats == []
    assert preview.rows["opportunity_id"].nunique() == 6


def test_by_default_the_unknown_columns_are_named_and_nothing_is_written(tmp_path, capsys):
    dbfile = tmp_path / "crm.duckdb"
    export = write(tmp_path / "deals.csv", deals(50))
    assert main(["import", "--db", str(dbfile), str(export)]) == 1
    err = capsys.readouterr().err
    assert f"These columns are not recognised for opportunities: {', '.join(UNKNOWN)}." in err
    assert "--ignore-unknown" in err and "nothing was written" in err
    assert not dbfile.exists()


def test_a_bad_amount_names_the_row_the_column_and_the_fix_and_writes_nothing(tmp_path, capsys):
    bad = [*FIVE[:2], [*FIVE[2][:4], "about 500", *FIVE[2][5:]], *FIVE[3:]]
    dbfile = tmp_path / "crm.duckdb"
    assert main(["import", "--db", str(dbfile), "--ignore-unknown", str(five_deals(tmp_path, bad))]) == 1
    err = capsys.readouterr().err
    assert "Row 4, column Deal Value, $:" in err and "nothing was written" in err
    assert not dbfile.exists()


def test_a_probability_over_100_percent_names_the_row_and_the_column_as_written(tmp_path):
    bad = [*FIVE[:3], [*FIVE[3][:5], "150", *FIVE[3][6:]], FIVE[4]]
    preview = importer.prepare(five_deals(tmp_path, bad).read_bytes(), "five.csv", ignore_unknown=True)
    (error,) = preview.errors
    assert error.message("en") == (
        "Row 5, column Probability, %: '150%' is not a probability. Use 60%, 60 or 0.6 (between 0 and 100%)."
    )


def test_a_file_of_deals_with_neither_id_nor_name_nor_product_is_refused_saying_what_to_add():
    preview = importer.prepare(
        b"Organization,Stage,Amount\nKite Steel,Won,500\n", "x.csv", kind="opportunities"
    )
    assert preview.file_error is not None and preview.file_error.key == "import.no_key"
    assert "Product" in preview.file_error.message("en")


def test_visits_without_an_id_are_found_again_by_rep_client_day_and_type(tmp_path, capsys):
    path = tmp_path / "visits.csv"
    path.write_text(
        "Visit date,Owner,Organization,Type,Notes\n"
        "2026-05-04,Ann Lee,Kite Steel,visit,first call\n"
        "2026-05-04,Ann Lee,Kite Steel,phone,follow-up\n",
        encoding="utf-8",
    )
    dbfile = tmp_path / "v.duckdb"
    assert main(["import", "--db", str(dbfile), str(path)]) == 0
    assert "2 added" in capsys.readouterr().out
    path.write_text(path.read_text().replace("follow-up", "sent the quote"), encoding="utf-8")
    assert main(["import", "--db", str(dbfile), str(path)]) == 0
    assert "0 added, 1 updated, 1 unchanged" in capsys.readouterr().out


def test_the_key_of_a_deal_without_id_does_not_change_between_versions(tmp_path):
    """Pinned: a change to how the key is built would make every deal of next week's export a
    new one. Client folded ('CANCITY ' = 'Cancity'), product folded, created date."""
    data = (
        b"Organization,Product,Stage,Engage date\n"
        b"Cancity,GTX Plus Basic,Won,2016-10-20\n"
        b"CANCITY ,gtx plus basic,Lost,2016/10/20\n"
    )
    ids = importer.prepare(data, "x.csv").rows["opportunity_id"].tolist()
    assert ids == ["auto-8817d2f5aeb6", "auto-8817d2f5aeb6-2"]


def test_an_upload_nobody_signed_is_listed_with_a_dash(tmp_path, capsys):
    dbfile = tmp_path / "crm.duckdb"
    with db.connect(dbfile) as con:
        importer.apply(
            con, importer.prepare(five_deals(tmp_path).read_bytes(), "five.csv", ignore_unknown=True)
        )
    assert main(["uploads", "--db", str(dbfile)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("(–)") and "nan" not in out


def test_a_chinese_export_without_ids_in_wan_and_gbk_imports_and_updates_next_week(tmp_path, capsys):
    header = "客户名称,负责人,产品名称,销售阶段,预计金额(万元),赢率(%),创建日期,所属行业\n"
    week1 = (
        header
        + "华东设计院,张伟,钢结构检测,方案设计,12.5,40,2026/3/2,设计院\n江苏钢构,李娜,防腐涂装,赢单,3,100,2026/3/9,钢构\n"
    )
    path = tmp_path / "商机导出.csv"
    path.write_bytes(week1.encode("gb18030"))
    dbfile = tmp_path / "cn.duckdb"
    assert main(["import", "--db", str(dbfile), "--ignore-unknown", "--lang", "zh", str(path)]) == 0
    out = capsys.readouterr().out
    assert "新增 2" in out and "未导入的列：所属行业" in out and "每个值乘以 10,000" in out
    path.write_bytes(week1.replace("方案设计,12.5,40", "商务谈判,13,60").encode("gb18030"))
    assert main(["import", "--db", str(dbfile), "--ignore-unknown", str(path)]) == 0
    assert "0 added, 1 updated, 1 unchanged" in capsys.readouterr().out
    with db.connect(dbfile) as con:
        amounts = sorted(r[0] for r in con.execute("SELECT amount FROM opportunities").fetchall())
    assert amounts == [30_000, 130_000]

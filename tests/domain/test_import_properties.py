"""Rules that must hold for any file: re-importing changes nothing, undo puts everything back,
and the spelling of a file (encoding, date style, money style, Excel or CSV) does not matter."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from salesmgmt import db, importer
from tests.import_fixtures import csv_bytes, snapshot, xlsx_bytes

REPS = ["张伟", "李娜", "王强", "Zhang Wei", "陈 军"]
CLIENTS = ["华东设计院", "江苏钢构有限公司", "西部业主", '=HYPERLINK("x")', "上海施工（集团）"]
STAGES = ["线索", "方案设计", "报价", "谈判", "赢单", "丢单", "Prospecting", "Closed Won"]


def random_opportunities(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        created = date(2024, 1, 1) + timedelta(days=rng.randrange(120))
        rows.append(
            {
                "id": f"O{i:03d}",
                "rep": rng.choice(REPS),
                "client": rng.choice(CLIENTS),
                "stage": rng.choice(STAGES),
                "amount": rng.randrange(0, 2_000_000, 100),
                "probability": rng.choice([None, 10, 35, 60, 90]),
                "created": created,
                "close": created + timedelta(days=rng.randrange(30, 200)),
            }
        )
    return rows


def spell(rows: list[dict], rng: random.Random) -> tuple[bytes, str]:
    """The same opportunities in one of the ways exports write them."""
    date_style = rng.choice(["iso", "slash", "chinese", "us"])
    money_style = rng.choice(["plain", "commas", "yuan", "wan"])

    def d(value: date):
        return {
            "iso": value.isoformat(),
            "slash": f"{value.year}/{value.month}/{value.day}",
            "chinese": f"{value.year}年{value.month}月{value.day}日",
            "us": f"{value.month}/{value.day}/{value.year}",
        }[date_style]

    def m(value: int) -> str:
        return {
            "plain": str(value),
            "commas": f"{value:,}",
            "yuan": f"￥{value:,}",
            "wan": f"{value / 10_000:g}万",
        }[money_style]

    header = ["商机编号", "销售人员", "客户名称", "商机阶段", "金额", "赢率", "创建日期", "预计成交日期"]
    table = [header] + [
        [
            r["id"],
            r["rep"],
            r["client"],
            r["stage"],
            m(r["amount"]),
            "" if r["probability"] is None else f"{r['probability']}%",
            d(r["created"]),
            d(r["close"]),
        ]
        for r in rows
    ]
    if rng.random() < 0.3:
        return xlsx_bytes({"商机": table}), "opps.xlsx"
    encoding = rng.choice(["utf-8", "utf-8-sig", "gbk", "utf-16"])
    return csv_bytes(table, encoding=encoding, sep=rng.choice([",", "\t"])), "opps.csv"


@pytest.mark.parametrize("seed", range(3))
def test_any_spelling_of_the_same_export_imports_the_same_and_a_second_time_changes_nothing(tmp_path, seed):
    rng = random.Random(seed)
    rows = random_opportunities(rng, 25)
    with db.connect(tmp_path / "p.duckdb") as con:
        empty = snapshot(con)
        data, name = spell(rows, rng)
        preview = importer.prepare(data, name, as_of=date(2024, 6, 1))
        assert preview.ok, preview.error_messages(limit=3)
        first = importer.apply(con, preview)
        assert first.added == 25
        stored = snapshot(con)
        for _ in range(2):  # the same data, spelled differently, later
            data, name = spell(rows, rng)
            again = importer.apply(con, importer.prepare(data, name, as_of=date(2024, 6, 8)))
            assert (again.added, again.updated, again.unchanged) == (0, 0, 25), name
        after = snapshot(con)
        for table in ("reps", "clients", "opportunities", "opportunity_history", "upload_changes"):
            assert after[table] == stored[table], table
        # Undo, newest first, puts the database back to empty.
        for upload_id in importer.list_uploads(con)["upload_id"]:
            importer.undo(con, int(upload_id))
        final = snapshot(con)
        for table in ("reps", "clients", "opportunities", "opportunity_history"):
            assert final[table] == empty[table], table


@pytest.mark.parametrize("seed", range(2))
def test_undoing_a_week_of_changes_restores_the_week_before_exactly(tmp_path, seed):
    rng = random.Random(100 + seed)
    rows = random_opportunities(rng, 20)
    with db.connect(tmp_path / "w.duckdb") as con:
        data, name = spell(rows, rng)
        importer.apply(con, importer.prepare(data, name, as_of=date(2024, 6, 1)))
        before = snapshot(con)
        for r in rng.sample(rows, 8):  # a week later: some deals moved, one new
            r["stage"] = rng.choice(STAGES)
            r["amount"] += rng.randrange(0, 50_000, 100)
            r["rep"] = rng.choice(REPS)
        rows.append({**rows[0], "id": "NEW", "client": "新客户"})
        data, name = spell(rows, rng)
        week = importer.apply(con, importer.prepare(data, name, as_of=date(2024, 6, 8)))
        assert week.added == 1
        importer.undo(con, week.upload_id)
        after = snapshot(con)
        for table in ("reps", "clients", "opportunities", "opportunity_history"):
            assert after[table] == before[table], table

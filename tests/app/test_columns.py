"""Every column a page's table shows is a measure or a declared dimension: app.tables.show refuses
any other key, and every page opens without a refusal, in both languages, as a page and on the
meeting screen."""

from __future__ import annotations

import pytest

from app import layout, tables
from salesmgmt import dimensions, glossary
from tests.app.support import open_page

PAGES = [entry[0] for entries in layout.ALL_PAGES.values() for entry in entries]


def test_a_table_refuses_a_column_that_is_neither_a_measure_nor_a_dimension():
    with pytest.raises(ValueError, match="neither a measure nor a declared dimension"):
        tables.resolve("won_amount_typo", "en")


def test_a_measure_column_takes_its_header_unit_and_format_from_the_measure():
    won = glossary.find("won_amount")
    assert won is not None
    assert tables.resolve("won_amount", "zh") == tables.Shown("won_amount", won.label("zh"), "money")
    assert tables.resolve(("won_amount", "fc.col.won"), "zh").header == "赢单"


def test_a_measure_under_another_column_name_keeps_its_header_unless_the_page_gives_one():
    composite = tables.Column("composite_score", column="composite", kind="score")
    assert tables.resolve(composite, "zh") == tables.Shown("composite", "综合得分", "score")
    pipeline = tables.Column("pipeline_at", column="pipeline_now", label="cl.col.pipeline_now")
    assert tables.resolve(pipeline, "en") == tables.Shown("pipeline_now", "Open pipeline", "money")


def test_no_dimension_shadows_a_measure():
    assert not set(dimensions.DIMENSIONS) & {m.key for m in glossary.all_measures()}


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_only_measures_and_declared_dimensions(app_env, page, lang, present):
    open_page(page, lang, present=present, check=True)

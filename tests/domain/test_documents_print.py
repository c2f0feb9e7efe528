"""The plan, review and playbook documents open in Excel and print on A4: each workbook opens
(openpyxl), its page is A4 (paper size 9), portrait, fitted to one page wide; each printable
page carries an `@page { size: A4 ... }` rule. Built on the tiny company (tests/tiny.py)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import plan_document
from salesmgmt.metrics import school_deals as sd
from salesmgmt.periods import Period
from salesmgmt.review_pack import review_pack_html, review_pack_xlsx
from tests import tiny

MAY = Period.parse("2026-05")
ALL = Filters()
LI, CLIENT = 2, 2


def documents(con, lang: str) -> dict[str, tuple[bytes, str]]:
    """Each document as (xlsx, html)."""
    return {
        "plan": (
            plan_document.export_file(con, LI, MAY, ALL, tiny.AS_OF, lang),  # type: ignore[dict-item]
            str(plan_document.export_file(con, LI, MAY, ALL, tiny.AS_OF, lang, file_type="html")),
        ),
        "review": (
            review_pack_xlsx(con, CLIENT, ALL, tiny.AS_OF, lang),
            review_pack_html(con, CLIENT, ALL, tiny.AS_OF, lang),
        ),
        "playbook": (
            sd.playbook_file(con, tiny.AS_OF, ALL, 12, lang),
            sd.playbook_file(con, tiny.AS_OF, ALL, 12, lang, file_type="html").decode("utf-8"),
        ),
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_workbook_opens_and_prints_on_a4_one_page_wide(tiny_con, lang):
    for name, (xlsx, _) in documents(tiny_con, lang).items():
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
        assert sheet.max_row > 1, f"{name}: the workbook has content"
        setup = sheet.page_setup
        assert int(setup.paperSize) == 9, f"{name}: A4"
        assert setup.orientation == "portrait", name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, f"{name}: fitted when printed"
        assert setup.fitToWidth in (None, 1), f"{name}: one page wide"
        # The plan is one page; the review and the playbook run on as many pages as they need.
        assert setup.fitToHeight in ((None, 1) if name == "plan" else (0,)), name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_printable_page_has_an_a4_page_rule(tiny_con, lang):
    for name, (_, html) in documents(tiny_con, lang).items():
        assert re.search(r"@page\s*\{[^}]*size:\s*A4", html), f"{name}: @page size A4"
        assert html.lstrip().lower().startswith("<!doctype html"), name

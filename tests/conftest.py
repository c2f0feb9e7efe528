from __future__ import annotations

import pytest

from salesmgmt import db
from tests import tiny


@pytest.fixture
def tiny_con(tmp_path):
    """An open connection to a fresh database holding the tiny hand-checked company."""
    with db.connect(tmp_path / "tiny.duckdb") as con:
        tiny.load(con)
        yield con


@pytest.fixture
def tiny_db(tmp_path):
    """The path of a fresh database file holding the tiny company (closed)."""
    path = tmp_path / "tiny.duckdb"
    with db.connect(path) as con:
        tiny.load(con)
    return path

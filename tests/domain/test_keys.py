"""The secret key lives outside the database: in the environment or a 0600 file beside it."""

from __future__ import annotations

import stat

import pytest

from salesmgmt import db, keys
from salesmgmt.errors import SalesmgmtError


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(keys.ENV_SECRET, raising=False)
    monkeypatch.delenv(keys.ENV_KEY_FILE, raising=False)


def test_the_key_is_made_once_beside_the_database_readable_by_its_owner_only(tmp_path):
    database = tmp_path / "company.duckdb"
    first = keys.current(database)
    path = tmp_path / "company.key"
    assert path.exists() and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.current(database) == first


def test_the_database_holds_no_secret(tmp_path):
    database = tmp_path / "company.duckdb"
    with db.connect(database) as con:
        assert keys.database_of(con) == database
        key = keys.current(keys.database_of(con))
    assert key.hex().encode() not in database.read_bytes()
    assert key not in database.read_bytes()


def test_rotation_signs_with_a_new_key_and_still_verifies_what_the_old_one_signed(tmp_path):
    database = tmp_path / "company.duckdb"
    old = keys.sign(b"manifest", database)
    keys.rotate(database)
    assert keys.sign(b"manifest", database) != old
    assert keys.verify(b"manifest", old, database)
    assert not keys.verify(b"another manifest", old, database)
    for _ in range(keys.KEPT):
        keys.rotate(database)
    assert not keys.verify(b"manifest", old, database)
    assert stat.S_IMODE(keys.key_file(database).stat().st_mode) == 0o600


def test_a_secret_in_the_environment_wins_and_must_be_long(tmp_path, monkeypatch):
    database = tmp_path / "company.duckdb"
    monkeypatch.setenv(keys.ENV_SECRET, "x" * 40)
    assert keys.current(database) == b"x" * 40
    assert not (tmp_path / "company.key").exists()
    with pytest.raises(SalesmgmtError) as info:
        keys.rotate(database)
    assert info.value.key == "keys.rotate_env"
    monkeypatch.setenv(keys.ENV_SECRET, "short")
    with pytest.raises(SalesmgmtError) as info:
        keys.current(database)
    assert info.value.key == "keys.env_too_short"


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path):
    database = tmp_path / "company.duckdb"
    (tmp_path / "company.key").write_text("not a key\n")
    with pytest.raises(SalesmgmtError) as info:
        keys.current(database)
    assert info.value.key == "keys.damaged"
    assert (tmp_path / "company.key").read_text() == "not a key\n"

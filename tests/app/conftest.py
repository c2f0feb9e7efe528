"""Fixtures of the app tests: the real app on a fresh tiny database, caches cleared around each."""

from __future__ import annotations

import pytest
import streamlit as st

import app.layout  # noqa: F401  (switches off Streamlit's legacy pages/ mode before any AppTest runs)
from tests import tiny


@pytest.fixture
def app_env(tiny_db, monkeypatch):
    """The app reads the tiny company, on its as-of date; nothing cached from another test."""
    monkeypatch.setenv("SALESMGMT_DB", str(tiny_db))
    monkeypatch.setenv("SALESMGMT_TODAY", tiny.AS_OF.isoformat())
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tiny_db
    st.cache_data.clear()
    st.cache_resource.clear()

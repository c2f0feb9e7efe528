"""The delta under a headline figure (st.metric): no '+0 pts' in green when nothing changed."""

from __future__ import annotations

import pytest

from app import formats


@pytest.fixture(autouse=True)
def english_units(monkeypatch):
    """delta_text reads the unit in the user's language; here the English one."""
    monkeypatch.setattr(formats, "t", lambda key, **values: {"unit.points": "pts"}[key])


def test_a_change_in_points_and_a_relative_change_are_signed_and_rounded():
    assert formats.delta_text(0.45, 0.42, "points") == "+3 pts"
    assert formats.delta_text(0.40, 0.42, "points") == "-2 pts"
    assert formats.delta_text(112.0, 100.0) == "+12%"
    assert formats.delta_text(90.0, 100.0) == "-10%"


def test_no_delta_when_both_are_zero_or_the_change_rounds_to_zero():
    assert formats.delta_text(0.0, 0.0, "points") is None
    assert formats.delta_text(0.5, 0.5, "points") is None
    assert formats.delta_text(0.421, 0.42, "points") is None, "0.1 pts rounds to 0"
    assert formats.delta_text(0.419, 0.42, "points") is None, "-0.1 pts rounds to -0"
    assert formats.delta_text(100.4, 100.0) is None, "+0.4% rounds to 0"
    assert formats.delta_text(7.0, 7.0) is None


def test_no_delta_when_a_value_is_missing_or_the_previous_is_zero():
    assert formats.delta_text(None, 0.3, "points") is None
    assert formats.delta_text(0.3, float("nan"), "points") is None
    assert formats.delta_text(50.0, 0.0) is None


def test_the_number_alone_without_its_unit():
    assert formats.delta_change(0.45, 0.42, "points") == "+3"
    assert formats.delta_change(0.0, 0.0, "points") is None

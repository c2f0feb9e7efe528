"""query.compose: the one way to fill a query with fixed SQL pieces (never the user's input)."""

import pytest

from salesmgmt.query import compose


@pytest.mark.parametrize(
    "sql, fragments, expected",
    [
        ("SELECT {dims} x FROM t", {"dims": "a, b,"}, "SELECT a, b, x FROM t"),
        (
            "ORDER BY {order} LIMIT 1 ... ORDER BY {order}",
            {"order": "p"},
            "ORDER BY p LIMIT 1 ... ORDER BY p",
        ),
        (
            "SELECT 1 FROM t WHERE {where} AND {where_visit}",
            {},
            "SELECT 1 FROM t WHERE {where} AND {where_visit}",
        ),
        ("FROM {table} WHERE {where}", {"table": "{other}"}, "FROM {other} WHERE {where}"),
        ("SELECT {'a': 1} AS s", {}, "SELECT {'a': 1} AS s"),
    ],
)
def test_compose_fills_each_token_once_and_leaves_the_filters_to_run(sql, fragments, expected):
    assert compose(sql, **fragments) == expected


@pytest.mark.parametrize(
    "sql, fragments, message",
    [
        ("SELECT 1", {"dims": "a"}, "has no {dims}"),
        ("SELECT {dims} {group_by}", {"dims": "a"}, "{group_by} was not given"),
        ("SELECT 1 WHERE {where}", {"where": "TRUE"}, "filled by run()"),
        ("SELECT 1 WHERE {where_deal}", {"where_deal": "TRUE"}, "filled by run()"),
    ],
)
def test_compose_refuses_an_unknown_fragment_a_missing_one_and_the_filters_place(sql, fragments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compose(sql, **fragments)

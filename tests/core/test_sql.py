"""core.sql: named queries in .sql files."""

from __future__ import annotations

import pytest

from core.sql import load_queries, parse_queries


def test_names_and_bodies() -> None:
    text = """\
-- A file comment before the first query is ignored.

-- name: first
SELECT 1;

-- name: second_one
SELECT *
FROM t
WHERE a = %s;
"""
    assert parse_queries(text) == {
        "first": "SELECT 1;",
        "second_one": "SELECT *\nFROM t\nWHERE a = %s;",
    }


def test_order_is_kept() -> None:
    text = "-- name: b\nSELECT 2;\n-- name: a\nSELECT 1;\n-- name: c\nSELECT 3;\n"
    assert list(parse_queries(text)) == ["b", "a", "c"]


def test_header_with_trailing_spaces() -> None:
    assert parse_queries("-- name: q   \nSELECT 1;\n") == {"q": "SELECT 1;"}


@pytest.mark.parametrize(
    "header", ["--name: q", "-- name q", "  -- name: q", "-- name: q-1", "-- Name: q"]
)
def test_not_a_header_stays_in_the_previous_body(header: str) -> None:
    queries = parse_queries(f"-- name: p\nSELECT 1;\n{header}\nSELECT 2;\n")
    assert list(queries) == ["p"]
    assert header in queries["p"]


def test_empty_text_and_no_headers() -> None:
    assert parse_queries("") == {}
    assert parse_queries("SELECT 1;\n") == {}


def test_empty_body() -> None:
    assert parse_queries("-- name: a\n-- name: b\nSELECT 1;\n") == {"a": "", "b": "SELECT 1;"}


def test_duplicate_name() -> None:
    text = "-- name: q\nSELECT 1;\n-- name: other\nSELECT 2;\n-- name: q\nSELECT 3;\n"
    with pytest.raises(ValueError, match=r"^query 'q' is defined twice$"):
        parse_queries(text)


def test_load_queries_from_a_package() -> None:
    queries = load_queries("ingest", "registry.sql")
    assert set(queries) == {"registry_version", "devices", "floors", "zones"}
    assert queries["floors"].startswith("SELECT site_id, elevation_m, level FROM floors")

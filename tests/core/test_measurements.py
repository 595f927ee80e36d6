"""core.measurements: the declaration against the readings tables of a migrated database,
and what the validators and the rollups derive from it."""

from __future__ import annotations

import pytest

from core.db import Connection
from core.kinds import READING_KINDS, ReadingKind
from core.measurements import (
    BY_KIND,
    COLUMNS,
    COMMON_COLUMN_TYPES,
    MEASUREMENTS,
    PROBE,
    clamp,
    rolled_up,
    table_of,
)
from core.wire import SPECS

_COLUMNS = """
SELECT column_name, udt_name FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = %(table)s
ORDER BY ordinal_position
"""


def table_columns(conn: Connection, kind: ReadingKind) -> dict[str, str]:
    return dict(conn.execute(_COLUMNS, {"table": table_of(kind)}).fetchall())


@pytest.mark.parametrize("kind", READING_KINDS)
def test_each_table_begins_with_the_common_columns(conn: Connection, kind: ReadingKind) -> None:
    columns = list(table_columns(conn, kind).items())
    assert columns[: len(COMMON_COLUMN_TYPES)] == list(COMMON_COLUMN_TYPES.items())


@pytest.mark.parametrize("kind", READING_KINDS)
def test_each_declared_measurement_is_a_column_of_its_kinds_table_with_its_type(
    conn: Connection, kind: ReadingKind
) -> None:
    columns = table_columns(conn, kind)
    for m in BY_KIND[kind]:
        if m.column is None:  # a hint kept in common columns, the first of its own type
            assert set(m.stored) <= set(COMMON_COLUMN_TYPES), m.key
            assert COMMON_COLUMN_TYPES[m.stored[0]] == m.pg_type, m.key
        else:
            assert m.column in columns, f"{table_of(kind)} has no column {m.column}"
            assert columns[m.column] == m.pg_type, f"{table_of(kind)}.{m.column}"


@pytest.mark.parametrize("kind", READING_KINDS)
def test_every_other_column_of_a_table_is_declared(conn: Connection, kind: ReadingKind) -> None:
    columns = set(table_columns(conn, kind)) - set(COMMON_COLUMN_TYPES)
    assert columns == {m.column for m in COLUMNS[kind]}


def test_keys_are_unique_within_a_kind_and_common_columns_are_no_measurement() -> None:
    for kind in READING_KINDS:
        keys = [m.key for m in BY_KIND[kind]]
        assert len(keys) == len(set(keys)), kind
        assert not {m.column for m in COLUMNS[kind]} & set(COMMON_COLUMN_TYPES), kind


def test_the_validators_follow_the_declaration() -> None:
    for kind in READING_KINDS:
        spec = SPECS[kind]
        properties = spec.adapter.json_schema()["properties"]
        assert spec.keys == tuple(m.key for m in BY_KIND[kind])
        assert list(properties) == ["ts", "seq", *spec.keys]
        for m in BY_KIND[kind]:
            schema = properties[m.key]
            wanted = {float: "number", int: "integer", bool: "boolean"}[m.python_type]
            assert schema["type"] == wanted, m.key
            if m.bounds is not None:
                high = "maximum" if m.bounds.high_inclusive else "exclusiveMaximum"
                assert (schema["minimum"], schema[high]) == (m.bounds.low, m.bounds.high)
    assert SPECS["tag"].required == ("x_m", "y_m")
    assert SPECS["tag"].measurements == {"x_m", "y_m"}
    assert SPECS["env"].measurements == set(SPECS["env"].keys)


def test_rollup_metric_names_are_unique_per_level() -> None:
    for kind in READING_KINDS:
        devices = [m.key for m in rolled_up(kind, "device")]
        assert len(devices) == len(set(devices))
    floors = [m.key for kind in READING_KINDS for m in rolled_up(kind, "floor")]
    floors += [m.probe_name for m in MEASUREMENTS if m.probe_name] + ["workers"]
    assert len(floors) == len(set(floors))


def test_a_floor_rollup_is_a_device_rollup_too_and_a_probe_name_needs_the_probe() -> None:
    for m in MEASUREMENTS:
        assert "floor" not in m.rollup or "device" in m.rollup, m.key
        assert m.probe_name is None or (m.kind == PROBE.kind and "floor" in m.rollup), m.key
        assert m.latest_default is None or m.column is not None, m.key


def test_clamp_keeps_a_value_within_its_bounds() -> None:
    assert clamp("env", "noise_dba", 150.0) == 140.0
    assert clamp("env", "noise_dba", 5.0) == 20.0
    assert clamp("env", "rh_pct", 55.5) == 55.5
    assert isinstance(clamp("env", "rh_pct", 101), float)

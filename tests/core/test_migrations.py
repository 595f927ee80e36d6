from __future__ import annotations

import psycopg
import pytest

from core.db import Connection
from core.errors import MigrationTampered, SchemaBehind, TimescaleMissing
from core.migrate import available_migrations, check_ready, migrate
from tests.helpers import Services


def test_migrated_template_is_ready_and_migrating_again_changes_nothing(conn: Connection) -> None:
    check_ready(conn)
    before = conn.execute("SELECT version, checksum, applied_at FROM schema_migrations").fetchall()
    assert migrate(conn) == []
    after = conn.execute("SELECT version, checksum, applied_at FROM schema_migrations").fetchall()
    assert before == after
    assert [row[0] for row in after] == [m.version for m in available_migrations()]


def test_readings_tables_are_hypertables_unique_on_device_and_ts(conn: Connection) -> None:
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT hypertable_name FROM timescaledb_information.hypertables"
        ).fetchall()
    }
    rollups = {"device_rollup_1m", "device_rollup_1h", "floor_rollup_1m", "floor_rollup_1h"}
    assert tables == {"crane_readings", "tag_readings", "env_readings"} | rollups
    conn.execute("INSERT INTO sites VALUES ('x', 'x', 'UTC')")
    insert = (
        "INSERT INTO env_readings (ts, device_id, site_id, received_at, temp_c)"
        " VALUES ('2026-11-23T08:00:00Z', 'env-1', 'x', now(), 20)"
    )
    conn.execute(insert)
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(insert)


@pytest.fixture
def empty_db(services: Services) -> str:
    with psycopg.connect(services.url_for("postgres"), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS t_empty WITH (FORCE)")
        admin.execute("CREATE DATABASE t_empty")
    return services.url_for("t_empty")


def test_service_refuses_a_database_without_timescaledb_or_behind(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        with pytest.raises(TimescaleMissing, match="shared_preload_libraries"):
            check_ready(conn)
        conn.execute("CREATE EXTENSION timescaledb")
        with pytest.raises(SchemaBehind, match=r"sitepulse db migrate.*0001_registry"):
            check_ready(conn)
        assert [m.version for m in migrate(conn)] == [m.version for m in available_migrations()]
        check_ready(conn)


def test_an_edited_applied_migration_is_refused(conn: Connection) -> None:
    conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with pytest.raises(MigrationTampered, match="0001_registry"):
        check_ready(conn)
    with pytest.raises(MigrationTampered):
        migrate(conn)

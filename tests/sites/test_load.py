from __future__ import annotations

from pathlib import Path

import pytest

from core.db import Connection
from core.settings import Settings
from sites.site_file import load_site_file, parse_site_file
from sites.store import apply_site
from tests.helpers import REPO, make_test_site, site_yaml, sitepulse

TABLES = ("sites", "floors", "zones", "cranes", "devices", "workers")
# what tests/data/site.yaml declares, table by table
TEST_SITE = {"sites": 1, "floors": 4, "zones": 3, "cranes": 1, "devices": 9, "workers": 3}


def counts(conn: Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def registry_version(conn: Connection) -> int:
    return int(conn.execute("SELECT version FROM registry_version").fetchone()[0])  # type: ignore[index]


def test_loading_the_same_file_twice_changes_nothing(conn: Connection, site_id: str) -> None:
    site = make_test_site(site_id)
    first = apply_site(conn, site)
    assert first.written == TEST_SITE
    version = registry_version(conn)
    snapshot = conn.execute("SELECT * FROM devices ORDER BY id").fetchall()
    second = apply_site(conn, site)
    assert second.total == 0
    assert registry_version(conn) == version
    assert conn.execute("SELECT * FROM devices ORDER BY id").fetchall() == snapshot
    assert counts(conn) == TEST_SITE


def test_a_changed_file_updates_in_place(conn: Connection, site_id: str) -> None:
    apply_site(conn, make_test_site(site_id))
    version = registry_version(conn)
    text = (
        site_yaml(site_id)
        .replace(
            "{id: env-3f-01, kind: env, floor: 3}",
            "{id: env-3f-01, kind: env, floor: 3, zone: f3-east}",
        )
        .replace(
            "  - {id: tag-0003, kind: tag, gateway: gw-02}\n",
            "  - {id: tag-0003, kind: tag, gateway: gw-01}\n",
        )
        .replace('  - {id: w-0003, name: "Zhang Qiang", trade: concrete, tag: tag-0003}\n', "")
    )
    changes = apply_site(conn, parse_site_file(text))
    assert changes.written["devices"] == 2
    assert changes.removed["workers"] == 1
    assert registry_version(conn) == version + 1
    assert conn.execute("SELECT zone FROM devices WHERE id = 'env-3f-01'").fetchone() == (
        "f3-east",
    )
    assert conn.execute("SELECT gateway_id FROM devices WHERE id = 'tag-0003'").fetchone() == (
        "gw-01",
    )
    assert counts(conn)["workers"] == 2


def test_demo_tower_loads_twice_without_duplicates(conn: Connection) -> None:
    site = load_site_file(REPO / "deploy/sites/demo-tower.yaml")
    apply_site(conn, site)
    assert apply_site(conn, site).total == 0
    assert counts(conn) == {
        "sites": 1,
        "floors": 32,
        "zones": len(site.zones),
        "cranes": 3,
        "devices": len(site.devices),
        "workers": 300,
    }
    kinds: dict[str, int] = dict(
        conn.execute("SELECT kind, count(*) FROM devices GROUP BY kind").fetchall()
    )
    assert (kinds["gateway"], kinds["tag"], kinds["crane"]) == (4, 300, 3)
    assert 50 <= kinds["env"] <= 70


# case: (text in tests/data/site.yaml, its replacement, the line and field named)
BROKEN = {
    "wrong type": ("elevation_m: 4.5}", "elevation_m: high}", 6, "floors[2].elevation_m"),
    "unknown floor": (
        "{id: f3-east, floor: 3,",
        "{id: f3-east, floor: 9,",
        11,
        "zones[2].floor: floor 9 is not a listed floor",
    ),
    "two-point polygon": (
        "[[10, 0], [30, 0], [30, 20], [10, 20]]",
        "[[10, 0], [30, 0]]",
        11,
        "zones[2].polygon",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_the_cli_refuses_a_broken_site_file_naming_line_and_field(
    case: str, settings: Settings, conn: Connection, site_id: str, tmp_path: Path
) -> None:
    old, new, line, field = BROKEN[case]
    text = site_yaml(site_id)
    assert old in text
    path = tmp_path / "site.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    done = sitepulse(settings, "site", "load", str(path), ok=False)
    assert done.returncode == 1
    assert f"{path}:{line}: {field}" in done.stderr
    assert "nothing was loaded" in done.stderr
    assert counts(conn)["sites"] == 0


def test_cli_site_load_twice_and_migrate_twice(settings: Settings, conn: Connection) -> None:

    def cli(*args: str) -> str:
        return sitepulse(settings, *args).stdout

    assert "schema is current" in cli("db", "migrate")
    assert "schema is current" in cli("db", "migrate")
    demo = str(REPO / "deploy/sites/demo-tower.yaml")
    assert "300 workers written" in cli("site", "load", demo)
    assert "no changes" in cli("site", "load", demo)
    assert counts(conn)["workers"] == 300

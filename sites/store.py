"""Apply a site file to the registry in one transaction, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb

from core.db import Connection
from core.errors import SiteFileInvalid
from core.sql import load_queries
from sites.site_file import SiteFile

_Q = load_queries("sites", "store.sql")


@dataclass
class SiteChanges:
    written: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    # the concrete settings: read by the API and the rules, not part of the registry
    concrete_written: bool = False

    @property
    def total(self) -> int:
        return sum(self.written.values()) + sum(self.removed.values())

    def summary(self) -> str:
        parts = [f"{n} {t} written" for t, n in self.written.items() if n]
        parts += [f"{n} {t} removed" for t, n in self.removed.items() if n]
        parts += ["concrete settings written"] if self.concrete_written else []
        if not parts:
            return "no changes"
        return ", ".join(parts)


def apply_site(conn: Connection, site: SiteFile) -> SiteChanges:
    sid = site.site.id
    changes = SiteChanges()
    with conn.transaction(), conn.cursor() as cur:
        foreign = cur.execute(
            _Q["devices_of_other_sites"], {"ids": [d.id for d in site.devices], "site": sid}
        ).fetchall()
        if foreign:
            taken = ", ".join(f"{dev} (site {other})" for dev, other in foreign)
            raise SiteFileInvalid(f"device ids already registered on another site: {taken}")

        cur.execute(_Q["upsert_site"], site.site.model_dump())
        changes.written["sites"] = cur.rowcount
        concrete = site.concrete.with_shipped_curves().model_dump(mode="json")
        cur.execute(_Q["upsert_concrete"], {"site": sid, "settings": Jsonb(concrete)})
        changes.concrete_written = cur.rowcount > 0

        worker_ids = [w.id for w in site.workers]
        tagged = [w for w in site.workers if w.tag]
        for table, keep in (
            ("workers", worker_ids),
            ("devices", [d.id for d in site.devices]),
            ("cranes", [c.id for c in site.cranes]),
            ("zones", [z.id for z in site.zones]),
            ("floors", [f.level for f in site.floors]),
        ):
            cur.execute(_Q[f"delete_{table}"], {"site": sid, "keep": keep})
            changes.removed[table] = cur.rowcount
        cur.execute(
            _Q["release_tags"],
            {"site": sid, "keep": [w.id for w in tagged], "tags": [w.tag for w in tagged]},
        )

        def upsert(table: str, query: str, rows: list[dict[str, Any]]) -> None:
            if rows:
                cur.executemany(_Q[query], rows)
                changes.written[table] = cur.rowcount

        upsert("floors", "upsert_floor", [{"site": sid, **f.model_dump()} for f in site.floors])
        upsert(
            "zones",
            "upsert_zone",
            [
                {"site": sid, **z.model_dump(), "polygon": Jsonb([list(p) for p in z.polygon])}
                for z in site.zones
            ],
        )
        upsert("cranes", "upsert_crane", [{"site": sid, **c.model_dump()} for c in site.cranes])
        # Gateways first, so that their children's references are satisfied in order.
        devices = sorted(site.devices, key=lambda d: d.kind != "gateway")
        upsert("devices", "upsert_device", [{"site": sid, **d.model_dump()} for d in devices])
        upsert("workers", "upsert_worker", [{"site": sid, **w.model_dump()} for w in site.workers])

        if changes.total:
            cur.execute(_Q["bump_registry_version"])
    return changes

"""`sitepulse alerts` and `sitepulse rules` as an operator runs them, against the real
database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.db import Connection
from core.settings import Settings
from rules.alerts import write_transitions
from rules.engine import Transition
from rules.observation import Observation
from rules.packs import load_rules, pack_files
from rules.store import load_context
from sites.site_file import SiteFile
from tests.helpers import rows, sitepulse


def test_a_manager_acknowledges_and_resolves_from_the_terminal(
    settings: Settings, conn: Connection, loaded_site: SiteFile, site_id: str
) -> None:
    rule = load_rules(pack_files())["crane.wind.stop_lifting"]
    ctx = load_context(conn, site_id, "Asia/Shanghai")
    obs = Observation("tc-1", datetime.now(UTC), True, False, 13.4, 12.0, device="tc-1")
    [written] = write_transitions(
        conn, ctx, [Transition("raise", rule, obs)], timedelta(minutes=10)
    )
    alert = written.alert_id
    listed = sitepulse(settings, "alerts", "list", "--site", site_id, "--state", "open").stdout
    assert f"#{alert} active       critical {site_id}" in listed
    assert "tc-1: wind 13.4 m/s at the jib (limit 12.0 m/s): stop open-air lifting" in listed
    acked = sitepulse(settings, "alerts", "ack", str(alert), "--by", "wang.gong").stdout
    assert acked.strip() == f"#{alert} acknowledged: Wind too strong for lifting"
    sitepulse(settings, "alerts", "resolve", str(alert), "--note", "crane parked, jib free")
    refused = sitepulse(settings, "alerts", "ack", str(alert), ok=False)
    assert f"alert {alert} is already resolved" in refused.stderr
    assert sitepulse(settings, "alerts", "ack", "999999", ok=False).stderr.strip() == (
        "sitepulse: no alert 999999"
    )
    trail = rows(
        conn, "SELECT kind, actor, note FROM alert_events WHERE alert_id = %s ORDER BY id", alert
    )
    assert trail[1:] == [
        ("acknowledged", "cli:wang.gong", None),
        ("resolved", f"cli:{trail[2][1].removeprefix('cli:')}", "crane parked, jib free"),
    ]


def test_rule_packs_are_checked_naming_the_line(settings: Settings, tmp_path: Path) -> None:
    pack = tmp_path / "site.yaml"
    pack.write_text(
        "pack: site\ntitle: Site\nrules:\n  - id: site.dust\n    name: Dust\n    kind: env\n"
        "    when: {metric: pm10_ugm3, op: '>', value: 300}\n    severity: loud\n"
        "    message: '{device}'\n    source: site rule\n"
    )
    refused = sitepulse(settings, "rules", "check", str(pack), ok=False)
    assert f"{pack}:8: rules[0].severity: Input should be" in refused.stderr
    pack.write_text(pack.read_text().replace("loud", "minor"))
    assert "rules in force" in sitepulse(settings, "rules", "check", str(pack)).stdout
    listed = sitepulse(settings, "rules", "list").stdout
    assert "crane.wind.stop_lifting" in listed
    assert "JGJ 33-2012 §4.1.15" in listed

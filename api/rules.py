"""A site's rules: what is in force, and an admin's overrides (applied without a restart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from api.deps import Admin, ConnDep, SettingsDep, Viewer
from api.floors import site_or_404
from api.problems import Problem
from core.errors import RulesInvalid
from core.settings import Settings
from core.sql import load_queries
from rules.model import Rule
from rules.packs import apply_override, load_rules, pack_files
from rules.store import overrides

router = APIRouter(prefix="/api/v1/sites/{site}/rules", tags=["rules"])
_Q = load_queries("api", "rules.sql")


class RuleInForce(BaseModel):
    id: str
    name: str
    severity: str
    enabled: bool
    source: str
    rule: dict[str, Any]
    override: dict[str, Any] | None
    # the override stored for this site is not valid (any more): the rule runs as shipped
    override_error: str | None = None


@router.get("")
def site_rules(site: str, conn: ConnDep, settings: SettingsDep, _key: Viewer) -> list[RuleInForce]:
    site_or_404(conn, site)
    patches = overrides(conn, site)
    return [_in_force(rule, patches.get(rule.id)) for rule in _shipped(settings).values()]


@router.put("/{rule_id}")
def override_rule(
    site: str,
    rule_id: str,
    conn: ConnDep,
    settings: SettingsDep,
    key: Admin,
    patch: Annotated[dict[str, Any], Body(examples=[{"when": {"value": 14}}, {"enabled": False}])],
) -> RuleInForce:
    """Merge `patch` over the shipped rule for this site, e.g. `{"when": {"value": 14}}`,
    `{"for": "30s"}`, `{"enabled": false}`. Refused (422, naming the field) if the result
    is not a valid rule. Replaces the site's previous override of this rule."""
    site_or_404(conn, site)
    rule = _rule_or_404(settings, rule_id)
    try:
        apply_override(rule, patch)
    except RulesInvalid as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from None
    conn.execute(
        _Q["upsert"],
        {"site": site, "rule": rule_id, "patch": Jsonb(patch), "by": f"key:{key.name}"},
    )
    return _in_force(rule, patch)


@router.delete("/{rule_id}", status_code=204)
def drop_override(
    site: str, rule_id: str, conn: ConnDep, settings: SettingsDep, _key: Admin
) -> Response:
    """Back to the shipped rule."""
    site_or_404(conn, site)
    _rule_or_404(settings, rule_id)
    conn.execute(_Q["delete"], {"site": site, "rule": rule_id})
    return Response(status_code=204)


def _shipped(settings: Settings) -> dict[str, Rule]:
    return load_rules(pack_files(settings.rules_dir))


def _rule_or_404(settings: Settings, rule_id: str) -> Rule:
    rule = _shipped(settings).get(rule_id)
    if rule is None:
        raise Problem(404, "Not found", f"no rule {rule_id!r}")
    return rule


def _in_force(rule: Rule, patch: dict[str, Any] | None) -> RuleInForce:
    effective, error = rule, None
    if patch:
        try:
            effective = apply_override(rule, patch)
        except RulesInvalid as exc:
            error = str(exc)
    return RuleInForce(
        id=effective.id,
        name=effective.name,
        severity=effective.severity,
        enabled=effective.enabled,
        source=effective.source,
        rule=effective.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        override=patch,
        override_error=error,
    )

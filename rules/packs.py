"""Rule packs: the YAML files shipped in rules/packs/ (and any in SITEPULSE_RULES_DIR),
and a site's overrides merged over them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import RulesInvalid
from core.yaml_file import Problem, YamlModel, dotted
from rules.model import Rule, RulePack

SHIPPED = Path(__file__).resolve().parent / "packs"


def parse_pack(text: str, source: str) -> RulePack:
    return PACK_FILE.parse(text, source)


def load_pack(path: Path) -> RulePack:
    return PACK_FILE.load(path)


def pack_files(extra: Path | None = None) -> list[Path]:
    dirs = [SHIPPED] + ([extra] if extra else [])
    return sorted(p for d in dirs for p in d.glob("*.yaml"))


def load_rules(files: Iterable[Path]) -> dict[str, Rule]:
    """Every rule of every pack by id; an id in two packs is refused, naming both."""
    rules: dict[str, Rule] = {}
    origin: dict[str, Path] = {}
    for path in files:
        for rule in load_pack(path).rules:
            if rule.id in rules:
                raise RulesInvalid(
                    f"{path}: rule {rule.id!r} is already defined in {origin[rule.id]}"
                )
            rules[rule.id] = rule
            origin[rule.id] = path
    return rules


def apply_override(rule: Rule, patch: Mapping[str, Any]) -> Rule:
    """The rule with a site's patch merged into it (mappings merge, the rest replaces);
    a patch that makes the rule invalid is refused naming the field."""
    merged = _merge(rule.model_dump(by_alias=True, exclude_defaults=False), patch)
    if merged.get("id", rule.id) != rule.id:
        raise RulesInvalid(f"{rule.id}: an override may not change the rule's id")
    try:
        return Rule.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{dotted(tuple(e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        )
        raise RulesInvalid(f"override of {rule.id} is invalid: {problems}") from None


def effective_rules(
    rules: Mapping[str, Rule], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, Rule]:
    """A site's rules: the packs with its overrides. Unknown ids in overrides are skipped
    (a pack may have dropped the rule), and so is an override the rule model now refuses
    (stored before a check was added): that rule runs as shipped and the others as
    overridden. `refused_overrides` says which, for the caller to report."""
    effective = dict(rules)
    for rule_id, patch in overrides.items():
        if rule_id in rules:
            try:
                effective[rule_id] = apply_override(rules[rule_id], patch)
            except RulesInvalid:
                continue
    return effective


def refused_overrides(
    rules: Mapping[str, Rule], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The overrides `effective_rules` leaves out, with why."""
    refused = {}
    for rule_id, patch in overrides.items():
        if rule_id in rules:
            try:
                apply_override(rules[rule_id], patch)
            except RulesInvalid as exc:
                refused[rule_id] = str(exc)
    return refused


def _merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _unique_ids(pack: RulePack) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, rule in enumerate(pack.rules):
        if rule.id in seen:
            problems.append(Problem(("rules", i, "id"), f"duplicate rule id {rule.id!r}"))
        seen.add(rule.id)
    return problems


PACK_FILE = YamlModel(RulePack, RulesInvalid, _unique_ids)

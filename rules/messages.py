"""Alert text: a rule's message template filled from an observation, in the site's words."""

from __future__ import annotations

import string
from typing import Any

from rules.context import SiteContext
from rules.model import Rule
from rules.observe import Observation


class _Lenient(string.Formatter):
    """A missing value reads as a dash instead of failing the alert."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        try:
            return str(super().format_field(value, format_spec))
        except (TypeError, ValueError):
            return str(value)


_FORMAT = _Lenient()


def alert_message(rule: Rule, obs: Observation, ctx: SiteContext) -> str:
    worker = ctx.workers_by_tag.get(obs.device or "")
    fields = {
        "subject": obs.subject,
        "device": obs.device or obs.subject,
        "worker": worker.name if worker else obs.device,
        "trade": worker.trade if worker else None,
        "floor": ctx.floor_name(obs.floor) if obs.floor is not None else None,
        "zone": obs.zone,
        "value": obs.value,
        "threshold": obs.threshold,
        "metric": _metric(rule),
        "rule": rule.name,
        "detail": obs.detail,
        "crane": obs.device,
        "count": obs.value,
    }
    return _FORMAT.format(rule.message, **fields)


def _metric(rule: Rule) -> str | None:
    if rule.when is not None:
        return rule.when.metric
    if rule.predicate is not None and rule.predicate.name == "flatline":
        return str(rule.predicate.param("metric"))
    return None

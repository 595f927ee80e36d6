"""Alert text: a rule's message template filled from an observation, in the site's words."""

from __future__ import annotations

import string
from typing import Any

from rules.context import SiteContext
from rules.model import MESSAGE_FORMAT_SPEC, MESSAGE_MAX_CHARS, Rule
from rules.observation import Observation


class _Lenient(string.Formatter):
    """A missing value reads as a dash instead of failing the alert. Only what
    rules.model lets a template name and format is honoured here too, should a template
    have been stored before it was checked so."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return kwargs.get(field_name), field_name  # never an attribute or an index

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return super().convert_field(value, conversion if conversion in ("s", "r") else None)

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        if not MESSAGE_FORMAT_SPEC.match(format_spec):
            return str(value)
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
    try:
        text = _FORMAT.format(rule.message, **fields)
    except ValueError:  # mixes {} and {0}: show the template rather than lose the alert
        text = rule.message
    # The template is bounded; the values in it (a detail, a name) are not.
    return text if len(text) <= MESSAGE_MAX_CHARS else text[: MESSAGE_MAX_CHARS - 1] + "…"


def _metric(rule: Rule) -> str | None:
    if rule.when is not None:
        return rule.when.metric
    if rule.predicate is not None and "metric" in rule.predicate.arguments:
        return str(rule.predicate.arguments["metric"])  # a predicate about one metric
    return None

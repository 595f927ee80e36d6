"""A site file as text a person reads and edits: one line per floor, zone, crane, device
and worker (as the demo's is written), each floor's zones under a comment naming it, and
suggested hazard zones as commented-out lines that a person confirms by uncommenting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from pydantic import BaseModel

from bim.hazards import Suggestion
from sites.site_file import SiteFile

# A string written without quotes: starts with a letter, then letters, digits, _ and -, and
# is none of the words YAML reads as a boolean or null.
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def site_yaml(site: SiteFile, suggestions: Sequence[Suggestion], header: Iterable[str]) -> str:
    lines = [f"# {line}" for line in header]
    lines.append(f"site: {_flow(site.site)}")
    lines += ["", "floors:"] + [f"  - {_flow(f)}" for f in site.floors]
    lines += ["", "zones:" if site.zones or suggestions else "zones: []"]
    names = {f.level: f.name for f in site.floors}
    suggested = {k: list(g) for k, g in groupby(suggestions, key=lambda s: s.zone.floor)}
    for level in sorted({z.floor for z in site.zones} | set(suggested)):
        lines.append(f"  # {names.get(level, level)}")
        lines += [f"  - {_flow(z)}" for z in site.zones if z.floor == level]
        if level in suggested:
            lines.append("  # suggested hazard zones, from the model: uncomment to confirm")
            lines += [f"  # - {_flow(s.zone)}  # {s.reason}" for s in suggested[level]]
    for section in ("cranes", "devices", "workers"):
        items: list[BaseModel] = getattr(site, section)
        lines += ["", f"{section}:" if items else f"{section}: []"]
        lines += [f"  - {_flow(item)}" for item in items]
    return "\n".join(lines) + "\n"


def _flow(item: BaseModel) -> str:
    fields = item.model_dump(exclude_none=True)
    return "{" + ", ".join(f"{key}: {_value(value)}" for key, value in fields.items()) + "}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value.lower() not in _YAML_WORDS
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"no YAML form for {value!r}")  # a field type this file does not hold


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != round(value, 3):  # finer than a millimetre: as it was written
        return repr(value)
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

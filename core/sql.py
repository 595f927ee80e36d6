"""SQL lives in .sql files beside the package that runs it, one query under each
`-- name: query_name` header; `load_queries` turns a file into a dict by name."""

from __future__ import annotations

import re
from importlib.resources import files

_HEADER = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            msg = f"query {name!r} is defined twice"
            raise ValueError(msg)
        queries[name] = body.strip()
    return queries


def load_queries(package: str, filename: str) -> dict[str, str]:
    return parse_queries(files(package).joinpath(filename).read_text(encoding="utf-8"))

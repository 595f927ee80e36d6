"""YAML files validated by a pydantic model, every problem named with its file and line:
`site.yaml:12: cranes[0].jib_m: Input should be greater than 0`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import SitePulseError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str


@dataclass(frozen=True)
class YamlModel(Generic[M]):
    """A kind of YAML file: the model it must validate as, the error that refuses it, and
    the checks across its parts that the model cannot make."""

    model: type[M]
    error: type[SitePulseError]
    check: Callable[[M], list[Problem]] | None = None

    def parse(self, text: str, source: str) -> M:
        """Parse, validate and cross-check; raise `error` naming each problem's line."""
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise self.error(
                f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"
            ) from None
        if root is None:
            raise self.error(f"{source}: the file is empty")
        lines: dict[Loc, int] = {}
        problems = list(_index_lines(root, (), lines))
        if not problems:
            data: Any = yaml.safe_load(text)
            try:
                value = self.model.model_validate(data)
            except ValidationError as exc:
                problems = [
                    Problem(tuple(err["loc"]), str(err["msg"]).removeprefix("Value error, "))
                    for err in exc.errors(include_url=False)
                ]
            else:
                problems = self.check(value) if self.check else []
                if not problems:
                    return value
        report = "\n".join(
            f"{source}:{_line_of(p.loc, lines)}: {dotted(p.loc)}: {p.message}" for p in problems
        )
        raise self.error(
            f"{source} is invalid ({len(problems)} problem(s)); nothing was loaded\n{report}"
        )

    def load(self, path: Path) -> M:
        """`parse` of a file's text; a file that cannot be read is refused naming it."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error(f"{path}: cannot read: {exc}") from None
        return self.parse(text, str(path))


def dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _index_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Iterator[Problem]:
    """Map each location to its line: a mapping's key to the key's line, an item to its own."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                lines[(*loc, key)] = key_node.start_mark.line + 1
                yield Problem((*loc, key), "duplicate key")
                continue
            seen.add(key)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            yield from _index_lines(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _index_lines(item, (*loc, i), lines)


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1

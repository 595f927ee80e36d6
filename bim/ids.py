"""Zone ids valid under the contract (`[A-Za-z0-9_-]{1,64}`) and stable across re-exports
of the same model."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def level_tag(level: int) -> str:
    """`f2` for level 2, `b1` for level -1: how zone ids name their floor."""
    return f"f{level}" if level > 0 else f"b{-level}"


def unique_ids(names: Sequence[tuple[str, str]], taken: Iterable[str] = ()) -> list[str]:
    """An id for each (name, GlobalId): the name itself when it is a valid id and no other
    has it; else the name made valid, and where that clashes (or is empty) a suffix derived
    from the GlobalId, so that a re-export of the same model keeps the same ids."""
    bases = [slug(name) for name, _ in names]
    counts = Counter(bases)
    reserved = set(taken)
    ids = []
    for base, (_, global_id) in zip(bases, names, strict=True):
        if base and counts[base] == 1 and base not in reserved:
            ids.append(base)
        else:
            digest = hashlib.blake2s(global_id.encode(), digest_size=4).hexdigest()
            ids.append(f"{base[:55] or 'zone'}-{digest}")
    return ids


def slug(name: str) -> str:
    """`name` if it is a valid id; else its runs of other characters as `-`."""
    if _ID.match(name):
        return name
    return _NOT_ID.sub("-", name).strip("-")[:64]

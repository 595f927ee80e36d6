"""Text that came from a device, made safe to store, index and show: what PostgreSQL
cannot take (NUL, lone surrogates) and what a terminal or a log should not get (control
characters) is escaped, and the length is bounded, so that a hostile id or key can
neither be refused by the database nor grow an index row past its limit."""

from __future__ import annotations

import hashlib

ELLIPSIS = "…"


def printable(text: str, limit: int) -> str:
    """`text` with unprintable characters escaped (`\\x00`, `\\ud800`), cut to `limit`."""
    if len(text) <= limit and text.isprintable():
        return text
    head = text[: limit + 1]
    shown = (
        head
        if head.isprintable()
        else "".join(char if char.isprintable() else _escape(char) for char in head)
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + ELLIPSIS


def fingerprint(text: str) -> str:
    """A short, stable name for text that cannot be shown whole: 8 hex digits of its hash
    (lone surrogates included, so that two such ids never share one)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"

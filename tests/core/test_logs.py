"""core.logs: secrets in URLs are masked in every log line, whoever logs them."""

from __future__ import annotations

import io
import logging

import pytest

from core.logs import RedactSecrets, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '127.0.0.1:5 - "GET /board/tower-a?key=sp_abc123 HTTP/1.1" 200',
            '127.0.0.1:5 - "GET /board/tower-a?key=*** HTTP/1.1" 200',
        ),
        (
            "/api/v1/x?page=2&api_key=k1&TOKEN=t2&db_password=p3&client_secret=s4&floor=3",
            "/api/v1/x?page=2&api_key=***&TOKEN=***&db_password=***&client_secret=***&floor=3",
        ),
        ("/stream?key=sp_a%2Fb#frag", "/stream?key=***#frag"),
        (
            "connect postgresql://sitepulse:hunter2@db:5432/sitepulse failed",
            "connect postgresql://sitepulse:***@db:5432/sitepulse failed",
        ),
        ("GET /m/tower-a?keyboard=1", "GET /m/tower-a?keyboard=***"),  # names with key: masked
        ("http://host:8080/path?page=2 and key=value outside a query", None),
    ],
)
def test_secrets_in_query_strings_and_urls_are_masked(line: str, expected: str | None) -> None:
    assert redact(line) == (expected if expected is not None else line)


def test_the_filter_masks_a_record_with_arguments_and_its_traceback() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.logs.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        # uvicorn's access logger passes the path as an argument
        logger.warning('%s - "%s %s"', "127.0.0.1", "GET", "/board/a?key=sp_secret1")
        error = RuntimeError("cannot reach mqtt://ingest:sp_secret2@broker:1883")
        logger.error("failed", exc_info=(RuntimeError, error, None))
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "sp_secret1" not in text
    assert "sp_secret2" not in text
    assert "/board/a?key=***" in text
    assert "mqtt://ingest:***@broker:1883" in text

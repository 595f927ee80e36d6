"""The one logging setup: one line per event, to stderr, with the service name, and no
secrets: query parameters that carry one (`?key=`, `token`, `*password*`...) and URL
passwords are masked in every line, whoever logs it (uvicorn's access log included)."""

from __future__ import annotations

import logging
import re
import sys

MASK = "***"
# A query parameter whose name says it holds a secret: key, token, api_key, db_password...
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;][^=&;#\s\"']*(?:key|token|secret|password|passwd)[^=&;#\s\"']*)="
    r"(?P<value>[^&;#\s\"']*)",
    re.IGNORECASE,
)
# The password in scheme://user:password@host
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s\"']*):[^@/\s\"']*@", re.IGNORECASE
)


def redact(text: str) -> str:
    text = _SECRET_PARAM.sub(lambda m: f"{m['name']}={MASK}", text)
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}:{MASK}@", text)


class RedactSecrets(logging.Filter):
    """Masks secrets in the formatted message (and any traceback) before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup_logging(level: str, service: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")
    )
    # On the handler, not a logger: records propagated from any logger pass through it.
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

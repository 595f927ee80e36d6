"""Real local receivers for notifications: an HTTP server that checks each robot's
signature the way the real service does and records what it accepted, an SMTP server
(aiosmtpd) that records the mail it received, either of them over TLS with a test CA's
certificate, and a server that answers broken HTTP."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

SECRET = "test-signing-secret"


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


def reply_json(handler: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
    body = json.dumps(answer).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@dataclass
class HttpReceiver:
    """POST /webhook, /wecom, /dingtalk, /feishu. A bad signature is refused as the real
    services refuse it; only accepted requests are recorded (header names lower-cased)."""

    port: int
    tls: ssl.SSLContext | None = None  # a server context: HTTPS
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer, why = receiver.judge(parts.path, query, headers, raw)
                if why:
                    receiver.refused.append(f"{parts.path}: {why}")
                else:
                    receiver.received.append(
                        Received(parts.path, query, dict(self.headers), json.loads(raw))
                    )
                reply_json(self, status, answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str) -> str:
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def judge(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], str]:
        """Check a request as the real service does: (status, body, why it was refused)."""
        check = _CHECKS.get(path)
        if check is None:
            return 404, {"error": "no such path"}, f"unknown path {path}"
        return check(query, headers, raw)


Verdict = tuple[int, dict[str, Any], str]


def _webhook(_query: dict[str, str], headers: dict[str, str], raw: bytes) -> Verdict:
    stamp = headers.get("x-sitepulse-timestamp", "0")
    mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256)
    if headers.get("x-sitepulse-signature") != "sha256=" + mac.hexdigest():
        return 401, {"error": "bad signature"}, "bad webhook signature"
    return 200, {"ok": True}, ""


def _wecom(_query: dict[str, str], _headers: dict[str, str], raw: bytes) -> Verdict:
    body = json.loads(raw)
    if body.get("msgtype") != "markdown" or not body["markdown"].get("content"):
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}, "bad body"
    return 200, {"errcode": 0, "errmsg": "ok"}, ""


def _dingtalk(query: dict[str, str], _headers: dict[str, str], _raw: bytes) -> Verdict:
    stamp = query.get("timestamp", "0")
    mac = hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256)
    if query.get("sign") != base64.b64encode(mac.digest()).decode():
        return 200, {"errcode": 310000, "errmsg": "sign not match"}, "bad dingtalk sign"
    if abs(time.time() * 1000 - int(stamp)) > 3600_000:
        return 200, {"errcode": 310000, "errmsg": "timestamp expired"}, "stale"
    return 200, {"errcode": 0, "errmsg": "ok"}, ""


def _feishu(_query: dict[str, str], _headers: dict[str, str], raw: bytes) -> Verdict:
    body = json.loads(raw)
    stamp = body.get("timestamp", "0")
    mac = hmac.new(f"{stamp}\n{SECRET}".encode(), b"", hashlib.sha256)
    if body.get("sign") != base64.b64encode(mac.digest()).decode():
        return 200, {"code": 19021, "msg": "sign match fail"}, "bad feishu sign"
    return 200, {"code": 0, "msg": "success", "data": {}}, ""


_CHECKS = {"/webhook": _webhook, "/wecom": _wecom, "/dingtalk": _dingtalk, "/feishu": _feishu}


class BrokenHttpReceiver:
    """Reads each request whole, then answers `answer` (whatever bytes it is) and hangs
    up: a receiver that speaks broken HTTP. Counts the requests it read."""

    def __init__(self, answer: bytes) -> None:
        self.requests = 0
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                length = 0
                while (line := self.rfile.readline(65537)).strip():
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                self.rfile.read(length)
                receiver.requests += 1
                with contextlib.suppress(OSError):  # a client may give up reading, rightly
                    self.wfile.write(answer)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass(frozen=True)
class Certificates:
    """A CA of its own, and a server certificate for 127.0.0.1 it signed."""

    ca: Path
    cert: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> Certificates:
        ca, ca_key = folder / "ca.pem", folder / "ca.key"
        cert, key, request = folder / "server.pem", folder / "server.key", folder / "server.csr"
        extensions = folder / "server.ext"
        extensions.write_text(
            "subjectAltName = IP:127.0.0.1\n"
            "basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature\n"
            "extendedKeyUsage = serverAuth\n"
            "subjectKeyIdentifier = hash\n"
            "authorityKeyIdentifier = keyid:always\n",
            encoding="utf-8",
        )
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        commands: list[list[str | Path]] = [
            [
                "openssl",
                "req",
                "-x509",
                *ec,
                "-keyout",
                ca_key,
                "-out",
                ca,
                "-days",
                "2",
                "-subj",
                "/CN=SitePulse test CA",
                "-addext",
                "basicConstraints = critical, CA:TRUE",
                "-addext",
                "keyUsage = critical, keyCertSign, cRLSign",
            ],
            ["openssl", "req", *ec, "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"],
            [
                "openssl",
                "x509",
                "-req",
                "-in",
                request,
                "-CA",
                ca,
                "-CAkey",
                ca_key,
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                extensions,
                "-out",
                cert,
            ],
        ]
        for command in commands:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{' '.join(map(str, command))}: {done.stderr}"
        return cls(ca, cert, key)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.append(message_from_bytes(content, EmailMessage, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


class SmtpReceiver:
    """With `tls`, a server context: offered by STARTTLS, or from the first byte
    (SMTPS) when `smtps`."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None, smtps: bool = False) -> None:
        self.port = port
        self._recorder = _Recorder()
        if tls is not None and smtps:
            self._controller = Controller(
                self._recorder, hostname="127.0.0.1", port=port, ssl_context=tls
            )
        else:
            self._controller = Controller(
                self._recorder, hostname="127.0.0.1", port=port, tls_context=tls
            )

    @property
    def messages(self) -> list[EmailMessage]:
        return self._recorder.messages

    @property
    def recipients(self) -> list[list[str]]:
        """Each message's envelope recipients (RCPT TO), which is where mail really goes."""
        return self._recorder.recipients

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


class _Server(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


Server = TypeVar("Server", bound=_Server)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """The receiver started, and stopped afterwards."""
    server.start()
    try:
        yield server
    finally:
        server.stop()

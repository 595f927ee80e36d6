"""Real local receivers for notifications: an HTTP server that checks each robot's
signature the way the real service does and records what it accepted, and an SMTP
server (aiosmtpd) that records the mail it received."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
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


@dataclass
class HttpReceiver:
    """POST /webhook, /wecom, /dingtalk, /feishu. A bad signature is refused as the real
    services refuse it; only accepted requests are recorded (header names lower-cased)."""

    port: int
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
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def judge(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], str]:
        now = time.time()
        if path == "/webhook":
            stamp = headers.get("x-sitepulse-timestamp", "0")
            mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256)
            if headers.get("x-sitepulse-signature") != "sha256=" + mac.hexdigest():
                return 401, {"error": "bad signature"}, "bad webhook signature"
            return 200, {"ok": True}, ""
        if path == "/wecom":
            body = json.loads(raw)
            if body.get("msgtype") != "markdown" or not body["markdown"].get("content"):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}, "bad body"
            return 200, {"errcode": 0, "errmsg": "ok"}, ""
        if path == "/dingtalk":
            stamp = query.get("timestamp", "0")
            mac = hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256)
            if query.get("sign") != base64.b64encode(mac.digest()).decode():
                return 200, {"errcode": 310000, "errmsg": "sign not match"}, "bad dingtalk sign"
            if abs(now * 1000 - int(stamp)) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "timestamp expired"}, "stale"
            return 200, {"errcode": 0, "errmsg": "ok"}, ""
        if path == "/feishu":
            body = json.loads(raw)
            stamp = body.get("timestamp", "0")
            mac = hmac.new(f"{stamp}\n{SECRET}".encode(), b"", hashlib.sha256)
            if body.get("sign") != base64.b64encode(mac.digest()).decode():
                return 200, {"code": 19021, "msg": "sign match fail"}, "bad feishu sign"
            return 200, {"code": 0, "msg": "success", "data": {}}, ""
        return 404, {"error": "no such path"}, f"unknown path {path}"


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.append(message_from_bytes(content, policy=policy.default))
        return "250 OK"


class SmtpReceiver:
    def __init__(self, port: int) -> None:
        self.port = port
        self._recorder = _Recorder()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=port)

    @property
    def messages(self) -> list[Message]:
        return self._recorder.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

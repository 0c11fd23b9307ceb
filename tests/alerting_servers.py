"""Real local servers for the alerting tests: an SMTP server (aiosmtpd) and a webhook receiver.

Both listen on a free port on 127.0.0.1 and record what they receive.
"""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """An aiosmtpd handler that keeps every message, or refuses them with `refuse`."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        if self.refuse:
            return self.refuse
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos),
                                  email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server on 127.0.0.1; stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> SMTPServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[tuple[list[str], Message]]:
        with self.handler.lock:
            return list(self.handler.messages)

    def recipients(self) -> list[str]:
        """Every recipient of every message received, one entry per delivery."""
        return [to for tos, _ in self.messages for to in tos]

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[list[str], Message]]:
        """The messages once at least `count` arrived (bounded wait)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@dataclass
class WebhookCall:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP server in a thread that records POSTs and answers `status` after `delay`."""

    status: int = 200
    delay: float = 0.0
    calls: list[WebhookCall] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hooks/alerts"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                receiver.calls.append(WebhookCall(dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                try:
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up waiting (the timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll: shutdown() waits for the loop's next turn (0.5 s by default).
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def running_smtp() -> Iterator[SMTPServer]:
    """An SMTP server for the length of a `with` block."""
    server = SMTPServer().start()
    try:
        yield server
    finally:
        server.stop()

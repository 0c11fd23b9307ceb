"""A TCP proxy on 127.0.0.1 that tests put in front of a real server and then cut or freeze."""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url


class FaultProxy:
    """Forward 127.0.0.1:<port> to a target; `cut()` drops everything, `freeze()` goes silent.

    - forwarding: bytes flow both ways, as if the client talked to the target directly;
    - cut: every open connection is closed and new ones are closed at once (a server that is down);
    - frozen: connections are accepted and kept open but nothing is forwarded (a server that hangs).
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "forwarding"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._peers: dict[socket.socket, socket.socket | None] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        with self._lock:
            self._close_all()
        self._selector.close()
        self._listener.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones until `restore()`."""
        with self._lock:
            self.mode = "cut"
            self._close_all()

    def freeze(self) -> None:
        """Accept connections but forward nothing until `restore()` (existing ones go silent)."""
        with self._lock:
            self.mode = "frozen"
            for sock in self._peers:  # kept open, but never read again
                try:
                    self._selector.unregister(sock)
                except (KeyError, ValueError):
                    pass

    def restore(self) -> None:
        """Forward again (connections made while frozen stay silent and are dropped)."""
        with self._lock:
            if self.mode == "frozen":
                self._close_all()
            self.mode = "forwarding"

    def _close_all(self) -> None:
        for sock in list(self._peers):
            self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        other = self._peers.pop(sock, None)
        for s in (sock, other):
            if s is None:
                continue
            try:
                self._selector.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()
        if other is not None:
            self._peers.pop(other, None)

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        if self.mode == "cut":
            client.close()
            return
        if self.mode == "frozen":
            client.setblocking(False)
            self._peers[client] = None  # held open, never read
            return
        upstream = socket.create_connection(self.target, timeout=5)
        for s in (client, upstream):
            s.setblocking(False)
            self._selector.register(s, selectors.EVENT_READ, None)
        self._peers[client] = upstream
        self._peers[upstream] = client

    def _run(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                with self._lock:
                    sock = key.fileobj
                    if sock is self._listener:
                        self._accept()
                        continue
                    if sock not in self._peers or self.mode != "forwarding":
                        continue
                    self._pump(sock)

    def _pump(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        other = self._peers.get(sock)
        if not data or other is None:
            self._drop(sock)
            return
        try:
            other.setblocking(True)
            other.sendall(data)
            other.setblocking(False)
        except OSError:
            self._drop(sock)


@contextmanager
def app_behind_proxy(config: dict[str, Any]) -> Iterator[tuple[Any, FaultProxy]]:
    """The app on the test PostgreSQL database through a FaultProxy, inside an app context.

    The schema is created if missing (never dropped: the session's fixtures own it) and the
    tables are emptied before and after.
    """
    from sqlalchemy import create_engine

    from models import db
    from moderation import create_app
    from tests.conftest import postgres_url
    from tests.isolation import delete_all_rows

    # Schema and cleaning go straight to the server, without the short test timeouts.
    direct = create_engine(postgres_url())

    def empty_all_tables() -> None:
        delete_all_rows(direct)

    db.metadata.create_all(direct)
    empty_all_tables()
    real = make_url(postgres_url())
    try:
        with FaultProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
            url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False)
            app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                try:
                    yield app, proxy
                finally:
                    proxy.restore()
                    db.session.remove()
                    db.engine.dispose()
    finally:
        empty_all_tables()
        direct.dispose()

"""Slow clients: can a signed-in midwife still use the queue while 200 slow connections are open?

Run: .venv/bin/python -m bench.bench_slowloris [--slow 200] [--seconds 20]

Starts the app three ways on 127.0.0.1, one after the other, each with a fresh migrated SQLite
database and a midwife account:

- "sync, direct": gunicorn as the Makefile served it before (`--workers 2`, sync workers);
- "gthread, direct": gunicorn.conf.py (2 gthread workers x 4 threads), no proxy;
- "gthread + nginx": the same behind nginx with the README's settings (buffered request bodies,
  10 s header and body timeouts), when /usr/sbin/nginx exists.

For each it opens --slow connections that send a request's headers one line every 5 s and never
finish them (slowloris; a connection closed by the server is reopened, so the pressure stays
constant), and meanwhile the signed-in midwife loads the queue page every 0.25 s with a 5 s
client timeout. It reports how many of her pages loaded and their latency. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_intake import _flask, _free_port
from bench.timing import PASSWORD, percentile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
NGINX = Path("/usr/sbin/nginx")
EMAIL = "sam.carter@example.org"  # the password rules refuse one sharing a word with it

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
user root;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream moderation {{ server 127.0.0.1:{upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        client_header_timeout 10s;
        client_body_timeout 10s;
        send_timeout 30s;
        client_max_body_size 1m;
        location / {{
            proxy_pass http://moderation;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_request_buffering on;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


class SlowClients(threading.Thread):
    """Keeps `count` connections open, each trickling one header line every 5 s, never done."""

    def __init__(self, port: int, count: int) -> None:
        super().__init__(daemon=True)
        self.port, self.count = port, count
        self.sockets: list[socket.socket | None] = [None] * count
        self.reopened = 0
        self.stopping = threading.Event()

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            return sock
        except OSError:
            return None

    def run(self) -> None:
        for i in range(self.count):
            self.sockets[i] = self._open()
        while not self.stopping.wait(5):
            for i, sock in enumerate(self.sockets):
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(f"X-Slow-{secrets.token_hex(2)}: 1\r\n".encode())
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.sockets[i] = self._open()
                    self.reopened += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)
        for sock in self.sockets:
            if sock is not None:
                sock.close()


class Midwife:
    """A signed-in midwife's browser, reduced to cookies and the queue page."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                timeout: float = 5) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def sign_in(self) -> None:
        from urllib.parse import urlencode

        _, html = self.request("GET", "/login")
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        data = {"email": EMAIL, "password": PASSWORD}
        if match:
            data["csrf_token"] = match.group(1)
        status, _ = self.request("POST", "/login", urlencode(data))
        if status != 302:
            sys.exit(f"sign-in failed with {status}")


def measure(midwife: Midwife, seconds: float) -> dict[str, float]:
    ok, failed, latencies = 0, 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        try:
            status, _ = midwife.request("GET", "/")
            ok += status == 200
            failed += status != 200
            if status == 200:
                latencies.append((time.perf_counter() - began) * 1000)
        except OSError:
            failed += 1
        time.sleep(0.25)
    return {"ok": ok, "failed": failed,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": percentile(latencies, 0.95) if latencies else float("nan"),
            "max": max(latencies) if latencies else float("nan")}


def wait_for(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    sys.exit("the server did not answer in time")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def run_one(label: str, workdir: Path, args: argparse.Namespace, *, new_config: bool,
            behind_nginx: bool) -> None:
    workdir.mkdir()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
           "MODERATION_INSTANCE_DIR": str(workdir), "SECRET_KEY": secrets.token_hex(16),
           "SESSION_COOKIE_SECURE": "0", "FLASK_DEBUG": "0", "WORKERS": "2",
           "LOGIN_RATE_LIMIT": "1000 per minute", "LOG_LEVEL": "WARNING"}
    _flask(env, "db", "upgrade")
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "users", "create", "--email", EMAIL,
                    "--name", "Sam Carter", "--role", "midwife"], cwd=PROJECT_ROOT, env=env,
                   input=f"{PASSWORD}\n{PASSWORD}\n", text=True, check=True,
                   capture_output=True)
    app_port = _free_port()
    config = ["--config", "gunicorn.conf.py"] if new_config else ["--workers", "2"]
    gunicorn = subprocess.Popen([str(VENV_BIN / "gunicorn"), *config, "--bind",
                                 f"127.0.0.1:{app_port}", "--log-level", "error", "wsgi:app"],
                                cwd=PROJECT_ROOT, env=env, start_new_session=True)
    processes = [gunicorn]
    port = app_port
    try:
        wait_for(app_port)
        if behind_nginx:
            port = _free_port()
            conf = workdir / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=workdir, upstream=app_port, port=port))
            processes.append(subprocess.Popen(
                [str(NGINX), "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"],
                start_new_session=True))
            wait_for(port)
        midwife = Midwife(port)
        midwife.sign_in()  # before the slow clients: she was already at work
        quiet = measure(midwife, 5)
        slow = SlowClients(port, args.slow)
        slow.start()
        time.sleep(2)  # let them all connect
        loaded = measure(midwife, args.seconds)
        slow.stop()
        after = measure(midwife, 3)
    finally:
        for process in reversed(processes):
            stop(process)
    print(f"  {label:<18} quiet: {quiet['ok']:.0f} ok, p50 {quiet['p50']:.0f} ms | "
          f"{args.slow} slow connections: {loaded['ok']:.0f} ok / {loaded['failed']:.0f} failed, "
          f"p50 {loaded['p50']:.0f} ms, p95 {loaded['p95']:.0f} ms, max {loaded['max']:.0f} ms"
          f" (slow connections reopened: {slow.reopened}) | after: {after['ok']:.0f} ok / "
          f"{after['failed']:.0f} failed", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(f"Load average before: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-slowloris-") as tmp:
        workdir = Path(tmp)
        run_one("sync, direct", workdir / "sync", args, new_config=False, behind_nginx=False)
        run_one("gthread, direct", workdir / "gthread", args, new_config=True,
                behind_nginx=False)
        if NGINX.exists() and shutil.which(str(NGINX)):
            run_one("gthread + nginx", workdir / "nginx", args, new_config=True,
                    behind_nginx=True)
        else:
            print("  gthread + nginx    skipped: /usr/sbin/nginx not installed")
    print(f"Load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

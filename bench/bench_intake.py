"""Intake speed: POST /api/v1/comments, triage included, through gunicorn on SQLite.

Run: .venv/bin/python -m bench.bench_intake [--requests 3000] [--clients 4] [--workers 2]
     [--max-seconds 120] [--model PATH] [--sqlite-synchronous normal]

Starts gunicorn (2 sync workers) on 127.0.0.1 with a fresh, migrated SQLite file database and
a site key, warms both workers up (the model loads on first use), then sends a bounded number
of distinct comments from a pool of HTTP/1.1 clients and stops by itself. It prints sustained
comments per second and latency percentiles as the client sees them, and checks afterwards
that every comment answered 201 is in the database, triaged. Target: at least 300 comments/s
with p99 under 50 ms. Loopback only: nothing leaves this machine.

The app as shipped runs SQLite in WAL mode with synchronous=FULL: every 201 has been fsynced,
so each comment costs one disk flush while it holds SQLite's single write lock, and the disk's
fsync time bounds the rate. `--sqlite-synchronous normal` measures the alternative (WAL with
synchronous=NORMAL: durable across a crash of the app, but a power cut may roll back the last
commits) by setting that pragma from a gunicorn hook; it changes nothing in the app.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.datagen import intake_requests
from bench.timing import percentile
from classifier import DEFAULT_MODEL_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = DEFAULT_MODEL_PATH


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start serving in time")


class Client(threading.Thread):
    """One keep-alive HTTP client sending its share of the requests."""

    def __init__(self, port: int, key: str, bodies: list[bytes], stop_at: float) -> None:
        super().__init__(daemon=True)
        self.port, self.bodies, self.stop_at = port, bodies, stop_at
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                        "Connection": "keep-alive"}
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for body in self.bodies:
            if time.monotonic() > self.stop_at:
                break
            start = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/comments", body=body, headers=self.headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                # Count the failure and start a new connection for the next request.
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            # A server that closes after each answer (gunicorn's sync workers) is fine too:
            # http.client opens a new connection for the next request by itself.
            self.latencies_ms.append((time.perf_counter() - start) * 1000)
            self.statuses[status] = self.statuses.get(status, 0) + 1
        connection.close()


SYNCHRONOUS_HOOK = """
def post_worker_init(worker):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _synchronous(dbapi_connection, connection_record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous={level}")
            cursor.close()
"""


def _workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's worker processes."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def drive(port: int, key: str, payloads: list[dict], clients: int, max_seconds: float):
    """Send the payloads from `clients` threads; return (seconds, latencies, statuses)."""
    bodies = [json.dumps(p, ensure_ascii=False).encode("utf-8") for p in payloads]
    stop_at = time.monotonic() + max_seconds
    threads = [Client(port, key, bodies[i::clients], stop_at) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [ms for thread in threads for ms in thread.latencies_ms]
    statuses: dict[int, int] = {}
    for thread in threads:
        for status, count in thread.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return elapsed, latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="gthread keeps connections alive between requests")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--model", type=Path, default=Path(
        os.environ.get("TRIAGE_MODEL_PATH", DEFAULT_MODEL)))
    parser.add_argument("--sqlite-synchronous", choices=["full", "normal"], default="full",
                        help="full: the app as shipped; normal: what-if, set from a hook")
    args = parser.parse_args()
    requests = max(1, min(args.requests, 100_000))  # bounded, whatever is asked

    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        run(args, requests, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, requests: int, workdir: Path) -> None:
    """Set up the database and server in workdir, send the comments, print the figures."""
    db_path = workdir / "bench.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}",
           "MODERATION_INSTANCE_DIR": str(workdir), "SECRET_KEY": secrets.token_hex(16),
           "TRIAGE_MODEL_PATH": str(args.model), "FLASK_DEBUG": "0"}
    if not args.model.exists():
        print(f"No model at {args.model}: training one (flask triage train)…", flush=True)
        _flask(env, "triage", "train", "--if-missing")
    _flask(env, "db", "upgrade")
    key = _flask(env, "sites", "create", "bench").strip().splitlines()[-1]

    load_before = os.getloadavg()[0]
    port = _free_port()
    command = [str(VENV_BIN / "gunicorn"), "--workers", str(args.workers),
               "--worker-class", args.worker_class,
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if args.sqlite_synchronous != "full":
        hook = workdir / "gunicorn_hooks.py"
        hook.write_text(SYNCHRONOUS_HOOK.format(level=args.sqlite_synchronous.upper()))
        command += ["--config", str(hook)]
    server = subprocess.Popen([*command, "wsgi:app"], cwd=PROJECT_ROOT, env=env)
    try:
        _wait_until_serving(port, server)
        warm = intake_requests(40 * args.workers, seed=7, prefix="warm")
        drive(port, key, warm, max(args.clients, args.workers), 60)
        payloads = intake_requests(requests, seed=1)
        print(f"Sending {requests} comments from {args.clients} clients to gunicorn "
              f"({args.workers} {args.worker_class} workers, SQLite "
              f"synchronous={args.sqlite_synchronous.upper()})…",
              flush=True)
        cpu_before, client_before = _workers_cpu_seconds(server.pid), time.process_time()
        elapsed, latencies, statuses = drive(port, key, payloads, args.clients, args.max_seconds)
        cpu_per_comment_ms = (_workers_cpu_seconds(server.pid) - cpu_before) / len(latencies) * 1000
        client_cpu_ms = (time.process_time() - client_before) / len(latencies) * 1000
        retry_elapsed, retry_latencies, retry_statuses = drive(
            port, key, payloads[: min(500, requests)], args.clients, args.max_seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)

    with sqlite3.connect(db_path) as connection:
        stored, triaged = connection.execute(
            "SELECT count(*), sum(triaged) FROM comments WHERE external_id LIKE 'bench-%'"
        ).fetchone()
        by_urgency = dict(connection.execute(
            "SELECT urgency, count(*) FROM comments WHERE external_id LIKE 'bench-%' "
            "GROUP BY urgency").fetchall())

    done = len(latencies)
    print(f"\nNew comments (201 expected): {done} in {elapsed:.1f} s "
          f"= {done / elapsed:.0f} comments/s")
    print(f"  latency p50 {statistics.median(latencies):.1f} ms   "
          f"p95 {percentile(latencies, 0.95):.1f} ms   p99 {percentile(latencies, 0.99):.1f} ms"
          f"   max {max(latencies):.1f} ms")
    print(f"  statuses {dict(sorted(statuses.items()))}; CPU per comment: server "
          f"{cpu_per_comment_ms:.1f} ms, this client {client_cpu_ms:.1f} ms; "
          f"load average before: {load_before:.2f}")
    print(f"Retries of the same external_id (200 expected): {len(retry_latencies)} in "
          f"{retry_elapsed:.1f} s = {len(retry_latencies) / retry_elapsed:.0f}/s, "
          f"p99 {percentile(retry_latencies, 0.99):.1f} ms, "
          f"statuses {dict(sorted(retry_statuses.items()))}")
    print(f"Stored: {stored} comments, {triaged} triaged by the model; urgency {by_urgency}")
    print(f"Targets: >= 300 comments/s {'met' if done / elapsed >= 300 else 'NOT met'}; "
          f"p99 < 50 ms {'met' if percentile(latencies, 0.99) < 50 else 'NOT met'}; "
          f"every 201 stored {'yes' if stored == statuses.get(201, 0) else 'NO'}")


if __name__ == "__main__":
    main()

"""Cold start: how long a fresh gunicorn worker takes to serve its first comment.

Run: .venv/bin/python -m bench.bench_coldstart [--rounds 3] [--baseline REV] [--model PATH]

Compares, in the same run and interleaved round by round, this tree (gunicorn.conf.py: gthread,
the app and the triage model preloaded in the master) with the code at --baseline (default: the
commit before the resilience work, served as its Makefile did: `gunicorn --workers 2`, the model
loaded by a worker's first comment). Each side gets its own migrated SQLite database and the same
model file. Two scenarios per round:

- start: gunicorn is started; as soon as it answers HTTP (a request that does not load the model),
  4 clients send their first comment at once; figure: the slowest of those first comments, and
  the time from launching gunicorn to the last of them answered;
- restart: with 1 worker serving, the worker is killed (SIGKILL, as a crash or a timeout does);
  figure: the time from the kill until a comment is answered 201 again.

Target: a cold worker serves its first comment in under 2 s of wall time. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

from bench.bench_intake import _flask as _flask_here
from bench.bench_intake import _free_port
from bench.datagen import intake_requests
from classifier import DEFAULT_MODEL_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = DEFAULT_MODEL_PATH
DEFAULT_BASELINE = "559201f"


def export_tree(rev: str, target: Path) -> Path:
    """Write the files of commit `rev` into target (no git metadata is changed)."""
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def flask_in(tree: Path, env: dict[str, str], *args: str) -> str:
    if tree == PROJECT_ROOT:
        return _flask_here(env, *args)
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=tree, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed in {tree}:\n{result.stdout}{result.stderr}")
    return result.stdout


class Side:
    """One version of the app: its tree, database, site key and gunicorn command line."""

    def __init__(self, name: str, tree: Path, workdir: Path, model: Path, new_config: bool):
        self.name, self.tree, self.new_config = name, tree, new_config
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
                    "MODERATION_INSTANCE_DIR": str(workdir), "SECRET_KEY": secrets.token_hex(16),
                    "TRIAGE_MODEL_PATH": str(model), "FLASK_DEBUG": "0", "LOG_LEVEL": "WARNING"}
        flask_in(tree, self.env, "db", "upgrade")
        self.key = flask_in(tree, self.env, "sites", "create", "bench").strip().splitlines()[-1]
        self.sent = 0

    def start(self, port: int, workers: int) -> subprocess.Popen:
        if self.new_config:
            command = ["--config", "gunicorn.conf.py"]
            env = {**self.env, "WORKERS": str(workers)}
        else:
            command = ["--workers", str(workers)]
            env = self.env
        return subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), *command, "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=self.tree, env=env, start_new_session=True)

    def next_payload(self) -> bytes:
        self.sent += 1
        payload = intake_requests(1, seed=self.sent, prefix=f"cold{self.sent}")[0]
        return json.dumps(payload).encode()


def post_comment(port: int, key: str, body: bytes, timeout: float = 120) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/api/v1/comments", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        return connection.getresponse().status
    finally:
        connection.close()


def wait_for_http(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            time.sleep(0.05)
    sys.exit("gunicorn did not answer in time")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def start_scenario(side: Side) -> tuple[float, float]:
    """(slowest first comment of 4 concurrent, launch-to-all-answered), in seconds."""
    port = _free_port()
    launched = time.perf_counter()
    server = side.start(port, workers=2)
    try:
        wait_for_http(port, server)
        latencies: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()

        def first_comment(body: bytes) -> None:
            began = time.perf_counter()
            status = post_comment(port, side.key, body)
            with lock:
                latencies.append(time.perf_counter() - began)
                statuses.append(status)

        threads = [threading.Thread(target=first_comment, args=(side.next_payload(),))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        total = time.perf_counter() - launched
        if statuses.count(201) != 4:
            sys.exit(f"{side.name}: first comments answered {statuses}")
        return max(latencies), total
    finally:
        stop(server)


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def restart_scenario(side: Side) -> float:
    """Seconds from killing the only worker until a comment is answered 201 again."""
    port = _free_port()
    server = side.start(port, workers=1)
    try:
        wait_for_http(port, server)
        if post_comment(port, side.key, side.next_payload()) != 201:  # warm: model loaded
            sys.exit(f"{side.name}: warm-up comment failed")
        (worker,) = worker_pids(server.pid)
        killed = time.perf_counter()
        os.kill(worker, signal.SIGKILL)
        deadline = killed + 180
        while time.perf_counter() < deadline:
            try:
                if post_comment(port, side.key, side.next_payload(), timeout=60) == 201:
                    return time.perf_counter() - killed
            except OSError:
                pass
            time.sleep(0.02)
        sys.exit(f"{side.name}: no comment served within 180 s of the kill")
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    if not args.model.exists():
        sys.exit(f"No model at {args.model}: run `make model` first.")
    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp:
        workdir = Path(tmp)
        baseline_tree = export_tree(args.baseline, workdir / "baseline-tree")
        sides = [Side(f"baseline {args.baseline}", baseline_tree, workdir / "baseline",
                      args.model, new_config=False),
                 Side("this tree", PROJECT_ROOT, workdir / "current", args.model,
                      new_config=True)]
        results: dict[str, dict[str, list[float]]] = {
            s.name: {"first": [], "total": [], "restart": []} for s in sides}
        print(f"Load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds, "
              "sides interleaved", flush=True)
        for round_no in range(args.rounds):
            for side in sides if round_no % 2 == 0 else reversed(sides):
                first, total = start_scenario(side)
                restart = restart_scenario(side)
                figures = results[side.name]
                figures["first"].append(first)
                figures["total"].append(total)
                figures["restart"].append(restart)
                print(f"  round {round_no + 1} {side.name:<18} slowest first comment "
                      f"{first:6.2f} s   launch to 4 answered {total:6.2f} s   "
                      f"kill to served {restart:6.2f} s", flush=True)
    print("\nmin / median, seconds of wall time")
    for name, figures in results.items():
        print(f"  {name:<18} " + "   ".join(
            f"{label} {min(v):.2f} / {statistics.median(v):.2f}"
            for label, v in (("first comment", figures["first"]),
                             ("launch to served", figures["total"]),
                             ("kill to served", figures["restart"]))))
    base, here = (results[s.name] for s in sides)
    for label in ("first", "restart"):
        print(f"  ratio this tree / baseline, {label} (median): "
              f"{statistics.median(here[label]) / statistics.median(base[label]):.2f}")
    worst = max(here["first"] + here["restart"])
    print(f"Target: a cold worker serves its first comment in < 2 s: "
          f"{'met' if worst < 2 else 'NOT met'} (worst {worst:.2f} s)")
    print(f"Load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

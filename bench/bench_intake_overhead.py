"""Intake overhead: CPU per comment of our POST /api/v1/comments against its stack's ceiling.

Run: .venv/bin/python -m bench.bench_intake_overhead [--rounds 5] [--requests 600]
     [--workers 2] [--clients 4] [--baseline REV] [--postgres URL] [--model PATH]

Side by side, in one run, under the same gunicorn settings (gthread, --workers, 4 threads; the
app with its own gunicorn.conf.py, which preloads the model):
- ours: this tree's app (`wsgi:app`), with a migrated database and a site key;
- baseline (with --baseline REV): the app at that commit, the same way, for "before";
- ceiling: bench/ceiling_app.py, a minimal Flask + SQLAlchemy insert of the same row;
- ceiling+model: the same plus our triage (safety rules and model), the fair yardstick;
- ceiling+model+search: the same on a table with the queue's search index, to show how much
  of ours is that index (every stored comment updates it), not the app.

Every round sends each side `--requests` fresh comments (bench/datagen.intake_requests) from
`--clients` threads, the order of the sides rotated each round and reversed every other round,
and reads the server's CPU (user + system of the gunicorn workers, from /proc) before and
after. Figures per side: CPU ms per comment and comments/s, min / median over rounds; ratios are
taken inside each round first. Then, in this process, it counts the SQL statements one intake
runs (SQLAlchemy's before_cursor_execute, plus pool pre-pings) on each side's database.
With --postgres URL (a server the bench may create databases on) every side uses its own
PostgreSQL database, named after the URL's database plus the side (e.g. `bench_ours`), else its
own SQLite file. Target: ours <= 1.5x ceiling+model. Loopback only.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_coldstart import export_tree
from bench.bench_intake import _free_port, _wait_until_serving, _workers_cpu_seconds, drive
from bench.datagen import intake_requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = PROJECT_ROOT / "classifier" / "artifacts" / "triage-model.skops"
COUNT_SCRIPT = Path(__file__).resolve().parent / "intake_statements.py"


class Side:
    """One server under test: its tree, WSGI target, environment and database."""

    def __init__(self, name: str, tree: Path, target: str, env: dict[str, str]) -> None:
        self.name, self.tree, self.target, self.env = name, tree, target, env
        self.port = _free_port()
        self.server: subprocess.Popen | None = None
        self.key = "none"
        self.cpu_ms: list[float] = []
        self.rates: list[float] = []
        self.failures = 0

    @property
    def is_app(self) -> bool:
        return self.target == "wsgi:app"

    def prepare(self) -> None:
        """Migrate the app's database and create a site key; make a ceiling's table here, once
        (its gunicorn workers would otherwise race to create it, which PostgreSQL refuses)."""
        if not self.is_app:
            # Importing the module builds the app from the side's environment; without the
            # model, which creating the table does not need.
            result = subprocess.run(
                [sys.executable, "-c", "import bench.ceiling_app"], cwd=self.tree,
                env={**self.env, "CEILING_MODEL": ""}, capture_output=True, text=True,
                timeout=600)
            if result.returncode != 0:
                sys.exit(f"{self.name}: could not create its table:\n{result.stderr}")
            return
        flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
        # As in production: migrated, the signposting register seeded, a site key.
        for args in (["db", "upgrade"], ["signposting", "seed"], ["sites", "create", "bench"]):
            result = subprocess.run([*flask, *args], cwd=self.tree, env=self.env,
                                    capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                sys.exit(f"{self.name}: flask {' '.join(args)} failed:\n{result.stderr}")
        self.key = result.stdout.strip().splitlines()[-1]

    def start(self, workers: int, workdir: Path) -> None:
        # The app's own gunicorn.conf.py (preloading, hooks) for the app; nothing for a ceiling.
        config = self.tree / "gunicorn.conf.py" if self.is_app else workdir / "empty.conf.py"
        config.touch()
        command = [str(VENV_BIN / "gunicorn"), "--config", str(config), "--workers",
                   str(workers), "--worker-class", "gthread", "--threads", "4",
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", self.target]
        self.server = subprocess.Popen(command, cwd=self.tree, env=self.env)
        _wait_until_serving_post(self)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


def _wait_until_serving_post(side: Side) -> None:
    """The app answers its OpenAPI document; a ceiling has only the POST, so warm it up."""
    if side.is_app:
        _wait_until_serving(side.port, side.server)
        return
    import time

    for _ in range(300):
        _seconds, _latencies, statuses = drive(side.port, side.key,
                                               intake_requests(1, seed=99, prefix=f"probe{_}"),
                                               1, 5)
        if statuses.get(201):
            return
        time.sleep(0.2)
    sys.exit(f"{side.name} did not start serving")


def make_sides(args: argparse.Namespace, workdir: Path) -> list[Side]:
    base = {**os.environ, "FLASK_DEBUG": "0", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": secrets.token_hex(16), "TRIAGE_MODEL_PATH": str(args.model),
            "PYTHONPATH": ""}
    trees = [("ours", PROJECT_ROOT)]
    if args.baseline:
        trees.append((f"baseline {args.baseline}",
                      export_tree(args.baseline, workdir / "baseline-tree")))
    sides = []
    for name, tree in trees:
        env = {**base, "DATABASE_URL": database_for(args, workdir, name),
               "MODERATION_INSTANCE_DIR": str(workdir / name.split()[0]),
               "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{name.split()[0]}")}
        Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
        sides.append(Side(name, tree, "wsgi:app", env))
    for name, model, search in (("ceiling", "", ""), ("ceiling+model", str(args.model), ""),
                                ("ceiling+model+search", str(args.model), "1")):
        env = {**base, "CEILING_DATABASE_URL": database_for(args, workdir, name),
               "CEILING_MODEL": model, "CEILING_SEARCH": search}
        sides.append(Side(name, PROJECT_ROOT, "bench.ceiling_app:app", env))
    return sides


def database_for(args: argparse.Namespace, workdir: Path, name: str) -> str:
    """A fresh database for one side: a SQLite file, or a new PostgreSQL database."""
    label = "".join(ch if ch.isalnum() else "_" for ch in name.split()[0])
    if not args.postgres:
        return f"sqlite:///{workdir / f'{label}.db'}"
    import psycopg

    admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
    # Named after the URL's own database, so that two benches on one server never share one.
    database = f"{args.postgres.rsplit('/', 1)[1] or 'bench_overhead'}_{label}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")
        connection.execute(f"CREATE DATABASE {database}")
    return args.postgres.rsplit("/", 1)[0] + f"/{database}"


def run_rounds(sides: list[Side], args: argparse.Namespace) -> None:
    for number in range(args.rounds):
        order = sides[number % len(sides):] + sides[:number % len(sides)]
        if number % 2:
            order.reverse()
        for side in order:
            payloads = intake_requests(args.requests, seed=number + 1,
                                       prefix=f"r{number}-{side.name.split()[0]}")
            before = _workers_cpu_seconds(side.server.pid)
            seconds, latencies, statuses = drive(side.port, side.key, payloads,
                                                 args.clients, 300)
            stored = statuses.get(201, 0)
            side.failures += len(latencies) - stored
            side.cpu_ms.append((_workers_cpu_seconds(side.server.pid) - before) / stored * 1000)
            side.rates.append(stored / seconds)
        print(f"round {number + 1}: " + ", ".join(
            f"{side.name} {side.cpu_ms[-1]:.2f} ms" for side in sides), flush=True)


def count_statements(side: Side) -> str:
    """Statements per intake on this side's database, counted in a process of its own."""
    url = side.env.get("DATABASE_URL") or side.env["CEILING_DATABASE_URL"]
    mode = "app" if side.is_app else "ceiling"
    result = subprocess.run(
        [sys.executable, str(COUNT_SCRIPT), mode, url, str(side.tree), str(side.env.get(
            "CEILING_MODEL") or side.env["TRIAGE_MODEL_PATH"])],
        cwd=side.tree, env=side.env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        return f"could not count ({result.stderr.strip().splitlines()[-1:]})"
    return result.stdout.strip()


def report(sides: list[Side], args: argparse.Namespace) -> None:
    print(f"\nCPU per comment over {args.rounds} rounds of {args.requests} comments "
          f"({args.workers} gthread workers, {args.clients} clients, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}): min / median")
    for side in sides:
        print(f"  {side.name:<28} {min(side.cpu_ms):6.2f} / {statistics.median(side.cpu_ms):6.2f}"
              f" ms   {min(side.rates):5.0f} / {statistics.median(side.rates):5.0f} comments/s"
              f"   not 201: {side.failures}")
    by_name = {side.name: side for side in sides}
    ours = by_name["ours"]
    for other in sides[1:]:
        ratios = [a / b for a, b in zip(ours.cpu_ms, other.cpu_ms, strict=True)]
        print(f"  ours / {other.name:<21} {min(ratios):5.2f} / {statistics.median(ratios):5.2f}")
    ceiling = by_name["ceiling+model"]
    median = statistics.median(a / b for a, b in zip(ours.cpu_ms, ceiling.cpu_ms, strict=True))
    print(f"Target ours <= 1.5x ceiling+model: {'met' if median <= 1.5 else 'NOT met'} "
          f"(median {median:.2f}); load average now {os.getloadavg()[0]:.2f}")
    print("\nSQL statements per new comment:")
    for side in sides:
        print(f"  {side.name:<28} {count_statements(side)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--baseline", default="", help="also run the app at this commit")
    parser.add_argument("--postgres", default="",
                        help="a PostgreSQL URL; each side gets a database created beside it")
    parser.add_argument("--model", type=Path, default=Path(
        os.environ.get("TRIAGE_MODEL_PATH", DEFAULT_MODEL)))
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, 50))
    args.requests = max(10, min(args.requests, 20_000))  # bounded, whatever is asked
    if not args.model.exists():
        sys.exit(f"No model at {args.model}: train one with `make model` or pass --model.")
    workdir = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    sides = make_sides(args, workdir)
    try:
        for side in sides:
            side.prepare()
            side.start(args.workers, workdir)
        for side in sides:  # load the model in every worker before measuring
            drive(side.port, side.key, intake_requests(20 * args.workers, seed=7,
                                                       prefix=f"warm-{side.name.split()[0]}"),
                  args.clients, 120)
        run_rounds(sides, args)
    finally:
        for side in sides:
            side.stop()
    report(sides, args)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Reports and exports with 1,000,000 comments: the page, its queries, its charts, and a
streamed export of 100,000 answered threads with the exporting process's peak memory.

Run: .venv/bin/python -m bench.bench_reports [--n 1000000] [--repeat 5] [--export-n 100000]
     [--sqlite-only | --postgres-only] [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_reports]
     [--fresh] [--no-export | --export-only]

The databases are built once (SQLite in the system temp folder, PostgreSQL in --postgres-url,
which is EMPTIED: give it a database of its own) and reused by later runs unless --fresh.
Report figures are the median of --repeat runs after one warm-up: the service call that
computes every table, and the whole page through the Flask test client (sign-in check,
queries, template), for the last 7, 30 and 90 days, each beside the former exact-SQL way
(interleaved, with a check that both give identical figures), and the page with the former
narrow read (comma-joined strings instead of packed integers on PostgreSQL). A database built
by an older version gets the indexes it lacks, and PostgreSQL a VACUUM (ANALYZE), as
autovacuum gives a live database (index-only scans need the visibility map). Exports run in child
processes (the CLI, and the web download through the test client) so that their peak RSS is
their own; an export of a tenth as many threads shows whether memory grows with the export.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.reports_timing import (
    exact_sql,
    former_read,
    interleaved_ms,
    median_ms,
    same_figures,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_reports")
PASSWORD = "bench-password-1234"
SUPERVISOR = "bench-supervisor@example.org"
SEED = 7


def make_app(url: str):
    from moderation import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False,
                       "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                       "RATELIMIT_ENABLED": False,
                       # Building 1,000,000 comments copies 50,000 rows per statement.
                       "DATABASE_STATEMENT_TIMEOUT_MS": 0})


def sign_in(client) -> None:
    """Sign the bench supervisor in through the real forms: password, then a TOTP code."""
    import pyotp

    from models import User, db, utcnow

    user = db.session.scalar(select(User).where(User.email == SUPERVISOR))
    if not user.totp_secret:  # a database built before staff had to enrol
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    response = client.post("/login", data={"email": SUPERVISOR, "password": PASSWORD})
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        db.session.refresh(user)
        totp = pyotp.TOTP(user.totp_secret)
        # A code works once: a second sign-in in the same 30 s uses the next step's code.
        step = max(totp.timecode(utcnow()), (user.totp_last_step or -1) + 1)
        response = client.post("/login/code", data={"code": totp.generate_otp(step)})
    db.session.rollback()
    assert response.status_code == 302 and not response.headers["Location"].startswith(
        "/login"), "bench sign-in failed"


def ensure_data(url: str, n: int, fresh: bool) -> None:
    """Build the database unless it already holds this benchmark's n comments."""
    from bench.datagen_threads import bulk_insert_threads
    from models import Comment, User, db
    from moderation.services.auth import password_hasher

    app = make_app(url)
    with app.app_context():
        if not fresh:
            try:
                count = db.session.scalar(select(func.count()).select_from(Comment).where(
                    Comment.external_id.like(f"bench-threads-{SEED}-%")))
                ready = count == n and db.session.scalar(
                    select(User).where(User.email == SUPERVISOR)) is not None
            except Exception:  # no schema yet
                db.session.rollback()
                ready = False
            if ready:
                print(f"  reusing {n:,} comments", flush=True)
                return
        db.session.remove()
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        with db.engine.begin() as connection:
            counts = bulk_insert_threads(connection, n, seed=SEED)
        db.session.add(User(email=SUPERVISOR, name="Bench Supervisor",
                            display_name="Bench", role="supervisor",
                            password_hash=password_hasher.hash(PASSWORD)))
        db.session.commit()
        print(f"  built in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)
    with make_app(url).app_context():
        db.engine.dispose()


def ensure_indexes(url: str) -> None:
    """Create the indexes a database built by an older version lacks, and bring PostgreSQL's
    statistics and visibility map up to date (index-only scans need it, as autovacuum keeps
    it in a live database) after a build."""
    from sqlalchemy import text

    from models import db

    with make_app(url).app_context():
        for table in db.metadata.sorted_tables:
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM (ANALYZE) comments, replies"))
        db.engine.dispose()


def rebuild_rollups(url: str, results: dict) -> None:
    """Roll up the finished days not rolled up yet (all of them the first time, as
    `flask reports rebuild-rollups` does), and time it."""
    from models import db
    from moderation.services.reports.rollups import roll_up_due
    from moderation.services.settings import current_policy

    with make_app(url).app_context():
        db.create_all()  # a database built before the rollups existed
        started = time.perf_counter()
        days = roll_up_due(current_policy().timezone)
        db.session.commit()
        seconds = time.perf_counter() - started
        results["rollups: days rolled up"] = days
        results["rollups: seconds"] = round(seconds, 1)
        print(f"  rollups: {days} days rolled up in {seconds:.1f} s", flush=True)
        db.engine.dispose()


def time_reports(url: str, repeat: int, results: dict, presets=(7, 30, 90)) -> None:
    """The service call and the page, old (exact SQL) and new side by side, for each preset;
    each table and the charts for 90 days."""
    from models import Comment, db
    from moderation.services.reports import SECTIONS, build_report, build_table, resolve_period

    app = make_app(url)
    with app.app_context():
        client = app.test_client()
        sign_in(client)
        for days in presets:
            period = resolve_period(str(days))
            answered = db.session.scalar(select(func.count()).select_from(Comment).where(
                Comment.first_replied_at >= period.start, Comment.first_replied_at < period.end))
            received = db.session.scalar(select(func.count()).select_from(Comment).where(
                Comment.received_at >= period.start, Comment.received_at < period.end))
            db.session.rollback()

            def service(period=period):
                build_report(period)
                db.session.rollback()

            def page(days=days):
                response = client.get(f"/supervisor/?period={days}")
                assert response.status_code == 200, response.status_code

            def old(call, way=exact_sql):
                def run():
                    with way():
                        call()
                return run

            timings = interleaved_ms({"service, exact SQL": old(service), "service": service,
                                      "page, exact SQL": old(page), "page": page,
                                      "page, former read": old(page, former_read)}, repeat)
            for name, (ms, cpu_ms) in timings.items():
                results[f"{name}, last {days} days"] = round(ms, 1)
                results[f"{name}, last {days} days, CPU"] = round(cpu_ms, 1)
            identical = same_figures(period)
            results[f"identical figures, last {days} days"] = identical
            print(f"  last {days:>2} days ({answered:,} answered, {received:,} received): "
                  + "; ".join(f"{what} {timings[what + ', exact SQL'][0]:7.1f} -> "
                              f"{timings[what][0]:7.1f} ms (CPU "
                              f"{timings[what + ', exact SQL'][1]:7.1f} -> "
                              f"{timings[what][1]:7.1f} ms)" for what in ("page", "service"))
                  + f"; page with the former read {timings['page, former read'][0]:7.1f} ms "
                  f"(CPU {timings['page, former read'][1]:7.1f} ms)"
                  + f"; identical figures: {identical}", flush=True)
        period = resolve_period("90")
        for name in SECTIONS:
            def one(name=name):
                build_table(name, period)
                db.session.rollback()

            results[f"table {name}, 90 days"] = round(median_ms(one, repeat), 1)
            print(f"    table {name:<22} {results[f'table {name}, 90 days']:7.1f} ms",
                  flush=True)
        for name in ("response-trend", "backlog", "topic-volume"):
            def chart(name=name):
                assert client.get(f"/supervisor/charts/{name}.svg?period=90").status_code == 200

            results[f"chart {name}, 90 days"] = round(median_ms(chart, repeat), 1)
            print(f"    chart {name:<22} {results[f'chart {name}, 90 days']:7.1f} ms",
                  flush=True)
        db.engine.dispose()


def first_reply_day_for(url: str, threads: int) -> date:
    """The UK day from which about `threads` answered threads were first replied to."""
    from models import Comment, db

    app = make_app(url)
    with app.app_context():
        moment = db.session.scalar(
            select(Comment.first_replied_at).where(Comment.status == "published",
                                                   Comment.first_replied_at.is_not(None))
            .order_by(Comment.first_replied_at.desc()).offset(threads).limit(1))
        db.engine.dispose()
    return (moment.astimezone(ZoneInfo("Europe/London")) + timedelta(days=1)).date()


def peak_rss_kib() -> int:
    """This process's peak resident memory (VmHWM: its own, not inherited from a parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource  # not Linux: the portable figure (may include the parent's at fork)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child process; return its wall time, its peak RSS (KiB) and its output."""
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{output}")
    peak = next(int(line.split()[1]) for line in output.splitlines()
                if line.startswith("peak_rss_kib "))
    return elapsed, peak, output


def time_exports(url: str, export_n: int, results: dict) -> None:
    """The CLI and the web download of answered threads, in child processes."""
    with tempfile.TemporaryDirectory(prefix="bench-reports-instance-") as instance:
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
               "MODERATION_INSTANCE_DIR": instance, "PYTHONPATH": str(ROOT)}
        _time_exports(env, url, export_n, results)


def _time_exports(env: dict[str, str], url: str, export_n: int, results: dict) -> None:
    child = [sys.executable, "-m", "bench.bench_reports"]
    seconds, peak, _ = run_child([*child, "--baseline-child", url], env)
    results["baseline: the app loaded, no export"] = {"seconds": round(seconds, 1),
                                                     "peak_rss_mib": round(peak / 1024, 1)}
    print(f"  baseline (app loaded, nothing exported): peak RSS {peak / 1024:6.1f} MiB",
          flush=True)
    for threads, fmt, via in ((export_n // 10, "csv", "cli"), (export_n, "csv", "cli"),
                              (export_n, "jsonl", "cli"), (export_n // 10, "csv", "web"),
                              (export_n, "csv", "web")):
        day = first_reply_day_for(url, threads)
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / f"threads.{fmt}"
            if via == "cli":
                command = [*child, "--cli-export-child", "--format", fmt, "--from",
                           day.isoformat(), "--output", str(output)]
            else:
                command = [*child, "--web-export-child", url, fmt, day.isoformat()]
            seconds, peak, log = run_child(command, env)
            size = output.stat().st_size if output.exists() else 0
        rows = _rows_from(log)
        label = f"export {via} {fmt}, {rows:,} threads"
        results[label] = {"seconds": round(seconds, 1), "peak_rss_mib": round(peak / 1024, 1)}
        size_note = f", {size / 2**20:.0f} MiB file" if size else ""
        print(f"  {label}: {seconds:5.1f} s{size_note}, peak RSS {peak / 1024:6.1f} MiB",
              flush=True)


def _rows_from(log: str) -> int:
    for word in log.replace("\n", " ").split():
        if word.isdigit():
            return int(word)
    return -1


def web_export_child(url: str, fmt: str, day: str) -> None:
    """Child process: download an export through the web view, reading the stream.

    Its peak includes signing in (argon2id is memory-hard: about 64 MiB while hashing).
    """
    from models import db

    app = make_app(url)
    with app.app_context():
        client = app.test_client()
        sign_in(client)
        response = client.post("/exports/threads", data={"format": fmt, "date_from": day},
                               buffered=False)
        assert response.status_code == 200, response.status_code
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        print(f"{response.headers['X-Export-Rows']} threads, {size} bytes streamed")
        db.engine.dispose()
    print(f"peak_rss_kib {peak_rss_kib()}")


def baseline_child(url: str) -> None:
    """Child process: load the app and touch the database, export nothing."""
    from models import db

    app = make_app(url)
    with app.app_context():
        db.session.execute(select(func.count()).select_from(db.metadata.tables["users"]))
        db.engine.dispose()
    print(f"peak_rss_kib {peak_rss_kib()}")


def cli_export_child(arguments: list[str]) -> None:
    """Child process: `flask --app wsgi export threads …`, then report its peak memory."""
    from flask.cli import main as flask_main

    sys.argv = ["flask", "--app", "wsgi", "export", "threads", *arguments]
    try:
        flask_main()
    except SystemExit as stop:
        if stop.code:
            raise
    print(f"peak_rss_kib {peak_rss_kib()}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--export-n", type=int, default=100_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    parser.add_argument("--no-export", action="store_true", help="time the reports only")
    parser.add_argument("--export-only", action="store_true", help="time the exports only")
    parser.add_argument("--days", default="7,30,90", help="the presets to time, comma-separated")
    parser.add_argument("--web-export-child", nargs=3, metavar=("URL", "FORMAT", "FROM"),
                        help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--cli-export-child"]:
        cli_export_child(sys.argv[2:])
        return
    if sys.argv[1:2] == ["--baseline-child"]:
        baseline_child(sys.argv[2])
        return
    args = parser.parse_args()
    if args.web_export_child:
        web_export_child(*args.web_export_child)
        return

    sqlite_path = Path(tempfile.gettempdir()) / f"bench-reports-{args.n}.db"
    backends = [] if args.postgres_only else [("SQLite", f"sqlite:///{sqlite_path}")]
    if not args.sqlite_only:
        backends.append(("PostgreSQL", args.postgres_url))
    summary = {}
    started = time.perf_counter()
    for name, url in backends:
        print(f"{name}: {args.n:,} comments", flush=True)
        ensure_data(url, args.n, args.fresh)
        ensure_indexes(url)
        results: dict = {}
        if not args.export_only:
            rebuild_rollups(url, results)
            time_reports(url, args.repeat, results,
                         tuple(int(days) for days in args.days.split(",")))
        if not args.no_export:
            time_exports(url, args.export_n, results)
        summary[name] = results
    print(f"\nTotal {time.perf_counter() - started:.0f} s. Summary (ms, or s and MiB):")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

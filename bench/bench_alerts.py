"""Alert latency: from an urgent comment's intake to the SMTP server receiving its alert.

Run: .venv/bin/python -m bench.bench_alerts [--comments 300] [--interval 0.05] [--poll 1]
     [--model PATH] [--database-url URL]

Starts a real SMTP server (aiosmtpd) on a free port on 127.0.0.1, makes a fresh database
(a temporary SQLite file, or the PostgreSQL database given, whose tables are DROPPED and made
again: give it a scratch database) with one supervisor and no rota (so every urgent comment
alerts her), and starts ONE `flask worker` process polling every --poll seconds. It then takes
--comments urgent comments through the real intake service (triage included), one every
--interval seconds, and times each from the intake's commit to the SMTP server's receipt of
its alert. It prints p50, p95, p99 and max, and checks that every comment was alerted exactly
once. Target: p99 under 5 s. Loopback only.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.datagen import intake_requests
from bench.timing import percentile
from classifier import DEFAULT_MODEL_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = DEFAULT_MODEL_PATH
# Appended to each generated comment so the safety rules make it urgent.
RED_FLAG = " Since this morning I am soaking a pad every hour and I feel faint when I stand."
SUBJECT_ID = re.compile(rb"^Subject: .*#(\d+)", re.MULTILINE)


class Arrivals:
    """An aiosmtpd handler noting when each comment's alert arrived."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        arrived = time.time()
        match = SUBJECT_ID.search(envelope.content)
        if match:
            with self.lock:
                self.times.setdefault(int(match.group(1)), []).append(arrived)
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--model", default=os.environ.get("TRIAGE_MODEL_PATH", DEFAULT_MODEL))
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command

    workdir = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    url = args.database_url or f"sqlite:///{workdir / 'alerts.db'}"
    arrivals = Arrivals()
    smtp_port = _free_port()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {**os.environ, "DATABASE_URL": url, "MODERATION_INSTANCE_DIR": str(workdir),
           "SECRET_KEY": "bench-secret", "TRIAGE_MODEL_PATH": str(args.model),
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
           "OUTBOX_POLL_SECONDS": str(args.poll)}
    os.environ.update({key: env[key] for key in ("MODERATION_INSTANCE_DIR",)})

    from models import User, db
    from moderation import create_app
    from moderation.services.intake import receive_comment

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"].replace(
        "postgresql://", "postgresql+psycopg://"), "SECRET_KEY": "bench-secret",
        "TRIAGE_MODEL_PATH": str(args.model), "SMTP_PORT": smtp_port})
    worker = None
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.session.add(User(email="duty.supervisor@example.org", name="Duty Supervisor",
                                display_name="Duty", role="supervisor", password_hash="-"))
            db.session.commit()
            requests = intake_requests(args.comments, seed=11, prefix="alert-bench")
            # Warm the model up before timing: the first triage loads it.
            receive_comment({**requests[0], "external_id": "warm-up"}, None)
            db.session.rollback()

            worker = subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "worker"],
                                      cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            time.sleep(2 * args.poll + 1)  # the worker is up and polling
            committed: dict[int, float] = {}
            not_urgent = 0
            print(f"alerts: {args.comments} urgent comments, one every {args.interval:g} s; "
                  f"one worker polling every {args.poll:g} s; {url.split(':')[0]}", flush=True)
            for data in requests:
                data = {**data, "body": data["body"][:9000] + RED_FLAG}
                comment = receive_comment(data, None).comment
                db.session.commit()
                if comment.urgency == "urgent":
                    committed[comment.id] = time.time()
                else:
                    not_urgent += 1
                time.sleep(args.interval)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with arrivals.lock:
                    if all(cid in arrivals.times for cid in committed):
                        break
                time.sleep(0.05)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        smtp.stop()

    with arrivals.lock:
        times = dict(arrivals.times)
    latencies = [times[cid][0] - sent for cid, sent in committed.items() if cid in times]
    missing = [cid for cid in committed if cid not in times]
    duplicates = [cid for cid, seen in times.items() if len(seen) > 1]
    if not latencies:
        print("no alert arrived")
        return 1
    print(f"  alerted {len(latencies)} of {len(committed)} urgent comments "
          f"({not_urgent} generated comments were not triaged urgent and were left out); "
          f"missing {len(missing)}, duplicates {len(duplicates)}")
    print(f"  intake -> SMTP: p50 {statistics.median(latencies):.3f} s   "
          f"p95 {percentile(latencies, 0.95):.3f} s   p99 {percentile(latencies, 0.99):.3f} s   "
          f"max {max(latencies):.3f} s   (target p99 < 5 s)")
    return 0 if not missing and not duplicates and percentile(latencies, 0.99) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())

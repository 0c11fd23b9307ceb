"""Gunicorn settings for the moderation app: `gunicorn -c gunicorn.conf.py wsgi:app` (`make serve`).

Choices, for this app (CPU-bound at 10-30 ms per request, one small model, 2 cores):
- `gthread` workers, workers = cores: more processes than cores buy nothing (measured in the
  performance review) while a few threads per worker keep one slow request (a long search, a
  report, a slow client) from holding the whole worker.
- `preload_app`: the app and the triage model are loaded once in the master, before the fork,
  so a new or restarted worker is ready at once and shares the model's memory. No database
  connection is opened in the master (create_app and the model load never connect); each worker
  drops any inherited pool in `post_fork` all the same.
- Timeouts: `timeout` only restarts a worker whose main loop is stuck; requests are bounded by
  the database's own timeouts (DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT_MS).
- Slow clients: gunicorn does not buffer requests. Run it behind a buffering reverse proxy
  (nginx, see README "Running in production"), which holds slow uploads and slow headers.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", 4))
preload_app = os.environ.get("PRELOAD_APP", "1") != "0"

# A worker that misses its heartbeat this long is restarted; the model is already loaded, so a
# replacement never starts cold.
timeout = int(os.environ.get("WORKER_TIMEOUT", 60))
graceful_timeout = 30
# Idle keep-alive connections wait in the worker's poller, not in a thread; close them soon.
keepalive = 5

# Request-line and header limits (bodies are limited by MAX_CONTENT_LENGTH in the app).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Prometheus counters from every worker are kept in this folder (prometheus-client's multiprocess
# mode). It is set, and emptied (counts of a previous run must not be added in), here: before
# the app, and with it prometheus_client, is imported.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      os.path.join(tempfile.gettempdir(), f"moderation-metrics-{os.getpid()}"))
shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], mode=0o700, exist_ok=True)

# Trust X-Forwarded-* only from the proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker) -> None:
    """Forget a dead worker's live gauges (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def when_ready(server) -> None:
    """In the master, after the app is imported: load the triage model before any fork."""
    if preload_app:
        from moderation.services.health import preload_model

        state = preload_model(server.app.wsgi())
        server.log.info("Triage model %s in the master", state)


def post_fork(server, worker) -> None:
    """In each new worker: fresh database connections, and the model if not preloaded."""
    from models import db
    from moderation.services.health import model_state, preload_model

    app = worker.app.wsgi()
    with app.app_context():
        # Sockets inherited from the master must never be shared between processes.
        db.engine.dispose(close=False)
    if model_state(app) == "not loaded":
        worker.log.info("Triage model %s in worker %s", preload_model(app), worker.pid)

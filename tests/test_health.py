"""Liveness and readiness: the model is loaded at worker start, and the probes say so."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from models import db, utcnow
from moderation.services.health import (
    model_state,
    preload_model,
    readiness,
    record_worker_heartbeat,
    worker_state,
)
from tests.conftest import PROJECT_ROOT


def test_healthz_answers_without_sign_in_or_database(client):
    """A load balancer can check the process is alive without credentials."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "alive"}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_worker_is_not_ready_before_its_model_is_loaded(app, client):
    """No traffic is sent to a worker that would load the model inside a request."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["model"] == "not loaded"


def test_a_worker_is_ready_once_the_model_is_loaded(app, client):
    """After preload the worker scores comments without any load in a request."""
    assert preload_model(app) == "loaded"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "model": "loaded", "worker": "none"},
    }


def test_a_missing_model_is_known_and_ready(app, client, tmp_path):
    """A missing model is a known state: comments still queue, for a person to read."""
    app.config["TRIAGE_MODEL_PATH"] = str(tmp_path / "absent.skops")
    assert preload_model(app) == "missing"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["model"] == "missing"


def test_a_broken_model_makes_the_worker_not_ready_and_hides_the_path(app, client, tmp_path):
    """A corrupt artifact is reported as broken, without the server's file path."""
    broken = tmp_path / "triage-model.skops"
    broken.write_bytes(b"not a model")
    app.config["TRIAGE_MODEL_PATH"] = str(broken)
    assert preload_model(app) == "broken"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["model"] == "broken"
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_worker_heartbeat_is_ok_then_stale(app):
    """The outbox worker's heartbeat is fresh for WORKER_HEARTBEAT_MAX_AGE seconds."""
    now = utcnow()
    assert worker_state(120, now) == "none"
    record_worker_heartbeat("outbox@host:1", now=now)
    db.session.commit()
    assert worker_state(120, now + timedelta(seconds=60)) == "ok"
    assert worker_state(120, now + timedelta(seconds=121)) == "stale"
    record_worker_heartbeat("outbox@host:1", now=now + timedelta(seconds=200))
    db.session.commit()
    assert worker_state(120, now + timedelta(seconds=210)) == "ok"


def test_readiness_can_require_a_live_worker(app):
    """Where alerts matter more than pages, a stale worker takes the node out of service."""
    preload_model(app)
    app.config["READYZ_REQUIRES_WORKER"] = True
    now = utcnow()
    record_worker_heartbeat("outbox@host:1", now=now - timedelta(minutes=10))
    db.session.commit()
    ready, checks = readiness(now)
    assert (ready, checks["worker"]) == (False, "stale")
    app.config["READYZ_REQUIRES_WORKER"] = False
    assert readiness(now)[0] is True


def test_loading_the_model_imports_only_what_scoring_needs(triage_model_path: Path):
    """A fresh worker loads the artifact without pytest or skops' estimator discovery."""
    code = (
        "import sys\n"
        "from classifier import load_model\n"
        f"model = load_model({str(triage_model_path)!r})\n"
        "assert model.predict('I am bleeding heavily').urgency\n"
        "print('pytest' in sys.modules, 'sklearn.gaussian_process' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_a_missing_model_does_not_import_scikit_learn(tmp_path):
    """Finding the model missing is cheap: no machine-learning import at all."""
    code = (
        "import sys\n"
        "from classifier import ModelNotFoundError, load_model\n"
        "try:\n"
        f"    load_model({str(tmp_path / 'absent.skops')!r})\n"
        "except ModelNotFoundError:\n"
        "    print('sklearn' in sys.modules, 'skops' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_model_state_of_a_fresh_app_is_not_loaded(app):
    """Until a worker tries, the state says so (never a guess)."""
    assert model_state(app) == "not loaded"


def test_gunicorn_workers_are_ready_before_their_first_comments(triage_model_path, tmp_path):
    """gunicorn.conf.py as served: concurrent first comments all stored, counted by /metrics."""
    import http.client
    import json
    import os
    import signal
    import socket
    import time
    from concurrent.futures import ThreadPoolExecutor

    from moderation import create_app
    from moderation.services.sites import create_site

    database = f"sqlite:///{tmp_path / 'served.db'}"
    setup = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database})
    with setup.app_context():
        db.create_all()
        _site, key = create_site("website")
        db.session.commit()
        db.engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database, "TRIAGE_MODEL_PATH": str(triage_model_path),
           "MODERATION_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "served-secret",
           "WORKERS": "2", "BIND": f"127.0.0.1:{port}", "METRICS_TOKEN": "served-token",
           "LOG_LEVEL": "WARNING", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus")}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--config",
                               "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT, env=env,
                              start_new_session=True)

    def call(method: str, path: str, body: dict | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=json.dumps(body) if body else None,
                               headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    try:
        for _ in range(600):  # the port opens only once the master has loaded the model
            try:
                status, text = call("GET", "/readyz")
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        assert status == 200 and json.loads(text)["checks"]["model"] == "loaded"

        def first_comment(n: int) -> int:
            return call("POST", "/api/v1/comments", {
                "external_id": f"cold-{n}", "body": "Bleeding heavily and feeling faint",
                "page": {"slug": "after", "title": "After", "url": "https://example.org/after"},
            }, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})[0]

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(first_comment, range(4))) == [201] * 4
        _, metrics = call("GET", "/metrics", headers={"Authorization": "Bearer served-token"})
        assert 'moderation_comments_received_total{channel="site"} 4.0' in metrics
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

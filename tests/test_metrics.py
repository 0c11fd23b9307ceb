"""Prometheus metrics: what an on-call person needs, for the monitoring system only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from models import utcnow
from moderation.services.health import preload_model
from moderation.services.metrics import Sample, _sources, add_scrape_source
from tests.conftest import PROJECT_ROOT

TOKEN = "scrape-token-for-tests-1234"


@pytest.fixture
def app_config(app_config):
    """Metrics for a bearer token."""
    return {**app_config, "METRICS_TOKEN": TOKEN}


def scrape(client, token: str = TOKEN) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    values = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_metrics_need_the_token(client):
    """Without the token the endpoint does not even admit it exists."""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_metrics_can_be_opened_to_a_network_instead(app, client):
    """Without a token, only the allowed networks may scrape."""
    app.config["METRICS_TOKEN"] = ""
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_ALLOWED_NETWORKS"] = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_queue_depth_and_the_oldest_unclaimed_urgent_comment(client, make_comment, midwife):
    """The figures behind 'urgent unclaimed for 15 minutes'."""
    now = utcnow()
    make_comment(urgency="urgent", received_at=now - timedelta(minutes=40))
    make_comment(urgency="urgent", received_at=now - timedelta(minutes=50),
                 claimed_by_id=midwife.id, claimed_at=now,
                 claim_expires_at=now + timedelta(minutes=3))  # being answered
    make_comment(urgency="routine")
    make_comment(urgency="routine", status="published")
    values = scrape(client)
    assert values[("moderation_queue_depth", (("urgency", "urgent"),))] == 2
    assert values[("moderation_queue_depth", (("urgency", "routine"),))] == 1
    assert values[("moderation_queue_depth", (("urgency", "priority"),))] == 0
    age = values[("moderation_oldest_unclaimed_urgent_age_seconds", ())]
    assert 40 * 60 <= age < 45 * 60
    assert values[("moderation_database_up", ())] == 1


def test_requests_are_counted_by_endpoint_and_status(client):
    """Route-level traffic and errors, with a small set of labels."""
    client.get("/login")
    client.get("/no-such-page")
    values = scrape(client)
    assert values[("moderation_http_requests_total",
                   (("endpoint", "auth.login"), ("method", "GET"), ("status", "200")))] >= 1
    assert values[("moderation_http_requests_total",
                   (("endpoint", "unmatched"), ("method", "GET"), ("status", "404")))] >= 1


def test_intake_and_triage_are_counted(client, app, make_page):
    """Comments received per channel and the time the model takes."""
    from moderation.services.intake import submit_public_comment

    before = scrape(client)
    page = make_page("after-a-miscarriage", "After a miscarriage")
    submit_public_comment(page, "Jo", None, "How long does the bleeding usually last?", None)
    after = scrape(client)
    key = ("moderation_comments_received_total", (("channel", "public"),))
    assert after[key] - before.get(key, 0) == 1
    count = ("moderation_triage_duration_seconds_count", ())
    assert after[count] - before.get(count, 0) == 1


def test_model_version_and_spool_are_reported(app, client):
    """Which model scores, and whether comments wait for the database."""
    preload_model(app)
    values = scrape(client)
    (info,) = [labels for name, labels in values if name == "moderation_model_info"]
    assert dict(info)["state"] == "loaded" and dict(info)["version"].startswith("triage-")
    assert values[("moderation_spool_files", ())] == 0


def test_other_parts_plug_in_their_own_figures(client):
    """The outbox worker adds its backlog and failures without changing this module."""
    add_scrape_source("outbox", lambda: [
        Sample("moderation_outbox_backlog", "Messages waiting", 3),
        Sample("moderation_outbox_failures", "Messages that failed", 1, {"channel": "email"})])
    try:
        values = scrape(client)
    finally:
        _sources.pop("outbox")
    assert values[("moderation_outbox_backlog", ())] == 3
    assert values[("moderation_outbox_failures", (("channel", "email"),))] == 1


def test_a_failing_source_does_not_break_the_scrape(client):
    """One broken figure must not hide all the others."""
    def broken():
        raise RuntimeError("outbox table missing")

    add_scrape_source("broken", broken)
    try:
        values = scrape(client)
    finally:
        _sources.pop("broken")
    assert ("moderation_queue_depth", (("urgency", "urgent"),)) in values


def test_gunicorn_workers_counters_are_added_up(tmp_path):
    """In multiprocess mode every process's counts reach the scrape."""
    code = textwrap.dedent("""
        import os, sys
        from moderation.services.metrics import REQUESTS, render_metrics
        from moderation import create_app
        if os.fork() == 0:
            REQUESTS.labels("auth.login", "GET", "200").inc()
            os._exit(0)
        os.wait()
        REQUESTS.labels("auth.login", "GET", "200").inc()
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
        print(render_metrics(app).decode())
    """)
    folder = tmp_path / "prom"
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{tmp_path / 'm.db'}"], cwd=PROJECT_ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}, capture_output=True,
        text=True, timeout=120, check=True)
    line = re.search(r'moderation_http_requests_total\{endpoint="auth.login",method="GET",'
                     r'status="200"\} (\S+)', result.stdout)
    assert line and float(line.group(1)) == 2

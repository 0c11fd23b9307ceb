"""Prometheus metrics at /metrics, for a bearer token or the allowed networks only."""

from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request

from moderation.extensions import limiter
from moderation.services.metrics import observe_request, render_metrics

bp = Blueprint("metrics", __name__)


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    networks = current_app.config["METRICS_ALLOWED_NETWORKS"]
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The metrics in Prometheus' text format (nothing when neither token nor network is set)."""
    if not _allowed():
        abort(404)  # say nothing about the endpoint to anyone else
    response = Response(render_metrics(current_app._get_current_object()),  # type: ignore[attr-defined]
                        mimetype="text/plain; version=0.0.4; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Count every answered request by endpoint, method and status."""

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count_request(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None:
            observe_request(request.endpoint, request.method, response.status_code,
                            time.perf_counter() - started)
        return response

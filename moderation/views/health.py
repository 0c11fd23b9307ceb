"""Liveness and readiness probes for the load balancer and the orchestrator."""

from __future__ import annotations

from flask import Blueprint, jsonify

from moderation.extensions import limiter
from moderation.services.health import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive and answering (touches nothing else)."""
    response = jsonify(status="alive")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready to serve: database reachable and the triage model loaded or known missing."""
    ready, checks = readiness()
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503

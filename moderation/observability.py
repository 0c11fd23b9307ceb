"""Structured logs: one JSON object per line, each with the id of the request it is about.

Every request gets an id: the X-Request-ID sent by the proxy when it is well formed, otherwise a
new one. It is returned in the X-Request-ID response header and added to every log line written
while the request runs, so one request can be followed from nginx through the app.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# Accept only ids that are safe to echo and to log (no spaces, quotes or line breaks).
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Probes and scrapes are logged at DEBUG: they would drown everything else.
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz", "metrics.metrics", "static"})


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    if has_request_context():
        return g.get("request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    """Put the current request id on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def json_handler(stream=None) -> logging.Handler:
    """A handler writing JSON lines with time, level, logger, message and request id."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}", style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    ))
    return handler


def configure_logging(app: Flask) -> None:
    """Send the app's logs (and the libraries') to stderr as JSON lines (LOG_FORMAT=json)."""
    level = app.config["LOG_LEVEL"]
    root = logging.getLogger()
    if app.config["LOG_FORMAT"] == "json":
        for handler in list(root.handlers):
            if getattr(handler, "_moderation", False):
                root.removeHandler(handler)
        handler = json_handler()
        handler._moderation = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        # Flask's own handler would print every line a second time, without the request id.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)
    else:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s [%(request_id)s] "
                                   "%(message)s")
        for handler in root.handlers:
            handler.addFilter(RequestIdFilter())
    root.setLevel(level)


def register(app: Flask) -> None:
    """Give every request an id, return it, and log one line per request."""
    log = logging.getLogger("moderation.requests")

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
        # The path may hold a comment id, never a comment's text; the query string is left out.
        log.log(level, "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "endpoint": request.endpoint, "status": response.status_code,
                       "duration_ms": duration_ms})
        return response

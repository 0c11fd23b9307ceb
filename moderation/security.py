"""HTTP response headers that protect health information in the browser."""

from __future__ import annotations

import hashlib
import logging
import os

from flask import Flask, Response, abort, g, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def _signed_in() -> bool:
    """Whether the request belongs to a signed-in person, without a database lookup.

    The user already loaded for this request decides; otherwise the session's user id does,
    so this step still works (and errs towards no-store) while the database is unreachable.
    """
    user = g.get("_login_user")
    if user is not None:
        return bool(user.is_authenticated)
    return bool(session.get("_user_id"))


def client_address() -> str:
    """The client's address: the socket peer, or what ProxyFix took from trusted proxies only."""
    return request.remote_addr or "unknown"


def session_identifier() -> str:
    """Flask-Login's "strong" session fingerprint, from the real address and the user agent.

    Flask-Login's own reads X-Forwarded-For whatever sends it, so a copied cookie could be
    replayed from anywhere with a forged header; ProxyFix decides what remote_addr is here.
    """
    user_agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{client_address()}|{user_agent}".encode()).hexdigest()


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host only from the configured number of proxies."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops < 0:
        raise ValueError("TRUSTED_PROXY_HOPS must be 0 or more.")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
        return
    warned = []

    @app.before_request
    def warn_about_an_untrusted_proxy() -> None:
        # Behind a proxy with hops=0 every visitor shares the proxy's address (and its limits).
        if not warned and "X-Forwarded-For" in request.headers:
            warned.append(True)
            log.warning("Requests carry X-Forwarded-For but TRUSTED_PROXY_HOPS is 0: every "
                        "client looks like %s; set TRUSTED_PROXY_HOPS behind a proxy.",
                        request.remote_addr)


# PostgreSQL's integer: a larger id in a URL can name nothing, so it is a 404, not a 500.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to what an integer column can hold."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def harden_url_map(app: Flask) -> None:
    """Bound integer URL parts; call before the blueprints add their routes."""
    app.url_map.converters["int"] = DatabaseIdConverter


def refuse_nul_bytes_in_the_path() -> None:
    """A NUL byte in an address names nothing here: 400 (forms and query strings are
    checked by the views, which keep what was typed; the DataError handler is the backstop)."""
    if "\x00" in request.path:
        abort(400, "The address contains a NUL character, which is never valid here.")


def protect_sqlite_file(app: Flask) -> None:
    """Create the SQLite file readable by its owner only (0600): it holds health data."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = url.database
    if path.startswith("file:"):
        return  # a URI filename: its owner chose how to open it
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # Create it now with 0600 (SQLite would use 0644), or tighten an existing file; SQLite
    # gives its -wal and -shm files the database file's permissions. An existing file is never
    # opened here: closing any descriptor of a file drops every POSIX lock this process holds
    # on it, which would corrupt SQLite connections already open in the same process.
    if not os.path.exists(path):
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.close(descriptor)
    os.chmod(path, 0o600)


def security_event(action: str, user=None, **details) -> None:
    """Record a security event with this request's address, user agent and path."""
    from moderation.services.security import record_security_event

    if user is None and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    record_security_event(action, user=user, address=client_address(),
                          user_agent=request.headers.get("User-Agent", ""),
                          path=request.path, **details)


# Refusals worth a security event, by status: a wrong API key, a forbidden page, a limit hit.
REFUSALS = {401: "security.api_key_failed", 403: "security.forbidden",
            429: "security.rate_limited"}


def register(app: Flask) -> None:
    """Trust the configured proxies and attach the protective headers to every response."""
    from moderation.extensions import login_manager

    trust_proxies(app)
    protect_sqlite_file(app)
    login_manager._session_identifier_generator = session_identifier
    hsts_seconds = int(app.config.get("HSTS_SECONDS") or 0)
    app.before_request(refuse_nul_bytes_in_the_path)

    @app.after_request
    def log_refusals(response: Response) -> Response:
        action = REFUSALS.get(response.status_code)
        if action and request.endpoint != "static":
            email = request.form.get("email") if request.method == "POST" else None
            try:
                security_event(action, email=email, method=request.method)
            except Exception:  # noqa: BLE001 - a refusal is answered even if its log fails
                log.exception("Could not record the security event %s", action)
        return response

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        # Blueprints with their own handler (the public form keeps the visitor's text) win.
        from moderation.errors import error_page, problem_response, wants_problem_json

        security_event("security.csrf_failed", reason=error.description)
        if wants_problem_json():
            return problem_response(400, "Form expired", error.description)
        return error_page(400, error.description)

    @app.errorhandler(DataError)
    def value_out_of_range(error: DataError):
        # A value the database cannot hold (a huge number, say) is bad input, not our fault.
        from moderation.errors import error_page, problem_response, wants_problem_json
        from moderation.extensions import db

        db.session.rollback()
        log.info("Refused input the database cannot store on %s %s: %s",
                 request.method, request.path, error.orig)
        detail = "A value in the request is out of range or cannot be stored."
        if wants_problem_json():
            return problem_response(400, "Invalid input", detail)
        return error_page(400, detail)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if hsts_seconds and request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        # Signed-in pages show health information: never keep them in any cache.
        if request.endpoint != "static" and _signed_in():
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

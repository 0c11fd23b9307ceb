"""HTTP response headers that protect health information in the browser."""

from __future__ import annotations

import hashlib
import logging

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

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


def register(app: Flask) -> None:
    """Trust the configured proxies and attach the protective headers to every response."""
    from moderation.extensions import login_manager

    trust_proxies(app)
    login_manager._session_identifier_generator = session_identifier
    hsts_seconds = int(app.config.get("HSTS_SECONDS") or 0)

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
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

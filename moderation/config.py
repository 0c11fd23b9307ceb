"""Configuration read from environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_PATH = PROJECT_ROOT / "classifier" / "artifacts" / "triage-model.skops"
INSTANCE_DIR = Path(os.environ.get("MODERATION_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _bool_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use SECRET_KEY, else a random key kept in the instance folder (never a fixed one)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = INSTANCE_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'moderation.db'}")
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_production_environment() -> bool:
    """Tell whether MODERATION_ENV or FLASK_ENV says this is the production service."""
    names = (os.environ.get("MODERATION_ENV", ""), os.environ.get("FLASK_ENV", ""))
    return any(name.strip().lower() in {"production", "prod"} for name in names)


def _rate_limit_storage() -> str:
    """Redis when REDIS_URL is set, so every worker counts against the same limits."""
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        return os.environ["RATELIMIT_STORAGE_URI"]
    return os.environ.get("REDIS_URL") or "memory://"


def load_config() -> dict:
    """Return the app's settings from the environment."""
    debug = _bool_env("FLASK_DEBUG", False)
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TRIAGE_MODEL_PATH": os.environ.get("TRIAGE_MODEL_PATH", str(DEFAULT_MODEL_PATH)),
        # Session cookies: HttpOnly and SameSite=Lax always, Secure unless debugging locally.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool_env("SESSION_COOKIE_SECURE", not debug),
        # __Host- names: only this host, only over HTTPS, path / (cannot be set by a subdomain).
        "SESSION_COOKIE_NAME": "__Host-session" if is_production_environment() else "session",
        "REMEMBER_COOKIE_NAME": (
            "__Host-remember" if is_production_environment() else "remember_token"),
        "REMEMBER_COOKIE_DURATION": min(30, int(os.environ.get("REMEMBER_ME_DAYS", 30))) * 86400,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool_env("SESSION_COOKIE_SECURE", not debug),
        # Each sign-in is a server-side session (models.session): it ends at its absolute
        # lifetime, after the idle timeout, or at sign-out/revocation, whatever the cookie says.
        "SESSION_LIFETIME_SECONDS": int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600)),
        "SESSION_IDLE_SECONDS": int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60)),
        "REMEMBER_ME_DAYS": min(30, int(os.environ.get("REMEMBER_ME_DAYS", 30))),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600)),
        # UK GDPR retention: a commenter's email, a year after the last reply to her; rejected
        # and spam comments, 90 days after the decision (`flask privacy purge`).
        "PRIVACY_EMAIL_RETENTION_DAYS": int(os.environ.get("PRIVACY_EMAIL_RETENTION_DAYS", 365)),
        "PRIVACY_UNPUBLISHED_RETENTION_DAYS": int(
            os.environ.get("PRIVACY_UNPUBLISHED_RETENTION_DAYS", 90)),
        "MFA_REQUIRED_FOR_EVERYONE": _bool_env("MFA_REQUIRED_FOR_EVERYONE", False),
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session it belongs to
        "PRODUCTION": is_production_environment(),
        # Proxies in front of the app whose X-Forwarded-For/-Proto we believe (ProxyFix).
        "TRUSTED_PROXY_HOPS": int(os.environ.get("TRUSTED_PROXY_HOPS", 0)),
        "HSTS_SECONDS": int(os.environ.get("HSTS_SECONDS", 0)),
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed sign-ins: per (account, address), per address, and per account from
        # anywhere; a device the account signed in on before counts on its own instead.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per 5 minutes"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "20 per 5 minutes"),
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "30 per hour"),
        "DEVICE_COOKIE_DAYS": int(os.environ.get("DEVICE_COOKIE_DAYS", 180)),
        "PASSWORD_CHANGE_RATE_LIMIT": os.environ.get(
            "PASSWORD_CHANGE_RATE_LIMIT", "5 per 15 minutes"),
        "PUBLIC_COMMENT_RATE_LIMIT": os.environ.get("PUBLIC_COMMENT_RATE_LIMIT", "5 per minute"),
        "QUEUE_POLL_SECONDS": int(os.environ.get("QUEUE_POLL_SECONDS", 15)),
        "API_MAX_CONTENT_LENGTH": int(os.environ.get("API_MAX_CONTENT_LENGTH", 64 * 1024)),
        # Defaults of the settings a supervisor can change in the app.
        "SERVICE_DEFAULTS": {
            "urgent_target_minutes": 60,
            "priority_target_working_hours": 4,
            "routine_target_working_days": 2,
            "workday_start": "09:00",
            "workday_end": "17:00",
            "working_weekdays": [0, 1, 2, 3, 4],
            "timezone": "Europe/London",
            "holiday_country": "GB",
            "holiday_subdivision": "ENG",
            "claim_timeout_minutes": 20,
        },
    }

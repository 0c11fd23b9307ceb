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
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool_env("SESSION_COOKIE_SECURE", not debug),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session it belongs to
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per 5 minutes"),
        "PUBLIC_COMMENT_RATE_LIMIT": os.environ.get("PUBLIC_COMMENT_RATE_LIMIT", "5 per minute"),
        "QUEUE_POLL_SECONDS": int(os.environ.get("QUEUE_POLL_SECONDS", 15)),
        # A waiting comment's time left turns amber when it is due within this many minutes.
        "QUEUE_AMBER_MINUTES": int(os.environ.get("QUEUE_AMBER_MINUTES", 60)),
        # How often the composer page says "I am here" and learns who else is (presence).
        "PRESENCE_POLL_SECONDS": int(os.environ.get("PRESENCE_POLL_SECONDS", 10)),
        "API_MAX_CONTENT_LENGTH": int(os.environ.get("API_MAX_CONTENT_LENGTH", 64 * 1024)),
        # Outbox and worker (docs/alerts.md).
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "OUTBOX_POLL_SECONDS": float(os.environ.get("OUTBOX_POLL_SECONDS", 1)),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8)),
        "OUTBOX_BACKOFF_SECONDS": float(os.environ.get("OUTBOX_BACKOFF_SECONDS", 15)),
        "OUTBOX_BACKOFF_MAX_SECONDS": float(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", 900)),
        "OUTBOX_LEASE_SECONDS": float(os.environ.get("OUTBOX_LEASE_SECONDS", 60)),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "127.0.0.1"),
        # Without a real mail server the users page also shows an invitation's link to pass on.
        "SMTP_CONFIGURED": "SMTP_HOST" in os.environ,
        "INVITE_HOURS": int(os.environ.get("INVITE_HOURS", 72)),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 1025)),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "none"),  # none, starttls or tls
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "Midwife replies <alerts@localhost>"),
        "SMTP_TIMEOUT_SECONDS": float(os.environ.get("SMTP_TIMEOUT_SECONDS", 10)),
        "ALERT_WEBHOOK_URL": os.environ.get("ALERT_WEBHOOK_URL", ""),
        "ALERT_WEBHOOK_SECRET": os.environ.get("ALERT_WEBHOOK_SECRET", ""),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
        # Escalation of an unclaimed urgent comment, and the life of an "I'm on it" link.
        "ESCALATE_AFTER_MINUTES": int(os.environ.get("ESCALATE_AFTER_MINUTES", 15)),
        "ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES": int(
            os.environ.get("ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES", 45)),
        "ACK_LINK_MAX_AGE_SECONDS": int(os.environ.get("ACK_LINK_MAX_AGE_SECONDS", 12 * 3600)),
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

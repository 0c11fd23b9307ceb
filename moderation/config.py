"""Configuration read from environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from classifier import DEFAULT_MODEL_PATH
from moderation.rules import GOVERNANCE_DEFAULTS, ServicePolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _float_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def idle_ping_seconds(settings: dict) -> float:
    """How long a pooled connection may sit idle before it is checked; 0: SQLAlchemy's
    pool_pre_ping checks it before every use (or nothing does, without DATABASE_POOL_PRE_PING)."""
    if not settings["DATABASE_POOL_PRE_PING"]:
        return 0.0
    return max(0.0, float(settings.get("DATABASE_PING_IDLE_SECONDS") or 0))


def database_engine_options(url: str, settings: dict) -> dict:
    """SQLAlchemy engine options with the database timeouts for this URL's dialect."""
    # With an idle time the app checks only connections idle that long
    # (moderation.extensions.ping_idle_connections) instead of pinging on every checkout.
    options: dict = {"pool_pre_ping": bool(settings["DATABASE_POOL_PRE_PING"])
                     and idle_ping_seconds(settings) == 0}
    if url.startswith("postgresql"):
        connect_timeout = settings["DATABASE_CONNECT_TIMEOUT"]
        options["pool_timeout"] = settings["DATABASE_POOL_TIMEOUT"]
        options["connect_args"] = {
            # libpq gives up on a connection (TCP and start-up) after this many seconds.
            "connect_timeout": connect_timeout,
            # The server cancels any statement running longer than this.
            "options": f"-c statement_timeout={settings['DATABASE_STATEMENT_TIMEOUT_MS']}",
            # A server host that vanishes mid-query: drop the socket instead of waiting forever.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": max(connect_timeout, 1) * 4000,
        }
    elif url.startswith("sqlite"):
        # Writers wait this long for SQLite's single write lock, then fail cleanly (503).
        options["connect_args"] = {"timeout": settings["SQLITE_BUSY_TIMEOUT_MS"] / 1000}
    return options


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
        # argon2id cost (time_cost, memory_cost, parallelism); None means the library's
        # recommended RFC 9106 low-memory profile. Only the tests lower it.
        "PASSWORD_HASH_PARAMETERS": None,
        # Database timeouts; the engine options are built from these for the URL's dialect
        # (SQLite keeps its busy timeout of 10 s, set on each connection).
        "DATABASE_CONNECT_TIMEOUT": _int_env("DATABASE_CONNECT_TIMEOUT", 5),
        "DATABASE_STATEMENT_TIMEOUT_MS": _int_env("DATABASE_STATEMENT_TIMEOUT_MS", 30_000),
        "DATABASE_POOL_TIMEOUT": _int_env("DATABASE_POOL_TIMEOUT", 10),
        "DATABASE_POOL_PRE_PING": _bool_env("DATABASE_POOL_PRE_PING", True),
        # ... but only of a connection idle in the pool longer than this (0: before every use).
        "DATABASE_PING_IDLE_SECONDS": _float_env("DATABASE_PING_IDLE_SECONDS", 1.0),
        "SQLITE_BUSY_TIMEOUT_MS": _int_env("SQLITE_BUSY_TIMEOUT_MS", 10_000),
        # Intake keeps the service settings and site keys this long per worker: a change or a
        # revoked key reaches every worker within this many seconds.
        "INTAKE_CACHE_SECONDS": _int_env("INTAKE_CACHE_SECONDS", 5),
        # Seconds a visitor or the API is asked to wait before retrying during an outage.
        "DATABASE_RETRY_AFTER": _int_env("DATABASE_RETRY_AFTER", 30),
        # Every request body, form posts included (the API keeps its own, smaller, limit).
        "MAX_CONTENT_LENGTH": _int_env("MAX_CONTENT_LENGTH", 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": _int_env("MAX_FORM_MEMORY_SIZE", 512 * 1024),
        # Public comments the database could not take wait here (one file each, mode 0600),
        # and are replayed at most every SPOOL_REPLAY_INTERVAL seconds (0: only by command).
        "SPOOL_DIR": os.environ.get("SPOOL_DIR", str(INSTANCE_DIR / "spool")),
        "SPOOL_REPLAY_INTERVAL": _int_env("SPOOL_REPLAY_INTERVAL", 30),
        # Logs: one JSON object per line with the request id (LOG_FORMAT=text for a console).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        # /metrics answers a bearer token, or else requests from these networks; neither: 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        "METRICS_ALLOWED_NETWORKS": [n.strip() for n in os.environ.get(
            "METRICS_ALLOWED_NETWORKS", "").split(",") if n.strip()],
        # Readiness: a worker heartbeat older than this is "stale"; optionally required.
        "WORKER_HEARTBEAT_MAX_AGE": _int_env("WORKER_HEARTBEAT_MAX_AGE", 120),
        "READYZ_REQUIRES_WORKER": _bool_env("READYZ_REQUIRES_WORKER", False),
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
        # A waiting comment's time left turns amber when it is due within this many minutes.
        "QUEUE_AMBER_MINUTES": int(os.environ.get("QUEUE_AMBER_MINUTES", 60)),
        # How often the composer page says "I am here" and learns who else is (presence).
        "PRESENCE_POLL_SECONDS": int(os.environ.get("PRESENCE_POLL_SECONDS", 10)),
        "API_MAX_CONTENT_LENGTH": int(os.environ.get("API_MAX_CONTENT_LENGTH", 64 * 1024)),
        # Outbox and worker (docs/alerts.md).
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Also told of every near miss (a missed emergency), beside the supervisors.
        "CLINICAL_OWNER_EMAIL": os.environ.get("CLINICAL_OWNER_EMAIL", "").strip(),
        "OUTBOX_POLL_SECONDS": float(os.environ.get("OUTBOX_POLL_SECONDS", 1)),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8)),
        "OUTBOX_BACKOFF_SECONDS": float(os.environ.get("OUTBOX_BACKOFF_SECONDS", 15)),
        "OUTBOX_BACKOFF_MAX_SECONDS": float(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", 900)),
        "OUTBOX_LEASE_SECONDS": float(os.environ.get("OUTBOX_LEASE_SECONDS", 60)),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "127.0.0.1"),
        # Without a real mail server the users page also shows an invitation's link to pass on.
        "SMTP_CONFIGURED": "SMTP_HOST" in os.environ,
        "INVITE_HOURS": int(os.environ.get("INVITE_HOURS", 72)),
        # Forgotten passwords: how long a reset link works, and how often one may be asked
        # for per email address (known or not) and per client address.
        "PASSWORD_RESET_MINUTES": int(os.environ.get("PASSWORD_RESET_MINUTES", 30)),
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT", "3 per hour"),
        "PASSWORD_RESET_ADDRESS_RATE_LIMIT": os.environ.get(
            "PASSWORD_RESET_ADDRESS_RATE_LIMIT", "10 per hour"),
        # The worker runs the retention purge at most this often (flask privacy purge by hand).
        "PRIVACY_PURGE_INTERVAL_HOURS": float(os.environ.get("PRIVACY_PURGE_INTERVAL_HOURS", 24)),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 1025)),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "none"),  # none, starttls or tls
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "Midwife replies <alerts@localhost>"),
        "SMTP_TIMEOUT_SECONDS": float(os.environ.get("SMTP_TIMEOUT_SECONDS", 10)),
        "ALERT_WEBHOOK_URL": os.environ.get("ALERT_WEBHOOK_URL", ""),
        "ALERT_WEBHOOK_SECRET": os.environ.get("ALERT_WEBHOOK_SECRET", ""),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
        # Answering (docs/replies.md): the undo window after Publish, and how private replies
        # are signed.
        "REPLY_UNDO_SECONDS": int(os.environ.get("REPLY_UNDO_SECONDS", 30)),
        "CHARITY_SIGNATURE": os.environ.get(
            "CHARITY_SIGNATURE", "The midwife team, Pregnancy loss support"),
        # Escalation of an unclaimed urgent comment, and the life of an "I'm on it" link.
        "ESCALATE_AFTER_MINUTES": int(os.environ.get("ESCALATE_AFTER_MINUTES", 15)),
        "ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES": int(
            os.environ.get("ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES", 45)),
        "ACK_LINK_MAX_AGE_SECONDS": int(os.environ.get("ACK_LINK_MAX_AGE_SECONDS", 12 * 3600)),
        # Defaults of the settings a supervisor can change in the app.
        # Reply targets, working hours and the claim lease until a supervisor changes them.
        "SERVICE_DEFAULTS": {**ServicePolicy().as_mapping(), **GOVERNANCE_DEFAULTS},
    }

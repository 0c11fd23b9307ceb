"""Websites allowed to send comments to the intake API, each with its own hashed key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from models import Site, db, utcnow
from moderation.services.audit import record_event
from moderation.services.cache import app_cache

# Keys look like "mk_" + 43 URL-safe characters; the prefix tells a leaked key apart in logs.
KEY_MARKER = "mk_"
KEY_PREFIX_LENGTH = 10
MAX_NAME_LENGTH = 100


class SiteError(ValueError):
    """A site cannot be created or revoked as asked."""


@dataclass(frozen=True)
class SiteIdentity:
    """Who sent a request: what intake needs of a site, safe to keep between requests."""

    id: int
    name: str


def hash_key(key: str) -> str:
    """Return the SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """Return a fresh random API key."""
    return KEY_MARKER + secrets.token_urlsafe(32)


def create_site(name: str) -> tuple[Site, str]:
    """Create a site and return it with its key, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise SiteError("A site needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise SiteError(f"A site name has at most {MAX_NAME_LENGTH} characters.")
    if db.session.scalar(select(Site).where(Site.name == name)) is not None:
        raise SiteError(f"A site called {name!r} already exists.")
    key = new_key()
    site = Site(name=name, key_hash=hash_key(key), key_prefix=key[:KEY_PREFIX_LENGTH])
    db.session.add(site)
    db.session.flush()
    record_event(None, "site.created", "site", site.id, name=name, key_prefix=site.key_prefix)
    return site, key


def revoke_site(name: str) -> Site:
    """Revoke a site's key so the API refuses it from now on."""
    site = find_site(name)
    if site is None:
        raise SiteError(f"No site called {name!r}.")
    if site.revoked_at is not None:
        raise SiteError(f"The site {site.name!r} was already revoked.")
    site.revoked_at = utcnow()
    db.session.flush()
    # This process stops accepting the key at once; other workers within the cache's seconds.
    app_cache("site_keys").clear()
    record_event(
        None, "site.revoked", "site", site.id,
        name=site.name, before={"revoked_at": None}, after={"revoked_at": site.revoked_at},
    )
    return site


def find_site(name: str) -> Site | None:
    """Return the site with this name, revoked or not."""
    return db.session.scalar(select(Site).where(Site.name == name.strip()))


def list_sites() -> list[Site]:
    """Return every site, active ones first, then by name."""
    return list(db.session.scalars(
        select(Site).order_by(Site.revoked_at.is_not(None), Site.name)
    ))


def site_for_key(key: str) -> Site | None:
    """Return the active site that owns this key, or None."""
    if not key.startswith(KEY_MARKER) or len(key) > 200:
        return None
    site = db.session.scalar(select(Site).where(Site.key_hash == hash_key(key)))
    if site is None or not site.is_active:
        return None
    return site


def active_site_for_key(key: str) -> SiteIdentity | None:
    """The active site owning this key, remembered for a few seconds per worker.

    A revoked key stops working in the worker that revoked it at once and in every other
    worker (or after `flask sites revoke`) within INTAKE_CACHE_SECONDS. Unknown keys are not
    remembered, so a new site's key works at once and guessing fills no memory.
    """
    if not key.startswith(KEY_MARKER) or len(key) > 200:
        return None

    def load() -> SiteIdentity | None:
        site = site_for_key(key)
        return SiteIdentity(site.id, site.name) if site is not None else None

    cache = app_cache("site_keys")
    digest = hash_key(key)
    identity = cache.get(digest, load)
    if identity is None:
        cache.forget(digest)
    return identity

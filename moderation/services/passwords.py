"""The password hasher: argon2id at the cost the app's configuration sets."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from flask import current_app, has_app_context


@lru_cache(maxsize=4)
def _hasher_for(parameters: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


@lru_cache(maxsize=4)
def _dummy_hash_for(parameters: tuple[tuple[str, int], ...]) -> str:
    return _hasher_for(parameters).hash("not-a-real-password-but-hashed-once")


class ConfiguredPasswordHasher:
    """argon2id with the app's PASSWORD_HASH_PARAMETERS; without them (production), the
    library's recommended parameters (RFC 9106 low-memory profile). Only tests lower them."""

    @staticmethod
    def _parameters() -> tuple[tuple[str, int], ...]:
        configured = current_app.config.get("PASSWORD_HASH_PARAMETERS") if has_app_context() \
            else None
        return tuple(sorted((configured or {}).items()))

    @property
    def hasher(self) -> PasswordHasher:
        """The argon2 hasher for the current app's parameters."""
        return _hasher_for(self._parameters())

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        return self.hasher.verify(password_hash, password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def dummy_hash(self) -> str:
        """A hash to verify against on unknown emails, so they take as long as a wrong password."""
        return _dummy_hash_for(self._parameters())


password_hasher = ConfiguredPasswordHasher()

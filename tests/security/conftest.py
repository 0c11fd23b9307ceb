"""Fixtures of the security suite: the real Redis (DB 5) when it is there."""

from __future__ import annotations

import os

import pytest

from tests.helpers import xdist_worker_number


def _redis_test_url() -> str:
    """REDIS_TEST_URL (DB 5 unless set), one DB further for each pytest-xdist worker."""
    base, _, number = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5").rpartition("/")
    return f"{base}/{int(number or 0) + xdist_worker_number()}"


REDIS_TEST_URL = _redis_test_url()
# CI (REQUIRE_BROWSER=1, set by .ci/run, which also starts Redis) may skip nothing.
STRICT = os.environ.get("REQUIRE_BROWSER") == "1"


def _unavailable(reason: str) -> None:
    if STRICT:
        pytest.fail(f"REQUIRE_BROWSER=1 (CI) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    """An empty Redis database for rate limits; skipped with the reason when Redis is absent."""
    try:
        import redis
    except ImportError:
        _unavailable("the redis package is not installed")
    connection = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    connection.flushdb()
    yield REDIS_TEST_URL
    connection.flushdb()
    connection.close()

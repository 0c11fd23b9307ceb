"""Short-lived values kept per worker process, so intake does not read them on every request.

Every worker keeps its own copy for at most `INTAKE_CACHE_SECONDS` (5 s by default): a change
made in one worker clears that worker's copy at once, and reaches every other worker (and a
change made by a `flask` command in another process) within that many seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

DEFAULT_SECONDS = 5.0
# Bounded so that a flood of made-up keys cannot grow a worker's memory.
MAX_ENTRIES = 1000


class TTLCache:
    """A small thread-safe map whose entries expire `seconds` after they were read."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value for key, or load() (kept until it expires)."""
        value = self.peek(key)
        if value is None:
            value = load()
            self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The cached value for key, or None when missing or expired."""
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > self.clock() else None

    def put(self, key: Hashable, value: Any) -> None:
        """Keep value for key for the cache's seconds."""
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (self.clock() + self.seconds, value)

    def forget(self, key: Hashable) -> None:
        """Drop one entry."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything, e.g. after this worker changed what is cached."""
        with self._lock:
            self._entries.clear()


def app_cache(name: str) -> TTLCache:
    """The current app's cache called name (one per app, so tests never share one)."""
    caches = current_app.extensions.setdefault("ttl_caches", {})
    cache = caches.get(name)
    if cache is None:
        seconds = float(current_app.config.get("INTAKE_CACHE_SECONDS", DEFAULT_SECONDS))
        cache = caches.setdefault(name, TTLCache(seconds))
    return cache

"""What the apps of a test session share, so that building one app per test stays cheap."""

# Most of the cost of a new app is work whose result never differs between apps: werkzeug
# compiling a URL builder for each of the ~115 routes, Jinja compiling each template a test
# renders, SQLAlchemy compiling each statement (its cache is per engine) and connecting. The
# apps, their settings and their state stay separate.

from __future__ import annotations

import marshal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy.engine import Engine, make_url
from werkzeug.routing import Rule


class SessionTemplateCache(BytecodeCache):
    """Jinja's compiled templates kept in memory for the test session (Jinja's own bytecode
    cache protocol: an entry is used only while the template's source checksum matches)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            data = self._code.get(bucket.key)
        if data is not None:
            checksum, code = marshal.loads(data)
            if checksum == bucket.checksum:
                bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            self._code[bucket.key] = marshal.dumps((bucket.checksum, bucket.code))


_builders: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}
_builders_lock = threading.Lock()


def _builder_key(rule: Rule, append_unknown: bool) -> tuple[Any, ...]:
    """Everything werkzeug's generated URL builder depends on: the rule's static and dynamic
    parts, defaults resolved through their converters, and whether unknown arguments become a
    query string. The converters themselves are read from the bound rule when it builds."""
    defaults = rule.defaults or {}
    parts = tuple(
        (is_dynamic, data,
         rule._converters[data].to_url(defaults[data]) if is_dynamic and data in defaults
         else None)
        for is_dynamic, data in rule._trace
    )
    return (rule.rule, append_unknown, parts, tuple(str(name) for name in defaults))


def _install_builder_cache() -> None:
    """Reuse werkzeug's compiled URL builders between apps (each is a plain function of the
    rule's shape, bound to the rule that uses it); skipped if werkzeug changed how it builds."""
    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "session_cached", False):
        return

    def compile_builder(self: Rule, append_unknown: bool = True):
        try:
            key = _builder_key(self, append_unknown)
        except (AttributeError, TypeError):  # a rule shape werkzeug added since: no caching
            return original(self, append_unknown)
        with _builders_lock:
            builder = _builders.get(key)
        if builder is None:
            builder = original(self, append_unknown)
            with _builders_lock:
                _builders[key] = builder
        return builder

    compile_builder.session_cached = True  # type: ignore[attr-defined]
    Rule._compile_builder = compile_builder  # type: ignore[method-assign]


# Apps on the session's own test databases share one engine per database and engine options.
# A test with real commits disposes the pool at its end, so no connection one of its threads
# may still hold goes to the next test; a rolled-back test returns its connection rolled back.
_engines: dict[tuple[str, str], Engine] = {}
_shared_urls: set[str] = set()
_engines_lock = threading.Lock()


def _url_text(url: Any) -> str:
    return make_url(url).render_as_string(hide_password=False)


@contextmanager
def engines_shared_on(url: str) -> Iterator[None]:
    """While open, apps on this database URL with the same engine options share one engine;
    at the end those engines are disposed and forgotten."""
    url = _url_text(url)
    with _engines_lock:
        _shared_urls.add(url)
    try:
        yield
    finally:
        with _engines_lock:
            _shared_urls.discard(url)
            engines = [key for key in _engines if key[0] == url]
            disposed = [_engines.pop(key) for key in engines]
        for engine in disposed:
            engine.dispose()


def is_shared(engine: Engine) -> bool:
    """Whether this engine serves every app of the session on its database."""
    with _engines_lock:
        return any(shared is engine for shared in _engines.values())


def _install_engine_sharing(database: SQLAlchemy) -> None:
    """Give apps on a shared test database the engine an earlier app made with the same
    options (Flask-SQLAlchemy's engine factory hook); any other database gets its own."""
    original = database._make_engine
    if getattr(original, "session_shared", False):
        return

    def make_engine(bind_key: str | None, options: dict[str, Any], app: Flask) -> Engine:
        url = _url_text(options["url"])
        if url not in _shared_urls or app.config.get("SQLALCHEMY_RECORD_QUERIES"):
            return original(bind_key, options, app)
        key = (url, repr(sorted((name, value) for name, value in options.items()
                                if name != "url")))
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = original(bind_key, options, app)
        return engine

    make_engine.session_shared = True  # type: ignore[attr-defined]
    database._make_engine = make_engine  # type: ignore[method-assign]


def install() -> None:
    """Share compiled URL builders, templates and engines among the session's apps."""
    from models import db

    _install_builder_cache()
    _install_engine_sharing(db)
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SessionTemplateCache()}

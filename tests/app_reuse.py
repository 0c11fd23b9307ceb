"""What the apps of a test session share, so that building one app per test stays cheap."""

# Most of the cost of a new app is work whose result never differs between apps: werkzeug
# parsing each of the ~115 routes and compiling its URL builders, Jinja compiling each
# template a test renders, SQLAlchemy compiling each statement (its cache is per engine) and
# connecting. The apps, their settings and their state stay separate.

from __future__ import annotations

import copy
import marshal
import threading
from collections.abc import Iterator
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


_compiled: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_compiled_lock = threading.Lock()


def _compile_key(rule: Rule) -> tuple[Any, ...]:
    """Everything werkzeug's `Rule.compile` reads: the rule and its host part, the map's
    matching settings and converter classes, and the defaults its URL builders resolve."""
    url_map = rule.map
    converters = tuple(sorted((name, id(cls)) for name, cls in url_map.converters.items()))
    defaults = tuple(sorted((str(name), repr(value))
                            for name, value in (rule.defaults or {}).items()))
    return (rule.rule, rule.subdomain, rule.host, url_map.host_matching, rule.merge_slashes,
            converters, defaults)


def _install_compile_cache() -> None:
    """Reuse what werkzeug's `Rule.compile` works out for a route (its parsed parts, trace,
    converters and generated URL builders) in every later app with the same route: building
    an app is then mostly registering its routes. Each rule gets its own converter objects,
    bound to its own map; skipped if werkzeug changed how it compiles."""
    original = Rule.compile
    if getattr(original, "session_cached", False) or not hasattr(Rule, "_compile_builder"):
        return

    def compile(self: Rule) -> None:  # noqa: A001 - werkzeug's name
        try:
            key = _compile_key(self)
        except (AttributeError, TypeError):  # a rule shape werkzeug added since: no caching
            original(self)
            return
        with _compiled_lock:
            entry = _compiled.get(key)
        if entry is None:
            original(self)
            with _compiled_lock:
                _compiled[key] = (tuple(self._parts), tuple(self._trace), dict(self._converters),
                                  self._build.__func__, self._build_unknown.__func__)
            return
        parts, trace, converters, build, build_unknown = entry
        self._parts, self._trace = list(parts), list(trace)
        self._converters = {name: _bound_copy(converter, self.map)
                            for name, converter in converters.items()}
        self.arguments.update(self._converters)
        self._build = build.__get__(self, None)
        self._build_unknown = build_unknown.__get__(self, None)

    compile.session_cached = True  # type: ignore[attr-defined]
    Rule.compile = compile  # type: ignore[method-assign]


def _bound_copy(converter: Any, url_map: Any) -> Any:
    copied = copy.copy(converter)
    copied.map = url_map
    return copied


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

    _install_compile_cache()
    _install_engine_sharing(db)
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SessionTemplateCache()}

"""docs/architecture.md matches the code: its modules exist and the import directions hold."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
NAMED_PATH = re.compile(r"`((?:moderation|models|classifier|templates|tests)/[\w./-]*)`")
# Services that own their transaction because no view or command is there to roll back
# (docs/architecture.md says why for each).
SERVICES_THAT_ROLL_BACK = {"health.py", "metrics.py", "spool.py", "replies.py"}
REQUEST_STATE = {"request", "session", "flash", "g"}


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """Every import in the file, also inside functions: (module, names, line)."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names], node.lineno


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def _breaks(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{_where(path, line)} imports {module}"
        for path in _modules(folder)
        for module, _names, line in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


def test_every_module_named_in_the_architecture_doc_exists():
    named = set(NAMED_PATH.findall(DOC.read_text(encoding="utf-8")))
    assert len(named) > 80, "the doc names the modules of every stage"
    missing = []
    for name in sorted(named):
        path = ROOT / name
        # A module split into a package of the same name still counts as that module.
        package = ROOT / name.removesuffix(".py") / "__init__.py"
        if not (path.exists() or (name.endswith(".py") and package.exists())):
            missing.append(name)
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_view_service_and_form_is_named_in_the_architecture_doc():
    text = DOC.read_text(encoding="utf-8")
    unnamed = [
        str(path.relative_to(ROOT))
        for layer in ("views", "services", "forms")
        for path in _modules(f"moderation/{layer}")
        if path.name != "__init__.py" and f"`{path.relative_to(ROOT)}`" not in text
    ]
    assert not unnamed, f"add these modules to docs/architecture.md: {unnamed}"


def test_models_import_nothing_of_the_app():
    assert not _breaks("models", ("moderation", "classifier"))


def test_the_classifier_imports_no_flask_and_nothing_of_the_app():
    assert not _breaks("classifier", ("flask", "flask_login", "flask_wtf", "moderation"))


def test_services_import_no_views_forms_or_template_helpers():
    forbidden = ("moderation.views", "moderation.forms", "moderation.templating", "flask_wtf")
    assert not _breaks("moderation/services", forbidden)


def test_services_never_touch_the_request_session_or_flash():
    found = [
        f"{_where(path, line)} imports flask.{name}"
        for path in _modules("moderation/services")
        for module, names, line in _imports(path)
        if module == "flask"
        for name in names
        if name in REQUEST_STATE
    ]
    assert not found


def test_services_flush_and_leave_the_rollback_to_their_caller():
    found = []
    for path in _modules("moderation/services"):
        if path.name in SERVICES_THAT_ROLL_BACK:
            continue
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "rollback"
                    and ast.unparse(node.func.value) == "db.session"):
                found.append(_where(path, node.lineno))
    assert not found, f"services call db.session.rollback(): {found}"


def test_forms_import_no_services_or_views():
    assert not _breaks("moderation/forms", ("moderation.services", "moderation.views"))


def test_cli_commands_leave_queries_to_services():
    assert not _breaks("moderation/commands", ("sqlalchemy",))


@pytest.mark.parametrize("folder", ["moderation/views", "moderation/services"])
def test_no_module_imports_another_modules_private_helpers(folder):
    found = [
        f"{_where(path, line)} imports {module}.{name}"
        for path in _modules(folder)
        for module, names, line in _imports(path)
        if module.startswith("moderation.")
        for name in names
        if name.startswith("_")
    ]
    assert not found, f"make these public helpers in a shared module: {found}"


def test_the_complexity_check_names_a_module_too_long_and_a_function_too_complex(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "check_complexity", ROOT / "scripts" / "check_complexity.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(25))
    tangled = tmp_path / "tangled.py"
    tangled.write_text("def pick(x):\n" + branches + "    return -1\n", encoding="utf-8")
    long_one = tmp_path / "long_one.py"
    long_one.write_text("x = 1\n" * 401, encoding="utf-8")
    small = tmp_path / "small.py"
    small.write_text("def one():\n    return 1\n", encoding="utf-8")

    assert check.module_breaks(small, small.read_text()) == []
    [complex_break] = check.module_breaks(tangled, tangled.read_text())
    assert "pick has complexity 26 (rank D, at most C)" in complex_break
    [size_break] = check.module_breaks(long_one, long_one.read_text())
    assert "401 lines (at most 400)" in size_break
    assert check.main([str(small)]) == 0
    assert check.main([str(tangled), str(small)]) == 1


def test_no_template_writes_a_csrf_input_by_hand():
    # Forms render their token through Flask-WTF (the csrf_field macro), never as raw HTML.
    by_hand = [path.relative_to(ROOT).as_posix()
               for path in sorted((ROOT / "templates").rglob("*.html"))
               if "csrf_token()" in path.read_text(encoding="utf-8")]
    assert by_hand == []

"""The app graph stays one-way (issue 9 item 5): every import at the top of its module, where
import-linter sees it, and the layered contract of ``.importlinter`` kept."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mamori"

# Imports that may stay inside a function, each with its reason.  Never a mamori module: an import
# moved into a function to dodge a cycle hides the cycle from import-linter.
ALLOWED = {
    # 1.7 s to import; only a PDF export needs it, and every process that lists anything imports tables.
    ("mamori/exports/tables.py", "weasyprint"),
}


def _imports_inside_functions(path: Path) -> list[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        # Django's own place for them: an AppConfig.ready() imports the modules that register
        # checks, hooks and signal receivers once the models are loaded.
        if path.name == "apps.py" and function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                found.append((node.lineno, function.name, module))
            elif isinstance(node, ast.Import):
                found.extend((node.lineno, function.name, alias.name) for alias in node.names)
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_it_finds_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\n\ndef f():\n    from mamori.core import time\n    return time\n")
    assert _imports_inside_functions(sample) == [(5, "f", "mamori.core")]


def test_it_has_no_import_inside_a_function():
    found = []
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, function, module in _imports_inside_functions(path):
            if (relative, module.split(".")[0]) not in ALLOWED:
                found.append(f"{relative}:{line} in {function}(): {module}")
    assert not found, "imports inside functions (move them to the top of the module):\n" + "\n".join(found)


@pytest.mark.skipif(
    shutil.which("lint-imports") is None and not (ROOT / ".venv/bin/lint-imports").exists(),
    reason="import-linter is not installed",
)
def test_it_keeps_the_layered_contract():
    command = shutil.which("lint-imports") or str(ROOT / ".venv/bin/lint-imports")
    result = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_rule_hangs_on_an_assert():
    """Issue 9: a transition or a rule is checked with a refusal, never an ``assert``, which
    ``python -O`` strips (mamori/registers RegisterEntry.transition, reviews' _check_transition)."""
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert not found, "asserts in mamori/ (raise a refusal instead):\n" + "\n".join(found)

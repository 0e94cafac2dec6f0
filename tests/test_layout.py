"""The rooms' walls that import-linter cannot see: packages never reach into tests/, and the running
bot never imports evaluation code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nlu", "texts", "knowledge", "actions", "conversation", "http_api", "channels", "gateway")
# `citizenbot evaluate` is an operator's command; the gateway's runtime never imports it.
EVALUATION_USERS = {"knowledge/evaluation", "gateway/cli.py"}

_TESTS_PATH = re.compile(r"(?:^|[/\\])tests(?:$|[/\\])")


def package_sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))]
    found = set()
    for node in nodes:
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def references_to_tests(source: str) -> list[str]:
    """Imports of the tests package and string literals naming a tests/ folder (docstrings aside)."""
    tree = ast.parse(source)
    found = [name for name in _imported_modules(tree) if name == "tests" or name.startswith("tests.")]
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) and id(node) not in docstrings else None
        if isinstance(text, str) and _TESTS_PATH.search(text):
            found.append(repr(text))
    return found


def test_the_packages_are_where_the_scan_looks():
    present = {package for package in PACKAGES if (ROOT / package / "__init__.py").is_file()}
    assert {"nlu", "knowledge", "actions", "conversation", "http_api", "channels", "gateway"} <= present
    assert sum(1 for _ in package_sources()) > 50


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('DIR = Path(__file__).resolve().parent.parent / "tests" / "data"\n', True),
        ('DIR = ROOT.joinpath("tests/data/citizen_questions_a.jsonl")\n', True),
        ("from tests.support import make_settings\n", True),
        ("import tests.conftest\n", True),
        ('"""Reads nothing from tests/data: callers pass the folder."""\n', False),
        ('def f():\n    """No events in flight (tests and shutdown wait for this)."""\n', False),
        ('MESSAGE = "the tests passed"\nlatest = "latests/x"\n', False),
    ],
)
def test_the_scan_recognises_a_path_into_tests(source, flagged):
    assert bool(references_to_tests(source)) is flagged


def test_no_package_reads_the_tests_folder():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in package_sources()
        if (found := references_to_tests(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_running_bot_never_imports_evaluation_code():
    importers = []
    for path in package_sources():
        relative = path.relative_to(ROOT).as_posix()
        if any(relative == allowed or relative.startswith(f"{allowed}/") for allowed in EVALUATION_USERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set(_imported_modules(tree))
        if any(name == "knowledge.evaluation" or name.startswith("knowledge.evaluation.") for name in names):
            importers.append(relative)
    assert importers == []

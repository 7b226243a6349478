"""Modules a person can read and functions they can hold in their head: no module of the apps over
about 400 lines and no function over about 60 (migrations excepted). A module that grows past it
becomes a package; a function that grows past it is split into steps with names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "core", "volunteers", "messaging", "voice", "needs", "reactivation", "operations"]
MODULE_LINES = 420
FUNCTION_LINES = 60


def sources() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def long_functions(source: str) -> list[tuple[str, int]]:
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > FUNCTION_LINES
    ]


def test_no_module_is_too_long_to_read():
    long = {
        str(p.relative_to(ROOT)): n
        for p in sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_function_is_too_long_to_hold_in_mind():
    long = {
        f"{p.relative_to(ROOT)}:{name}": n
        for p in sources()
        for name, n in long_functions(p.read_text(encoding="utf-8"))
    }
    assert long == {}


def test_the_length_check_sees_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}\n") == [("f", FUNCTION_LINES + 1)]
    assert long_functions("def g():\n    return 1\n") == []

"""Imports flow one way: operations -> reactivation -> needs -> messaging -> volunteers -> core.

An app may import the apps below it, never one above, neither by an import statement (at the top
of a module or inside a function) nor by reaching for a model with ``apps.get_model("app", ...)``.
An app above hands the ones below what they need through the hooks they offer (SMS handlers,
contact grants, data-rights handlers, the register's outbox), registered in its AppConfig.ready().
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "volunteers", "messaging", "voice", "needs", "reactivation", "operations"]
RANK = {app: n for n, app in enumerate(LAYERS)}


def wrong_way(source: str, *, app: str) -> list[str]:
    """Each reach from ``app`` to an app above it in ``source``, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            targets = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            targets = [node.args[0].value.split(".")[0]]
        for target in targets:
            top = target.split(".")[0]
            if top in RANK and RANK[top] > RANK[app]:
                found.append((node.lineno, f"{node.lineno}: {app} reaches up to {target}"))
    return [text for _, text in sorted(found)]


def modules_of(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_reaches_up(app):
    problems = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in modules_of(app)
        for line in wrong_way(path.read_text(encoding="utf-8"), app=app)
    ]
    assert problems == []


def test_the_check_catches_each_kind_of_wrong_way_reach():
    source = (
        "from needs.models import Need\n"
        "import reactivation.selectors\n"
        "def f():\n"
        "    from operations import drill\n"
        "    return apps.get_model('needs', 'Offer')\n"
        "from volunteers.models import Volunteer\n"  # downwards: fine
        "from core.schedules import PeriodicJob\n"
    )
    assert wrong_way(source, app="messaging") == [
        "1: messaging reaches up to needs.models",
        "2: messaging reaches up to reactivation.selectors",
        "4: messaging reaches up to operations",
        "5: messaging reaches up to needs",
    ]
    assert wrong_way(source, app="operations") == []


def test_every_app_of_the_project_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(LAYERS)

"""Engines are libraries: they import neither FastAPI/Starlette nor the platform."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "jimu"
ENGINES = [
    "engines",
    "form_engine",
    "flow_engine",
    "report_engine",
    "print_templates",
    "app_templates",
]
FORBIDDEN = ("fastapi", "starlette", "jimu.platform")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "source",
    sorted(str(p.relative_to(PACKAGE)) for e in ENGINES for p in (PACKAGE / e).rglob("*.py")),
)
def test_engine_module_stays_free_of_web_and_platform(source: str) -> None:
    bad = {
        name
        for name in _imports(PACKAGE / source)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{source} imports {sorted(bad)}"


def test_every_engine_package_exists_with_a_docstring() -> None:
    for engine in ENGINES:
        init = PACKAGE / engine / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), engine

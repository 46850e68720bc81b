"""docs/formulas.md is generated from the registry and must be current."""

from pathlib import Path

from jimu.engines.expr.docs import render_markdown
from jimu.engines.expr.functions import REGISTRY

DOC = Path(__file__).resolve().parents[2] / "docs" / "formulas.md"


def test_formula_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m jimu.engines.expr.docs > docs/formulas.md"
    )


def test_every_function_is_documented_with_an_example() -> None:
    page = render_markdown()
    for name, spec in REGISTRY.items():
        assert f"`{spec.signature()}`" in page, name
        assert spec.example, name
        assert spec.en, name
        assert spec.zh, name

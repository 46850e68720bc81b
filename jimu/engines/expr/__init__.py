"""The expression language: one Excel-like formula language for Python, SQL and the browser.

Stages, one module each: ``parser`` (text → AST, grammar in ``grammar.lark``), ``nodes``,
``checker`` (names, types, dependencies), ``evaluator`` (Python closures), ``sql``
(SQLAlchemy), ``jsonlogic`` (browser); ``functions`` is the registry and ``runtime`` the
Python implementation of every function.
"""

from jimu.engines.expr.checker import Checked, check, normalize
from jimu.engines.expr.errors import ExprError, ExprLimitError
from jimu.engines.expr.evaluator import Compiled, EvalContext, compile_python, evaluate
from jimu.engines.expr.functions import REGISTRY, FunctionSpec
from jimu.engines.expr.parser import parse
from jimu.engines.expr.types import FieldInfo, Schema, Type, collection, relation

__all__ = [
    "REGISTRY",
    "Checked",
    "Compiled",
    "EvalContext",
    "ExprError",
    "ExprLimitError",
    "FieldInfo",
    "FunctionSpec",
    "Schema",
    "Type",
    "check",
    "collection",
    "compile_python",
    "evaluate",
    "normalize",
    "parse",
    "relation",
]

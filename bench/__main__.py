"""Runs every benchmark module (bench/bench_*.py) in turn: `python -m bench [name ...]`.

Options after the names go to the benchmarks that take them, e.g.
`python -m bench http --workers 1,2`.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    """Runs the named benchmarks, or all of them."""
    names = list(argv[: next((i for i, a in enumerate(argv) if a.startswith("-")), None)])
    options = argv[len(names) :]
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    for name in names or found:
        module = importlib.import_module(
            f"bench.{name if name.startswith('bench_') else 'bench_' + name}"
        )
        if inspect.signature(module.main).parameters:
            module.main(options)
        else:
            module.main()


if __name__ == "__main__":
    main(sys.argv[1:])

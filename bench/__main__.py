"""Runs every benchmark module (bench/bench_*.py) in turn: `python -m bench [name ...]`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    """Runs the named benchmarks, or all of them."""
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    for name in names or found:
        module = importlib.import_module(
            f"bench.{name if name.startswith('bench_') else 'bench_' + name}"
        )
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])

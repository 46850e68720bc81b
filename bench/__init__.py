"""Benchmarks: each prints its figures next to hand-written SQL on the same database, same run."""

"""The bounded cache shared by request threads: least recently used out first, one value
per key however many threads build it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from jimu.engines.lru import LRUCache


def test_the_least_recently_used_value_goes_first() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert "b" not in cache
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)


def test_the_first_value_stored_wins() -> None:
    cache: LRUCache[str, object] = LRUCache(4)
    first, second = object(), object()
    assert cache.put("k", first) is first
    assert cache.put("k", second) is first


def test_get_or_build_builds_only_what_is_missing() -> None:
    cache: LRUCache[str, int] = LRUCache(4)
    built: list[str] = []

    def build(key: str) -> Callable[[], int]:
        return lambda: built.append(key) or len(built)

    assert cache.get_or_build("x", build("x")) == 1
    assert cache.get_or_build("x", build("x")) == 1
    assert built == ["x"]


def test_clear_forgets_everything() -> None:
    cache: LRUCache[int, int] = LRUCache(4)
    cache.put(1, 1)
    cache.clear()
    assert cache.get(1) is None
    assert len(cache) == 0


def test_a_cache_keeps_one_value_at_least() -> None:
    with pytest.raises(ValueError, match="one value"):
        LRUCache(0)


def test_threads_building_the_same_keys_all_get_one_value_per_key() -> None:
    cache: LRUCache[int, object] = LRUCache(8)
    seen: dict[int, set[int]] = {k: set() for k in range(4)}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for i in range(2000):
                key = i % 4
                seen[key].add(id(cache.get_or_build(key, object)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(len(ids) == 1 for ids in seen.values())


def test_threads_evicting_and_clearing_never_break_the_cache() -> None:
    cache: LRUCache[int, int] = LRUCache(16)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(3000):
                cache.get_or_build((i * 7 + offset) % 64, lambda i=i: i)
                if i % 500 == 0:
                    cache.clear()
                assert len(cache) <= 16
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(cache) <= 16

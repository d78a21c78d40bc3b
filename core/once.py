"""`once`: a cache for builders of shared objects that is safe under threads.

`functools.cache` lets two threads that miss at the same moment both run the builder and
keep whichever finishes last. For spaCy that is a real bug, not waste: a matcher built
against one pipeline's `Vocab` while texts are parsed with another's fails every lookup
from then on ("[E018] Can't retrieve string for hash"). `once` builds each key exactly
once, under a lock per key, so every caller sees the very same object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# One lock for every `once` builder: builders call each other (matchers need a pipeline),
# so per-builder locks could be taken in opposite orders by two threads. Builds are rare.
_BUILD_LOCK = threading.RLock()
_EVERY_CACHE: list[Callable[[], None]] = []  # each `once` function's cache_clear


def once(builder: Callable[P, T]) -> Callable[P, T]:
    """Decorator: call `builder` once per distinct argument tuple, even under threads.

    Reentrant: a builder may call other `once` builders (or itself with other
    arguments) while it runs. `cache_clear()` is kept for tests, like functools.cache."""
    built: dict[Hashable, T] = {}

    @wraps(builder)
    def cached(*args: P.args, **kwargs: P.kwargs) -> T:
        key = (args, tuple(sorted(kwargs.items())))
        try:
            return built[key]
        except KeyError:
            pass
        with _BUILD_LOCK:
            if key not in built:
                built[key] = builder(*args, **kwargs)
            return built[key]

    def cache_clear() -> None:
        with _BUILD_LOCK:
            built.clear()

    cached.cache_clear = cache_clear  # type: ignore[attr-defined]
    _EVERY_CACHE.append(cache_clear)
    return cached


def clear_every_cache() -> None:
    """Forget everything every `once` function built: the process is as cold as a new one
    (tests of the second night, whose race only exists while the caches are cold)."""
    for clear in _EVERY_CACHE:
        clear()

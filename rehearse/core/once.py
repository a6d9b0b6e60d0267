"""Loaders that load once, even when two threads ask at the same moment.

``functools.lru_cache`` lets two threads that miss the cache together both run the load: a round's
warm-up (checks loaded while the prompt is spoken) and its own checks could each build the
contextual encoder, and a short command could exit while one of them was still in native code.
:func:`load_once` is an ``lru_cache`` whose calls are made one at a time: the second caller waits for
the first one's load and gets its result.
"""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def load_once(maxsize: int = 1) -> Callable[[F], F]:
    """Like ``functools.lru_cache(maxsize)``, with one load at a time (``cache_clear`` kept)."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        lock = threading.RLock()

        @functools.wraps(fn)
        def load(*args, **kwargs):
            with lock:
                return cached(*args, **kwargs)

        load.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        load.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return load  # type: ignore[return-value]

    return wrap

"""Loaders that load once, even when two threads ask at the same moment (``rehearse.core.once``)."""

from __future__ import annotations

import threading

import pytest

from conftest import need
from rehearse.core.once import load_once


def _at_once(fn, n: int = 2) -> list:
    """Call ``fn`` from ``n`` threads released together; their results in order."""
    start, out = threading.Barrier(n), [None] * n

    def call(i):
        start.wait(10)
        out[i] = fn()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    return out


def test_two_threads_that_ask_together_share_one_load():
    loads = []

    @load_once()
    def load():
        loads.append(1)
        threading.Event().wait(0.3)  # long enough for the other thread to ask meanwhile
        return object()

    first, second = _at_once(load)
    assert len(loads) == 1 and first is second
    assert load() is first and load.cache_info().currsize == 1
    load.cache_clear()
    assert load() is not first and len(loads) == 2


def test_a_failed_load_is_not_kept_and_is_tried_again():
    tries = []

    @load_once(maxsize=2)
    def load(name):
        tries.append(name)
        if len(tries) == 1:
            raise OSError("disk full")
        return name.upper()

    with pytest.raises(OSError):
        load("a")
    assert load("a") == "A" and load("b") == "B" and tries == ["a", "a", "b"]


def test_the_checks_model_is_built_once_when_the_warm_up_and_the_checks_ask_together(monkeypatch):
    """A round warms the checks up in a thread while the prompt is spoken; if its own checks ask before
    that is done, they wait for the same load (never a second encoder built at the same time)."""
    from rehearse.coaching import checkers, contextual, embed, semantic

    need(semantic.load_model_checker() is not None, "the embedding package or the heads are missing")
    loaders = (checkers.default_checker, semantic.load_model_checker, contextual.load, embed.load)
    real, reads = contextual._tensors, []

    def slow_tensors(path):
        reads.append(path)
        threading.Event().wait(0.3)
        return real(path)

    monkeypatch.setattr(contextual, "_tensors", slow_tensors)
    for loader in loaders:
        loader.cache_clear()
    try:
        first, second = _at_once(checkers.default_checker)
        assert first is second and len(reads) == 1
    finally:
        monkeypatch.undo()
        for loader in loaders:
            loader.cache_clear()

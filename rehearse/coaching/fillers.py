"""Fillers: the one list (``rehearse/data/fillers.toml``), read once.

The checks drop :func:`hesitations` and :func:`phrases` before reading an answer; the delivery
figures count :func:`all_fillers`. A phrase or habit word right after one of its :func:`not_after`
words carries meaning and is neither dropped nor counted.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(resources.files("rehearse").joinpath("data/fillers.toml").read_text(encoding="utf-8"))


def hesitations() -> tuple[str, ...]:
    """Sounds, never words: um, uh, ..."""
    return tuple(_data()["hesitations"])


def phrases() -> tuple[str, ...]:
    """Filler phrases: "you know", "i mean"."""
    return tuple(_data()["phrases"])


def all_fillers() -> tuple[str, ...]:
    """Everything the delivery figures count."""
    data = _data()
    return tuple(data["hesitations"]) + tuple(data["phrases"]) + tuple(data["words"])


def not_after() -> dict[str, frozenset[str]]:
    """Filler -> the words after which it carries meaning."""
    return {k: frozenset(v) for k, v in _data().get("not_after", {}).items()}

"""The interviewer archetypes and their prompts, read from packaged TOML plus the user's own files."""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError
from rehearse.core.model import CHECK_NAMES, Archetype, Prompt


def _read_packaged() -> dict:
    text = resources.files("rehearse").joinpath("data/archetypes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(into: dict, extra: dict, source: str) -> None:
    for name, spec in (extra.get("archetypes") or {}).items():
        if not isinstance(spec, dict):
            raise RehearseError(f"{source}: archetype {name!r} must be a table; see the packaged archetypes.toml.")
        target = into.setdefault("archetypes", {}).setdefault(name, {})
        prompts = list(target.get("prompts", []))
        for key, value in spec.items():
            if key != "prompts":
                target[key] = value
        for index, prompt in enumerate(spec.get("prompts", []), start=1):
            if not isinstance(prompt, dict) or not str(prompt.get("text", "")).strip():
                raise RehearseError(f"{source}: prompt {index} of {name!r} needs a text; add text = \"...\".")
            prompts.append(prompt)
        target["prompts"] = prompts


def load_all(extra_dirs: Optional[list[Path]] = None) -> dict[str, Archetype]:
    """All archetypes, packaged first, then every ``*.toml`` in the user's prompt folders."""
    from rehearse.core.home import user_prompts_dir

    data = _read_packaged()
    folders = extra_dirs if extra_dirs is not None else [user_prompts_dir()]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                extra = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise RehearseError(f"The prompt file {path} cannot be read ({exc}); fix or remove it.")
            _merge(data, extra, str(path))
    return _build(data)


def _build(data: dict) -> dict[str, Archetype]:
    result: dict[str, Archetype] = {}
    for name, spec in data.get("archetypes", {}).items():
        checks = tuple(spec.get("required_checks", ()))
        unknown = [c for c in checks if c not in CHECK_NAMES]
        if unknown:
            raise RehearseError(
                f"Archetype {name!r} requires unknown checks {', '.join(unknown)}; use: {', '.join(CHECK_NAMES)}."
            )
        prompts = []
        seen: set[str] = set()
        for index, p in enumerate(spec.get("prompts", []), start=1):
            pid = str(p.get("id") or f"{name}-user-{index}")
            if pid in seen:
                pid = f"{pid}-{index}"
            seen.add(pid)
            prompts.append(Prompt(id=pid, archetype=name, text=" ".join(str(p["text"]).split())))
        result[name] = Archetype(
            name=name,
            title=spec.get("title", name.title()),
            description=spec.get("description", ""),
            advice=" ".join(str(spec.get("advice", "")).split()),
            required_checks=checks,
            prompts=tuple(prompts),
        )
    return result


@lru_cache(maxsize=1)
def _cached() -> dict[str, Archetype]:
    return load_all()


def clear_cache() -> None:
    """Forget loaded archetypes (the user's prompt files are read again on next use)."""
    _cached.cache_clear()


def all_archetypes(fresh: bool = False) -> dict[str, Archetype]:
    if fresh:
        _cached.cache_clear()
    return _cached()


def get(name: str) -> Archetype:
    """The archetype called ``name`` or a RehearseError naming the known ones."""
    archetypes = all_archetypes()
    key = (name or "").strip().lower()
    if key not in archetypes:
        raise RehearseError(f"Unknown archetype {name!r}; choose one of: {', '.join(sorted(archetypes))}.")
    return archetypes[key]


def packaged_prompts() -> list[Prompt]:
    """Only the packaged prompts: the ones rendered to ``audio_prompts/``."""
    return [p for a in _build(_read_packaged()).values() for p in a.prompts]

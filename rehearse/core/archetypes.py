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


PACKAGED = "The packaged archetypes.toml"
MAX_TEXT_CHARS = 2000
"""The longest prompt, advice or description (a prompt of 2,000 characters takes some two minutes to say)."""
MAX_TITLE_CHARS = 100
MAX_ID_CHARS = 80
TEXT_KEYS = {"title": MAX_TITLE_CHARS, "description": MAX_TEXT_CHARS, "advice": MAX_TEXT_CHARS}


def _read_packaged() -> dict:
    text = resources.files("rehearse").joinpath("data/archetypes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(into: dict, extra: dict, source: str) -> None:
    """Add the archetypes and prompts of ``extra`` (read from ``source``) to ``into``, checking each value.

    A value of the wrong type, a prompt without text or with a huge one, an id used twice: one
    sentence naming ``source``, the archetype, the key and what it must be."""
    from rehearse.core.settings import shown

    specs = extra.get("archetypes", {})
    if not isinstance(specs, dict):
        raise RehearseError(f"{source}: archetypes = {shown(specs)} must be tables [archetypes.NAME]; "
                            "see the packaged archetypes.toml.")
    ids: dict[str, str] = into.setdefault("_ids", {})
    for name, spec in specs.items():
        if not isinstance(spec, dict):
            raise RehearseError(f"{source}: archetype {name!r} must be a table [archetypes.{name}], not "
                                f"{shown(spec)}; see the packaged archetypes.toml.")
        if not name.strip() or name != name.strip().lower() or any(c.isspace() for c in name):
            raise RehearseError(f"{source}: the archetype name {name!r} must be lowercase with no spaces "
                                "(it is what --archetype takes).")
        where = f"{source}: [archetypes.{name}]"
        for key, limit in TEXT_KEYS.items():
            if key in spec:
                value = spec[key]
                if not isinstance(value, str):
                    raise RehearseError(f"{where} {key} = {shown(value)} must be a string in quotes.")
                if len(value) > limit:
                    raise RehearseError(f"{where} {key} is {len(value):,} characters long, more than the "
                                        f"{limit:,} it may have; shorten it.")
        checks = spec.get("required_checks", [])
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise RehearseError(f"{where} required_checks = {shown(checks)} must be a list of check names in "
                                f"quotes from: {', '.join(CHECK_NAMES)}.")
        unknown = [c for c in checks if c not in CHECK_NAMES]
        if unknown:
            raise RehearseError(f"{where} requires unknown checks {', '.join(unknown)}; use: {', '.join(CHECK_NAMES)}.")
        new_prompts = spec.get("prompts", [])
        if not isinstance(new_prompts, list):
            raise RehearseError(f"{where} prompts = {shown(new_prompts)} must be prompt tables "
                                f"[[archetypes.{name}.prompts]], each with text = \"...\".")
        target = into.setdefault("archetypes", {}).setdefault(name, {})
        prompts = list(target.get("prompts", []))
        for key, value in spec.items():
            if key != "prompts":
                target[key] = value
        for index, prompt in enumerate(new_prompts, start=1):
            label = f"{source}: prompt {index} of {name!r}"
            if not isinstance(prompt, dict):
                raise RehearseError(f"{label} is {shown(prompt)}; it must be a table [[archetypes.{name}.prompts]] "
                                    "with text = \"...\".")
            text = prompt.get("text")
            if text is not None and not isinstance(text, str):
                raise RehearseError(f"{label}: text = {shown(text)} must be a string in quotes.")
            if not (text or "").strip():
                raise RehearseError(f"{label} needs a text; add text = \"...\".")
            if len(text) > MAX_TEXT_CHARS:
                raise RehearseError(f"{label} is {len(text):,} characters long, more than the {MAX_TEXT_CHARS:,} "
                                    "a prompt may have; shorten it.")
            pid = prompt.get("id")
            if pid is not None:
                if not isinstance(pid, str) or not pid.strip() or len(pid) > MAX_ID_CHARS:
                    raise RehearseError(f"{label}: id = {shown(pid)} must be a string in quotes of 1 to "
                                        f"{MAX_ID_CHARS} characters.")
                if pid in ids:
                    also = "this file" if ids[pid] == source else ids[pid][0].lower() + ids[pid][1:]
                    raise RehearseError(f"{label}: the id {pid!r} is already used (in {also}); give each prompt "
                                        "its own id.")
                ids[pid] = source
            prompts.append({"id": pid, "text": text})
        target["prompts"] = prompts


def load_all(extra_dirs: Optional[list[Path]] = None) -> dict[str, Archetype]:
    """All archetypes, packaged first, then every ``*.toml`` in the user's prompt folders."""
    from rehearse.core.home import user_prompts_dir
    from rehearse.core.inputs import read_text

    data: dict = {}
    _merge(data, _read_packaged(), PACKAGED)
    folders = extra_dirs if extra_dirs is not None else [user_prompts_dir()]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                extra = tomllib.loads(read_text(path, "prompt file"))
            except tomllib.TOMLDecodeError as exc:
                raise RehearseError(f"The prompt file {path} cannot be read ({exc}); fix or remove it.") from None
            _merge(data, extra, f"The prompt file {path}")
    return _build(data)


def _build(data: dict) -> dict[str, Archetype]:
    """Archetypes from merged, checked data (:func:`_merge`); a prompt without an id gets a free one."""
    result: dict[str, Archetype] = {}
    taken = set(data.get("_ids", {}))
    for name, spec in data.get("archetypes", {}).items():
        prompts = []
        for index, p in enumerate(spec.get("prompts", []), start=1):
            pid = p.get("id")
            if not pid:
                pid, n = f"{name}-user-{index}", 1
                while pid in taken:
                    n += 1
                    pid = f"{name}-user-{index}-{n}"
                taken.add(pid)
            prompts.append(Prompt(id=pid, archetype=name, text=" ".join(str(p["text"]).split())))
        result[name] = Archetype(
            name=name,
            title=spec.get("title", name.title()),
            description=spec.get("description", ""),
            advice=" ".join(str(spec.get("advice", "")).split()),
            required_checks=tuple(spec.get("required_checks", ())),
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
    data: dict = {}
    _merge(data, _read_packaged(), PACKAGED)
    return [p for a in _build(data).values() for p in a.prompts]

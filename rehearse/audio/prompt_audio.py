"""Where a prompt's spoken audio comes from: the packaged pre-rendered files or the user cache.

``audio_prompts/`` holds one WAV per packaged prompt and ``manifest.json`` recording, per prompt id,
the exact text it was rendered from and its sha256. The folder sits at the top of the repository and
is built into the wheel and sdist as the package data ``rehearse.audio_prompts`` (see setup.py), so
:func:`packaged_audio_dir` finds it inside an installed package, or beside the package in a checkout
(an editable install, the tests). A file is used only while that hash matches the prompt's current
text; any other prompt (a user's own, or a packaged one whose text changed) is rendered on first use
into ``REHEARSE_HOME/cache/prompts/<sha256 of the text>.wav`` and reused from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from rehearse.core.model import Prompt

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1

Renderer = Callable[[str, Path], Any]
"""``render(text, path)`` writing a 16 kHz WAV; :func:`rehearse.audio.tts.render` by default."""


def text_sha256(text: str) -> str:
    """The hash that ties a rendered file to the exact text it speaks."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PromptAudio:
    """One manifest entry: a pre-rendered prompt and how it was made."""

    prompt_id: str
    file: str
    """File name inside ``audio_prompts/``."""
    text: str
    """The exact text that was spoken."""
    text_sha256: str
    voice: str
    rate: int
    """Words per minute given to the synthesiser."""
    engine: dict
    """Synthesiser name and versions (:meth:`rehearse.audio.tts.EngineInfo.to_json`)."""
    sample_rate: int
    duration_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "text": self.text,
            "text_sha256": self.text_sha256,
            "voice": self.voice,
            "rate": self.rate,
            "engine": dict(self.engine),
            "sample_rate": self.sample_rate,
            "duration_s": round(self.duration_s, 3),
        }

    @classmethod
    def from_json(cls, prompt_id: str, data: dict[str, Any]) -> "PromptAudio":
        return cls(
            prompt_id=prompt_id,
            file=str(data["file"]),
            text=str(data["text"]),
            text_sha256=str(data["text_sha256"]),
            voice=str(data.get("voice", "")),
            rate=int(data.get("rate", 0)),
            engine=dict(data.get("engine", {})),
            sample_rate=int(data.get("sample_rate", 0)),
            duration_s=float(data.get("duration_s", 0.0)),
        )

    def matches(self, prompt: Prompt) -> bool:
        """Whether this file speaks the prompt's current text."""
        return self.text_sha256 == text_sha256(prompt.text)


PACKAGE_DATA = "audio_prompts"
"""The folder's name, both inside an installed package and at the top of a checkout."""


def packaged_audio_dir() -> Path:
    """The pre-rendered prompts of the ``rehearse`` package that was imported.

    An installed wheel or sdist carries them inside the package (``rehearse/audio_prompts/``, read
    through :mod:`importlib.resources`); a checkout keeps them at its top, beside ``rehearse/``. Both
    are looked up relative to the imported package, never through another install's import hooks.
    """
    from importlib import resources

    inside = Path(str(resources.files("rehearse").joinpath(PACKAGE_DATA)))
    if (inside / MANIFEST_NAME).is_file():
        return inside
    return repo_audio_dir()


def repo_audio_dir() -> Path:
    """``audio_prompts/`` at the root of the checkout the package was imported from."""
    import rehearse

    return Path(rehearse.__file__).resolve().parents[1] / PACKAGE_DATA


def read_manifest(folder: Path) -> dict[str, PromptAudio]:
    """Entries by prompt id; empty when the folder or its manifest is missing or unreadable."""
    path = Path(folder) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        prompts = data.get("prompts", {})
        return {pid: PromptAudio.from_json(pid, entry) for pid, entry in prompts.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_manifest(folder: Path, entries: Iterable[PromptAudio]) -> Path:
    """Write ``manifest.json`` with entries sorted by prompt id (stable diffs)."""
    path = Path(folder) / MANIFEST_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "version": MANIFEST_VERSION,
        "note": "Written by scripts/render_prompts.py; synthesised speech of each packaged prompt.",
        "prompts": {e.prompt_id: e.to_json() for e in sorted(entries, key=lambda e: e.prompt_id)},
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def stale_reason(prompt: Prompt, entry: Optional[PromptAudio], folder: Path) -> Optional[str]:
    """None when ``folder`` holds current audio for ``prompt``, else why not."""
    if entry is None:
        return "not in the manifest"
    if not entry.matches(prompt):
        return "text changed since it was rendered"
    if not (Path(folder) / entry.file).is_file():
        return f"{entry.file} is missing"
    return None


def prerendered(prompt: Prompt, folder: Optional[Path] = None) -> Optional[Path]:
    """The pre-rendered file speaking this prompt's current text, or None."""
    folder = packaged_audio_dir() if folder is None else Path(folder)
    if not folder.is_dir():
        return None
    entry = read_manifest(folder).get(prompt.id)
    if stale_reason(prompt, entry, folder) is not None:
        return None
    return folder / entry.file


def cached_path(prompt: Prompt) -> Path:
    """Where the user cache keeps (or will keep) this prompt's audio."""
    from rehearse.core.home import cache_dir

    return cache_dir() / "prompts" / f"{text_sha256(prompt.text)}.wav"


def audio_for(
    prompt: Prompt,
    *,
    folder: Optional[Path] = None,
    render: Optional[Renderer] = None,
    render_missing: bool = True,
) -> Optional[Path]:
    """The WAV speaking ``prompt``: pre-rendered, else cached, else rendered now into the cache.

    Returns None only when ``render_missing`` is False and no file exists yet. Rendering failures
    raise :class:`~rehearse.core.errors.SpeechSynthesisError` (from :mod:`rehearse.audio.tts`).
    """
    found = prerendered(prompt, folder)
    if found is not None:
        return found
    target = cached_path(prompt)
    if target.is_file() and target.stat().st_size > 44:
        return target
    if not render_missing:
        return None
    if render is None:
        from rehearse.audio.tts import render as default_render

        render = default_render
    partial = target.with_name(target.name + ".partial.wav")
    try:
        render(prompt.text, partial)
        partial.replace(target)  # atomic: a half-written file is never taken for a cached one
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class RenderOutcome:
    """What :func:`render_missing_prompts` did for one prompt."""

    prompt: Prompt
    path: Optional[Path]
    """The cached WAV now speaking the prompt; None when rendering failed."""
    error: Optional[str]
    """The one-sentence reason rendering failed (a SpeechSynthesisError's message), else None."""

    @property
    def ok(self) -> bool:
        return self.error is None


def render_missing_prompts(
    prompts: Optional[Iterable[Prompt]] = None,
    *,
    folder: Optional[Path] = None,
    render: Optional[Renderer] = None,
    on_each: Optional[Callable[[RenderOutcome], None]] = None,
) -> list[RenderOutcome]:
    """Render into the user cache every prompt that has no audio yet, so no round waits on it.

    ``prompts`` defaults to every prompt known (packaged and the user's own, from
    :func:`rehearse.core.archetypes.all_archetypes`); those with current pre-rendered or cached audio
    are skipped, which leaves the user's own prompts and packaged ones whose text changed. One
    prompt's failure does not stop the others: each attempt is returned (and passed to ``on_each`` as
    it finishes), failures with their :class:`~rehearse.core.errors.SpeechSynthesisError` sentence.
    """
    from rehearse.core.errors import SpeechSynthesisError

    if prompts is None:
        from rehearse.core.archetypes import all_archetypes

        prompts = [p for a in all_archetypes().values() for p in a.prompts]
    outcomes: list[RenderOutcome] = []
    for prompt in prompts:
        if audio_for(prompt, folder=folder, render_missing=False) is not None:
            continue
        try:
            outcome = RenderOutcome(prompt, audio_for(prompt, folder=folder, render=render), None)
        except SpeechSynthesisError as err:
            outcome = RenderOutcome(prompt, None, str(err))
        outcomes.append(outcome)
        if on_each is not None:
            on_each(outcome)
    return outcomes

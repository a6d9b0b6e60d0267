"""Speech engines behind one small interface, chosen by name.

An engine turns :class:`~rehearse.audio.pcm.Audio` into a :class:`~rehearse.core.model.Transcript` with
timed words. Engines are registered here by name; each is imported only when first used and
loaded once per process (see :func:`get`).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from rehearse.audio.pcm import Audio
from rehearse.core.errors import RehearseError
from rehearse.core.model import Transcript


class Engine(Protocol):
    """What every speech engine offers."""

    name: str

    def transcribe(self, audio: Audio) -> Transcript:
        """Transcribe the whole of ``audio``; an empty text means no speech was recognised."""
        ...


@dataclass(frozen=True)
class EngineInfo:
    """A registered engine: how to build it and how to tell whether it can run here."""

    name: str
    description: str
    factory: str
    """``module:callable`` returning the engine; imported lazily."""
    probe: str
    """``module:callable`` returning None when available, else the reason it is not."""
    hidden: bool = False
    """Test engines are usable by name but not listed by ``rehearse engines``."""
    model_env: Optional[str] = None
    """Environment variable naming the model to load; a loaded engine is kept per model."""


REGISTRY: dict[str, EngineInfo] = {}
PREFERENCE = ("whisper", "pocketsphinx")
"""Most accurate first: the default engine is the first of these that is available here."""
FALLBACK_ENGINE = "pocketsphinx"
PIN_ENV = "REHEARSE_ENGINE"
"""Environment variable that pins the default engine by name."""
_loaded: dict[tuple[str, Optional[str]], Engine] = {}


def register(info: EngineInfo) -> None:
    REGISTRY[info.name] = info


def _resolve(ref: str) -> Callable:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def availability(name: str) -> Optional[str]:
    """None when the engine can run here, else one sentence why not."""
    info = REGISTRY[name]
    try:
        return _resolve(info.probe)()
    except Exception as exc:  # a probe must never crash a listing
        return f"not usable: {exc}"


def default_name() -> str:
    """The pinned engine (``REHEARSE_ENGINE``, or ``default`` in the ``[engine]`` settings), else the
    engine whose model was chosen, else the most accurate available one."""
    import os

    from rehearse.core import settings

    pinned = os.environ.get(PIN_ENV) or settings.get("engine", "default")
    if pinned:
        return pinned.lower()
    for name, info in REGISTRY.items():
        # choosing an engine's model (--model, its environment variable or setting) chooses the
        # engine: a model that cannot be used must say so, not quietly fall back to another engine
        if info.model_env and (os.environ.get(info.model_env) or settings.get("engine", f"{name}_model")):
            return name
    for name in PREFERENCE:
        if name in REGISTRY and availability(name) is None:
            return name
    return FALLBACK_ENGINE


def get(name: Optional[str] = None) -> Engine:
    """The engine called ``name`` (default: :func:`default_name`), loaded once per process."""
    name = (name or default_name()).lower()
    info = REGISTRY.get(name)
    key = (name, os.environ.get(info.model_env) if info and info.model_env else None)
    if key in _loaded:
        return _loaded[key]
    if name not in REGISTRY:
        known = ", ".join(n for n, i in REGISTRY.items() if not i.hidden)
        raise RehearseError(f"Unknown speech engine {name!r}; choose one of: {known} (see `rehearse engines`).")
    reason = availability(name)
    if reason:
        raise RehearseError(f"The {name} engine is not available: {reason}")
    engine = _resolve(REGISTRY[name].factory)()
    _loaded[key] = engine
    return engine


register(EngineInfo(
    name="pocketsphinx",
    description="CMU PocketSphinx through SpeechRecognition's bundled en-US model; offline, word timings.",
    factory="rehearse.speech.engines.sphinx:PocketSphinxEngine",
    probe="rehearse.speech.engines.sphinx:probe",
))
register(EngineInfo(
    name="scripted",
    description="Test engine: returns a scripted transcript with evenly spread timings.",
    factory="rehearse.speech.engines.scripted:ScriptedEngine",
    probe="rehearse.speech.engines.scripted:probe",
    hidden=True,
))
register(EngineInfo(
    name="whisper",
    description="Whisper through faster-whisper (CTranslate2), offline; most accurate; pip install 'rehearse[whisper]'.",
    factory="rehearse.speech.engines.whisper:WhisperEngine",
    probe="rehearse.speech.engines.whisper:probe",
    model_env="REHEARSE_WHISPER_MODEL",
))

"""Speech engines behind one small interface, chosen by name.

An engine turns :class:`~rehearse.core.audio.Audio` into a :class:`~rehearse.core.model.Transcript` with
timed words. Engines are registered here by name; each is imported only when first used and
loaded once per process (see :func:`get`).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Callable, Optional

from rehearse.core.errors import RehearseError
from rehearse.core.ports import Transcriber


Engine = Transcriber
"""What every speech engine offers: the round's Transcriber port (``name`` and ``transcribe(audio)``)."""


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


def availability(name: str, model: Optional[str] = None) -> Optional[str]:
    """None when the engine (with ``model``, for an engine that has models) can run here, else one
    sentence why not."""
    info = REGISTRY[name]
    try:
        probe = _resolve(info.probe)
        return probe(model) if model and info.model_env else probe()
    except Exception as exc:  # a probe must never crash a listing
        return f"not usable: {exc}"


def default_name(model: Optional[str] = None) -> str:
    """The pinned engine (``REHEARSE_ENGINE``, or ``default`` in the ``[engine]`` settings), else the
    engine whose model was chosen (``model``, its environment variable or setting), else the most
    accurate available one."""
    from rehearse.core import settings

    pinned = os.environ.get(PIN_ENV) or settings.get("engine", "default")
    if pinned:
        return pinned.lower()
    for name, info in REGISTRY.items():
        if model and info.model_env:
            return name
        # choosing an engine's model (--model, its environment variable or setting) chooses the
        # engine: a model that cannot be used must say so, not quietly fall back to another engine
        if info.model_env and (os.environ.get(info.model_env) or settings.get("engine", f"{name}_model")):
            return name
    for name in PREFERENCE:
        if name in REGISTRY and availability(name) is None:
            return name
    return FALLBACK_ENGINE


def get(name: Optional[str] = None, model: Optional[str] = None) -> Engine:
    """The engine called ``name`` (default: :func:`default_name`) with ``model`` (for an engine that
    has models: a name or a folder; default: its environment variable, setting or packaged default),
    loaded once per process and model."""
    name = (name or default_name(model)).lower()
    info = REGISTRY.get(name)
    if model and info is not None and not info.model_env:
        raise RehearseError(f"The {name} engine has no models to choose; --model applies to the whisper engine.")
    key = (name, (model or os.environ.get(info.model_env)) if info and info.model_env else None)
    if key in _loaded:
        return _loaded[key]
    if name not in REGISTRY:
        known = ", ".join(n for n, i in REGISTRY.items() if not i.hidden)
        raise RehearseError(f"Unknown speech engine {name!r}; choose one of: {known} (see `rehearse engines`).")
    reason = availability(name, model)
    if reason:
        raise RehearseError(f"The {name} engine is not available: {reason}")
    factory = _resolve(REGISTRY[name].factory)
    engine = factory(model) if model else factory()
    _loaded[key] = engine
    return engine


POCKETSPHINX = EngineInfo(
        name="pocketsphinx",
        description="CMU PocketSphinx through SpeechRecognition's bundled en-US model; offline, word timings.",
        factory="rehearse.speech.engines.sphinx:PocketSphinxEngine",
        probe="rehearse.speech.engines.sphinx:probe",
)
WHISPER = EngineInfo(
        name="whisper",
        description="Whisper through faster-whisper (CTranslate2), offline; most accurate.",
        factory="rehearse.speech.engines.whisper:WhisperEngine",
        probe="rehearse.speech.engines.whisper:probe",
        model_env="REHEARSE_WHISPER_MODEL",
)
BUILTIN = (POCKETSPHINX, WHISPER)
"""The engines that come with rehearse; the package also declares them as entry points."""

ENTRY_POINT_GROUP = "rehearse.engines"
"""Other packages add engines with an entry point in this group naming an :class:`EngineInfo`
(``[project.entry-points."rehearse.engines"] myengine = "mypkg.rehearse_engine:INFO"``)."""


def load_plugins() -> None:
    """Register the engines other installed packages declare (entry points), once per process."""
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in REGISTRY:
            continue
        try:
            info = point.load()
        except Exception:  # noqa: BLE001 - a broken plugin must not break rehearse
            continue
        if isinstance(info, EngineInfo):
            register(info)


for _info in BUILTIN:
    register(_info)
load_plugins()

"""Text to speech: one sentence or paragraph into a small 16 kHz WAV, through pyttsx3 on espeak-ng.

pyttsx3 2.99's espeak driver synthesises on espeak-ng's own thread. On a fresh engine
``runAndWait()`` returns before a long text is finished (the WAV is written later, or never if the
process exits first), and a run started while espeak-ng is still applying a voice change is
cancelled half-way. So :func:`render` primes the engine once, waits for espeak-ng to be idle before
each run, waits for pyttsx3's ``finished-utterance`` notification (sent after the file is written),
and renders one file per engine run. ``say()`` is never used: on Linux it shells out
to ``aplay`` and swallows failures. One engine is reused for the whole process (espeak-ng can be
initialised only once per process anyway); a lock keeps renders sequential.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from rehearse.audio.pcm import SPEECH_RATE, Audio, load, save
from rehearse.core.errors import RehearseError

DEFAULT_VOICE = "gmw/en-us"
"""espeak-ng's American English voice."""
DEFAULT_RATE = 185
"""Words per minute: brisk but clear (pyttsx3 defaults to 200, espeak-ng to 175); keeps files small."""
INSTALL_HINT = "install espeak-ng (`sudo apt-get install espeak-ng`) and pyttsx3 (`pip install pyttsx3`)"

_lock = threading.Lock()
_engine: Any = None


@dataclass(frozen=True)
class EngineInfo:
    """Which synthesiser produced a file, for the prompt manifest."""

    name: str
    """``pyttsx3/<driver>``, e.g. ``pyttsx3/espeak``."""
    pyttsx3_version: str
    """The installed pyttsx3 version."""
    synth_version: str
    """The espeak-ng library version (``espeak_Info``), or ``unknown``."""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "pyttsx3": self.pyttsx3_version, "synth": self.synth_version}


def _unavailable(reason: str) -> RehearseError:
    return RehearseError(f"Spoken prompts need a speech synthesiser, but {reason}; {INSTALL_HINT}.")


def _get_engine() -> Any:
    """The process-wide pyttsx3 engine, created on first use."""
    global _engine
    if _engine is not None:
        return _engine
    try:
        import pyttsx3
    except ImportError:
        raise _unavailable("pyttsx3 is not installed")
    try:
        engine = pyttsx3.init()
    except Exception as exc:  # pyttsx3 raises RuntimeError/OSError when libespeak-ng is missing
        raise _unavailable(f"pyttsx3 could not start espeak-ng ({exc})")
    # A fresh engine holds its command queue until its first loop; one empty run makes it idle,
    # so that properties set before each render take effect at once.
    engine.runAndWait()
    _engine = engine
    return engine


def engine_info() -> EngineInfo:
    """Name and versions of the synthesiser (starts the engine)."""
    engine = _get_engine()
    from importlib.metadata import PackageNotFoundError, version

    try:
        pyttsx3_version = version("pyttsx3")
    except PackageNotFoundError:  # pragma: no cover - pyttsx3 imported but not installed as a dist
        pyttsx3_version = "unknown"
    synth = "unknown"
    driver = getattr(engine, "driver_name", None) or "unknown"
    if driver == "espeak":
        try:
            from pyttsx3.drivers import _espeak

            raw = _espeak.Info(None)
            synth = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        except Exception:
            pass
    return EngineInfo(name=f"pyttsx3/{driver}", pyttsx3_version=pyttsx3_version, synth_version=synth)


def available_voices() -> list[str]:
    """The voice ids the synthesiser offers (espeak-ng: ``gmw/en-us``, ``gmw/en``, ...)."""
    return [v.id for v in _get_engine().getProperty("voices")]


def voice_id(voice: Optional[str] = None) -> str:
    """The voice :func:`render` uses for ``voice`` (default :data:`DEFAULT_VOICE`).

    espeak-ng voices may carry a variant after ``+``, e.g. ``gmw/en-us+klatt``.
    """
    return voice or DEFAULT_VOICE


def render(text: str, path: Union[str, Path], voice: Optional[str] = None, rate: Optional[int] = None) -> Audio:
    """Speak ``text`` into ``path`` as 16 kHz mono 16-bit WAV and return the audio.

    Raises :class:`RehearseError` when pyttsx3 or espeak-ng is missing, the voice is unknown, or
    the synthesiser produced no audio.
    """
    text = " ".join(str(text).split())
    if not text:
        raise RehearseError("There is no text to speak; give the prompt a text.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw_path = path.with_name(path.name + ".22k.tmp.wav")
    voice = voice_id(voice)
    rate = int(rate or DEFAULT_RATE)
    with _lock:
        engine = _get_engine()
        _check_voice(engine, voice)
        try:
            raw_path.unlink(missing_ok=True)
            _synthesise(engine, text, raw_path, voice, rate)
            audio = _read_output(raw_path)
        finally:
            raw_path.unlink(missing_ok=True)
    small = audio.to_rate(SPEECH_RATE)
    save(small, path)
    return small


def _check_voice(engine: Any, voice: str) -> None:
    """Accept a listed voice id, its short name (``en-us``), either with an espeak variant (``+klatt``)."""
    known = {v.id for v in engine.getProperty("voices")}
    base = voice.split("+", 1)[0]
    if known and base not in known and not any(k.rsplit("/", 1)[-1] == base for k in known):
        english = sorted(v for v in known if "/en" in v or v.startswith("en"))[:8]
        raise RehearseError(
            f"The speech voice {voice!r} is not installed; use one of {', '.join(english) or 'the installed voices'}."
        )


def _synthesise(engine: Any, text: str, out: Path, voice: str, rate: int) -> None:
    """One engine run writing one file; waits until the file is really written."""
    finished = threading.Event()
    errors: list[BaseException] = []
    outcome: dict[str, bool] = {}

    def on_finished(name: Any = None, completed: bool = True) -> None:
        outcome["completed"] = bool(completed)
        finished.set()

    def on_error(name: Any = None, exception: Optional[BaseException] = None) -> None:
        errors.append(exception or RuntimeError("unknown synthesiser error"))
        finished.set()

    tokens = [engine.connect("finished-utterance", on_finished), engine.connect("error", on_error)]
    # The espeak driver prints "Audio saved to ..." on stdout from its own thread; keep stdout clean.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            engine.setProperty("voice", voice)
            engine.setProperty("rate", rate)
            # espeak-ng applies voice and rate on its own thread; starting the run while it is
            # still busy would make pyttsx3 cancel the utterance.
            _wait_idle(engine, deadline=time.monotonic() + 5.0)
            _clear_stale_stop(engine)
            engine.save_to_file(text, str(out))
            engine.runAndWait()
            timeout = 15.0 + 0.05 * len(text)
            done = finished.wait(timeout)
            _wait_idle(engine, deadline=time.monotonic() + 2.0)
        finally:
            for token in tokens:
                engine.disconnect(token)
    if errors:
        raise _unavailable(f"espeak-ng failed ({errors[0]})")
    if not done:
        raise _unavailable(f"espeak-ng did not finish speaking within {timeout:.0f} s")
    if outcome.get("completed") is False:
        raise _unavailable("espeak-ng stopped before the end of the text")


def _wait_idle(engine: Any, deadline: float) -> None:
    """Let espeak-ng's thread wind down after the utterance, before the next run.

    If the next run started while espeak-ng still reported itself playing, pyttsx3's end-of-loop
    ``stop()`` would flag the driver as stopping and cancel the next utterance half-way.
    """
    is_playing = _espeak_is_playing(engine)
    while (engine.isBusy() or is_playing()) and time.monotonic() < deadline:
        time.sleep(0.002)


def _clear_stale_stop(engine: Any) -> None:
    """Forget a stop that pyttsx3's espeak driver still holds from an earlier run.

    Every ``runAndWait()`` ends with ``stop()``, which flags the driver as stopping when espeak-ng
    is still busy (applying the voice and rate at start-up, or finishing the last utterance). The
    flag is cleared only by the driver's loop; when that loop has already ended, the flag survives
    and cancels the *next* utterance at once ("stopped before the end of the text"). On a loaded
    machine this happened to about one render in a hundred. espeak-ng is idle here, so there is
    nothing to stop.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if getattr(driver, "_stopping", False):
        driver._stopping = False


def _espeak_is_playing(engine: Any):
    """``espeak_IsPlaying`` for the espeak driver; a constant False for other drivers."""
    if getattr(engine, "driver_name", None) == "espeak":
        try:
            from pyttsx3.drivers import _espeak

            return lambda: bool(_espeak.IsPlaying())
        except Exception:
            pass
    return lambda: False


def _read_output(raw_path: Path) -> Audio:
    if not raw_path.is_file() or raw_path.stat().st_size <= 44:
        raise _unavailable("espeak-ng wrote no audio")
    audio = load(raw_path)
    if len(audio.samples) == 0 or not audio.samples.any():
        raise _unavailable("espeak-ng wrote only silence")
    return audio

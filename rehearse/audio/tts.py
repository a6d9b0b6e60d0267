"""Text to speech: one sentence or paragraph into a small 16 kHz WAV, through pyttsx3 on espeak-ng.

:func:`render` tries pyttsx3 first (up to :data:`PYTTSX3_ATTEMPTS` runs), then espeak-ng's own file
output (the ``espeak-ng -w`` program, in a child process with a timeout). Whatever fails, it raises
:class:`~rehearse.core.errors.SpeechSynthesisError` with one sentence, so the caller can show the
prompt as text instead.

Why a pyttsx3 run can be cancelled (pyttsx3 2.99, ``drivers/espeak.py``): ``runAndWait()`` queues
``endLoop`` and, on an idle engine, runs it at once, *before* the loop starts. ``endLoop`` calls the
driver's ``stop()``, which sets the driver's ``_stopping`` flag whenever ``espeak_IsPlaying()`` is true
at that instant. espeak-ng reports "playing" while its command thread runs anything: the voice and
rate changes queued just before, or the moment it closes its stream about 150 ms after its last
command. The flag then cancels the next utterance the loop starts (``finished-utterance`` with
``completed=False``). On a fresh engine the first loop ends before its utterance starts, so a flag set
there stays latched and cancels the process's first real render: whether espeak-ng's thread was still
busy depends on scheduling, which is why a loaded machine failed now and then, mostly on the first
render of a process. So: renders wait for espeak-ng to be idle before each run; a new engine is
primed with two throwaway runs (the second consumes any latched flag); a cancelled run is retried
(the retry starts clean); a run that never ends is ended by a watchdog and pyttsx3 is not used again
in this process; and the ``espeak-ng`` program is the last resort.

``say()`` is never used: on Linux it shells out to ``aplay`` and swallows failures. One engine is
reused for the whole process (espeak-ng can be initialised only once per process anyway); a lock
keeps renders sequential.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from rehearse.audio.pcm import SPEECH_RATE, Audio, load, save
from rehearse.core.errors import SpeechSynthesisError

DEFAULT_VOICE = "gmw/en-us"
"""espeak-ng's American English voice."""
DEFAULT_RATE = 185
"""Words per minute: brisk but clear (pyttsx3 defaults to 200, espeak-ng to 175); keeps files small."""
INSTALL_HINT = "install it with `sudo apt-get install espeak-ng`"

PYTTSX3 = "pyttsx3"
"""Backend name: pyttsx3's espeak driver, in this process."""
ESPEAK_PROGRAM = "espeak-ng"
"""Backend name: the ``espeak-ng -w`` program, in a child process."""
PYTTSX3_ATTEMPTS = 2
"""pyttsx3 runs per render before falling back to the program (a cancelled run costs milliseconds)."""
RUN_TIMEOUT_S = 10.0
"""Seconds any one synthesis may take, plus :data:`RUN_TIMEOUT_PER_CHAR_S` per character of text."""
RUN_TIMEOUT_PER_CHAR_S = 0.02
MIN_SPEED_SHARE = 0.4
"""Audio shorter than this share of the text's length at the requested rate counts as cut short."""

_lock = threading.Lock()
_engine: Any = None
_pyttsx3_off: Optional[str] = None
"""Why pyttsx3 is no longer used in this process (set after a run that never ended)."""
_retired: list[Any] = []
"""Engines given up on, kept alive: pyttsx3's driver clean-up would unhook espeak-ng's callback
from the engine that replaces them."""


@dataclass(frozen=True)
class EngineInfo:
    """Which synthesiser produced a file, for the prompt manifest."""

    name: str
    """``pyttsx3/<driver>`` (e.g. ``pyttsx3/espeak``) or ``espeak-ng`` (the program)."""
    pyttsx3_version: Optional[str]
    """The installed pyttsx3 version; None for the program."""
    synth_version: str
    """The espeak-ng version (``espeak_Info`` or ``espeak-ng --version``), or ``unknown``."""

    def to_json(self) -> dict[str, str]:
        data = {"name": self.name, "pyttsx3": self.pyttsx3_version, "synth": self.synth_version}
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_detailed` produced, and how."""

    audio: Audio
    """16 kHz mono, as written to the path."""
    backend: str
    """:data:`PYTTSX3` or :data:`ESPEAK_PROGRAM`."""
    problems: tuple[str, ...] = field(default_factory=tuple)
    """What failed before the attempt that worked (empty when the first attempt worked)."""

    @property
    def fell_back(self) -> bool:
        """Whether pyttsx3 did not produce the audio."""
        return self.backend != PYTTSX3


class _Missing(Exception):
    """A backend is not installed or cannot start; the sentence says which."""


class _Failed(Exception):
    """A backend ran but gave no usable audio."""

    def __init__(self, reason: str, broken: bool = False):
        super().__init__(reason)
        self.broken = broken
        """The engine is in an unknown state (a run never ended): do not use it again."""


def _timeout(text: str) -> float:
    return RUN_TIMEOUT_S + RUN_TIMEOUT_PER_CHAR_S * len(text)


# --- pyttsx3 -------------------------------------------------------------------------------------

def _get_engine() -> Any:
    """The process-wide pyttsx3 engine, created and primed on first use (_Missing, _Failed)."""
    global _engine
    if _engine is not None:
        return _engine
    if _pyttsx3_off:
        raise _Missing(_pyttsx3_off)
    try:
        import pyttsx3
    except ImportError:
        raise _Missing("pyttsx3 is not installed")
    try:
        engine = pyttsx3.init()
    except Exception as exc:  # pyttsx3 raises RuntimeError/OSError when libespeak-ng is missing
        raise _Missing(f"pyttsx3 could not load libespeak-ng: {exc}")
    _prime(engine)
    _engine = engine
    return engine


@atexit.register
def _release_engines() -> None:
    """At exit, let go of the engines while the interpreter is whole: pyttsx3's driver clean-up,
    left to the interpreter's last sweep, fails there ("Exception ignored in DriverProxy.__del__")."""
    global _engine
    _engine = None
    _retired.clear()


def _prime(engine: Any) -> None:
    """Two throwaway runs: the first starts the loop machinery, the second consumes a latched stop.

    A fresh engine's first ``runAndWait()`` processes the queue and ends its loop before the
    utterance starts, so a stop flagged there is never consumed; a later run always starts its loop,
    which consumes such a flag (by cancelling that run). Outcomes are ignored; only a run that never
    ends is a failure.
    """
    with tempfile.TemporaryDirectory(prefix="rehearse-tts-") as tmp:
        for index in range(2):
            try:
                _run(engine, "Ready.", Path(tmp) / f"prime{index}.wav", voice=None, rate=None, fresh=index == 0)
            except _Failed as exc:
                if exc.broken:
                    _retire(engine, exc)
                    raise


def _retire(engine: Any, exc: _Failed) -> None:
    global _engine, _pyttsx3_off
    if exc.broken:
        _retired.append(engine)
        if _engine is engine:
            _engine = None
        _pyttsx3_off = f"pyttsx3 was switched off after a run that never ended ({exc})"


def _engine_or_error() -> Any:
    try:
        return _get_engine()
    except (_Missing, _Failed) as exc:
        raise SpeechSynthesisError(f"pyttsx3 on espeak-ng cannot be used here ({exc}).")


def engine_info() -> EngineInfo:
    """Name and versions of pyttsx3's synthesiser (starts the engine; SpeechSynthesisError)."""
    engine = _engine_or_error()
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


def program_info() -> EngineInfo:
    """Name and version of the ``espeak-ng`` program (SpeechSynthesisError when it is missing)."""
    exe = _espeak_program()
    if exe is None:
        raise SpeechSynthesisError(f"The espeak-ng program was not found; {INSTALL_HINT}.")
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    found = re.search(r"text-to-speech:\s*(\S+)", out)  # "eSpeak NG text-to-speech: 1.51  Data at: ..."
    synth = found.group(1) if found else "unknown"
    return EngineInfo(name=ESPEAK_PROGRAM, pyttsx3_version=None, synth_version=synth)


def available_voices() -> list[str]:
    """The voice ids the synthesiser offers (espeak-ng: ``gmw/en-us``, ``gmw/en``, ...)."""
    return [v.id for v in _engine_or_error().getProperty("voices")]


def voice_id(voice: Optional[str] = None) -> str:
    """The voice :func:`render` uses for ``voice`` (default :data:`DEFAULT_VOICE`).

    espeak-ng voices may carry a variant after ``+``, e.g. ``gmw/en-us+klatt``.
    """
    return voice or DEFAULT_VOICE


def _check_voice(engine: Any, voice: str) -> None:
    """Accept a listed voice id, its short name (``en-us``), either with an espeak variant (``+klatt``)."""
    known = {v.id for v in engine.getProperty("voices")}
    base = voice.split("+", 1)[0]
    if known and base not in known and not any(k.rsplit("/", 1)[-1] == base for k in known):
        english = sorted(v for v in known if "/en" in v or v.startswith("en"))[:8]
        raise SpeechSynthesisError(
            f"The speech voice {voice!r} is not installed; use one of {', '.join(english) or 'the installed voices'}."
        )


def _run(engine: Any, text: str, out: Path, voice: Optional[str], rate: Optional[int], fresh: bool = False) -> bool:
    """One engine run writing ``out``; True if espeak-ng finished the text, False if it was cancelled.

    ``fresh``: the engine has never run its loop (pyttsx3 reports it busy until then).

    Raises _Failed on an error notification or when the run does not end (a watchdog ends the loop).
    """
    finished = threading.Event()
    hung = threading.Event()
    errors: list[BaseException] = []
    outcome: dict[str, bool] = {}
    timeout = _timeout(text)

    def on_finished(name: Any = None, completed: bool = True) -> None:
        outcome["completed"] = bool(completed)
        finished.set()

    def on_error(name: Any = None, exception: Optional[BaseException] = None) -> None:
        errors.append(exception or RuntimeError("unknown synthesiser error"))
        finished.set()

    tokens = [engine.connect("finished-utterance", on_finished), engine.connect("error", on_error)]
    watchdog = threading.Timer(timeout, _end_loop, args=(engine, hung))
    watchdog.daemon = True
    # The espeak driver prints "Audio saved to ..." on stdout from its own thread; keep stdout clean.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            done = _drive(engine, text, out, voice, rate, watchdog, finished, hung, timeout, fresh)
        except Exception as exc:  # pyttsx3 itself failed (e.g. "run loop already started")
            raise _Failed(f"pyttsx3 failed ({type(exc).__name__}: {exc})", broken=True)
        finally:
            for token in tokens:
                with contextlib.suppress(Exception):
                    engine.disconnect(token)
    if hung.is_set() or not done:
        raise _Failed(f"espeak-ng did not finish within {timeout:.0f} s", broken=True)
    if errors:
        raise _Failed(f"espeak-ng reported an error: {errors[0]}")
    return outcome.get("completed", True)


def _drive(engine, text, out, voice, rate, watchdog, finished, hung, timeout, fresh) -> bool:
    """The body of :func:`_run`: True when the finished notification came."""
    if voice:
        engine.setProperty("voice", voice)
    if rate:
        engine.setProperty("rate", rate)
    # espeak-ng applies the rate on its own thread: a run started while it is busy is cancelled.
    _wait_idle(engine, deadline=time.monotonic() + 5.0, loop_started=not fresh)
    _clear_stale_stop(engine)
    engine.save_to_file(text, str(out))
    watchdog.start()
    try:
        engine.runAndWait()
    finally:
        watchdog.cancel()
    # A fresh engine's first run returns before espeak-ng has finished; the notification comes
    # after the file is written.
    done = finished.wait(0 if hung.is_set() else timeout)
    _wait_idle(engine, deadline=time.monotonic() + 2.0)
    return done


def _clear_stale_stop(engine: Any) -> None:
    """Forget a stop that pyttsx3's espeak driver still holds from an earlier run.

    Every ``runAndWait()`` ends with ``stop()``, which flags the driver as stopping when espeak-ng
    is still busy; the flag is cleared only by the driver's loop, so when that loop has already
    ended it survives and cancels the *next* utterance at once. espeak-ng is idle here, so there is
    nothing to stop.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if getattr(driver, "_stopping", False):
        driver._stopping = False


def _end_loop(engine: Any, hung: threading.Event) -> None:
    """Watchdog: end a run loop that did not end by itself.

    The driver's own ``endLoop`` only lowers its loop flag; the engine's would first ask espeak-ng to
    stop, which can block if espeak-ng is stuck.
    """
    hung.set()
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    with contextlib.suppress(Exception):
        if driver is not None and hasattr(driver, "endLoop"):
            driver.endLoop()
        else:
            engine.endLoop()


def _wait_idle(engine: Any, deadline: float, loop_started: bool = True) -> None:
    """Wait until pyttsx3 (once its loop has run) and espeak-ng's command thread are idle, or the deadline."""
    is_playing = _espeak_is_playing(engine)
    busy = engine.isBusy if loop_started else (lambda: False)
    while (busy() or is_playing()) and time.monotonic() < deadline:
        time.sleep(0.002)


def _espeak_is_playing(engine: Any):
    """``espeak_IsPlaying`` for the espeak driver; a constant False for other drivers."""
    if getattr(engine, "driver_name", None) == "espeak":
        try:
            from pyttsx3.drivers import _espeak

            return lambda: bool(_espeak.IsPlaying())
        except Exception:
            pass
    return lambda: False


def _render_pyttsx3(text: str, raw: Path, voice: str, rate: int) -> Audio:
    engine = _get_engine()
    _check_voice(engine, voice)
    raw.unlink(missing_ok=True)
    try:
        completed = _run(engine, text, raw, voice, rate)
    except _Failed as exc:
        _retire(engine, exc)
        raise
    if not completed:
        raise _Failed("espeak-ng stopped before the end of the text (pyttsx3 cancelled the run)")
    return _read_output(raw, text, rate)


# --- the espeak-ng program -----------------------------------------------------------------------

def _espeak_program() -> Optional[str]:
    return shutil.which("espeak-ng")


def _render_program(exe: str, text: str, raw: Path, voice: str, rate: int) -> Audio:
    """``espeak-ng -w``: the same library and voice, in a child process that can be timed out."""
    raw.unlink(missing_ok=True)
    timeout = _timeout(text)
    command = [exe, "-v", voice, "-s", str(int(rate)), "-b", "1", "-w", str(raw), "--stdin"]
    try:
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise _Failed(f"it did not finish within {timeout:.0f} s")
    except OSError as exc:
        raise _Failed(f"it could not be started ({exc})")
    said = " ".join((done.stderr + done.stdout).decode("utf-8", "replace").split())
    if "voice does not exist" in said:
        raise SpeechSynthesisError(f"The speech voice {voice!r} is not installed; see `espeak-ng --voices`.")
    if done.returncode != 0:
        raise _Failed(f"it exited with status {done.returncode}" + (f" ({said[:200]})" if said else ""))
    return _read_output(raw, text, rate)


# --- both ----------------------------------------------------------------------------------------

def _read_output(raw_path: Path, text: str, rate: int) -> Audio:
    if not raw_path.is_file() or raw_path.stat().st_size <= 44:
        raise _Failed("espeak-ng wrote no audio")
    try:
        audio = load(raw_path)
    except Exception as exc:
        raise _Failed(f"espeak-ng wrote an unreadable file ({exc})")
    if len(audio.samples) == 0 or not audio.samples.any():
        raise _Failed("espeak-ng wrote only silence")
    words = len(text.split())
    expected = words / max(int(rate), 1) * 60.0
    if audio.duration_s < MIN_SPEED_SHARE * expected:
        raise _Failed(f"the audio was cut short ({audio.duration_s:.1f} s for {words} words)")
    return audio


def render(text: str, path: Union[str, Path], voice: Optional[str] = None, rate: Optional[int] = None) -> Audio:
    """Speak ``text`` into ``path`` as 16 kHz mono 16-bit WAV and return the audio.

    Raises :class:`SpeechSynthesisError` (one sentence) when no synthesiser is installed, the voice
    is unknown, or every synthesiser failed.
    """
    return render_detailed(text, path, voice=voice, rate=rate).audio


def render_detailed(
    text: str, path: Union[str, Path], voice: Optional[str] = None, rate: Optional[int] = None
) -> Rendered:
    """:func:`render`, also saying which backend produced the audio and what failed before."""
    text = " ".join(str(text).split())
    if not text:
        raise SpeechSynthesisError("There is no text to speak; give the prompt a text.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.with_name(path.name + ".22k.tmp.wav")
    voice = voice_id(voice)
    rate = int(rate or DEFAULT_RATE)
    problems: list[str] = []
    missing: list[str] = []
    with _lock:
        try:
            audio, backend = _first_that_works(text, raw, voice, rate, problems, missing)
        finally:
            raw.unlink(missing_ok=True)
    small = audio.to_rate(SPEECH_RATE)
    save(small, path)
    return Rendered(audio=small, backend=backend, problems=tuple(problems))


def _first_that_works(text: str, raw: Path, voice: str, rate: int, problems: list, missing: list):
    for _ in range(PYTTSX3_ATTEMPTS):
        try:
            return _render_pyttsx3(text, raw, voice, rate), PYTTSX3
        except _Missing as exc:
            missing.append(str(exc))
            break
        except _Failed as exc:
            problems.append(f"pyttsx3: {exc}")
            if exc.broken:
                break
    exe = _espeak_program()
    if exe is None:
        missing.append("the espeak-ng program was not found")
    else:
        try:
            return _render_program(exe, text, raw, voice, rate), ESPEAK_PROGRAM
        except _Failed as exc:
            problems.append(f"the espeak-ng program: {exc}")
    if not problems:
        raise SpeechSynthesisError(
            f"Spoken prompts need espeak-ng, which is not installed ({'; '.join(missing)}); {INSTALL_HINT}."
        )
    raise SpeechSynthesisError(f"The prompt could not be turned into speech ({'; '.join(problems + missing)}).")

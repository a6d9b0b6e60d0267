"""Text to speech: real espeak-ng renders, the fallbacks, and the faults a user can hit.

Every failure of :func:`tts.render` is a :class:`SpeechSynthesisError` (a RehearseError) with one
sentence; a failing pyttsx3 run is retried, then espeak-ng's own program speaks instead.
"""

from __future__ import annotations

import shutil
import sys
import threading
import wave
from pathlib import Path

import pytest

from conftest import need_espeak
from rehearse.audio import tts
from rehearse.core.archetypes import packaged_prompts
from rehearse.core.errors import RehearseError, SpeechSynthesisError


@pytest.fixture
def espeak():
    need_espeak()


needs_espeak = pytest.mark.usefixtures("espeak")
needs_program = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="the espeak-ng program is not installed")

LONG_TEXT = (
    "Before we begin, I want to be honest with you: the last person in this role left after eight months, "
    "and the team is still a little raw about it. So I am less interested in what you did at your last job "
    "and more interested in how you would earn the trust of six engineers who have seen people come and go. "
    "Where would you start?"
)


def _nominal_seconds(text: str, rate: int = tts.DEFAULT_RATE) -> float:
    return len(text.split()) / rate * 60.0


def _assert_speech_of(audio, text: str) -> None:
    """16 kHz speech, as long as the text at the default rate (espeak-ng is ~20% quicker than nominal)."""
    assert audio.sample_rate == 16000
    assert 0.6 * _nominal_seconds(text) < audio.duration_s < 1.3 * _nominal_seconds(text), audio.duration_s
    assert audio.rms() > 300


@pytest.fixture
def clean_state(monkeypatch):
    """Undo whatever a test does to the module's engine, its switched-off flag and retired engines."""
    monkeypatch.setattr(tts, "_engine", tts._engine)
    monkeypatch.setattr(tts, "_pyttsx3_off", None)
    monkeypatch.setattr(tts, "_retired", [])


@pytest.fixture
def no_program(monkeypatch):
    monkeypatch.setattr(tts, "_espeak_program", lambda: None)


def _one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message.replace("e.g. ", "")


@needs_espeak
def test_render_writes_16k_mono_speech_of_plausible_length(tmp_path):
    out = tmp_path / "hello.wav"
    audio = tts.render("Thank you for coming in again today.", out)
    assert audio.sample_rate == 16000
    # Seven words at 185 words per minute: a bit over two seconds, never a fragment or minutes.
    assert 1.0 < audio.duration_s < 6.0
    assert audio.rms() > 300  # speech, not silence
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() == len(audio.samples)
    assert list(tmp_path.iterdir()) == [out]  # the 22 kHz intermediate file is removed


@needs_espeak
def test_sequential_long_renders_are_complete(tmp_path):
    """pyttsx3's espeak driver can return before a long text is spoken; every file must be whole."""
    text = max(packaged_prompts(), key=lambda p: len(p.text)).text
    durations = [tts.render(text, tmp_path / f"take{i}.wav").duration_s for i in range(3)]
    words = len(text.split())
    expected = words / tts.DEFAULT_RATE * 60.0
    for seconds in durations:
        assert seconds > 0.8 * expected, durations
    assert max(durations) - min(durations) < 0.5, durations


@needs_espeak
def test_slower_rate_gives_longer_audio(tmp_path):
    text = "I was charged with cutting our release time."
    slow = tts.render(text, tmp_path / "slow.wav", rate=120)
    fast = tts.render(text, tmp_path / "fast.wav", rate=240)
    assert slow.duration_s > 1.4 * fast.duration_s


@needs_espeak
def test_a_stop_left_over_from_an_earlier_run_does_not_cut_the_next_render(tmp_path):
    """pyttsx3's espeak driver can keep a stop flag from an earlier run (its stop() finds espeak-ng
    busy just after start-up, and its loop ends before it clears the flag); on a loaded machine the
    next render was then cancelled at once: "espeak-ng stopped before the end of the text"."""
    engine = tts._get_engine()
    engine.proxy._driver._stopping = True  # what the race leaves behind
    audio = tts.render("Thank you for coming in again today.", tmp_path / "after.wav")
    assert 1.0 < audio.duration_s < 6.0 and audio.rms() > 300


@needs_espeak
def test_engine_info_names_espeak_and_versions():
    info = tts.engine_info()
    assert info.name == "pyttsx3/espeak"
    assert info.synth_version not in ("", "unknown")
    assert info.pyttsx3_version not in ("", "unknown")


@needs_espeak
def test_unknown_voice_is_a_rehearse_error(tmp_path):
    with pytest.raises(SpeechSynthesisError, match="voice 'xx/klingon' is not installed"):
        tts.render("Hello.", tmp_path / "x.wav", voice="xx/klingon")
    assert issubclass(SpeechSynthesisError, RehearseError)


@needs_espeak
@needs_program
@pytest.mark.parametrize("backend", [tts.PYTTSX3, tts.ESPEAK_PROGRAM])
def test_long_text_renders_whole_with_either_backend(tmp_path, monkeypatch, clean_state, backend):
    if backend == tts.ESPEAK_PROGRAM:
        monkeypatch.setattr(tts, "_pyttsx3_off", "switched off by this test")
        monkeypatch.setattr(tts, "_engine", None)
    out = tmp_path / "long.wav"
    rendered = tts.render_detailed(LONG_TEXT, out)
    assert rendered.backend == backend
    assert rendered.fell_back == (backend != tts.PYTTSX3)
    _assert_speech_of(rendered.audio, LONG_TEXT)
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() == len(rendered.audio.samples)
    assert list(tmp_path.iterdir()) == [out]


@needs_espeak
def test_a_stop_latched_in_pyttsx3s_driver_is_cleared_before_the_run(tmp_path, clean_state, no_program):
    """The cause of the random failures: pyttsx3's espeak driver latches a stop that cancels the next run;
    the render clears it first, so it costs neither the render nor a retry."""
    driver = getattr(getattr(tts._get_engine(), "proxy", None), "_driver", None)
    if not hasattr(driver, "_stopping"):
        pytest.skip("this pyttsx3 has no espeak driver _stopping flag")
    driver._stopping = True  # what stop() leaves behind when espeak-ng was busy as a loop began
    rendered = tts.render_detailed(LONG_TEXT, tmp_path / "x.wav")
    assert rendered.backend == tts.PYTTSX3
    assert rendered.problems == ()
    _assert_speech_of(rendered.audio, LONG_TEXT)


@needs_espeak
def test_priming_an_engine_consumes_a_latched_stop(clean_state):
    engine = tts._get_engine()
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if not hasattr(driver, "_stopping"):
        pytest.skip("this pyttsx3 has no espeak driver _stopping flag")
    driver._stopping = True
    tts._engine = None
    assert tts._get_engine() is engine  # pyttsx3.init() hands back the same engine, primed again
    assert driver._stopping is False


class _FakeEngine:
    """A pyttsx3 look-alike; ``runAndWait`` writes ``write`` (if any) then reports ``completed``."""

    driver_name = "fake"

    def __init__(self, write: bytes | None = None, completed: bool = True, hang: bool = False):
        self._callbacks: dict[str, list] = {}
        self._file: str | None = None
        self._write = write
        self._completed = completed
        self._hang = hang
        self._ended = threading.Event()
        self.runs = 0

    def connect(self, topic, cb):
        self._callbacks.setdefault(topic, []).append(cb)
        return (topic, cb)

    def disconnect(self, token):
        self._callbacks[token[0]].remove(token[1])

    def getProperty(self, name):
        class V:
            id = "gmw/en-us"

        return [V()] if name == "voices" else None

    def setProperty(self, name, value):
        pass

    def save_to_file(self, text, filename):
        self._file = filename

    def endLoop(self):
        self._ended.set()

    def runAndWait(self):
        self.runs += 1
        if self._hang:
            self._ended.wait(30)  # only the watchdog ends this loop
            return
        if self._write is not None and self._file:
            Path(self._file).write_bytes(self._write)
        for cb in self._callbacks.get("finished-utterance", []):
            cb(name=None, completed=self._completed)

    def isBusy(self):
        return False


@pytest.mark.parametrize("written", [None, b"", b"RIFF"], ids=["no-file", "empty-file", "header-only"])
def test_no_audio_written_and_no_program_is_the_one_error(tmp_path, monkeypatch, clean_state, no_program, written):
    monkeypatch.setattr(tts, "_engine", _FakeEngine(written))
    with pytest.raises(SpeechSynthesisError) as err:
        tts.render("Hello there.", tmp_path / "x.wav")
    message = str(err.value)
    assert message.startswith("The prompt could not be turned into speech (pyttsx3: espeak-ng wrote no audio;")
    assert "the espeak-ng program was not found" in message
    assert "apt-get" not in message  # espeak-ng's library is there: installing it is not the fix
    assert _one_sentence(message), message
    assert not (tmp_path / "x.wav").exists()


@needs_program
def test_cancelled_pyttsx3_runs_are_retried_then_the_program_speaks(tmp_path, monkeypatch, clean_state):
    engine = _FakeEngine(completed=False)
    monkeypatch.setattr(tts, "_engine", engine)
    out = tmp_path / "x.wav"
    rendered = tts.render_detailed(LONG_TEXT, out)
    assert engine.runs == tts.PYTTSX3_ATTEMPTS
    assert rendered.backend == tts.ESPEAK_PROGRAM and rendered.fell_back
    assert len(rendered.problems) == tts.PYTTSX3_ATTEMPTS
    assert all("stopped before the end of the text" in p for p in rendered.problems)
    _assert_speech_of(rendered.audio, LONG_TEXT)
    assert out.is_file() and list(tmp_path.iterdir()) == [out]


@needs_program
def test_a_pyttsx3_run_that_never_ends_is_cut_off_and_the_program_speaks(tmp_path, monkeypatch, clean_state):
    monkeypatch.setattr(tts, "RUN_TIMEOUT_S", 0.3)
    monkeypatch.setattr(tts, "RUN_TIMEOUT_PER_CHAR_S", 0.0)
    engine = _FakeEngine(hang=True)
    monkeypatch.setattr(tts, "_engine", engine)
    rendered = tts.render_detailed("Thank you for coming in again today.", tmp_path / "a.wav")
    assert rendered.backend == tts.ESPEAK_PROGRAM
    assert rendered.problems == ("pyttsx3: espeak-ng did not finish within 0 s",)
    assert engine.runs == 1  # not retried: the engine is in an unknown state
    assert tts._engine is None and tts._retired == [engine]
    monkeypatch.setattr(tts, "RUN_TIMEOUT_S", 10.0)
    again = tts.render_detailed("And where would you like to start?", tmp_path / "b.wav")
    assert again.backend == tts.ESPEAK_PROGRAM and again.problems == ()  # pyttsx3 stays off in this process
    assert engine.runs == 1


def _fake_program(tmp_path, body: str) -> str:
    path = tmp_path / "fake-espeak-ng"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_a_failing_program_is_named_in_the_error(tmp_path, monkeypatch, clean_state):
    monkeypatch.setattr(tts, "_engine", _FakeEngine(completed=False))
    program = _fake_program(tmp_path, 'echo "segmentation fault" >&2; exit 139')
    monkeypatch.setattr(tts, "_espeak_program", lambda: program)
    with pytest.raises(SpeechSynthesisError) as err:
        tts.render("Hello there.", tmp_path / "out" / "x.wav")
    message = str(err.value)
    assert "pyttsx3: espeak-ng stopped before the end of the text" in message
    assert "the espeak-ng program: it exited with status 139 (segmentation fault)" in message
    assert _one_sentence(message), message


def test_a_program_that_never_ends_is_killed(tmp_path, monkeypatch, clean_state):
    monkeypatch.setattr(tts, "RUN_TIMEOUT_S", 0.3)
    monkeypatch.setattr(tts, "RUN_TIMEOUT_PER_CHAR_S", 0.0)
    monkeypatch.setattr(tts, "_engine", _FakeEngine(completed=False))
    program = _fake_program(tmp_path, "exec sleep 30")
    monkeypatch.setattr(tts, "_espeak_program", lambda: program)
    with pytest.raises(SpeechSynthesisError, match=r"the espeak-ng program: it did not finish within 0 s"):
        tts.render("Hello there.", tmp_path / "out" / "x.wav")


def test_empty_text_is_the_one_error(tmp_path):
    with pytest.raises(SpeechSynthesisError, match="no text"):
        tts.render("   \n ", tmp_path / "x.wav")


def _without_pyttsx3(monkeypatch):
    monkeypatch.setattr(tts, "_engine", None)
    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # makes `import pyttsx3` raise ImportError


def _without_libespeak(monkeypatch):
    import pyttsx3

    def no_espeak(*args, **kwargs):
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(tts, "_engine", None)
    monkeypatch.setattr(pyttsx3, "init", no_espeak)


@pytest.mark.parametrize("remove", [_without_pyttsx3, _without_libespeak], ids=["no-pyttsx3", "no-libespeak-ng"])
def test_nothing_installed_says_to_install_espeak(tmp_path, monkeypatch, clean_state, no_program, remove):
    remove(monkeypatch)
    with pytest.raises(SpeechSynthesisError) as err:
        tts.render("Hello there.", tmp_path / "x.wav")
    message = str(err.value)
    assert message.startswith("Spoken prompts need espeak-ng, which is not installed (")
    assert message.endswith("; install it with `sudo apt-get install espeak-ng`.")
    assert "the espeak-ng program was not found" in message
    assert not (tmp_path / "x.wav").exists()


@needs_program
@pytest.mark.parametrize("remove", [_without_pyttsx3, _without_libespeak], ids=["no-pyttsx3", "no-libespeak-ng"])
def test_without_pyttsx3_the_program_speaks(tmp_path, monkeypatch, clean_state, remove):
    remove(monkeypatch)
    rendered = tts.render_detailed(LONG_TEXT, tmp_path / "x.wav")
    assert rendered.backend == tts.ESPEAK_PROGRAM and rendered.problems == ()
    _assert_speech_of(rendered.audio, LONG_TEXT)


@needs_program
def test_unknown_voice_through_the_program_is_the_one_error(tmp_path, monkeypatch, clean_state):
    _without_pyttsx3(monkeypatch)
    with pytest.raises(SpeechSynthesisError, match="voice 'xx/klingon' is not installed"):
        tts.render("Hello.", tmp_path / "x.wav", voice="xx/klingon")


@needs_program
def test_program_info_names_espeak_ng_and_its_version():
    info = tts.program_info()
    assert info.name == "espeak-ng" and info.synth_version not in ("", "unknown")
    assert "pyttsx3" not in info.to_json()

"""Text to speech: real espeak-ng renders, and the faults a user can hit (no pyttsx3, no espeak-ng)."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import pytest

from conftest import need_espeak
from rehearse.audio import tts
from rehearse.core.archetypes import packaged_prompts
from rehearse.core.errors import RehearseError


@pytest.fixture
def espeak():
    need_espeak()


needs_espeak = pytest.mark.usefixtures("espeak")


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
    with pytest.raises(RehearseError, match="voice 'xx/klingon' is not installed"):
        tts.render("Hello.", tmp_path / "x.wav", voice="xx/klingon")


def test_empty_text_is_a_rehearse_error(tmp_path):
    with pytest.raises(RehearseError, match="no text"):
        tts.render("   \n ", tmp_path / "x.wav")


def test_missing_pyttsx3_says_to_install_espeak(tmp_path, monkeypatch):
    monkeypatch.setattr(tts, "_engine", None)
    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # makes `import pyttsx3` raise ImportError
    with pytest.raises(RehearseError) as err:
        tts.render("Hello there.", tmp_path / "x.wav")
    assert "pyttsx3 is not installed" in str(err.value)
    assert "sudo apt-get install espeak-ng" in str(err.value)
    assert not (tmp_path / "x.wav").exists()


def test_missing_espeak_library_says_to_install_espeak(tmp_path, monkeypatch):
    import pyttsx3

    def no_espeak(*args, **kwargs):
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(tts, "_engine", None)
    monkeypatch.setattr(pyttsx3, "init", no_espeak)
    with pytest.raises(RehearseError, match=r"sudo apt-get install espeak-ng"):
        tts.render("Hello there.", tmp_path / "x.wav")


class _SilentEngine:
    """A pyttsx3 look-alike whose synthesiser finishes without writing anything."""

    driver_name = "fake"

    def __init__(self, write: bytes | None = None):
        self._callbacks: dict[str, list] = {}
        self._file: str | None = None
        self._write = write

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

    def runAndWait(self):
        if self._write is not None and self._file:
            Path(self._file).write_bytes(self._write)
        for cb in self._callbacks.get("finished-utterance", []):
            cb(name=None, completed=True)

    def isBusy(self):
        return False


@pytest.mark.parametrize("written", [None, b"", b"RIFF"], ids=["no-file", "empty-file", "header-only"])
def test_no_audio_written_is_a_rehearse_error(tmp_path, monkeypatch, written):
    monkeypatch.setattr(tts, "_engine", _SilentEngine(written))
    with pytest.raises(RehearseError, match=r"wrote no audio.*sudo apt-get install espeak-ng"):
        tts.render("Hello there.", tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()

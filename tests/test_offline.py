"""No network anywhere but the explicit download: a socket guard around every offline path."""

from __future__ import annotations

import socket
import pytest

from conftest import need, need_engine, speech_sample
from rehearse.audio import pcm as audio_mod
from rehearse.speech import whisper_models as models


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # our code must not rely on the user setting it
    return attempts


def _clip():
    return audio_mod.load(speech_sample("jfk.wav"))


def test_the_guard_works(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))


def test_model_resolution_is_offline(no_network):
    for info in models.available_models():
        assert info.available == (info.reason is None), info  # a reason exactly when it is not here
    default = models.locate(models.DEFAULT_MODEL)
    need(default.available, f"no Whisper model here: {default.reason}")
    assert models.resolve().available
    assert no_network == []


def test_whisper_loads_and_transcribes_offline(no_network):
    from rehearse.speech.engines import whisper

    need_engine("whisper")
    engine = whisper.WhisperEngine()  # a fresh load, not the process-wide cached one
    text = engine.transcribe(_clip()).text.lower()
    assert "your country" in text
    assert no_network == []


def test_pocketsphinx_transcribes_offline(no_network):
    from rehearse.speech.engines import sphinx

    need_engine("pocketsphinx")
    text = sphinx.PocketSphinxEngine().transcribe(_clip()).text
    assert "country" in text
    assert no_network == []


def test_the_explicit_download_is_the_one_thing_that_reaches_out(no_network, tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path))
    # the guard's error is no OSError, so it is not turned into a RehearseError on the way out
    with pytest.raises(NetworkUsed):
        models.download("tiny.en", endpoint="http://models.invalid")
    assert no_network, "download() should have tried the network"
    assert not (tmp_path / "models" / "tiny.en").exists()

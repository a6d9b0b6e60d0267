"""MicrophoneRecorder against a fake sounddevice whose input stream feeds synthetic blocks."""

import os
import sys
import wave

import numpy as np
import pytest

from fake_sounddevice import FakeSoundDevice, PortAudioError, device
from rehearse.audio import pcm as audio
from rehearse.audio import devices
from rehearse.audio import microphone as recorder
from rehearse.core.errors import RehearseError
from rehearse.core.ports import STOP_REASONS
from rehearse.audio.microphone import MicrophoneRecorder

RATE = 16000
BLOCK = 480  # 30 ms


def vowel(seconds: float, f0: float = 120.0) -> np.ndarray:
    """A loud harmonic 'vowel' with formant-like peaks: the VAD hears it as speech."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = np.zeros_like(t)
    for k in range(1, 30):
        f = k * f0
        weight = np.exp(-((f - 700) / 150) ** 2) + 0.6 * np.exp(-((f - 1200) / 200) ** 2) + 0.05
        x += weight * np.sin(2 * np.pi * f * t)
    x *= 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    return (x / np.abs(x).max() * 8000).astype(np.int16)


def quiet(seconds: float) -> np.ndarray:
    return np.random.default_rng(1).normal(0, 20, int(seconds * RATE)).astype(np.int16)


def blocks_of(*parts: np.ndarray) -> list:
    signal = np.concatenate(parts)
    return [signal[i:i + BLOCK] for i in range(0, len(signal) - BLOCK + 1, BLOCK)]


@pytest.fixture
def fake_mic(monkeypatch):
    def install(blocks, **kwargs):
        sd = FakeSoundDevice([device("Fake Mic", inputs=1), device("Fake Speaker", outputs=2)], (0, 1),
                             blocks=blocks, **kwargs)
        monkeypatch.setattr(devices, "sounddevice_module", lambda: sd)
        return sd

    return install


def record(tmp_path, **kwargs):
    options = dict(max_seconds=30.0)
    options.update(kwargs)
    rec = MicrophoneRecorder(stop_on_enter=False)
    return rec, rec.record(tmp_path / "answer.wav", **options)


def test_speech_then_silence_stops_on_silence(tmp_path, fake_mic):
    fake_mic(blocks_of(quiet(0.6), vowel(1.5), quiet(5.0)))
    rec, result = record(tmp_path)
    assert result.stopped_by == "silence" and result.stopped_by in STOP_REASONS
    assert result.heard_speech
    # Ends 1.5 s of silence after the speech (the VAD may hang over a frame or two).
    assert 0.6 + 1.5 + 1.5 <= result.duration_s <= 0.6 + 1.5 + 1.5 + 0.3
    assert rec.first_speech_s == pytest.approx(0.6, abs=0.1)
    saved = audio.load(result.path)
    assert saved.sample_rate == RATE and saved.duration_s == pytest.approx(result.duration_s)


def test_the_wav_holds_exactly_the_blocks_received(tmp_path, fake_mic):
    blocks = blocks_of(vowel(1.0), quiet(3.0))
    fake_mic(blocks)
    _, result = record(tmp_path)
    saved = audio.load(result.path).samples
    assert np.array_equal(saved, np.concatenate(blocks)[: len(saved)])


def test_max_seconds_cuts_a_long_answer_exactly(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(10.0)))
    _, result = record(tmp_path, max_seconds=2.0)
    assert result.stopped_by == "max_seconds"
    assert result.duration_s == pytest.approx(2.0)
    assert audio.load(result.path).duration_s == pytest.approx(2.0)


def test_silence_only_runs_to_the_limit_without_speech(tmp_path, fake_mic):
    fake_mic(blocks_of(quiet(5.0)))
    _, result = record(tmp_path, max_seconds=3.0)
    assert result.stopped_by == "max_seconds"
    assert not result.heard_speech


def test_with_a_start_timeout_silence_alone_ends_the_recording(tmp_path, fake_mic):
    fake_mic(blocks_of(quiet(30.0)))
    rec = MicrophoneRecorder(stop_on_enter=False, start_timeout_s=2.0)
    result = rec.record(tmp_path / "answer.wav", max_seconds=25.0)
    assert result.stopped_by == "silence" and not result.heard_speech
    assert 2.0 <= result.duration_s <= 2.0 + 0.1


def test_digital_silence_is_not_speech(tmp_path, fake_mic):
    fake_mic(blocks_of(np.zeros(RATE * 3, dtype=np.int16)))
    _, result = record(tmp_path, max_seconds=2.0)
    assert not result.heard_speech


def test_stop_when_ends_the_recording(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(5.0)))
    seen = []

    def stop_when(elapsed):
        seen.append(elapsed)
        return elapsed >= 1.0

    _, result = record(tmp_path, stop_when=stop_when)
    assert result.stopped_by == "stopped"
    assert 1.0 <= result.duration_s < 1.0 + BLOCK / RATE + 1e-9
    assert seen == sorted(seen)


def test_on_start_comes_before_the_first_block_and_on_block_counts_time(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(1.0), quiet(2.0)))
    events = []
    _, result = record(
        tmp_path,
        on_start=lambda: events.append("start"),
        on_block=lambda block, elapsed: events.append((len(block), round(elapsed, 4))),
    )
    assert events[0] == "start" and events.count("start") == 1
    assert events[1] == (BLOCK, round(BLOCK / RATE, 4))
    assert events[-1][1] == pytest.approx(result.duration_s)


def test_ctrl_c_keeps_every_block_already_received(tmp_path, fake_mic):
    sd = fake_mic(blocks_of(vowel(4.0)))
    calls = []

    def on_block(block, elapsed):
        calls.append(elapsed)
        if len(calls) == 20:
            raise KeyboardInterrupt

    rec, result = record(tmp_path, on_block=on_block)
    assert result.stopped_by == "interrupted"
    delivered = sd.streams[0].delivered
    assert delivered >= 20
    assert result.duration_s == pytest.approx(delivered * BLOCK / RATE)
    saved = audio.load(result.path)
    assert saved.duration_s == pytest.approx(result.duration_s)
    assert sd.streams[0].closed


def test_input_overflows_are_counted_not_fatal(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(1.0), quiet(2.0)), overflow_at=[3, 7, 9])
    rec, result = record(tmp_path)
    assert result.stopped_by == "silence"
    assert rec.overflows == 3


def test_a_device_that_fails_to_start_is_a_plain_error(tmp_path, fake_mic):
    fake_mic([], start_error=PortAudioError("Error starting stream: Device unavailable", -9985))
    with pytest.raises(RehearseError, match=r"^The input device \(microphone\) could not be used"):
        record(tmp_path)
    with wave.open(str(tmp_path / "answer.wav"), "rb") as wav:  # closed and valid, just empty
        assert wav.getnframes() == 0 and wav.getframerate() == RATE


def test_a_device_that_never_sends_audio_is_a_plain_error(tmp_path, fake_mic, monkeypatch):
    monkeypatch.setattr(recorder, "STALL_S", 0.2)
    fake_mic([])
    with pytest.raises(RehearseError, match="stopped sending audio"):
        record(tmp_path)


def test_no_microphone_is_a_plain_error(tmp_path, monkeypatch):
    sd = FakeSoundDevice([device("Speaker", outputs=2)], (-1, 0))
    monkeypatch.setattr(devices, "sounddevice_module", lambda: sd)
    with pytest.raises(RehearseError, match=r"^No input device \(microphone\) was found"):
        record(tmp_path)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a pseudo-terminal")
def test_enter_on_a_terminal_stops_the_recording(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(5.0)))
    master, slave = os.openpty()
    with os.fdopen(slave, "r") as tty:
        pressed = []

        def on_block(block, elapsed):
            if elapsed >= 0.5 and not pressed:
                os.write(master, b"\n")
                pressed.append(elapsed)

        rec = MicrophoneRecorder(stdin=tty)
        result = rec.record(tmp_path / "a.wav", max_seconds=30.0, on_block=on_block)
    os.close(master)
    assert result.stopped_by == "enter"
    assert 0.5 <= result.duration_s < 5.0


def test_enter_is_ignored_when_stdin_is_not_a_terminal(tmp_path, fake_mic):
    fake_mic(blocks_of(vowel(2.0)))
    read, write = os.pipe()
    os.write(write, b"\n\n")
    with os.fdopen(read, "r") as pipe:
        result = MicrophoneRecorder(stdin=pipe).record(tmp_path / "a.wav", max_seconds=1.0)
    os.close(write)
    assert result.stopped_by == "max_seconds"


def test_a_stream_opened_during_the_prompt_drops_the_prompt_and_keeps_the_whole_answer(fake_mic, tmp_path):
    prompt = vowel(2.0, f0=200.0)  # the interviewer, heard by the microphone while the stream is open early
    answer = blocks_of(vowel(1.5), quiet(2.0))
    sd = fake_mic(answer, before_armed=blocks_of(prompt))
    rec = MicrophoneRecorder(stop_on_enter=False)
    rec.prepare()
    assert len(sd.streams) == 1 and sd.streams[0].started
    started = []
    result = rec.record(tmp_path / "answer.wav", max_seconds=30.0, on_start=lambda: started.append(True))
    assert len(sd.streams) == 1, "record() used the stream opened early"
    assert started and result.stopped_by == "silence" and result.heard_speech
    recorded = audio.load(result.path).samples
    sent = np.concatenate(answer)
    # every sample of the answer, from its first, and nothing of the prompt
    assert np.array_equal(recorded, sent[: len(recorded)])
    assert len(recorded) >= int(1.5 * RATE)
    assert sd.streams[0].closed


def test_a_stream_opened_early_is_closed_when_the_round_stops_before_recording(fake_mic, tmp_path):
    sd = fake_mic(blocks_of(vowel(1.0)))
    rec = MicrophoneRecorder(stop_on_enter=False)
    rec.prepare()
    rec.release()
    assert sd.streams[0].closed
    rec.release()  # nothing left to close


def test_a_device_that_fails_early_is_reported_by_record(fake_mic, tmp_path):
    fake_mic(blocks_of(vowel(1.0)), start_error=PortAudioError("Device unavailable"))
    rec = MicrophoneRecorder(stop_on_enter=False)
    rec.prepare()  # says nothing: the recording below gives the one sentence
    with pytest.raises(RehearseError):
        rec.record(tmp_path / "answer.wav", max_seconds=5.0)

"""The real recording and playback path through a virtual PulseAudio microphone (see virtual_audio.py).

A real speech clip is played into the null sink that the default microphone listens to; what the
recorder writes must be that clip, sample for sample, and recording must end on the silence after it.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import speech_sample
from virtual_audio import output_default_buffer
from rehearse.audio import pcm as audio

from rehearse.audio import playback
from rehearse.audio.microphone import MicrophoneRecorder

pytestmark = pytest.mark.audio

ROOT = Path(__file__).resolve().parents[1]
RATE = 16000


def locate(recorded: np.ndarray, clip: np.ndarray, search_s: float = 3.0) -> int:
    """Where the start of ``clip`` lies in ``recorded`` (in samples)."""
    head = clip[:RATE].astype(np.float64)
    window = recorded[: len(head) + int(search_s * RATE)].astype(np.float64)
    if len(window) < len(head):
        return 0
    return int(np.argmax(np.correlate(window, head, mode="valid")))


def best_correlation(window: np.ndarray, piece: np.ndarray) -> float:
    """The highest Pearson correlation of ``piece`` with any equally long stretch of ``window``."""
    n = len(piece)
    if len(window) < n:
        return 0.0
    centred = piece - piece.mean()
    norm = np.sqrt(np.sum(centred ** 2))
    sums = np.concatenate([[0.0], np.cumsum(window)])
    squares = np.concatenate([[0.0], np.cumsum(window ** 2)])
    local_sum = sums[n:] - sums[:-n]
    local_var = np.maximum(squares[n:] - squares[:-n] - local_sum ** 2 / n, 1e-9)
    scores = np.correlate(window, centred, mode="valid") / (np.sqrt(local_var) * norm)
    return float(scores.max())


def chunk_scores(recorded: np.ndarray, clip: np.ndarray, lag: int, chunk_s: float = 0.5) -> list:
    """How well each loud half-second chunk of the clip is found near its expected place in the recording.

    Each chunk may sit up to 0.25 s from its expected place: when the shared machine is loaded, the
    audio server can insert a few milliseconds of silence into the *played* stream, shifting what follows.
    """
    size, slack = int(chunk_s * RATE), int(0.25 * RATE)
    scores = []
    for start in range(0, len(clip) - size + 1, size):
        piece = clip[start:start + size].astype(np.float64)
        if piece.std() < 300:  # pauses say nothing about alignment
            continue
        window = recorded[max(0, lag + start - slack):lag + start + size + slack].astype(np.float64)
        scores.append(round(best_correlation(window, piece), 3))
    return scores


def assert_holds_clip(recorded: np.ndarray, clip: np.ndarray, lag: int) -> None:
    """The clip's loud chunks are in the recording intact (correlation > 0.99), but for one in ten.

    (One chunk is always allowed to miss: a glitch in the played stream splits the chunk it falls in.)
    """
    scores = chunk_scores(recorded, clip, lag)
    misses = sum(score <= 0.99 for score in scores)
    assert len(scores) >= 3 and misses <= max(1, len(scores) // 10), f"chunk correlations: {scores}"


@pytest.mark.slow
def test_records_a_played_answer_and_stops_on_the_silence_after_it(virtual_mic, tmp_path):
    clip_path = speech_sample("jfk.wav")
    clip = audio.load(clip_path)
    players = []
    rec = MicrophoneRecorder(stop_on_enter=False)
    result = rec.record(
        tmp_path / "answer.wav",
        max_seconds=30.0,
        on_start=lambda: players.append(virtual_mic.play(clip_path, delay_s=0.3)),
    )
    assert players and players[0].wait(10) == 0

    assert result.stopped_by == "silence"
    assert result.heard_speech
    assert rec.overflows == 0
    recorded = audio.load(result.path)
    assert recorded.sample_rate == 16000
    lag = locate(recorded.samples, clip.samples)
    assert_holds_clip(recorded.samples, clip.samples, lag)
    assert lag + len(clip.samples) <= len(recorded.samples), "the end of the answer was cut off"
    # It stopped on the silence after the clip, not long after.
    trailing_s = recorded.duration_s - (lag + len(clip.samples)) / RATE
    assert 1.0 <= trailing_s <= 3.0
    assert rec.first_speech_s == pytest.approx(lag / RATE, abs=0.5)


@pytest.mark.slow
def test_playback_to_the_default_output_is_heard_by_the_microphone(virtual_mic, tmp_path):
    clip = audio.load(speech_sample("cmu-arctic-a0024.wav"))
    errors = []

    def speak():
        # The product's playback with PulseAudio's default buffer, as on a user's machine: the fixture's
        # PULSE_LATENCY_MSEC=30 is there for the recorder's quick start (its stream is open by now), and
        # on the output it leaves 30 ms queued, which runs dry on a busy machine and splits words.
        with output_default_buffer():
            try:
                playback.play(clip)
            except Exception as exc:  # reported below, from the test thread
                errors.append(exc)

    speaker = threading.Thread(target=speak)
    result = MicrophoneRecorder(stop_on_enter=False).record(
        tmp_path / "heard.wav", max_seconds=15.0, on_start=speaker.start
    )
    speaker.join(15)
    assert not errors
    assert result.stopped_by == "silence"
    recorded = audio.load(result.path).samples
    assert_holds_clip(recorded, clip.samples, locate(recorded, clip.samples))


RECORD_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rehearse.audio.microphone import MicrophoneRecorder

    def started():
        print("STARTED", flush=True)

    result = MicrophoneRecorder(stop_on_enter=False).record(Path(sys.argv[1]), max_seconds=60.0, on_start=started)
    print("RETURNED", result.stopped_by, flush=True)
    """
)


@pytest.mark.slow
def test_a_killed_recorder_leaves_a_readable_wav_with_what_was_said(virtual_mic, tmp_path):
    clip_path = speech_sample("jfk.wav")
    clip = audio.load(clip_path)
    script = tmp_path / "record.py"
    script.write_text(RECORD_SCRIPT)
    wav = tmp_path / "killed.wav"
    env = dict(virtual_mic.env, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, str(script), str(wav)], env=env, cwd=str(ROOT),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    player = None
    try:
        line = child.stdout.readline()
        assert line.strip() == "STARTED", child.stderr.read() if child.poll() is not None else line
        player = virtual_mic.play(clip_path)
        time.sleep(4.0)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if player is not None:
            player.kill()
            player.wait()

    recorded = audio.load(wav)
    assert 3.0 <= recorded.duration_s <= 5.0
    lag = locate(recorded.samples, clip.samples)
    heard = clip.samples[: len(recorded.samples) - lag]
    assert len(heard) > 2.5 * RATE, "seconds of the answer were lost"
    assert_holds_clip(recorded.samples, heard, lag)


NO_SERVER_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import numpy as np
    from rehearse.audio.pcm import Audio
    from rehearse.core.errors import RehearseError
    from rehearse.audio.playback import play
    from rehearse.audio.microphone import MicrophoneRecorder

    for name, action in (
        ("record", lambda: MicrophoneRecorder().record(Path(sys.argv[1]), max_seconds=2.0)),
        ("play", lambda: play(Audio(np.zeros(1600, dtype=np.int16), 16000))),
    ):
        try:
            action()
            print(name, "OK")
        except RehearseError as err:
            print(name, "ERROR", err)
    """
)


def test_no_audio_server_is_a_plain_error(tmp_path):
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text():
        pytest.skip("this machine has a sound card, so there are devices even without an audio server")
    script = tmp_path / "no_server.py"
    script.write_text(NO_SERVER_SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env.update(PULSE_SERVER=f"unix:{tmp_path / 'nowhere' / 'native'}", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "x.wav")], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "record ERROR No input device (microphone) was found; connect one, "
        "or run `rehearse devices` to see what is available.",
        "play ERROR No output device (speaker) was found; connect one, "
        "or run `rehearse devices` to see what is available.",
    ]


def test_an_input_opened_during_the_prompt_hears_the_first_word(virtual_mic, tmp_path):
    """Opened while the prompt plays (prepare), the stream is already delivering when recording starts:
    an answer that begins the instant recording starts is kept from its first sample on, and nothing
    played before that is in the recording."""
    clip_path = speech_sample("jfk.wav")
    clip = audio.load(clip_path)
    rec = MicrophoneRecorder(stop_on_enter=False)
    rec.prepare()
    prompt = virtual_mic.play(clip_path)  # the "interviewer" speaking while the input is open
    assert prompt.wait(20) == 0
    players = []
    result = rec.record(tmp_path / "answer.wav", max_seconds=30.0,
                        on_start=lambda: players.append(virtual_mic.play(clip_path)))
    assert players and players[0].wait(20) == 0
    recorded = audio.load(result.path)
    lag = locate(recorded.samples, clip.samples)
    assert_holds_clip(recorded.samples, clip.samples, lag)
    assert rec.first_block_latency_s is not None and rec.first_block_latency_s < 0.5, rec.first_block_latency_s

"""Seize the moment on real parts: `rehearse interview --archetype storyteller` plays the monologue
into a virtual PulseAudio sink while it records from the virtual microphone that hears that sink (as
speakers would be heard), and the candidate's spoken opening is played into the same sink in the
monologue's second pause. Both ways of keeping the interviewer's voice out are run: pause-only and
subtraction.

The time is checked against the recording itself: the full recording (``<session>-monologue.wav``)
holds both the interviewer's first sentence and the candidate's opening, each found in it by
cross-correlation with its source file, so the true seize time does not depend on when the test's
player process really started.
"""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, need_espeak

pytestmark = [pytest.mark.audio, pytest.mark.slow]

OPENINGS = ROOT / "tests" / "data" / "openings_audio"
ANSWER = OPENINGS / "storyteller-strong.wav"
BEST = ("--title", "Payments migration", "--action", "I led the move of our payment system to a new platform",
        "--result", "cut the error rate by sixty percent", "--terms", "payment system, error rate", "--best")


def _read_until(proc, needle, lines, timeout_s=120.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return time.monotonic()
    proc.kill()
    raise AssertionError(f"interview never said {needle!r}: {''.join(lines)}")


def _locate(haystack, needle):
    """Sample offset of ``needle`` in ``haystack`` (cross-correlation peak), and its normalised height."""
    from rehearse.audio.echo import estimate_delay

    n = len(needle)
    padded = np.concatenate([haystack.astype(np.float64), np.zeros(n)])
    # estimate_delay(mic, played, max_lag): the lag d at which mic[i] matches played[i + lead - d];
    # here "played" is the recording and "mic" the needle placed at the end of it
    lead = len(padded) - n
    lag, corr = estimate_delay(needle.astype(np.float64), padded, lead)
    return lead - lag, corr


def _speech_onset(samples, rate=16000, frame=480, level=300.0):
    x = samples.astype(np.float64)
    for i in range(0, len(x) - frame, frame):
        if np.sqrt(np.mean(x[i:i + frame] ** 2)) >= level:
            return i
    return 0


@pytest.mark.parametrize("echo", ["pauses", "subtract"])
def test_a_storyteller_monologue_seized_in_its_second_pause(virtual_mic, rehearse_home, run_cli, echo):
    need_espeak()
    from rehearse.audio import pcm, prompt_audio
    from rehearse.coaching import interview as coach
    from rehearse.core.model import Prompt

    code, _, err = run_cli("accomplishments", "add", *BEST)
    assert code == 0, err
    lines = coach.load_script("storyteller").lines[coach.MONOLOGUE]
    clips = [pcm.load(prompt_audio.audio_for(Prompt(id=l.id, archetype="storyteller", text=l.text))) for l in lines]
    second_pause = clips[0].duration_s + lines[0].pause_after + clips[1].duration_s
    assert lines[1].pause_after >= 1.2  # room for the candidate to start 0.35 s in

    env = {**virtual_mic.env, "REHEARSE_HOME": str(rehearse_home), "PYTHONPATH": str(ROOT)}
    # PulseAudio buffers of 300 ms: the other audio tests shorten them to 30 ms, with which the speakers
    # underflow on a busy machine and every underflow shifts the echo; with PulseAudio's defaults a
    # loaded machine can keep the microphone's first block back for more than the 5 s a recorder waits
    env["PULSE_LATENCY_MSEC"] = "300"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rehearse", "interview", "--archetype", "storyteller", "--turns", "3",
         "--engine", "pocketsphinx", "--echo", echo, "--silence", "1.5", "--max-seconds", "30", "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    said: list[str] = []
    players = []
    try:
        started = _read_until(proc, "Listening", said)
        # the candidate starts 0.35 s into the second pause (the line comes within a block of the start)
        wait = second_pause + 0.35 - (time.monotonic() - started)
        players.append(virtual_mic.play(ANSWER, delay_s=max(0.0, wait)))
        for _ in range(2):  # turns 2 and 3: answer once recording starts
            _read_until(proc, "Recording", said)
            players.append(virtual_mic.play(ANSWER))
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in players:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    err = "".join(said) + err
    assert out, err
    result = json.loads(out)
    seize = result["seize"]
    first = result["conversation"][0]
    assert seize["mode"] == echo
    assert seize["took_floor"] and seize["where"] == "pause" and seize["index"] == 2, (seize, err)
    assert seize["pauses_offered"] == 1
    assert seize["leads_with_accomplishment"] and seize["presents_best"] and seize["verdict"] == "seized", first
    assert first["took_charge"] and result["conversation"][1]["interviewer"]["move"] == "follow_up"
    # only the candidate is in the answer: none of the interviewer's words
    words = first["transcript"].split()
    assert "payment" in words and "sixty" in words
    assert not {"bakery", "coffee", "founder", "dashboards"} & set(words), first["transcript"]
    # the echo path was measured on the virtual devices (sink -> monitor: tens of milliseconds)
    assert seize["delay_measured"] and 0.0 <= seize["delay_s"] < 0.3
    if echo == "subtract":
        assert seize["suppression_db"] > 20

    # The truth, from the full recording: where the first sentence and the opening are in it.
    from rehearse.core.home import recordings_dir

    full = pcm.load(recordings_dir() / f"{first['session_id']}-monologue.wav").samples
    answer = pcm.load(ANSWER).samples
    start_1, corr_1 = _locate(full[: 16000 * 3 + len(clips[0].samples)], np.asarray(clips[0].samples)[:16000 * 2])
    window = full[int((second_pause - 1.0) * 16000): int((second_pause + 3.0) * 16000) + 16000 * 2]
    at, corr_2 = _locate(window, answer[: 16000 * 2])
    assert corr_1 > 0.8 and corr_2 > 0.5, (corr_1, corr_2)
    onset = int((second_pause - 1.0) * 16000) + at + _speech_onset(answer)
    truth = (onset - start_1) / 16000
    assert truth == pytest.approx(second_pause + 0.35, abs=0.5)  # the player started about when asked
    error = seize["seize_s"] - truth
    print(f"\nseize [{echo}]: measured {seize['seize_s']:.3f} s, true {truth:.3f} s, error {error * 1000:+.0f} ms, "
          f"delay {seize['delay_s'] * 1000:.0f} ms, suppression {seize['suppression_db']} dB")
    assert abs(error) < 0.25

"""Seize the moment on real parts: the storyteller's monologue (its pre-rendered lines) is played into a
virtual PulseAudio sink by the real MonologueRecorder while it records from the virtual microphone
that hears that sink (as speakers would be heard), and the candidate's spoken opening is played into
the same sink in the monologue's second pause. Then the turn goes on as `rehearse interview` runs it:
one round (transcribed by a real engine, scored, the personal checks against the bank's best entry,
saved) judged by the same seize_json. Both ways of keeping the interviewer's voice out are run:
pause-only and subtraction.

The time is checked against the recording itself: the full recording (``<session>-monologue.wav``)
holds both the interviewer's first sentence and the candidate's opening, each found in it by
cross-correlation with its source file, so the true seize time does not depend on when the test's
player process really started.
"""

import threading
import time

import numpy as np
import pytest

from conftest import ROOT, need_engine

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ANSWER = ROOT / "tests" / "data" / "openings_audio" / "storyteller-strong.wav"
RATE = 16000


def _locate(haystack, needle):
    """Sample offset of ``needle`` in ``haystack`` (cross-correlation peak), and its normalised height."""
    from rehearse.audio.echo import estimate_delay

    n = len(needle)
    padded = np.concatenate([np.asarray(haystack, dtype=np.float64), np.zeros(n)])
    lead = len(padded) - n
    lag, corr = estimate_delay(np.asarray(needle, dtype=np.float64), padded, lead)
    return lead - lag, corr


def _speech_onset(samples, frame=480, level=300.0):
    x = np.asarray(samples, dtype=np.float64)
    for i in range(0, len(x) - frame, frame):
        if np.sqrt(np.mean(x[i:i + frame] ** 2)) >= level:
            return i
    return 0


@pytest.mark.parametrize("echo", ["pauses", "subtract"])
def test_a_storyteller_monologue_seized_in_its_second_pause(virtual_mic, rehearse_home, monkeypatch, echo):
    # PulseAudio buffers of 300 ms: the other audio tests shorten them to 30 ms, with which the speakers
    # underflow on a busy machine and every underflow shifts the echo (a desktop's are longer still)
    monkeypatch.setenv("PULSE_LATENCY_MSEC", "300")
    name = "whisper" if _available("whisper") else "pocketsphinx"
    need_engine(name)
    from rehearse.audio import monologue as device
    from rehearse.audio import pcm, prompt_audio
    from rehearse.coaching import interview as coach
    from rehearse.coaching import seize as seizing
    from rehearse.coaching.bank import Accomplishment
    from rehearse.coaching.personal import Targets
    from rehearse.core import archetypes
    from rehearse.core.home import recordings_dir
    from rehearse.core.model import Prompt
    from rehearse.session.interview import monologue_prompt, seize_json
    from rehearse.session.round import RoundPorts, run_round
    from rehearse.speech import engines
    from rehearse.store.sessions import Store

    script = coach.load_script("storyteller")
    lines = script.lines[coach.MONOLOGUE]
    clips = []
    for line in lines:
        path = prompt_audio.audio_for(Prompt(id=line.id, archetype="storyteller", text=line.text), render=_refuse)
        clips.append(device.Clip(line.id, np.asarray(pcm.load(path).samples), line.pause_after))
    second_pause = (len(clips[0].samples) / RATE + lines[0].pause_after + len(clips[1].samples) / RATE)
    assert lines[1].pause_after >= 1.2  # room to start 0.35 s in

    recorder = device.MonologueRecorder(clips, watch=lambda f: seizing.FloorWatch(f, echo), mode=echo,
                                        silence_s=1.5, stop_on_enter=False)
    players = []

    def candidate_speaks():
        # on_start comes with the first microphone block, as the speakers start: the candidate starts
        # talking 0.35 s into the second pause (give or take the player's own start-up)
        time.sleep(max(0.0, second_pause + 0.35))
        players.append(virtual_mic.play(ANSWER))

    best = Accomplishment("Payments migration", action="I led the move of our payment system to a new platform",
                          result="cut the error rate by sixty percent", terms=("payment system", "error rate"),
                          best=True)
    targets = Targets(accomplishment=best)
    store = Store()
    ports = RoundPorts(speaker=_Silent(), recorder=recorder, transcriber=engines.get(name), store=store,
                       recordings=recordings_dir())
    judged = {}

    def extra(recording, transcript, score):
        judged.update(seize_json(recorder, transcript, score, targets))
        return {"interview": {"seize": dict(judged)}}

    try:
        result = run_round(archetype=archetypes.get("storyteller"), prompt=monologue_prompt(script), ports=ports,
                           targets=targets, mode="interview", max_seconds=30,
                           on_recording_start=lambda: threading.Thread(target=candidate_speaks, daemon=True).start(),
                           extra=extra)
    finally:
        for p in players:
            try:
                p.wait(timeout=30)
            except Exception:
                p.kill()
    seize = judged
    assert seize["mode"] == echo
    assert seize["took_floor"] and seize["where"] == "pause" and seize["index"] == 2, seize
    assert seize["pauses_offered"] == 1
    words = result.transcript.text.split()
    assert seize["leads_with_accomplishment"] and seize["presents_best"] and seize["verdict"] == "seized", (
        seize, result.transcript.text)
    # only the candidate is in the answer: none of the interviewer's words
    assert not {"bakery", "coffee", "founder", "dashboards"} & set(words), result.transcript.text
    assert store.get(result.session_id).extra["interview"]["seize"]["index"] == 2
    # the echo path was measured (sink -> monitor, through both streams' buffers)
    assert seize["delay_measured"] and 0.0 <= seize["delay_s"] < 1.0
    if echo == "subtract":
        assert seize["suppression_db"] > 10

    # The truth, from the full recording: where the first sentence and the opening are in it.
    full = pcm.load(recorder.full_path).samples
    answer = pcm.load(ANSWER).samples
    start_1, corr_1 = _locate(full[: RATE * 4 + len(clips[0].samples)], np.asarray(clips[0].samples)[: RATE * 2])
    offset = int(max(0.0, second_pause - 1.0) * RATE)
    at, corr_2 = _locate(full[offset: offset + RATE * 8], answer[: RATE])
    assert corr_1 > 0.8 and corr_2 > 0.3, (corr_1, corr_2)
    onset = offset + at + _speech_onset(answer)
    truth = (onset - start_1) / RATE
    error = seize["seize_s"] - truth
    print(f"\nseize [{echo}, {name}]: measured {seize['seize_s']:.3f} s, true {truth:.3f} s, error "
          f"{error * 1000:+.0f} ms; delay {seize['delay_s'] * 1000:.0f} ms; suppression {seize['suppression_db']} dB")
    assert truth == pytest.approx(second_pause + 0.35, abs=0.6)  # the player started about when asked
    assert abs(error) < 0.25


def _available(name):
    from rehearse.speech import engines

    return engines.availability(name) is None


def _refuse(text, path):
    raise AssertionError(f"the monologue line {text!r} was not pre-rendered")


class _Silent:
    def speak(self, prompt):
        return None

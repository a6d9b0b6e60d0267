"""A spoken debrief through the real audio path: `rehearse debrief` in a subprocess records each
answer from the virtual microphone and transcribes it with PocketSphinx.

The answers are synthesised with espeak-ng (the klatt voice with a faint noise floor, which
PocketSphinx hears best; see scripts/make_sample_answer.py). The questions are shown as text
(--text-prompt), so nothing but the answers reaches the virtual microphone.
"""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import need_engine, need_espeak
from rehearse.audio import pcm as audio

pytestmark = [pytest.mark.audio, pytest.mark.slow]

VOICE, RATE_WPM, NOISE_SIGMA = "gmw/en-us+klatt", 165, 30.0
# (A bare "No." is often heard as "oh" through the microphone: the answers say a few words more.)
ANSWERS = [
    "Yes. She doubted my budget experience.",  # challenged
    "No, it was not.",                         # superficial
    "No, it was not.",                         # sales pitch
    "No, they were not.",                      # bad questions
    "The budget overrun.",                     # I wish I had answered the question about ___
    None,                                      # my accomplishment at ___: silence skips it
    "My work at the warehouse.",               # why didn't they ask me about my work at ___
]


def synthesise(text: str, path: Path) -> Path:
    from rehearse.audio import tts

    need_espeak()
    clip = tts.render(text, path, voice=VOICE, rate=RATE_WPM)
    rng = np.random.default_rng(0)
    noisy = clip.samples.astype(np.float64) + rng.normal(0.0, NOISE_SIGMA, len(clip.samples))
    return audio.save(audio.Audio(np.clip(np.round(noisy), -32768, 32767).astype(np.int16), clip.sample_rate), path)


def test_a_spoken_debrief_is_heard_through_the_microphone(virtual_mic, cli_env, tmp_path):
    need_engine("pocketsphinx")
    wavs = [synthesise(text, tmp_path / f"answer{i}.wav") if text else None for i, text in enumerate(ANSWERS)]
    env = dict(cli_env, **virtual_mic.client_env)
    command = [sys.executable, "-m", "rehearse", "debrief", "--text-prompt", "--engine", "pocketsphinx",
               "--max-seconds", "6", "--silence", "1.0", "--json"]
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    err_lines, players = [], []

    def answer_each_question():  # an answer starts the moment the debrief says it is recording
        asked = 0
        for line in child.stderr:
            err_lines.append(line)
            if "Recording" in line:
                wav = wavs[asked] if asked < len(wavs) else None
                asked += 1
                if wav is not None:
                    players.append(virtual_mic.play(wav, delay_s=0.3))

    reader = threading.Thread(target=answer_each_question, daemon=True)
    reader.start()
    try:
        out = child.stdout.read()
        child.wait(180)
        reader.join(10)
    finally:
        for proc in (child, *players):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    err = "".join(err_lines)
    assert child.returncode == 0, err
    assert all(p.wait(10) == 0 for p in players)
    result = json.loads(out)
    answers = {a["key"]: a for a in result["answers"]}
    heard = {k: a["text"] for k, a in answers.items()}
    plan = result["plan"]
    # the spoken "yes" made it a challenger interview; what she doubted is kept
    assert "challenged" in plan["flagged"], heard
    assert [d["archetype"] for d in plan["drills"]][0] == "challenger"
    assert "budget" in plan["details"].get("challenged", ""), heard
    # the spoken "no"s flagged nothing else, and each was heard as a yes or a no
    assert set(plan["flagged"]) == {"challenged"}, heard
    assert plan["unclear"] == [], heard
    assert any("budget" in q for q in plan["reanswer"]), heard
    assert any("warehouse" in t for t in plan["topics"]), heard
    assert "regret_accomplishment" in plan["skipped"], heard  # the silent answer
    for key, a in answers.items():
        assert a["source"] == "spoken"
        assert Path(a["audio"]).exists() and audio.load(a["audio"]).duration_s > 0.5
    assert err.count("Recording") == len(ANSWERS)


def test_a_one_word_spoken_no_is_heard_and_silence_skips_quickly(virtual_mic, cli_env, tmp_path):
    """A bare "No." through the microphone, transcribed by Whisper, is an answer (it was dropped as
    too short to be speech, and as too unsure a word); the questions left unanswered are skipped
    after the --skip-after window."""
    from conftest import need_engine

    need_engine("whisper")
    no = synthesise("No.", tmp_path / "no.wav")
    skip_after = 2.0
    env = dict(cli_env, **virtual_mic.client_env)
    command = [sys.executable, "-m", "rehearse", "debrief", "--text-prompt", "--engine", "whisper",
               "--max-seconds", "20", "--silence", "1.0", "--skip-after", str(skip_after), "--json"]
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    err_lines, players = [], []

    def answer_the_first_question():
        for line in child.stderr:
            err_lines.append(line)
            if "Recording" in line and not players:
                players.append(virtual_mic.play(no, delay_s=0.3))

    reader = threading.Thread(target=answer_the_first_question, daemon=True)
    reader.start()
    try:
        out = child.stdout.read()
        child.wait(180)
        reader.join(10)
    finally:
        for proc in (child, *players):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    err = "".join(err_lines)
    assert child.returncode == 0, err
    result = json.loads(out)
    answers = {a["key"]: a for a in result["answers"]}
    plan = result["plan"]
    assert "challenged" not in plan["skipped"] and "challenged" not in plan["flagged"], answers["challenged"]
    assert plan["unclear"] == [], answers["challenged"]
    assert len(plan["skipped"]) == len(ANSWERS) - 1
    for key in plan["skipped"]:  # the silence window (and the device's start-up), not the 20 s limit
        assert audio.load(answers[key]["audio"]).duration_s < skip_after + 3.0

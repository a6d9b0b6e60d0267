"""The real drill loop: `rehearse drill` in a subprocess, recording from the virtual microphone,
transcribing with PocketSphinx. Spoken answers are synthesised with espeak-ng.

The prompt is shown as text (--text-prompt) and the tone is off, so nothing but the answer reaches
the virtual microphone (it hears everything played to the default output).
"""

import json
import subprocess
import sys
import threading
import time

import pytest

from conftest import need_engine, need_espeak
from rehearse.audio import pcm as audio
from rehearse.coaching.timing import pace_band

pytestmark = [pytest.mark.audio, pytest.mark.slow]

LIMIT_S = 10.0  # green at 5 s, yellow at 7.5 s, red at 10 s, cut at 11 s
SHORT = ("Thank you for asking me back. I was charged with cutting our release time, so I rebuilt the whole "
         "pipeline in a month.")
LONG = ("Thank you for asking me back. I was thinking about an accomplishment from the last six months. "
        "I was charged with cutting our release time from two weeks to three days, so I rebuilt the build "
        "pipeline, I moved every test into parallel jobs, and I taught the team to ship small changes every "
        "day. Releases now take three days, and failed deployments fell by sixty percent.")


def synthesise(text: str, path):
    need_espeak()
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-w", str(raw), text], check=True, capture_output=True, timeout=60)
    clip = audio.load(raw).to_rate(16000)
    return audio.save(clip, path), clip.duration_s


def drill(virtual_mic, cli_env, answer_wav, *extra):
    """Run one drill round, start the answer the moment recording starts; (exit code, JSON, stderr)."""
    need_engine("pocketsphinx")
    env = dict(cli_env, **virtual_mic.client_env)
    command = [sys.executable, "-m", "rehearse", "drill", "--archetype", "storyteller", "--seconds", str(LIMIT_S),
               "--text-prompt", "--no-tone", "--no-countdown", "--engine", "pocketsphinx", "--json", *extra]
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    recording, err_lines = threading.Event(), []

    def read_stderr():  # the answer starts the moment the drill says it is recording
        for line in child.stderr:
            err_lines.append(line)
            if "Recording" in line:
                recording.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    player = None
    try:
        deadline = time.monotonic() + 60
        while not recording.wait(0.05) and child.poll() is None and time.monotonic() < deadline:
            pass
        if recording.is_set():
            player = virtual_mic.play(answer_wav)
        out = child.stdout.read()
        child.wait(90)
        reader.join(10)
        err = "".join(err_lines)
        assert player is not None, err
        assert player.wait(30) == 0
    finally:
        for proc in (child, player):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    lines = out.splitlines()
    assert len(lines) == 1, f"stdout must be one JSON object: {out!r}; stderr: {err}"
    result = json.loads(lines[0])
    # the exit code is the verdict's (what PocketSphinx heard decides the verdict itself)
    assert child.returncode == (0 if result["verdict"] == "pass" else 1), err
    return child.returncode, result, err


def test_an_answer_past_the_limit_is_cut_at_red_plus_grace_and_reported_as_overtime(virtual_mic, cli_env,
                                                                                     tmp_path):
    wav, seconds = synthesise(LONG, tmp_path / "long.wav")
    assert seconds > LIMIT_S * 1.5
    code, result, err = drill(virtual_mic, cli_env, wav)
    t = result["timing"]
    assert t["cut"], err
    assert t["recorded_s"] == pytest.approx(LIMIT_S * 1.1, abs=0.1)  # red plus 10% grace
    assert t["light"] == "red"
    assert 0 < t["overtime_s"] <= LIMIT_S * 0.1 + 0.05
    assert t["overtime_s"] == pytest.approx(t["ended_at_s"] - LIMIT_S, abs=0.01)
    assert "RED light" in err and "Recording" in err
    from rehearse.store.sessions import Store

    session = Store().get(result["session_id"])
    assert session.mode == "drill" and session.extra["timing"]["cut"] is True
    assert session.duration_s == pytest.approx(t["recorded_s"], abs=0.05)


def test_an_answer_that_finishes_early_reports_green(virtual_mic, cli_env, tmp_path):
    wav, seconds = synthesise(SHORT, tmp_path / "short.wav")
    assert LIMIT_S * 0.5 + 1.0 < seconds < LIMIT_S * 0.75 - 0.5
    code, result, err = drill(virtual_mic, cli_env, wav, "--silence", "1.5")
    t = result["timing"]
    assert t["light"] == "green", (t, result["transcript"])
    assert t["overtime_s"] == 0 and not t["cut"]
    assert t["recorded_s"] < LIMIT_S  # it stopped on the silence after the answer
    assert t["spoken_s"] == pytest.approx(seconds, abs=1.0)
    assert t["wpm"] > 0 and t["pace"] == pace_band(t["wpm"], tuple(t["wpm_band"]))
    assert "GREEN light" in err  # (the live clock runs on through the silence that ends the answer)
    assert result["transcript"].strip()
    assert "PocketSphinx" in t["fillers_note"]  # the filler count is qualified for this engine

"""`rehearse practice` end to end on real parts: pyttsx3 speaks the prompt into a virtual PulseAudio
sink, a spoken opening is played into the virtual microphone, sounddevice records it, PocketSphinx
transcribes it, the checks run and the session is saved."""

import json
import subprocess
import sys
import time

import pytest

from conftest import ROOT

pytestmark = pytest.mark.audio

OPENINGS = ROOT / "tests" / "data" / "openings_audio"


def _start_practice(env, *args):
    return subprocess.Popen([sys.executable, "-m", "rehearse", "practice", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def _wait_for_recording(proc, timeout_s=90.0) -> list[str]:
    """Read stderr lines until one says Recording; return what was read."""
    lines, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "Recording" in line:
            return lines
    proc.kill()
    raise AssertionError(f"practice never said Recording: {''.join(lines)}")


@pytest.mark.slow
def test_practice_with_a_spoken_prompt_and_a_spoken_opening(virtual_mic, rehearse_home):
    prompts = rehearse_home / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "short.toml").write_text(
        '[[archetypes.storyteller.prompts]]\nid = "short-1"\ntext = "Good to see you again. Go ahead."\n')
    env = {**virtual_mic.env, "REHEARSE_HOME": str(rehearse_home)}
    proc = _start_practice(env, "--archetype", "storyteller", "--prompt", "short-1", "--engine", "pocketsphinx",
                           "--max-seconds", "40", "--json")
    before = _wait_for_recording(proc)
    player = virtual_mic.play(OPENINGS / "storyteller-strong.wav")
    out, err = proc.communicate(timeout=120)
    player.wait(timeout=10)
    # storyteller-strong thanks them and leads with the accomplishment, the storyteller's two
    # required checks: it passes, so practice exits 0 (1 would mean a failing verdict)
    assert proc.returncode == 0, "".join(before) + err + out
    result = json.loads(out)
    assert result["verdict"] == "pass"
    # The prompt was really rendered and played (a cached render exists for the user prompt).
    assert list((rehearse_home / "cache" / "prompts").glob("*.wav"))
    words = result["transcript"].split()
    for expected in ("thank", "asking", "back", "accomplishment", "percent"):
        assert expected in words, result["transcript"]
    assert result["checks"]["thanks_for_callback"]["passed"]
    assert result["checks"]["leads_with_accomplishment"]["passed"]
    assert result["checks"]["leads_with_accomplishment"]["seconds"] is not None
    assert result["engine"] == "pocketsphinx"
    history = subprocess.run([sys.executable, "-m", "rehearse", "history", "--json"], env=env,
                             capture_output=True, text=True, check=True)
    row = json.loads(history.stdout.splitlines()[0])
    assert row["session_id"] == result["session_id"] and row["mode"] == "practice"
    assert row["verdict"] == result["verdict"]
    # The recording ended on silence after the clip (about 12 s), well before the 40 s limit.
    assert 10.0 < row["duration_s"] < 25.0


@pytest.mark.slow
def test_ctrl_c_during_a_real_recording_keeps_the_audio(virtual_mic, rehearse_home):
    import signal

    env = {**virtual_mic.env, "REHEARSE_HOME": str(rehearse_home)}
    proc = _start_practice(env, "--archetype", "challenger", "--text-prompt", "--engine", "pocketsphinx",
                           "--max-seconds", "60")
    _wait_for_recording(proc)
    player = virtual_mic.play(OPENINGS / "salesperson-asks.wav")
    time.sleep(4.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    player.kill()
    assert proc.returncode == 130, err
    assert "saved as session" in err and "Traceback" not in err
    replay = subprocess.run([sys.executable, "-m", "rehearse", "replay", "last", "--json"], env=env,
                            capture_output=True, text=True, check=True)
    saved = json.loads(replay.stdout)
    from rehearse.audio import pcm as audio

    clip = audio.load(saved["audio"])
    assert 2.5 < clip.duration_s < 6.0
    assert clip.rms() > 100  # real speech reached the file


def test_a_microphone_name_that_does_not_exist_is_one_sentence(virtual_mic, rehearse_home):
    env = {**virtual_mic.env, "REHEARSE_HOME": str(rehearse_home)}
    proc = subprocess.run([sys.executable, "-m", "rehearse", "practice", "--archetype", "storyteller",
                           "--text-prompt", "--input-device", "no-such-mic"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "no-such-mic" in proc.stderr and "rehearse devices" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_no_sound_server_at_all_is_one_sentence(rehearse_home, tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env.update(REHEARSE_HOME=str(rehearse_home), PULSE_SERVER=f"unix:{tmp_path}/nothing-here")
    proc = subprocess.run([sys.executable, "-m", "rehearse", "practice", "--archetype", "storyteller",
                           "--text-prompt"], env=env, capture_output=True, text=True, timeout=60)
    probe = subprocess.run([sys.executable, "-c", "from rehearse.audio import devices; "
                            "print(len(devices.list_devices().inputs))"], env=env, capture_output=True, text=True)
    if proc.returncode != 2 and probe.stdout.strip() not in ("", "0"):
        pytest.skip("this machine has a sound card, so there is an input device without a sound server")
    assert proc.returncode == 2
    assert "No input device" in proc.stderr and "rehearse devices" in proc.stderr
    assert "Traceback" not in proc.stderr

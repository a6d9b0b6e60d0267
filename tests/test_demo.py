"""`rehearse demo`: the whole loop with the bundled sample answer, with and without sound."""

import json
import os
import subprocess
import sys

import pytest

from fakes import FakeSpeaker


@pytest.mark.slow
def test_demo_without_any_audio_device_shows_the_prompt_as_text(cli_env, tmp_path):
    env = {k: v for k, v in cli_env.items() if not k.startswith("PULSE_")}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-server"
    proc = subprocess.run([sys.executable, "-m", "rehearse", "demo", "--json"], env=env, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "showing the interviewer's prompt as text" in proc.stderr.lower()
    assert "Interviewer:" in proc.stderr
    result = json.loads(proc.stdout)
    engines = [json.loads(line) for line in subprocess.run(
        [sys.executable, "-m", "rehearse", "engines", "--json"], env=env, capture_output=True, text=True,
        check=True).stdout.splitlines()]
    assert result["engine"] == next(e["name"] for e in engines if e["default"])
    assert "accomplishment" in result["transcript"]
    history = subprocess.run([sys.executable, "-m", "rehearse", "history", "--json"], env=env,
                             capture_output=True, text=True, check=True)
    assert json.loads(history.stdout.splitlines()[0])["session_id"] == result["session_id"]


@pytest.mark.slow
def test_demo_plays_the_prompt_through_the_speaker(monkeypatch, run_cli):
    import rehearse.audio.devices as devices
    import rehearse.audio.speaker as speaker_mod

    speaker = FakeSpeaker()
    monkeypatch.setattr(devices, "resolve_output", lambda spec=None: None)
    monkeypatch.setattr(speaker_mod, "PromptSpeaker", lambda device=None, **kw: speaker)
    code, out, err = run_cli("demo", "--json")
    assert code == 0
    assert [p.archetype for p in speaker.said] == ["storyteller"]
    result = json.loads(out)
    assert result["archetype"] == "storyteller" and result["session_id"]
    assert "Recording" in err

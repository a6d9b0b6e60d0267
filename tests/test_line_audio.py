"""Interview lines are pre-rendered: a mock interview's turns never render speech; a user's own lines
are rendered by `rehearse prompts --render` as their prompts are."""

import json

import numpy as np

from fakes import InterruptingFileRecorder, script_engine, tone_wav
from rehearse.audio.pcm import Audio, save

BOTH = ("if i were very successful in the first year what would i have accomplished and what leadership "
        "or team characteristics would an effective contributor be showing")


def _refuse(*args, **kwargs):
    raise AssertionError("a turn rendered speech")


def _wire(monkeypatch, tmp_path):
    """The real PromptSpeaker, playing into a list; the synthesiser refuses to run."""
    import rehearse.audio.devices as devices
    import rehearse.audio.microphone as microphone
    import rehearse.audio.playback as playback
    import rehearse.audio.tts as tts

    played = []
    monkeypatch.setattr(devices, "resolve_input", lambda spec=None: None)
    monkeypatch.setattr(devices, "resolve_output", lambda spec=None: 0)
    monkeypatch.setattr(playback, "play", lambda audio, device=None: played.append(audio))
    monkeypatch.setattr(tts, "render", _refuse)
    monkeypatch.setattr(tts, "render_detailed", _refuse)
    answer = tone_wav(tmp_path / "answer.wav", seconds=2)
    monkeypatch.setattr(microphone, "MicrophoneRecorder", lambda device=None, **kw: InterruptingFileRecorder(answer))
    return played


def test_a_salesperson_interview_plays_only_pre_rendered_lines(tmp_path, monkeypatch, run_cli, rehearse_home):
    played = _wire(monkeypatch, tmp_path)
    script_engine(BOTH, "that sounds great", "that sounds great")
    code, out, err = run_cli("interview", "--archetype", "salesperson", "--turns", "3", "--engine", "scripted",
                             "--prompt", "salesperson-1", "--json")
    result = json.loads(out)
    assert result["conversation"][1]["interviewer"]["move"] == "answer_first_year+answer_contributor"
    # opening, the two-line reply said line by line, one more reply, the closing line
    assert len(played) == 5, err
    assert all(a.duration_s > 1.0 for a in played)
    assert not (rehearse_home / "cache" / "prompts").exists()


def test_prompts_render_renders_the_users_lines_and_prompts_once(monkeypatch, run_cli, rehearse_home):
    import rehearse.audio.tts as tts

    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(
        '[[interview.challenger.push_back]]\ntext = "Your team did that. What did you do?"\n'
        '[[archetypes.challenger.prompts]]\nid = "mine-1"\ntext = "Why you, and not someone from our industry?"\n',
        encoding="utf-8")
    calls = []

    def render(text, path, **kw):
        calls.append(text)
        return save(Audio.from_float(np.sin(np.arange(16000) / 10.0) * 0.3, 16000), path)

    monkeypatch.setattr(tts, "render", render)
    code, out, err = run_cli("prompts", "--render", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert sorted(calls) == ["Why you, and not someone from our industry?", "Your team did that. What did you do?"]
    assert sorted(data["rendered"]) == ["interview-challenger-push_back-user-1", "mine-1"]
    assert data["failed"] == [] and data["already"] > 40
    code, out, _ = run_cli("prompts", "--render", "--json")
    assert json.loads(out)["rendered"] == [] and len(calls) == 2


def test_prompts_render_failure_is_one_sentence(monkeypatch, run_cli, rehearse_home):
    import rehearse.audio.tts as tts
    from rehearse.core.errors import SpeechSynthesisError

    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('[[interview.storyteller.resume]]\ntext = "Where was I?"\n', encoding="utf-8")

    def broken(text, path, **kw):
        raise SpeechSynthesisError("espeak-ng is not installed.")

    monkeypatch.setattr(tts, "render", broken)
    code, out, err = run_cli("prompts", "--render")
    assert code == 2 and "could not be rendered (espeak-ng is not installed)" in err and "Traceback" not in err

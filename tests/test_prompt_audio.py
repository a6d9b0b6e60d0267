"""Pre-rendered prompt audio: the manifest is fresh, and other prompts are rendered once into the cache."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from rehearse.audio import prompt_audio
from rehearse.coaching.interview import packaged_line_prompts
from rehearse.core.archetypes import packaged_prompts
from rehearse.audio.pcm import Audio, save
from rehearse.core.model import Prompt

AUDIO_DIR = Path(__file__).resolve().parents[1] / "audio_prompts"
FIX = "run `python scripts/render_prompts.py --only-stale` and commit audio_prompts/"


def test_repo_audio_dir_is_the_checkouts_audio_prompts():
    assert prompt_audio.repo_audio_dir() == AUDIO_DIR


def test_in_a_checkout_the_packaged_audio_is_the_top_level_folder():
    """An installed wheel has rehearse/audio_prompts/ (tests/test_packaging.py); a checkout has only this."""
    assert prompt_audio.packaged_audio_dir() == AUDIO_DIR


def test_every_packaged_prompt_has_current_audio():
    """Fails when a prompt's text changed (or a prompt was added) without re-rendering its audio."""
    manifest = prompt_audio.read_manifest(AUDIO_DIR)
    assert manifest, f"audio_prompts/manifest.json is missing or unreadable; {FIX}"
    problems = []
    for prompt in packaged_prompts():
        entry = manifest.get(prompt.id)
        reason = prompt_audio.stale_reason(prompt, entry, AUDIO_DIR)
        if reason:
            problems.append(f"{prompt.id}: {reason}")
            continue
        assert entry.text == prompt.text
        with wave.open(str(AUDIO_DIR / entry.file)) as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            seconds = wav.getnframes() / wav.getframerate()
        if shape != (16000, 1, 2):
            problems.append(f"{prompt.id}: {entry.file} is {shape}, not 16 kHz mono 16-bit")
        if abs(seconds - entry.duration_s) > 0.01 or seconds < 1.0:
            problems.append(f"{prompt.id}: {entry.file} lasts {seconds:.2f} s, manifest says {entry.duration_s}")
    assert not problems, "; ".join(problems) + f"; {FIX}"


def test_every_interview_line_has_current_audio():
    """The mock interview's lines (replies, closings, the monologue) ship pre-rendered, as Ogg Vorbis."""
    manifest = prompt_audio.read_manifest(AUDIO_DIR)
    lines = packaged_line_prompts()
    assert len(lines) >= 30
    problems = []
    for line in lines:
        entry = manifest.get(line.id)
        reason = prompt_audio.stale_reason(line, entry, AUDIO_DIR)
        if reason:
            problems.append(f"{line.id}: {reason}")
            continue
        audio = prompt_audio.prerendered(line, AUDIO_DIR)
        assert audio == AUDIO_DIR / f"{line.id}.ogg"
        from rehearse.audio.pcm import load

        decoded = load(audio)
        if decoded.sample_rate != 16000 or abs(decoded.duration_s - entry.duration_s) > 0.05 or decoded.duration_s < 1.0:
            problems.append(f"{line.id}: {decoded.sample_rate} Hz, {decoded.duration_s:.2f} s, "
                            f"manifest says {entry.duration_s}")
    assert not problems, "; ".join(problems) + f"; {FIX}"


def test_manifest_has_no_prompts_that_no_longer_exist():
    current = {p.id for p in packaged_prompts()} | {p.id for p in packaged_line_prompts()}
    extra = set(prompt_audio.read_manifest(AUDIO_DIR)) - current
    wavs = {p.stem for p in [*AUDIO_DIR.glob("*.wav"), *AUDIO_DIR.glob("*.ogg")]} - current
    assert not extra and not wavs, f"audio for removed prompts {sorted(extra | wavs)}; {FIX}"


def test_audio_prompts_stay_small():
    """About 4.5 MB of prompts (WAV) and 1.5 MB of interview lines (Vorbis)."""
    total = sum(p.stat().st_size for p in AUDIO_DIR.iterdir() if p.is_file())
    assert total < 6_500_000, f"audio_prompts/ holds {total / 1e6:.2f} MB"


class CountingRenderer:
    """Stands in for tts.render: writes a short tone and counts calls."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, text, path):
        self.calls.append(text)
        tone = np.sin(np.arange(8000) * 2 * np.pi * 440 / 16000) * 0.3
        return save(Audio.from_float(tone, 16000), path)


def _refuse(text, path):
    raise AssertionError("must not render a prompt that has pre-rendered audio")


def test_packaged_prompt_uses_the_prerendered_file():
    prompt = packaged_prompts()[0]
    path = prompt_audio.audio_for(prompt, render=_refuse)
    assert path == AUDIO_DIR / f"{prompt.id}.wav"


def test_user_prompt_is_rendered_once_then_cached(rehearse_home):
    prompt = Prompt(id="storyteller-user-1", archetype="storyteller", text="Tell me about your garden.")
    renderer = CountingRenderer()
    first = prompt_audio.audio_for(prompt, render=renderer)
    second = prompt_audio.audio_for(prompt, render=renderer)
    assert renderer.calls == ["Tell me about your garden."]
    assert first == second == rehearse_home / "cache" / "prompts" / f"{prompt_audio.text_sha256(prompt.text)}.wav"
    assert first.is_file()
    assert not list(first.parent.glob("*.partial*"))


def test_changed_packaged_text_is_not_served_from_the_stale_file(rehearse_home):
    original = packaged_prompts()[0]
    edited = Prompt(id=original.id, archetype=original.archetype, text=original.text + " One more thing.")
    renderer = CountingRenderer()
    path = prompt_audio.audio_for(edited, render=renderer)
    assert renderer.calls == [edited.text]
    assert path.parent == rehearse_home / "cache" / "prompts"


def test_without_an_audio_prompts_folder_everything_goes_through_the_cache(tmp_path, rehearse_home):
    prompt = packaged_prompts()[0]
    renderer = CountingRenderer()
    path = prompt_audio.audio_for(prompt, folder=tmp_path / "absent", render=renderer)
    assert renderer.calls == [prompt.text]
    assert path.parent == rehearse_home / "cache" / "prompts"


def test_render_missing_false_returns_none_and_renders_nothing():
    prompt = Prompt(id="x", archetype="storyteller", text="Never rendered.")
    assert prompt_audio.audio_for(prompt, render=_refuse, render_missing=False) is None


def test_stale_reasons(tmp_path):
    prompt = Prompt(id="p1", archetype="storyteller", text="Hello again.")
    entry = prompt_audio.PromptAudio(
        prompt_id="p1", file="p1.wav", text=prompt.text, text_sha256=prompt_audio.text_sha256(prompt.text),
        voice="v", rate=185, engine={}, sample_rate=16000, duration_s=1.0,
    )
    assert prompt_audio.stale_reason(prompt, None, tmp_path) == "not in the manifest"
    assert prompt_audio.stale_reason(prompt, entry, tmp_path) == "p1.wav is missing"
    (tmp_path / "p1.wav").write_bytes(b"x")
    assert prompt_audio.stale_reason(prompt, entry, tmp_path) is None
    changed = Prompt(id="p1", archetype="storyteller", text="Hello again!")
    assert prompt_audio.stale_reason(changed, entry, tmp_path) == "text changed since it was rendered"


def test_manifest_round_trip_and_corrupt_manifest(tmp_path):
    entry = prompt_audio.PromptAudio(
        prompt_id="b", file="b.wav", text="Bee.", text_sha256=prompt_audio.text_sha256("Bee."),
        voice="gmw/en-us", rate=185, engine={"name": "pyttsx3/espeak"}, sample_rate=16000, duration_s=1.25,
    )
    other = prompt_audio.PromptAudio(**{**entry.__dict__, "prompt_id": "a", "file": "a.wav"})
    prompt_audio.write_manifest(tmp_path, [entry, other])
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert list(data["prompts"]) == ["a", "b"]
    assert prompt_audio.read_manifest(tmp_path) == {"a": other, "b": entry}
    (tmp_path / "manifest.json").write_text("{not json")
    assert prompt_audio.read_manifest(tmp_path) == {}


@pytest.mark.parametrize("text", ["Hello.", "Caf\u00e9 au lait."])
def test_text_hash_is_sha256_of_utf8(text):
    import hashlib

    assert prompt_audio.text_sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def _user_prompts(home: Path) -> None:
    folder = home / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.toml").write_text(
        '[[archetypes.challenger.prompts]]\ntext = "You have never worked in healthcare. Why take that risk?"\n'
        '[[archetypes.storyteller.prompts]]\ntext = "Tell me about your garden."\n'
        '[[archetypes.salesperson.prompts]]\ntext = "FAIL here, please."\n',
        encoding="utf-8",
    )


def test_render_missing_prompts_renders_the_users_prompts_once(rehearse_home):
    _user_prompts(rehearse_home)
    renderer = CountingRenderer()

    def render(text, path):
        if text.startswith("FAIL"):
            from rehearse.core.errors import SpeechSynthesisError

            raise SpeechSynthesisError("The prompt could not be turned into speech (a test).")
        return renderer(text, path)

    seen = []
    outcomes = prompt_audio.render_missing_prompts(render=render, on_each=seen.append)
    assert seen == outcomes
    assert sorted(renderer.calls) == ["Tell me about your garden.",
                                      "You have never worked in healthcare. Why take that risk?"]
    assert {o.prompt.text: o.ok for o in outcomes} == {
        "Tell me about your garden.": True,
        "You have never worked in healthcare. Why take that risk?": True,
        "FAIL here, please.": False,  # one failure does not stop the others
    }
    failed = next(o for o in outcomes if not o.ok)
    assert failed.path is None and failed.error == "The prompt could not be turned into speech (a test)."
    for outcome in outcomes:
        if outcome.ok:
            assert outcome.path == prompt_audio.cached_path(outcome.prompt) and outcome.path.is_file()
    assert not list((rehearse_home / "cache" / "prompts").glob("*.partial*"))
    # Packaged prompts have their files; the next call only retries what failed.
    again = prompt_audio.render_missing_prompts(render=render)
    assert [o.prompt.text for o in again] == ["FAIL here, please."]
    assert len(renderer.calls) == 2

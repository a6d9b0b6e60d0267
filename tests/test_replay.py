"""`rehearse replay` through the CLI: text replay, JSON, word-by-word sync with fakes, faults, and the
real playback path through the virtual audio device."""

import json
import shutil
import threading
from pathlib import Path

import pytest

from fakes import FakeSpeaker, tone_wav
from rehearse.cli.render import replay as timed_replay
from rehearse.core.errors import RehearseError
from rehearse.core.model import Word
from rehearse.store.sessions import Store
from test_history import OPENING, make_session

EVIDENCE = {"thanks_for_callback": (0, 6), "leads_with_accomplishment": (7, 6)}


class FakeClock:
    """Monotonic time that only moves when slept on."""

    def __init__(self, start: float = 100.0):
        self.t = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


class FakePlayer:
    def __init__(self, fail: Exception = None):
        self.played = []
        self.fail = fail

    def __call__(self, clip, device=None):
        self.played.append((clip, device))
        if self.fail:
            raise self.fail


def recorded_session(tmp_path, rehearse_home, seconds=None, **kw) -> str:
    """A session whose recording lies in REHEARSE_HOME/recordings, as practice leaves it."""
    words_end = 0.5 + len(OPENING.split()) * 0.4
    wav = tone_wav(rehearse_home / "recordings" / "answer.wav", seconds=seconds or words_end + 0.5)
    return make_session(audio_path=wav, evidence=EVIDENCE, **kw)


@pytest.fixture
def fake_devices(monkeypatch):
    """An output device that exists, a fake speaker for the prompt, a fake player and an instant clock."""
    import rehearse.cli.commands.replay as replay_cmd
    import rehearse.audio.devices as devices
    import rehearse.audio.playback as playback
    import rehearse.audio.speaker as speaker_mod

    speaker, player, clock = FakeSpeaker(), FakePlayer(), FakeClock()
    monkeypatch.setattr(devices, "resolve_output", lambda spec=None: 7)
    monkeypatch.setattr(speaker_mod, "PromptSpeaker", lambda device=None, **kw: speaker)
    monkeypatch.setattr(playback, "play", player)
    monkeypatch.setattr(replay_cmd, "CLOCK", clock)
    return speaker, player, clock


# -- pure parts ----------------------------------------------------------------------------------

def test_evidence_spans_use_word_index_or_find_the_words():
    words = "thank you for asking me back i led the move".split()
    checks = {"thanks_for_callback": {"evidence": "thank you for asking me back", "word_index": 0},
              "leads_with_accomplishment": {"evidence": "I led the move.", "word_index": None},
              "quantified_result": {"evidence": None, "word_index": None}}
    assert timed_replay.evidence_spans(words, checks) == {"thanks_for_callback": (0, 6),
                                                          "leads_with_accomplishment": (6, 10)}


def test_fragments_print_the_whole_timed_transcript_with_marks():
    words = [Word(w, i * 1.0, i * 1.0 + 0.8) for i, w in enumerate("thank you i led the team to win".split())]
    checks = {"thanks_for_callback": {"evidence": "thank you", "word_index": 0},
              "leads_with_accomplishment": {"evidence": "i led the team", "word_index": 2}}
    parts = timed_replay.fragments(words, checks, timed_replay.Style.plain())
    assert [p.at for p in parts] == [w.start for w in words]
    text = "".join(p.text for p in parts)
    assert text == ("     0.0 s  [thank you](4) [i led the team](1)\n"  # "team" ends 5.8 s in
                    "     6.0 s  to win\n")


def test_fast_speech_is_wrapped_by_length_too():
    words = [Word("word%02d" % i, i * 0.1, i * 0.1 + 0.08) for i in range(30)]  # 3 s, 210 characters
    lines = "".join(p.text for p in timed_replay.fragments(words, {}, timed_replay.Style.plain())).splitlines()
    assert len(lines) >= 3
    assert all(len(line.split("s  ", 1)[1]) <= timed_replay.LINE_CHARS for line in lines)
    assert " ".join(line.split("s  ", 1)[1] for line in lines).split() == [w.word for w in words]


def test_nested_evidence_closes_inner_first():
    words = "i cut costs by 30 percent".split()
    checks = {"leads_with_accomplishment": {"evidence": "i cut costs by 30 percent", "word_index": 0},
              "quantified_result": {"evidence": "30 percent", "word_index": 4}}
    text = timed_replay.untimed_text(" ".join(words), checks, timed_replay.Style.plain())
    assert text.strip() == "[i cut costs by [30 percent](5)](1)"


def test_play_in_sync_writes_each_word_at_its_time_while_the_player_runs():
    clock = FakeClock()
    parts = [timed_replay.Fragment(t, f"w{t} ") for t in (0.0, 0.5, 2.0, 3.25)]
    written, started = [], threading.Event()

    def play():
        started.set()

    def write(text):
        written.append((round(clock.now() - 100.0, 6), text))

    assert timed_replay.play_in_sync(parts, play, clock=clock, write=write) is None
    assert started.is_set()
    assert written == [(p.at, p.text) for p in parts]


def test_play_in_sync_reports_a_player_failure_and_still_writes_everything():
    clock = FakeClock()
    parts = [timed_replay.Fragment(t, "x") for t in (0.0, 1.0, 2.0)]
    out = []

    def play():
        raise RehearseError("The output device (speaker) could not be used (busy).")

    failure = timed_replay.play_in_sync(parts, play, clock=clock, write=out.append)
    assert isinstance(failure, RehearseError) and out == ["x", "x", "x"]


# -- CLI ------------------------------------------------------------------------------------------

def test_no_audio_prints_timed_transcript_and_checks_with_evidence_marked(run_cli, fake_devices):
    speaker, player, _ = fake_devices
    sid = make_session(evidence=EVIDENCE)
    code, out, err = run_cli("replay", sid, "--no-audio")
    assert code == 0
    assert "Interviewer: Tell me why you came back." in out
    assert "[thank you for asking me back](4)" in out
    assert "[i was charged with cutting release](1)" in out
    assert "     0.5 s  " in out  # lines start with the time of their first word
    assert "1. [PASS] Leads with your accomplishment" in out and "heard at 3.3 s" in out
    assert "2. [miss]" in out and "-> Do asks_first_year_question." in out
    assert "Verdict: PASS" in out
    assert speaker.said == [] and player.played == []


def test_replay_last_is_the_newest_session(run_cli):
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    make_session(archetype="challenger", started_at=now - timedelta(days=1))
    newest = make_session(archetype="salesperson", started_at=now)
    code, out, _ = run_cli("replay", "last", "--no-audio")
    assert code == 0 and f"Session {newest}: practice, salesperson" in out


def test_json_is_the_saved_score_plus_session_words_and_audio(tmp_path, rehearse_home, run_cli):
    sid = recorded_session(tmp_path, rehearse_home)
    code, out, _ = run_cli("replay", sid[:-1], "--json")
    data = json.loads(out)
    saved = Store().get(sid)
    assert {k: data[k] for k in saved.score} == saved.score
    assert data["session_id"] == sid
    assert data["words"] == [w.to_json() for w in saved.words]
    assert data["audio"] == saved.audio_path and data["audio_missing"] is False
    assert data["prompt"] == {"id": "storyteller-1", "text": "Tell me why you came back."}


def test_replay_plays_the_prompt_then_the_answer_with_words_in_sync(tmp_path, rehearse_home, run_cli,
                                                                     fake_devices):
    speaker, player, clock = fake_devices
    sid = recorded_session(tmp_path, rehearse_home)
    code, out, err = run_cli("replay", sid)
    assert code == 0, err
    assert [(p.archetype, p.text) for p in speaker.said] == [("storyteller", "Tell me why you came back.")]
    (clip, device), = player.played
    assert device == 7
    from rehearse.audio import pcm as audio

    assert clip.duration_s == pytest.approx(audio.load(Store().get(sid).audio_path).duration_s)
    words = Store().get(sid).words
    assert clock.t - 100.0 == pytest.approx(words[-1].start)  # waited until the last word was due
    assert "[thank you for asking me back](4)" in out and "Verdict: PASS" in out


def test_missing_audio_replays_the_transcript_and_says_so(tmp_path, rehearse_home, run_cli, fake_devices):
    speaker, player, _ = fake_devices
    sid = recorded_session(tmp_path, rehearse_home)
    Path(Store().get(sid).audio_path).unlink()
    code, out, err = run_cli("replay", sid)
    assert code == 0
    assert "is missing; showing the transcript only" in err
    assert player.played == [] and "[thank you for asking me back](4)" in out
    code, out, _ = run_cli("replay", sid, "--json")
    data = json.loads(out)
    assert data["audio"] is None and data["audio_missing"] is True


def test_no_output_device_replays_as_text_and_says_so(tmp_path, rehearse_home, run_cli, monkeypatch):
    import rehearse.audio.devices as devices
    import rehearse.audio.playback as playback

    def no_device(spec=None):
        raise RehearseError("No output device (speaker) was found; connect one, or run `rehearse devices`.")

    player = FakePlayer()
    monkeypatch.setattr(devices, "resolve_output", no_device)
    monkeypatch.setattr(playback, "play", player)
    sid = recorded_session(tmp_path, rehearse_home)
    code, out, err = run_cli("replay", sid)
    assert code == 0
    assert "No output device" in err and "Replaying as text" in err
    assert player.played == [] and "     0.5 s  [thank you for asking me back](4)" in out


def test_a_failing_player_is_reported_and_the_transcript_still_shown(tmp_path, rehearse_home, run_cli,
                                                                     fake_devices, monkeypatch):
    import rehearse.audio.playback as playback

    monkeypatch.setattr(playback, "play", FakePlayer(fail=RehearseError("The output device is busy.")))
    sid = recorded_session(tmp_path, rehearse_home)
    code, out, err = run_cli("replay", sid)
    assert code == 0 and "The audio stopped: The output device is busy." in err
    assert "[thank you for asking me back](4)" in out


def test_text_session_has_no_recording_to_play(run_cli, fake_devices):
    speaker, player, _ = fake_devices
    sid = make_session(timed=False, prompt_text=None, evidence=EVIDENCE)
    code, out, err = run_cli("replay", sid)
    assert code == 0 and "scored from text" in err and player.played == []
    assert "[thank you for asking me back](4)" in out


def test_unknown_and_ambiguous_ids_name_the_ids_that_exist(run_cli):
    store = Store()
    a = store.create(mode="score", archetype="storyteller", session_id="20260101-000000-aaaa", status="complete")
    store.create(mode="score", archetype="storyteller", session_id="20260101-000000-aabb", status="complete")
    code, out, err = run_cli("replay", "nope", "--no-audio")
    assert code == 2 and "No session matches 'nope'" in err and a in err
    code, out, err = run_cli("replay", "20260101-000000-aa", "--no-audio")
    assert code == 2 and "several sessions" in err and "aabb" in err and "aaaa" in err
    code, out, err = run_cli("replay", "20260101-000000-aaa", "--no-audio")
    assert code == 0 and a in out and "Not scored" in out


def test_empty_store_replay_last_is_one_sentence(run_cli):
    code, out, err = run_cli("replay", "last")
    assert code == 2 and "no saved sessions yet" in err and err.count("\n") == 1


# -- the real output device -------------------------------------------------------------------------

@pytest.mark.audio
def test_replay_through_the_virtual_audio_device_is_heard(virtual_mic, tmp_path, rehearse_home, run_cli,
                                                          monkeypatch):
    """The answer played by `rehearse replay` reaches the default output: the virtual mic hears it."""
    import numpy as np

    import rehearse.audio.speaker as speaker_mod
    from rehearse.audio import pcm as audio
    from rehearse.audio import devices

    speaker = FakeSpeaker()
    monkeypatch.setattr(speaker_mod, "PromptSpeaker", lambda device=None, **kw: speaker)
    text = "thank you for asking me back"
    wav = tone_wav(rehearse_home / "recordings" / "short.wav", seconds=3.0)
    sid = make_session(text=text, audio_path=wav, evidence={"thanks_for_callback": (0, 6)})
    played = audio.load(wav)
    sd = devices.sounddevice_module()
    rate, blocks = 16000, []
    # an explicit stream: sd.rec() would be stopped by the sd.play() inside playback.play
    with sd.InputStream(samplerate=rate, channels=1, dtype="int16",
                        callback=lambda data, frames, t, status: blocks.append(data[:, 0].copy())):
        code, out, err = run_cli("replay", sid)
        sd.sleep(500)
    assert code == 0, err
    assert "Replaying as text" not in err and speaker.said
    assert "[thank you for asking me back](4)" in out
    size, threshold = rate // 20, 0.25 * played.rms()

    def levels(samples):
        samples = np.asarray(samples, dtype=np.float64)
        return np.sqrt(np.mean(samples[: len(samples) // size * size].reshape(-1, size) ** 2, axis=1))

    heard = levels(np.concatenate(blocks))
    assert heard.max() > 0.5 * played.rms(), f"the microphone heard almost nothing (peak rms {heard.max():.0f})"
    loud_heard = np.sum(heard > threshold) * size / rate
    loud_played = np.sum(levels(played.samples) > threshold) * size / rate
    assert loud_heard == pytest.approx(loud_played, abs=0.4), "what was heard is not the whole recording"

"""One round's orchestration: every failure path leaves the session honest, and the round owns the
no-speaker policy and the personal checks (fakes at the device seam, a real store)."""

from __future__ import annotations

import json
import threading

import pytest

from fakes import FakeSpeaker, silent_wav, tone_wav
from rehearse.audio.file_recorder import FileRecorder
from rehearse.coaching.bank import Accomplishment
from rehearse.coaching.personal import Targets
from rehearse.core import archetypes
from rehearse.core.errors import Interrupted, NoSpeechError, RehearseError
from rehearse.core.model import Transcript
from rehearse.session import round as rnd
from rehearse.store.sessions import Store

OPENING = ("thank you for asking me back last spring i rebuilt our onboarding program and new hires "
           "reached full speed in six weeks instead of ten")


class Engine:
    name = "fake"

    def __init__(self, text=OPENING, fail=None):
        self.text, self.fail = text, fail

    def transcribe(self, audio):
        if self.fail:
            raise self.fail
        words = self.text.split()
        step = audio.duration_s / max(len(words), 1)
        from rehearse.core.model import Word

        return Transcript(self.text, tuple(Word(w, i * step, (i + 0.9) * step) for i, w in enumerate(words)),
                          engine=self.name, duration_s=audio.duration_s)


class BrokenSpeaker:
    def speak(self, prompt):
        raise RehearseError("espeak-ng could not render the prompt")


class FailingStore(Store):
    """A real store whose save of the scored result fails (disk full at the worst moment)."""

    def save_scored(self, *a, **kw):
        raise RehearseError("The session database cannot be used: the disk is full")


def _run(tmp_path, *, speaker=None, recorder=None, engine=None, store=None, targets=None, **kw):
    archetype = archetypes.get("storyteller")
    store = store or Store()
    ports = rnd.RoundPorts(speaker=speaker or FakeSpeaker(),
                           recorder=recorder or FileRecorder(tone_wav(tmp_path / "a.wav", seconds=3)),
                           transcriber=engine or Engine(), store=store, recordings=tmp_path / "rec",
                           notify=kw.pop("notify", None))
    kw.setdefault("incremental", False)
    return rnd.run_round(archetype=archetype, prompt=archetype.prompts[0], ports=ports, targets=targets,
                         **kw), store


def _only_session(store):
    sessions = store.list()
    assert len(sessions) == 1
    return sessions[0]


def test_a_round_that_works_is_complete_with_its_audio(tmp_path):
    result, store = _run(tmp_path)
    saved = store.get(result.session_id)
    assert saved.status == "complete" and saved.error is None
    assert saved.audio_path and (tmp_path / "rec" / f"{result.session_id}.wav").is_file()
    assert saved.verdict == result.score.verdict


def test_the_end_of_recording_is_announced_before_the_answer_is_transcribed(tmp_path):
    events = []

    class Watching(Engine):
        def transcribe(self, audio):
            events.append("transcribe")
            return super().transcribe(audio)

    result, _ = _run(tmp_path, engine=Watching(), on_recording_end=lambda rec: events.append(("ended", rec.stopped_by)))
    assert events == [("ended", result.recording.stopped_by), "transcribe"]


def test_a_prompt_that_cannot_be_spoken_is_shown_as_text_and_the_round_goes_on(tmp_path, capsys):
    told = []
    result, store = _run(tmp_path, speaker=BrokenSpeaker(), notify=told.append)
    assert store.get(result.session_id).status == "complete"
    assert len(told) == 1 and "could not render" in told[0] and "as text" in told[0]
    assert "Interviewer:" in capsys.readouterr().err


def test_a_failing_recorder_leaves_the_session_interrupted_with_the_reason(tmp_path):
    class Broken:
        def record(self, path, **kw):
            raise RehearseError("The microphone was unplugged")

    with pytest.raises(RehearseError, match="unplugged"):
        _run(tmp_path, recorder=Broken())
    saved = _only_session(Store())
    assert saved.status == "interrupted" and "unplugged" in saved.error


@pytest.mark.parametrize("fault", [RehearseError("The model could not be loaded"), RuntimeError("engine crashed")])
def test_an_engine_failure_after_recording_marks_the_session_failed_and_keeps_the_audio(tmp_path, fault):
    with pytest.raises(type(fault)) as caught:
        _run(tmp_path, engine=Engine(fail=fault))
    saved = _only_session(Store())
    assert saved.status == "failed"
    assert str(fault) in saved.error
    assert saved.duration_s and saved.duration_s > 2.5
    assert (tmp_path / "rec" / f"{saved.id}.wav").stat().st_size > 16000 * 2 * 2
    if isinstance(fault, RehearseError):  # the user is told the answer is kept and how to finish it
        assert saved.id in str(caught.value) and "rescore" in str(caught.value)


def test_a_scoring_failure_marks_the_session_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(rnd.scoring, "score", lambda *a: (_ for _ in ()).throw(ValueError("bad rules")))
    with pytest.raises(ValueError):
        _run(tmp_path)
    saved = _only_session(Store())
    assert saved.status == "failed" and "bad rules" in saved.error


def test_a_failure_while_saving_marks_the_session_failed(tmp_path):
    with pytest.raises(RehearseError, match="disk is full"):
        _run(tmp_path, store=FailingStore())
    saved = _only_session(Store())
    assert saved.status == "failed" and "disk is full" in saved.error


def test_a_failure_in_the_modes_extra_data_marks_the_session_failed(tmp_path):
    def extra(recording, transcript, score):
        raise KeyError("timing")

    with pytest.raises(KeyError):
        _run(tmp_path, extra=extra)
    assert _only_session(Store()).status == "failed"


def test_silence_is_no_speech_and_ctrl_c_during_transcription_is_interrupted(tmp_path):
    with pytest.raises(NoSpeechError):
        _run(tmp_path, recorder=FileRecorder(silent_wav(tmp_path / "s.wav")), engine=Engine(text=""))
    assert _only_session(Store()).status == "no_speech"
    Store().delete(_only_session(Store()).id)
    with pytest.raises(Interrupted, match="not scored"):
        _run(tmp_path, engine=Engine(fail=KeyboardInterrupt()))
    assert _only_session(Store()).status == "interrupted"


def test_a_failed_session_is_finished_by_rescore_retranscribe(tmp_path, run_cli):
    from fakes import script_engine

    with pytest.raises(RehearseError):
        _run(tmp_path, engine=Engine(fail=RehearseError("The model could not be loaded")))
    sid = _only_session(Store()).id
    script_engine(OPENING)
    code, out, err = run_cli("rescore", sid, "--retranscribe", "--engine", "scripted", "--json")
    assert code == 0, err
    saved = Store().get(sid)
    assert saved.status == "complete" and saved.error is None and saved.transcript == OPENING


def test_the_round_computes_the_personal_checks_and_rescore_recomputes_them(tmp_path, run_cli):
    acc = Accomplishment("Onboarding program", result="new hires at full speed in six weeks instead of ten",
                         terms=("onboarding", "new hires"), best=True)
    result, store = _run(tmp_path, targets=Targets(accomplishment=acc))
    assert result.personal and result.personal[0]["passed"] is True
    assert store.get(result.session_id).extra["personal"] == result.personal
    # the bank changes: another entry is now the best; rescore must not leave the old result behind
    store.bank.add(Accomplishment("Warehouse layout", result="picking time down 30 percent",
                                  terms=("warehouse", "picking"), best=True))
    code, out, err = run_cli("rescore", result.session_id, "--json")
    assert code == 0, err
    mine = Store().get(result.session_id).extra["personal"]
    assert json.loads(out)["personal"] == mine
    assert "Warehouse layout" in json.dumps(mine) and mine[0]["passed"] is False


def test_a_prompt_the_synthesiser_cannot_render_is_shown_as_text(tmp_path, monkeypatch, capsys):
    from rehearse.audio import prompt_audio
    from rehearse.audio.speaker import PromptSpeaker
    from rehearse.core.errors import SpeechSynthesisError

    def fail(prompt):
        raise SpeechSynthesisError("espeak-ng stopped before the end of the prompt")

    monkeypatch.setattr(prompt_audio, "audio_for", fail)
    played = []
    told = []
    result, store = _run(tmp_path, speaker=PromptSpeaker(play=lambda *a, **k: played.append(a)), notify=told.append)
    assert played == [] and store.get(result.session_id).status == "complete"
    assert "espeak-ng stopped" in told[0] and "Interviewer:" in capsys.readouterr().err


class PreparingRecorder(FileRecorder):
    """A file recorder that notes when its input was opened early and released."""

    def __init__(self, path, events):
        super().__init__(path)
        self.events = events

    def prepare(self):
        self.events.append("prepare")

    def release(self):
        self.events.append("release")

    def record(self, *a, **kw):
        self.events.append("record")
        return super().record(*a, **kw)


class NotingSpeaker(FakeSpeaker):
    def __init__(self, events, fail=None):
        super().__init__()
        self.events, self.fail = events, fail

    def speak(self, prompt):
        self.events.append("speak")
        if self.fail:
            raise self.fail
        super().speak(prompt)


def test_the_input_opens_before_the_prompt_is_spoken(tmp_path):
    events = []
    _run(tmp_path, speaker=NotingSpeaker(events), recorder=PreparingRecorder(tone_wav(tmp_path / "a.wav"), events))
    assert events == ["prepare", "speak", "record"]


def test_an_input_opened_early_is_released_when_the_round_stops_during_the_prompt(tmp_path):
    events = []
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, speaker=NotingSpeaker(events, fail=KeyboardInterrupt()),
             recorder=PreparingRecorder(tone_wav(tmp_path / "a.wav"), events))
    assert events == ["prepare", "speak", "release"]


def test_every_recorder_accepts_everything_the_round_may_pass():
    """The round passes the Recorder port's keywords (live words, pause hooks) to whichever recorder it
    is given; a recorder that lacks one fails only when that recorder meets a real round."""
    import inspect

    from rehearse.audio.microphone import MicrophoneRecorder
    from rehearse.audio.monologue import MonologueRecorder
    from rehearse.core.ports import Recorder

    port = set(inspect.signature(Recorder.record).parameters) - {"self"}
    for recorder in (MicrophoneRecorder, FileRecorder, MonologueRecorder):
        params = inspect.signature(recorder.record).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        assert takes_any or port <= set(params), (recorder.__name__, port - set(params))


def test_the_checks_load_while_the_prompt_and_the_answer_go_on_not_after(tmp_path, monkeypatch):
    """The checks' model takes about 0.3 s to load on first use: a round loads it in the background
    from its start, so it is ready by the time the answer ends."""
    from rehearse.coaching import checkers

    checkers.default_checker.cache_clear()
    loaded_during_recording = threading.Event()

    class WaitingRecorder(FileRecorder):
        def record(self, path, **kw):
            for _ in range(500):  # up to 5 s: the answer goes on while the checks load
                if checkers.default_checker.cache_info().currsize:
                    loaded_during_recording.set()
                    break
                threading.Event().wait(0.01)
            return super().record(path, **kw)

    result, _ = _run(tmp_path, recorder=WaitingRecorder(tone_wav(tmp_path / "a.wav", seconds=3)))
    assert loaded_during_recording.is_set()
    assert result.score.checks  # and the real answer was checked as usual


def test_the_round_waits_for_the_warm_up_before_its_own_checks(tmp_path, monkeypatch):
    # a warm-up slower than the whole round: the round's checks still start only once it is done, so
    # the model is never loaded twice at once and nothing of it still runs when the command exits
    done = threading.Event()

    def slow_warm_up(*args, **kwargs):
        threading.Event().wait(1.5)
        done.set()

    monkeypatch.setattr(rnd, "warm_up_checks", slow_warm_up)
    result, _ = _run(tmp_path)
    assert done.is_set()
    assert result.score.checks


def test_a_failure_while_warming_up_the_checks_is_left_to_the_real_checks(tmp_path, monkeypatch):
    def broken(*a, **kw):
        raise RuntimeError("the heads file is damaged")

    monkeypatch.setattr(rnd.scoring, "score", broken)
    rnd.warm_up_checks(archetypes.get("storyteller"))  # no exception: the round reports it later
    with pytest.raises(RuntimeError, match="damaged"):
        _run(tmp_path)


def test_ctrl_c_while_a_live_decode_runs_leaves_nothing_running_when_the_round_ends(tmp_path):
    """A decode still in the engine's native code when the process exits can abort it ("terminate
    called without an active exception"): after Ctrl-C the round stops the live transcriber, whose
    decode under way is abandoned, and waits for it and for the checks' warm-up before it raises."""
    from dataclasses import replace

    from rehearse.core.errors import DecodeAbandoned

    in_decode = threading.Event()

    class SlowWindowEngine(Engine):
        """Each live window takes up to 5 s, unless its words stop being wanted before."""

        def transcribe_window(self, audio, *, context=None, final=False, abandon=None):
            in_decode.set()
            for _ in range(500):
                if abandon is not None and abandon():
                    raise DecodeAbandoned("not wanted")
                threading.Event().wait(0.01)
            return Transcript("", (), "slow", audio.duration_s, 0.0)

    class CtrlCDuringADecode(FileRecorder):
        def record(self, path, **kw):
            recording = super().record(path, **kw)
            assert in_decode.wait(10)  # a step decode is under way
            return replace(recording, stopped_by="interrupted")

    with pytest.raises(Interrupted):
        _run(tmp_path, engine=SlowWindowEngine(), incremental=True,
             recorder=CtrlCDuringADecode(tone_wav(tmp_path / "a.wav", seconds=3)))
    names = {"live-transcriber", "live-second-opinion", "warm-up-checks"}
    assert not [t.name for t in threading.enumerate() if t.name in names and t.is_alive()]

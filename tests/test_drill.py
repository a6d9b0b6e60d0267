"""Drills: the round clock, the comparison, the displays, and the command with fakes at the device seam."""

import io
import json
import sys
import threading
import time

import pytest

from fakes import FakeSpeaker, install_fake_devices, script_engine, silent_wav, tone_wav
from rehearse.session import drill
from rehearse.cli.render import live
from rehearse.coaching import timing
from rehearse.core.model import CheckResult, Metrics, Score, Word
from rehearse.coaching.timing import Lights

STRONG = ("thank you for asking me back i was thinking about an accomplishment from the last six months "
          "i was charged with cutting our release time and i rebuilt the pipeline so releases went from "
          "two weeks to three days")
FILLED = "um so uh i like basically built you know a thing um"
CONTRACT_TIMING = {"limit_s", "spoken_s", "green_at_s", "yellow_at_s", "red_at_s", "light", "overtime_s",
                   "first_accomplishment_s"}


@pytest.fixture(autouse=True)
def no_countdown(monkeypatch):
    monkeypatch.setenv("REHEARSE_NO_COUNTDOWN", "1")


@pytest.fixture
def tones(monkeypatch):
    """Replace the real tone: record each call (and the thread it ran on)."""
    import rehearse.audio.playback as playback

    calls = []
    monkeypatch.setattr(playback, "tone", lambda *a, **kw: calls.append(threading.current_thread().name))
    return calls


# --- the round clock, with a fake clock ---------------------------------------------------------------

class RecordingDisplay:
    def __init__(self):
        self.events = []

    def start(self, lights):
        self.events.append(("start", lights.limit_s))

    def update(self, elapsed, light):
        self.events.append(("update", elapsed, light))

    def stop(self, elapsed, light, note="recording stopped"):
        self.events.append(("stop", elapsed, light))


def test_round_clock_updates_the_display_rings_once_at_red_and_cuts_at_grace():
    display, rang = RecordingDisplay(), []
    clock = drill.RoundClock(Lights.for_limit(10), display, tone=lambda: rang.append(True))
    clock.on_start()
    fake_clock = [i * 0.5 for i in range(0, 25)]
    stopped_at = None
    for t in fake_clock:
        clock.on_block(None, t)
        if clock.stop_when(t):
            stopped_at = t
            break
    clock.finish()
    clock.tone_thread.join(2)
    assert stopped_at == 11.0  # red at 10 plus 1 s grace
    assert rang == [True]
    lights_seen = [e[2] for e in display.events if e[0] == "update"]
    assert lights_seen[lights_seen.index("green") - 1] == "none"
    assert [e for e in display.events if e[0] == "update" and e[1] == 5.0][0][2] == "green"
    assert [e for e in display.events if e[0] == "update" and e[1] == 7.5][0][2] == "yellow"
    assert display.events[0] == ("start", 10) and display.events[-1] == ("stop", 11.0, "red")


def test_the_tone_never_blocks_the_recording_thread_and_its_failure_is_kept():
    release = threading.Event()

    def slow_tone():
        release.wait(5)
        raise RuntimeError("no speaker")

    clock = drill.RoundClock(Lights.for_limit(2), None, tone=slow_tone)
    started = time.monotonic()
    for t in (0.5, 1.0, 2.0, 2.1, 2.2):
        clock.tick(t)
    assert time.monotonic() - started < 0.5  # the tone is still "playing"
    release.set()
    clock.tone_thread.join(2)
    assert isinstance(clock.tone_error, RuntimeError)


def test_round_clock_rings_red_only_while_the_speaker_talks():
    """Red in a pause waits for the next word; red after the last word never rings."""
    talking = {"now": True}
    rang_at = []
    clock = drill.RoundClock(Lights.for_limit(4), None, tone=lambda: None, speaking=lambda: talking["now"])
    clock._ring = lambda: rang_at.append(clock.elapsed_s)
    for t, speaking in ((1.0, True), (3.5, False), (4.0, False), (4.2, False), (4.3, True), (4.4, True)):
        talking["now"] = speaking
        clock.tick(t)
    assert rang_at == [4.3]  # red showed at 4.0 in a pause; the tone waited for the speaker
    closing = drill.RoundClock(Lights.for_limit(4), None, tone=lambda: None, speaking=lambda: False)
    closing._ring = lambda: rang_at.append(("closing", closing.elapsed_s))
    for t in (3.0, 4.0, 4.2, 4.4):
        closing.tick(t)
    closing.finish()
    assert closing.tone_due is False and rang_at == [4.3]  # never rang, and nothing is left to ring


def _drill_on_fake_microphone(monkeypatch, run_cli, take, *flags, said: int = 1):
    """`rehearse drill` with the real recorder (voice activity, end of answer) on a fake microphone
    that delivers ``take``: red at 4 s, recording cut at red plus grace (4.4 s unless ``flags`` say).
    The scripted engine answers ``said`` decodes (a pause is decoded speculatively, then again once
    speech goes on)."""
    from fakes import install_fake_microphone

    install_fake_microphone(monkeypatch, [take])
    script_engine(*[STRONG] * said)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "4", "--silence", "2", "--text-prompt",
                             "--engine", "scripted", "--json", *flags)
    assert code in (0, 1), err
    return json.loads(out)["timing"], err


def test_no_tone_in_the_closing_silence_after_the_last_word(monkeypatch, run_cli, tones):
    from fakes import blocks_of, quiet, vowel

    # speech from 0.3 s to 3.3 s, then silence: red (4 s) shows while the recorder waits out the silence
    timing_, err = _drill_on_fake_microphone(monkeypatch, run_cli, blocks_of(quiet(0.3), vowel(3.0), quiet(8.0)))
    assert timing_["recorded_s"] > timing_["red_at_s"] and "RED light" in err  # red did show
    assert tones == []


def test_the_tone_rings_for_a_speaker_still_talking_at_red(monkeypatch, run_cli, tones):
    from fakes import blocks_of, quiet, vowel

    _drill_on_fake_microphone(monkeypatch, run_cli, blocks_of(quiet(0.3), vowel(5.0), quiet(3.0)))
    assert tones == ["drill-tone"]


def test_red_in_a_pause_rings_when_the_speaker_goes_on(monkeypatch, run_cli, tones):
    from fakes import blocks_of, quiet, vowel

    # a 1 s pause from 3.5 s to 4.5 s spans red (4 s); speech goes on before the cut (4 + 3 s of grace)
    timing_, _ = _drill_on_fake_microphone(monkeypatch, run_cli,
                                           blocks_of(quiet(0.3), vowel(3.2), quiet(1.0), vowel(1.5), quiet(4.0)),
                                           "--grace", "3", said=2)  # decoded at the pause and again after
    assert timing_["recorded_s"] > 6.0
    assert tones == ["drill-tone"]


# --- comparison --------------------------------------------------------------------------------------

class _Result:
    def __init__(self, score):
        self.score, self.session_id = score, "s"


def make_round(number, words, *, accomplishment_s=None, fillers=None, passed=1, limit=30.0, recorded=None):
    checks = {f"c{i}": CheckResult(passed=i < passed, required=True, score=50) for i in range(3)}
    checks["leads_with_accomplishment"] = CheckResult(passed=accomplishment_s is not None, required=True,
                                                      score=80, seconds=accomplishment_s)
    score = Score(archetype="storyteller", transcript="", engine="scripted", checks=checks,
                  metrics=Metrics(words=len(words)))
    t = timing.measure(Lights.for_limit(limit), words, recorded_s=recorded or words[-1].end + 1, cut=False,
                       score=score, filler_words=fillers or {})
    return drill.DrillRound(number=number, rounds=3, result=_Result(score), timing=t)


def spread(n, start, end):
    step = (end - start) / n
    return tuple(Word("w", start + i * step, start + (i + 0.9) * step) for i in range(n))


def test_compare_names_what_improved_and_what_got_worse():
    first = make_round(1, spread(80, 3.0, 36.0), accomplishment_s=12.0, fillers={"um": 6}, passed=1)
    last = make_round(3, spread(60, 1.0, 25.0), accomplishment_s=2.5, fillers={"um": 8}, passed=3)
    changes = {c.name: c for c in drill.compare(first, last)}
    assert changes["first_accomplishment_s"].direction == "better"
    assert changes["overtime_s"].direction == "better"  # 6 s over, then none
    assert changes["started_at_s"].direction == "better"
    assert changes["checks_passed"].direction == "better"
    assert changes["fillers_per_min"].direction == "worse"  # 8 in 24 s beats 6 in 33 s for frequency
    assert changes["pace_miss_wpm"].direction == "same"  # both in the band
    assert "12.0 s -> 2.5 s" in changes["first_accomplishment_s"].text


def test_compare_counts_an_accomplishment_lost_as_worse_and_small_changes_as_same():
    first = make_round(1, spread(50, 1.0, 20.0), accomplishment_s=3.0)
    last = make_round(2, spread(50, 1.1, 20.1), accomplishment_s=None)
    changes = {c.name: c for c in drill.compare(first, last)}
    assert changes["first_accomplishment_s"].direction == "worse"
    assert changes["started_at_s"].direction == "same"
    assert changes["overtime_s"].direction == "same"


def test_prompts_rotate_per_round_unless_repeated():
    from rehearse.core import archetypes

    arch = archetypes.get("storyteller")
    rounds = drill.prompts_for(arch, 4, first=arch.prompts[1])
    n = len(arch.prompts)
    assert [p.id for p in rounds] == [arch.prompts[(1 + i) % n].id for i in range(4)]
    assert {p.id for p in drill.prompts_for(arch, 3, repeat=True, first=arch.prompts[2])} == {arch.prompts[2].id}


# --- displays ----------------------------------------------------------------------------------------

def test_plain_display_writes_a_line_for_each_light():
    out = io.StringIO()
    display = live.PlainDisplay(out)
    display.start(Lights.for_limit(8))
    for t in (0.0, 1.0, 4.0, 4.5, 6.0, 8.0, 8.5):
        display.update(t, Lights.for_limit(8).light_at(t))
    display.stop(8.8, "red")
    lines = out.getvalue().splitlines()
    assert [line.split()[-2] for line in lines if line.endswith("light")] == ["GREEN", "YELLOW", "RED"]
    assert "0:04.0" in lines[1] and "recording stopped" in lines[-1]


def test_rich_display_shows_the_clock_the_bar_and_the_light():
    out = io.StringIO()
    display = live.RichDisplay(out, width=20)
    display.lights = Lights.for_limit(30)
    text = display.render(18.0, "green").plain
    assert "0:18.0 / 0:30.0" in text and "GREEN" in text
    assert text.count("█") == round(18 / 33 * 20)


def test_auto_display_is_plain_off_a_terminal():
    assert isinstance(live.make_display(io.StringIO(), "auto"), live.PlainDisplay)
    assert isinstance(live.make_display(io.StringIO(), "off"), live.NullDisplay)


def test_countdown_counts_down_with_an_injected_sleep():
    out, slept = io.StringIO(), []
    live.countdown(3, out, sleep=slept.append)
    assert out.getvalue() == "Starting in 3... 2... 1...\n" and slept == [1.0, 1.0, 1.0]
    live.countdown(0, out, sleep=slept.append)
    assert len(slept) == 3


# --- the command -------------------------------------------------------------------------------------

def test_drill_json_adds_timing_and_saves_a_drill_session(tmp_path, monkeypatch, run_cli, tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=5))
    script_engine(STRONG)
    code, out, err = run_cli("drill", "--archetype", "storyteller", "--seconds", "8", "--engine", "scripted",
                             "--json")
    result = json.loads(out)  # stdout is one JSON object and nothing else
    assert "Recording" in err
    assert result["transcript"] == STRONG and result["engine"] == "scripted"
    t = result["timing"]
    assert CONTRACT_TIMING <= set(t)
    assert (t["limit_s"], t["green_at_s"], t["yellow_at_s"], t["red_at_s"]) == (8, 4, 6, 8)
    assert t["light"] == "green" and t["overtime_s"] == 0 and not t["cut"]
    assert 4.0 < t["spoken_s"] <= 5.0
    assert t["fillers_note"] is None  # no filler caveat measured for the scripted engine
    assert tones == []  # red never showed
    assert code == (0 if result["verdict"] == "pass" else 1)
    from rehearse.store.sessions import Store

    session = Store().get(result["session_id"])
    assert session.mode == "drill"
    assert session.extra["timing"] == t
    _, out, _ = run_cli("history", "--json")
    assert json.loads(out.splitlines()[0])["mode"] == "drill"


def test_an_answer_past_the_limit_is_cut_at_red_plus_grace_with_overtime_and_a_tone(
        tmp_path, monkeypatch, run_cli, tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "long.wav", seconds=15))
    script_engine(STRONG)
    code, out, err = run_cli("drill", "--archetype", "storyteller", "--seconds", "8", "--engine", "scripted",
                             "--json")
    t = json.loads(out)["timing"]
    assert t["cut"] and t["light"] == "red"
    assert t["recorded_s"] == pytest.approx(8.8, abs=0.05)
    assert t["overtime_s"] == pytest.approx(t["ended_at_s"] - 8, abs=0.01) and t["overtime_s"] > 0.5
    assert tones == ["drill-tone"]  # played once, on its own thread
    assert "RED light" in err  # the plain display (stderr is not a terminal)


def test_no_tone_flag_and_settings_switch_the_tone_off(tmp_path, monkeypatch, run_cli, tones, rehearse_home):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "long.wav", seconds=12))
    script_engine(STRONG)
    run_cli("drill", "-a", "storyteller", "--seconds", "5", "--engine", "scripted", "--json", "--no-tone")
    assert tones == []
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text("[drill]\ntone = false\n")
    script_engine(STRONG)
    run_cli("drill", "-a", "storyteller", "--seconds", "5", "--engine", "scripted", "--json")
    assert tones == []


def test_settings_and_flags_move_the_lights(tmp_path, monkeypatch, run_cli, rehearse_home, tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=3))
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text(
        "[drill]\ngreen_fraction = 0.25\nyellow_fraction = 0.5\ngrace_fraction = 0.2\n")
    script_engine(STRONG)
    _, out, _ = run_cli("drill", "-a", "storyteller", "--seconds", "20", "--engine", "scripted", "--json")
    t = json.loads(out)["timing"]
    assert (t["green_at_s"], t["yellow_at_s"], t["red_at_s"], t["grace_s"]) == (5, 10, 20, 4)
    script_engine(STRONG)
    _, out, _ = run_cli("drill", "-a", "storyteller", "--seconds", "20", "--green", "2", "--engine", "scripted",
                        "--json")
    t = json.loads(out)["timing"]
    assert t["green_at_s"] == 2 and t["light"] == "green"


def test_human_report_shows_timing_pace_and_fillers(tmp_path, monkeypatch, run_cli, tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=5))
    script_engine(FILLED)
    code, out, err = run_cli("drill", "-a", "challenger", "--seconds", "30", "--engine", "scripted")
    assert "Light reached:" in out and "no light" in out
    assert "Filler words:       5" in out and "um x2" in out  # "i like" is not a filler
    assert "words/min (target 120-160" in out
    assert "Verdict:" in out and "Drill:" in err and "Recording" in err


def test_rounds_give_one_json_line_each_with_a_different_prompt_and_a_summary(tmp_path, monkeypatch, run_cli,
                                                                             tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=6))
    script_engine(FILLED, STRONG, STRONG)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "3", "--engine",
                             "scripted", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["round"] for r in rows] == [1, 2, 3]
    assert len({r["prompt_id"] for r in rows}) == 3
    assert len({r["session_id"] for r in rows}) == 3
    assert all(CONTRACT_TIMING <= set(r["timing"]) for r in rows)
    assert "Round by round" in err and "Improved" in err  # the summary goes to stderr with --json
    assert "fillers per minute" in err


def test_repeat_keeps_the_prompt_and_the_human_summary_goes_to_stdout(tmp_path, monkeypatch, run_cli, tones):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=4))
    script_engine(FILLED, STRONG)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "2", "--repeat",
                             "--prompt", "storyteller-2", "--engine", "scripted")
    assert "Round by round:" in out and "From round 1 to round 2:" in out
    assert "checks passed" in out
    from rehearse.store.sessions import Store

    sessions = Store().list()
    assert [s.mode for s in sessions] == ["drill", "drill"]
    assert {s.extra["round"] for s in sessions} == {1, 2}


class Clips:
    """A microphone that plays one clip per round, in turn."""

    def __init__(self, *clips):
        self.clips = list(clips)
        self.count = 0

    def record(self, path, **kw):
        from rehearse.audio.file_recorder import FileRecorder

        clip = self.clips[min(self.count, len(self.clips) - 1)]
        self.count += 1
        return FileRecorder(clip).record(path, **kw)


def install_clips(monkeypatch, *clips):
    import rehearse.audio.microphone as recorder

    install_fake_devices(monkeypatch, clips[0])
    mic = Clips(*clips)
    monkeypatch.setattr(recorder, "MicrophoneRecorder", lambda device=None, **kw: mic)
    return mic


def test_a_silent_round_is_marked_no_speech_and_the_other_rounds_are_kept(tmp_path, monkeypatch, run_cli,
                                                                           tones):
    spoken, quiet = tone_wav(tmp_path / "a.wav", seconds=3), silent_wav(tmp_path / "b.wav")
    install_clips(monkeypatch, spoken, quiet, spoken)
    script_engine(FILLED, STRONG)  # the silent round asks the engine nothing it could hear
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "3", "--engine",
                             "scripted", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["round"] for r in rows] == [1, 2, 3]
    assert rows[1]["status"] == "no_speech" and "No speech was heard" in rows[1]["error"]
    assert "timing" in rows[0] and "timing" in rows[2]  # the rounds either side are scored as usual
    assert "Round 2: No speech was heard" in err and "the drill goes on" in err
    table = err[err.index("Round by round:"):]
    assert [line.split()[0] for line in table.splitlines()[2:5]] == ["1", "2", "3"]
    assert table.splitlines()[3].endswith("no speech")
    assert "From round 1 to round 3:" in table  # the comparison skips the silent round
    assert code == 1  # not every round passed: one was not heard at all
    from rehearse.store.sessions import Store

    assert {s.id: s.status for s in Store().list()}[rows[1]["session_id"]] == "no_speech"


def test_a_silent_first_round_of_two_still_shows_the_table_on_stdout(tmp_path, monkeypatch, run_cli, tones):
    install_clips(monkeypatch, silent_wav(tmp_path / "quiet.wav"), tone_wav(tmp_path / "a.wav", seconds=3))
    script_engine(STRONG)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "2", "--engine",
                             "scripted")
    assert "Round 1: No speech was heard" in err
    assert "Round by round:" in out and "no speech" in out and "Verdict:" in out
    assert "From round" not in out  # one scored round: nothing to compare
    assert code == 1


def test_a_drill_with_no_speech_in_any_round_is_exit_2_with_one_sentence_each(tmp_path, monkeypatch, run_cli,
                                                                              tones):
    install_clips(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "2", "--engine",
                             "scripted", "--json")
    assert code == 2 and [json.loads(line)["status"] for line in out.splitlines()] == ["no_speech"] * 2
    assert "no speech was heard in any round" in err and "Traceback" not in err
    install_clips(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--engine", "scripted")
    assert code == 2 and out == "" and "No speech was heard" in err  # one round: as practice says it


def test_list_shows_the_presets_and_a_preset_sets_limit_and_interviewer(tmp_path, monkeypatch, run_cli, tones):
    code, out, _ = run_cli("drill", "--list", "--json")
    presets = {p["name"]: p for p in map(json.loads, out.splitlines())}
    assert code == 0 and presets["opener"]["seconds"] == 30 and presets["pitch"]["seconds"] == 60
    assert presets["story"]["seconds"] == 120
    code, out, _ = run_cli("drill", "--list")
    assert "opener" in out and "Seize the moment" in out
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=3))
    script_engine(STRONG)
    code, out, _ = run_cli("drill", "--preset", "opener", "--engine", "scripted", "--json")
    result = json.loads(out)
    assert result["archetype"] == presets["opener"]["archetype"] and result["timing"]["limit_s"] == 30


def test_user_presets_add_to_the_packaged_ones(run_cli, rehearse_home):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "drills.toml").write_text('[drills.elevator]\ntitle = "Elevator"\nseconds = 20\n')
    _, out, _ = run_cli("drill", "--list", "--json")
    names = [json.loads(line)["name"] for line in out.splitlines()]
    assert "elevator" in names and "opener" in names


@pytest.mark.parametrize("argv, message", [
    (["--seconds", "30"], "--archetype"),
    (["-a", "storyteller"], "--seconds"),
    (["-a", "storyteller", "--seconds", "0"], "more than 0"),
    (["-a", "storyteller", "--seconds", "10", "--green", "9", "--yellow", "5"], "in order"),
    (["--preset", "marathon"], "No drill preset 'marathon'"),
    (["-a", "storyteller", "--seconds", "10", "--rounds", "0"], "--rounds"),
])
def test_bad_drill_settings_are_one_sentence_exit_2(argv, message, run_cli):
    code, out, err = run_cli("drill", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_countdown_runs_unless_skipped(tmp_path, monkeypatch, run_cli, tones):
    import rehearse.cli.render.live as live_mod

    slept = []
    monkeypatch.setattr(live_mod.time, "sleep", slept.append)
    monkeypatch.delenv("REHEARSE_NO_COUNTDOWN")
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(STRONG)
    _, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--countdown", "2", "--engine",
                          "scripted", "--json")
    assert "Starting in 2... 1..." in err and slept == [1.0, 1.0]
    assert err.index("Starting in") < err.index("Recording")
    script_engine(STRONG)
    _, _, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--no-countdown", "--engine",
                        "scripted", "--json")
    assert "Starting in" not in err and slept == [1.0, 1.0]


def test_the_plain_clock_ends_at_the_last_word_with_the_light_the_report_gives(tmp_path, monkeypatch, run_cli,
                                                                              tones):
    import numpy as np

    from rehearse.audio import pcm

    spoken = pcm.load(tone_wav(tmp_path / "spoken.wav", seconds=6.8))  # speech ends in yellow (6-8 s)
    answer = pcm.save(pcm.Audio(np.concatenate([spoken.samples, np.zeros(2 * 16000, dtype=np.int16)]), 16000),
                      tmp_path / "answer.wav")  # then silence, on into red, until the cut at 8.8 s
    install_fake_devices(monkeypatch, answer)
    script_engine(STRONG)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "8", "--engine", "scripted")
    assert "RED light" in err  # shown live while the silence ran on
    lines = err.strip().splitlines()
    # the moment recording stops the screen says it is checking, then freezes at the last word
    assert lines[-2].split(None, 1)[1] == "recording stopped; checking your answer..."
    assert err.index("RED light") < err.index("checking your answer")
    last = lines[-1].split()
    reported = out.split("Light reached:")[1].split("\n")[0]  # e.g. " YELLOW, answer ended at 0:07.0"
    assert " ".join(last[1:]) == f"answer ended (your last word) on {reported.split(',')[0].strip()}"
    assert reported.strip().endswith(last[0]) and "YELLOW" in reported


class AnnouncingSpeaker(FakeSpeaker):
    """Says on stderr when the prompt is spoken, so the order on the screen can be checked."""

    def speak(self, prompt) -> None:
        super().speak(prompt)
        sys.stderr.write(f"[speaker] {prompt.id}\n")


def test_the_countdown_comes_after_the_prompt_is_spoken(tmp_path, monkeypatch, run_cli, tones):
    import rehearse.cli.render.live as live_mod

    monkeypatch.setattr(live_mod.time, "sleep", lambda s: None)
    monkeypatch.delenv("REHEARSE_NO_COUNTDOWN")
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2), speaker=AnnouncingSpeaker())
    script_engine(STRONG)
    _, _, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--engine", "scripted", "--json")
    assert err.index("[speaker]") < err.index("Starting in 3... 2... 1...") < err.index("Recording")


def test_piped_rounds_count_down_before_the_next_prompt(tmp_path, monkeypatch, run_cli, tones):
    import rehearse.cli.render.live as live_mod

    monkeypatch.setattr(live_mod.time, "sleep", lambda s: None)
    monkeypatch.delenv("REHEARSE_NO_COUNTDOWN")
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2), speaker=AnnouncingSpeaker())
    script_engine(STRONG, STRONG)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "10", "--rounds", "2", "--engine",
                             "scripted", "--json")
    assert len(out.splitlines()) == 2  # stdin is not a terminal: nothing waits for Enter
    second = err.index("Round 2 starts in 3... 2... 1...")
    assert err.rindex("Recording", 0, second) < second < err.rindex("[speaker]")


def test_a_drill_checks_the_best_accomplishment_from_the_bank(tmp_path, monkeypatch, run_cli, tones):
    code, _, err = run_cli("accomplishments", "add", "--title", "Onboarding redesign", "--action",
                           "I rebuilt the first two weeks for new hires", "--result", "cut ramp-up by 40%",
                           "--terms", "onboarding, ramp-up", "--best")
    assert code == 0, err
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=6))
    script_engine("thank you for asking me back i redesigned our on boarding and cut ramp up by forty percent",
                  "thank you for asking me back i led the billing migration and saved two hundred thousand dollars")
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", "30", "--rounds", "2", "--engine",
                             "scripted", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    mine = [[c for c in r["personal"] if "Onboarding redesign" in json.dumps(c)] for r in rows]
    assert mine[0] and mine[0][0]["passed"] is True
    assert mine[1] and mine[1][0]["passed"] is False
    # the advice names the entry mid-sentence, as describe() words it (title in lower case, its result)
    assert "the onboarding redesign that cut ramp-up by 40%" in mine[1][0]["advice"]

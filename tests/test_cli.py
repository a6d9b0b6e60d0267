"""The whole loop through the CLI with fakes at the device seam (no sound card, no speech model)."""

import json
import subprocess
import sys

import pytest

from fakes import install_fake_devices, script_engine, silent_wav, tone_wav

STRONG = ("thank you for asking me back i was thinking about an accomplishment from the last six months "
          "i was charged with cutting our release time and i rebuilt the pipeline so releases went from "
          "two weeks to three days")


def test_practice_speaks_records_transcribes_scores_and_saves(tmp_path, monkeypatch, run_cli):
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=3))
    script_engine(STRONG)
    code, out, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted", "--json")
    result = json.loads(out)
    assert "Recording" in err
    assert err.index("Recording") < err.index("Checking your answer...")  # said as soon as recording stops
    assert [p.archetype for p in speaker.said] == ["storyteller"]
    assert result["transcript"] == STRONG
    assert result["engine"] == "scripted"
    assert set(result["checks"]) == {"leads_with_accomplishment", "asks_first_year_question",
                                     "asks_contributor_question", "thanks_for_callback", "quantified_result"}
    assert code == (0 if result["verdict"] == "pass" else 1)
    code, out, _ = run_cli("history", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["session_id"] == result["session_id"]
    assert rows[0]["mode"] == "practice" and rows[0]["archetype"] == "storyteller"
    assert rows[0]["duration_s"] == pytest.approx(3.0, abs=0.05)
    code, out, _ = run_cli("replay", result["session_id"][:17], "--json")
    replay = json.loads(out)
    assert replay["session_id"] == result["session_id"]
    assert replay["checks"] == result["checks"]
    assert replay["audio"].endswith(".wav") and len(replay["words"]) == len(STRONG.split())


def test_practice_human_output_shows_transcript_and_verdict(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav"))
    script_engine("we are a great company and i like it")
    code, out, err = run_cli("practice", "--archetype", "challenger", "--engine", "scripted")
    assert code == 1
    assert "we are a great company" in out and "Verdict: FAIL" in out
    assert "Coach:" in err


def test_silence_is_no_speech_not_a_failure(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    script_engine("")
    code, out, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted", "--json")
    assert code == 2 and out == ""
    assert "No speech was heard" in err and "Traceback" not in err
    code, out, _ = run_cli("history", "--json")
    row = json.loads(out.splitlines()[0])
    assert row["status"] == "no_speech" and row["verdict"] is None


def test_ctrl_c_keeps_the_audio_and_an_interrupted_session(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "long.wav", seconds=5), interrupt_after_s=1.5)
    code, out, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted")
    assert code == 130
    assert "saved as session" in err
    code, out, _ = run_cli("replay", "last", "--json")
    replay = json.loads(out)
    from rehearse.audio import pcm as audio

    assert audio.load(replay["audio"]).duration_s == pytest.approx(1.5, abs=0.05)
    code, out, _ = run_cli("history", "--json")
    assert json.loads(out.splitlines()[0])["status"] == "interrupted"


def test_unknown_archetype_is_one_sentence_exit_2(run_cli):
    code, out, err = run_cli("practice", "--archetype", "pirate")
    assert code == 2 and "Unknown archetype 'pirate'" in err and err.count("\n") == 1


def test_score_text_matches_the_contract(run_cli):
    code, out, _ = run_cli("score", "--archetype", "salesperson", "--text", STRONG, "--json")
    obj = json.loads(out)
    assert set(obj) >= {"archetype", "transcript", "engine", "checks", "verdict", "metrics", "session_id"}
    assert obj["engine"] is None
    for check in obj["checks"].values():
        assert set(check) == {"passed", "required", "score", "evidence", "word_index", "seconds", "advice"}
        assert 0 <= check["score"] <= 100
        assert check["seconds"] is None
    assert set(obj["metrics"]) == {"words", "duration_s", "wpm", "fillers", "fillers_per_min"}
    required = [c for c in obj["checks"].values() if c["required"]]
    assert obj["verdict"] == ("pass" if all(c["passed"] for c in required) else "fail")
    assert code == (0 if obj["verdict"] == "pass" else 1)


def test_score_text_file_and_missing_file(tmp_path, run_cli):
    path = tmp_path / "opening.txt"
    path.write_text(STRONG)
    code, out, _ = run_cli("score", "-a", "storyteller", "--text-file", str(path), "--json")
    assert json.loads(out)["transcript"] == STRONG
    code, out, err = run_cli("score", "-a", "storyteller", "--text-file", str(tmp_path / "nope.txt"))
    assert code == 2 and "does not exist" in err


def test_score_audio_with_a_corrupt_file(tmp_path, run_cli):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio " * 50)
    code, out, err = run_cli("score", "-a", "storyteller", "--audio", str(bad), "--engine", "scripted")
    assert code == 2 and "not an audio file" in err and out == ""


def test_batch_runs_every_line_and_reports_bad_ones(tmp_path, run_cli):
    tone_wav(tmp_path / "a.wav")
    script_engine(STRONG)
    lines = [
        json.dumps({"id": 1, "archetype": "storyteller", "text": STRONG}),
        "{not json",
        json.dumps({"id": 3, "archetype": "pirate", "text": "hi"}),
        json.dumps({"id": 4, "archetype": "challenger", "audio": "a.wav"}),
        json.dumps({"id": 5, "archetype": "challenger", "audio": "missing.wav"}),
        json.dumps({"id": 6, "archetype": "challenger"}),
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    code, out, err = run_cli("score", "--batch", str(batch), "--engine", "scripted", "--jobs", "1",
                             "--json")  # the scripted engine lives in this test process only
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in rows] == [1, None, 3, 4, 5, 6]
    assert "verdict" in rows[0] and rows[0]["transcript"] == STRONG
    assert "not valid JSON" in rows[1]["error"]
    assert "Unknown archetype" in rows[2]["error"]
    assert rows[3]["engine"] == "scripted" and rows[3]["transcript"] == STRONG
    assert "does not exist" in rows[4]["error"]
    assert "error" in rows[5]
    assert code == 0


def test_prompts_lists_all_archetypes(run_cli):
    code, out, _ = run_cli("prompts", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["archetype"] for r in rows} >= {"storyteller", "salesperson", "challenger"}
    assert all(len(r["prompts"]) >= 3 for r in rows)


def test_history_when_empty_is_friendly(run_cli):
    code, out, _ = run_cli("history")
    assert code == 0 and "No sessions saved yet" in out


def test_replay_unknown_session(run_cli):
    code, out, err = run_cli("replay", "zzz")
    assert code == 2 and "No session matches" in err


def test_unknown_engine(tmp_path, run_cli):
    tone_wav(tmp_path / "a.wav")
    code, out, err = run_cli("transcribe", str(tmp_path / "a.wav"), "--engine", "nonsense")
    assert code == 2 and "Unknown speech engine" in err


def test_bad_flag_is_one_line_exit_2():
    proc = subprocess.run([sys.executable, "-m", "rehearse", "score", "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_help_and_history_do_not_import_heavy_modules(cli_env):
    code = ("import sys; from rehearse.cli import main as cli; cli.main(['history']); "
            "heavy = [m for m in ('sounddevice', 'pocketsphinx', 'pyttsx3', 'speech_recognition', 'numpy', "
            "'rapidfuzz') if m in sys.modules]; print(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


@pytest.mark.parametrize("text, seconds, where", [
    (STRONG, 3, "above"),  # 39 words in 3 s: far above 160 words/min
    ("i rebuilt our release pipeline and cut release time by forty percent", 12, "below"),  # 12 in 12 s
    (STRONG, 17, "within"),  # 39 words in 17 s
])
def test_practice_says_where_its_pace_falls_against_the_band(tmp_path, monkeypatch, run_cli, text, seconds,
                                                             where):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=seconds))
    script_engine(text)
    code, out, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted")
    pace = next(line for line in out.splitlines() if "words/min" in line)
    assert f"words/min ({where} the 120-160 band)" in pace, out


def _rehearse(cli_env, *argv):
    return subprocess.run([sys.executable, "-m", "rehearse", *argv], capture_output=True, text=True, env=cli_env,
                          timeout=60)


@pytest.mark.parametrize("typed, meant", [("pratice", "practice"), ("histroy", "history"), ("dril", "drill")])
def test_a_misspelt_command_gets_a_did_you_mean(cli_env, typed, meant):
    proc = _rehearse(cli_env, typed, "--archetype", "storyteller")
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"did you mean `rehearse {meant}`?" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_word_that_is_no_command_lists_the_commands(cli_env):
    proc = _rehearse(cli_env, "xyzzy")
    assert proc.returncode == 2 and "unknown command 'xyzzy'" in proc.stderr and "practice, drill" in proc.stderr


@pytest.mark.parametrize("argv, help_of", [
    (["drill", "-a", "storyteller", "--seconds", "30", "--bogus"], "rehearse drill"),
    (["history", "--bogus", "3"], "rehearse history"),
    (["accomplishments", "add", "--bogus"], "rehearse accomplishments add"),
    (["--bogus"], "rehearse"),
])
def test_a_bad_flag_points_to_the_help_of_its_own_command(cli_env, argv, help_of):
    proc = _rehearse(cli_env, *argv)
    assert proc.returncode == 2 and "unrecognized arguments: --bogus" in proc.stderr
    assert proc.stderr.rstrip().endswith(f"(see `{help_of} --help`).") and proc.stderr.count("\n") == 1


def test_a_misspelt_flag_gets_the_nearest_one(cli_env):
    proc = _rehearse(cli_env, "drill", "-a", "storyteller", "--secnds", "30")
    assert proc.returncode == 2 and "did you mean --seconds?" in proc.stderr
    assert "(see `rehearse drill --help`)" in proc.stderr


@pytest.mark.slow
def test_a_batch_scored_in_several_processes_gives_the_same_lines_in_the_same_order(tmp_path, cli_env):
    """--jobs 2 spreads the lines over two worker processes (real engine, real audio); the output is the
    serial run's, line for line."""
    import subprocess

    from conftest import need_engine
    from rehearse.cli.commands.demo import sample_answer_path

    need_engine("pocketsphinx")
    sample = str(sample_answer_path())
    items = [{"id": "a", "archetype": "storyteller", "audio": sample},
             {"id": "b", "archetype": "challenger", "text": STRONG},
             {"id": "c", "archetype": "salesperson", "audio": sample},
             {"id": "d", "archetype": "storyteller", "text": "we are a great company"},
             {"id": "e", "archetype": "pirate", "text": "hi"}]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(i) for i in items) + "\n{broken\n")
    outputs = {}
    for jobs in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "rehearse", "score", "--batch", str(batch), "--engine",
                               "pocketsphinx", "--jobs", jobs, "--json"], env=cli_env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        outputs[jobs] = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("id") for r in outputs["2"]] == ["a", "b", "c", "d", "e", None]
    assert outputs["2"] == outputs["1"]
    assert outputs["2"][0]["engine"] == "pocketsphinx" and "error" in outputs["2"][4]


def test_a_batch_worker_takes_its_share_of_the_cores_for_decoding_and_the_checks(monkeypatch):
    import signal

    from rehearse.cli.commands import score
    from rehearse.coaching import contextual_ct2
    from rehearse.speech.engines import whisper

    monkeypatch.setattr(whisper, "CPU_THREADS", 4)
    monkeypatch.setattr(contextual_ct2, "THREADS", 4)
    handler = signal.getsignal(signal.SIGINT)
    try:
        score._worker_init(1)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert whisper.CPU_THREADS == 1 and contextual_ct2.THREADS == 1


def test_rehearse_debug_sends_the_librarys_debug_log_to_stderr_once(monkeypatch, capsys):
    import logging

    from rehearse.cli import main as cli

    log = logging.getLogger("rehearse")
    before, level = list(log.handlers), log.level
    try:
        cli._debug_log()
        cli._debug_log()  # a second command in the same process adds no second handler
        logging.getLogger("rehearse.turn").debug("pause at 3.20 s")
        err = capsys.readouterr().err
        assert err.count("rehearse.turn: pause at 3.20 s") == 1
    finally:
        log.handlers[:], log.level = before, level

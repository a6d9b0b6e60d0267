"""The user's own files (settings.toml, prompts/*.toml, drills.toml): a wrong value is one sentence naming
the file, the key and the type expected; a good file still works."""

from __future__ import annotations

import json
import os

import pytest

from rehearse.core import archetypes


def one_sentence(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("rehearse: "), err
    assert "unexpected" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)


# --- settings.toml ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, named, expected", [
    ("[engine]\ndefault = 1\n", "[engine] default = 1", "must be a string naming an engine"),
    ("[engine]\nwhisper_model = [\"base\"]\n", "[engine] whisper_model = ['base']", "must be a string"),
    ("engine = \"whisper\"\n", 'engine = "whisper"', "must be a table [engine]"),
    ("[drill]\ntone = \"yes\"\n", '[drill] tone = "yes"', "must be true or false"),
    ("[drill]\ncountdown_s = 2.5\n", "[drill] countdown_s = 2.5", "must be a whole number of seconds"),
    ("[drill]\nfillers = \"um\"\n", '[drill] fillers = "um"', "must be a list of words"),
    ("[drill]\ndisplay = \"fancy\"\n", '[drill] display = "fancy"', 'must be one of "auto"'),
    ("[drill]\ngreen_fraction = true\n", "[drill] green_fraction = true", "must be a number more than 0"),
    ("[drill]\nwpm_low = -5\n", "[drill] wpm_low = -5", "must be a number more than 0"),
])
def test_a_wrong_setting_names_the_file_key_and_type(run_cli, rehearse_home, text, named, expected):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text(text)
    for args in (("engines",), ("drill", "-a", "storyteller", "--seconds", "5", "--text-prompt", "--json")):
        code, out, err = run_cli(*args)
        assert code == 2 and out == ""
        one_sentence(err, str(rehearse_home / "settings.toml"), named, expected)


def test_good_settings_still_apply(run_cli, rehearse_home):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text('[engine]\ndefault = "pocketsphinx"\n[later]\nunknown = 1\n')
    code, out, err = run_cli("engines", "--json")
    assert code == 0, err
    defaults = [e["name"] for e in map(json.loads, out.splitlines()) if e["default"]]
    assert defaults == ["pocketsphinx"]  # the pinned one, not the most accurate


def test_a_settings_file_that_is_a_pipe_does_not_hang(cli_env, rehearse_home):
    import subprocess
    import sys

    rehearse_home.mkdir(parents=True, exist_ok=True)
    os.mkfifo(rehearse_home / "settings.toml")
    done = subprocess.run([sys.executable, "-m", "rehearse", "engines"], env=cli_env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    one_sentence(done.stderr, "is a pipe", "settings file")


def test_a_huge_settings_file_is_refused(run_cli, rehearse_home):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text("# " + "x" * (1 << 20) + "\n")
    code, _, err = run_cli("engines")
    assert code == 2
    one_sentence(err, "settings file", "more than the 1 MB")


# --- prompt files --------------------------------------------------------------------------------------

HUGE = "Why? " * 500


@pytest.mark.parametrize("text, words", [
    ("archetypes = 3\n", ["archetypes = 3", "must be tables"]),
    ("[archetypes]\nchallenger = 5\n", ["archetype 'challenger' must be a table", "not 5"]),
    ("[archetypes.challenger]\nprompts = 5\n", ["[archetypes.challenger] prompts = 5", "must be prompt tables"]),
    ("[archetypes.challenger]\nprompts = [\"Why?\"]\n", ["prompt 1 of 'challenger'", "must be a table"]),
    ("[[archetypes.challenger.prompts]]\ntext = 7\n", ["prompt 1 of 'challenger': text = 7", "must be a string"]),
    ("[[archetypes.challenger.prompts]]\nid = 7\ntext = \"Why?\"\n", ["id = 7", "must be a string"]),
    ("[[archetypes.challenger.prompts]]\nid = \"x\"\n", ["prompt 1 of 'challenger' needs a text"]),
    ("[archetypes.challenger]\nadvice = 12\n", ["[archetypes.challenger] advice = 12", "must be a string"]),
    ("[archetypes.challenger]\nrequired_checks = \"quantified_result\"\n",
     ["required_checks = \"quantified_result\"", "must be a list of check names"]),
    (f"[[archetypes.challenger.prompts]]\ntext = \"{HUGE}\"\n", ["2,500 characters long", "more than the 2,000"]),
    ("[[archetypes.challenger.prompts]]\nid = \"c\"\ntext = \"Why?\"\n"
     "[[archetypes.challenger.prompts]]\nid = \"c\"\ntext = \"Why not?\"\n",
     ["prompt 2 of 'challenger'", "the id 'c' is already used (in this file)"]),
    ("[[archetypes.challenger.prompts]]\nid = \"storyteller-1\"\ntext = \"Why?\"\n",
     ["the id 'storyteller-1' is already used (in the packaged archetypes.toml)"]),
    ("[archetypes.Panel]\ntitle = \"The panel\"\n", ["archetype name 'Panel' must be lowercase"]),
])
def test_a_wrong_prompt_file_names_the_file_and_the_key(run_cli, rehearse_home, text, words):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(text)
    code, out, err = run_cli("prompts")
    assert code == 2 and out == ""
    one_sentence(err, str(folder / "mine.toml"), *words)


def test_an_id_used_in_two_prompt_files_names_the_first(run_cli, rehearse_home):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text('[[archetypes.challenger.prompts]]\nid = "mine"\ntext = "Why you?"\n')
    (folder / "b.toml").write_text('[[archetypes.salesperson.prompts]]\nid = "mine"\ntext = "Any questions?"\n')
    code, _, err = run_cli("prompts")
    assert code == 2
    one_sentence(err, str(folder / "b.toml"), "the id 'mine' is already used", str(folder / "a.toml"))


def test_prompts_without_ids_never_take_an_id_given_elsewhere(rehearse_home):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text('[[archetypes.challenger.prompts]]\ntext = "Why you?"\n'
                                   '[[archetypes.challenger.prompts]]\nid = "challenger-user-4"\ntext = "Why now?"\n')
    ids = [p.id for p in archetypes.all_archetypes(fresh=True)["challenger"].prompts]
    assert len(ids) == len(set(ids)) == 5


# --- drills.toml -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("drills = 3\n", ["drills = 3", "must be tables"]),
    ("[drills]\nquick = 3\n", ["drills.quick = 3", "must be a table [drills.quick]"]),
    ("[drills.quick]\ntitle = \"Quick\"\n", ["[drills.quick] needs seconds = N"]),
    ("[drills.quick]\nseconds = true\n", ["[drills.quick] seconds = true", "must be a number of seconds"]),
    ("[drills.quick]\nseconds = \"30\"\n", ['[drills.quick] seconds = "30"', "must be a number of seconds"]),
    ("[drills.quick]\nseconds = 0\n", ["[drills.quick] seconds = 0", "more than 0"]),
    ("[drills.quick]\nseconds = 30\ngreen_fraction = \"half\"\n", ['green_fraction = "half"', "must be a number"]),
    ("[drills.quick]\nseconds = 30\narchetype = 5\n", ["[drills.quick] archetype = 5", "must be a string"]),
])
def test_a_wrong_drills_file_names_the_file_and_the_key(run_cli, rehearse_home, text, words):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "drills.toml").write_text(text)
    code, out, err = run_cli("drill", "--list")
    assert code == 2 and out == ""
    one_sentence(err, str(rehearse_home / "drills.toml"), *words)

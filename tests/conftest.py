"""Test set-up: every test gets its own REHEARSE_HOME; audio fixtures come from virtual_audio.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "speech-samples"


def need(condition: object, reason: str) -> None:
    """Go on when ``condition`` holds; otherwise skip the test, or fail it under ``CI=true``.

    For what a test needs from the machine: the ../shared folder and its speech samples, a speech
    engine, a Whisper model, espeak-ng, the sound server. CI installs all of them, so there a missing
    one is a broken set-up that must not hide behind a skip.
    """
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: CI must provide this, so it is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def speech_sample(name: str) -> Path:
    """A file of the shared speech samples (../shared/speech-samples), through :func:`need`."""
    path = SAMPLES / name
    need(path.is_file(), f"the shared speech sample {name} is not there (expected in ../shared/speech-samples)")
    return path


def need_engine(name: str) -> None:
    """Through :func:`need`: the speech engine ``name`` (with its model) can run here."""
    from rehearse.speech import engines

    reason = engines.availability(name)
    need(reason is None, f"the {name} engine is not available: {reason}")


def need_espeak() -> None:
    """Through :func:`need`: espeak-ng, both the program and the library pyttsx3 speaks through."""
    import ctypes.util
    import importlib.util
    import shutil

    missing = []
    if shutil.which("espeak-ng") is None:
        missing.append("the espeak-ng program")
    if not (ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")):
        missing.append("the espeak-ng library")
    if importlib.util.find_spec("pyttsx3") is None:
        missing.append("pyttsx3")
    need(not missing, f"{' and '.join(missing)} not installed (sudo apt-get install espeak-ng)")


from virtual_audio import virtual_mic  # noqa: E402,F401  (session fixture: a PulseAudio virtual microphone)


def pytest_configure(config):
    """Ctrl-C tests send SIGINT to a child `rehearse`. A shell starts background jobs (``cmd &``, nohup)
    with SIGINT ignored, and an ignored signal stays ignored across exec, so a suite started that way
    would give every child a deaf ear. The suite restores the default, so the children it starts hear
    Ctrl-C as a user's terminal would deliver it."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _register_test_engines() -> None:
    """The scripted engine is a test double: registered here, by name, like the real engines."""
    from rehearse.speech import engines

    engines.register(engines.EngineInfo(
        name="scripted",
        description="Test engine: returns a scripted transcript with evenly spread timings.",
        factory="scripted_engine:ScriptedEngine",
        probe="scripted_engine:probe",
        hidden=True,
    ))


_register_test_engines()


@pytest.fixture(autouse=True)
def rehearse_home(tmp_path, monkeypatch):
    """Point REHEARSE_HOME at a fresh temp folder so no test touches the user's sessions."""
    home = tmp_path / "rehearse-home"
    monkeypatch.setenv("REHEARSE_HOME", str(home))
    for name in ("REHEARSE_ENGINE", "REHEARSE_WHISPER_MODEL"):
        # setenv first, so whatever a test's command sets is undone afterwards
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    from rehearse.core import archetypes

    archetypes.clear_cache()
    yield home
    archetypes.clear_cache()


_sound_server_died_in: list[str] = []


@pytest.fixture(autouse=True)
def _sound_server_stays_up(request):
    """A test on the virtual microphone fails by name if the test's sound server died during it, and
    every later one says so, instead of a misleading "No input device" (the log's tail is shown)."""
    if "virtual_mic" not in request.fixturenames:
        yield
        return
    mic = request.getfixturevalue("virtual_mic")
    if _sound_server_died_in:
        pytest.fail(f"the test sound server died during {_sound_server_died_in[0]}", pytrace=False)
    yield
    if not mic.alive():
        _sound_server_died_in.append(request.node.nodeid)
        pytest.fail(f"the test sound server died during this test: {mic.log[-1500:]}", pytrace=False)


@pytest.fixture
def samples_dir() -> Path:
    return speech_sample("manifest.tsv").parent


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process: returns (exit_code, stdout, stderr)."""
    from rehearse.cli import main as cli

    def run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_env(rehearse_home):
    """Environment for running `python -m rehearse` in a subprocess with this test's home."""
    env = dict(os.environ)
    env["REHEARSE_HOME"] = str(rehearse_home)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def python() -> str:
    return sys.executable

"""No network anywhere but the explicit download: a socket guard around every offline path."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from conftest import need, need_engine, speech_sample
from rehearse.audio import pcm as audio_mod
from rehearse.speech import whisper_models as models


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # our code must not rely on the user setting it
    return attempts


def _clip():
    return audio_mod.load(speech_sample("jfk.wav"))


def test_the_guard_works(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))


def test_model_resolution_is_offline(no_network):
    for info in models.available_models():
        assert info.available == (info.reason is None), info  # a reason exactly when it is not here
    default = models.locate(models.DEFAULT_MODEL)
    need(default.available, f"no Whisper model here: {default.reason}")
    assert models.resolve().available
    assert no_network == []


def test_whisper_loads_and_transcribes_offline(no_network):
    from rehearse.speech.engines import whisper

    need_engine("whisper")
    engine = whisper.WhisperEngine()  # a fresh load, not the process-wide cached one
    text = engine.transcribe(_clip()).text.lower()
    assert "your country" in text
    assert no_network == []


def test_pocketsphinx_transcribes_offline(no_network):
    from rehearse.speech.engines import sphinx

    need_engine("pocketsphinx")
    text = sphinx.PocketSphinxEngine().transcribe(_clip()).text
    assert "country" in text
    assert no_network == []


def test_the_explicit_download_is_the_one_thing_that_reaches_out(no_network, tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path))
    # the guard's error is no OSError, so it is not turned into a RehearseError on the way out
    with pytest.raises(NetworkUsed):
        models.download("tiny.en", endpoint="http://models.invalid")
    assert no_network, "download() should have tried the network"
    assert not (tmp_path / "models" / "tiny.en").exists()


# --- every command, in a fresh process, under a socket guard ----------------------------------------------

GUARD = r"""
import os, runpy, socket, sys, traceback

_log = os.environ["REHEARSE_TEST_NETWORK_LOG"]
_Socket = socket.socket


def _record(what):
    with open(_log, "a", encoding="utf-8") as out:
        out.write(what + "\n" + "".join(traceback.format_stack(limit=8)) + "\n")


class _GuardedSocket(_Socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and family in (-1, socket.AF_INET, socket.AF_INET6):
            _record(f"socket(family={family}, type={type})")
            raise OSError("network access is blocked by the test guard")
        super().__init__(family, type, proto, fileno)


def _no_lookup(host, *args, **kwargs):
    _record(f"getaddrinfo({host!r})")
    raise socket.gaierror("name lookups are blocked by the test guard")


socket.socket = _GuardedSocket
socket.getaddrinfo = _no_lookup
sys.argv = ["rehearse", *sys.argv[1:]]
runpy.run_module("rehearse", run_name="__main__", alter_sys=True)
"""
"""Runs `python -m rehearse ARGS` with every AF_INET/AF_INET6 socket and name lookup refused and logged
before anything of rehearse (or of the libraries it imports) is imported; the log is the verdict, since
a library may swallow the refusal and go on."""

SAMPLE = Path(audio_mod.__file__).resolve().parents[1] / "data" / "sample_answer.wav"
OPENING = "Thank you for asking me back. I was charged with fixing our patient intake, and I cut the wait from forty minutes to twelve."


@pytest.fixture
def guarded(cli_env, tmp_path):
    """Run a command under :data:`GUARD`: returns (exit code, stdout, stderr, network attempts)."""
    import subprocess
    import sys

    log = tmp_path / "network.log"
    env = {k: v for k, v in cli_env.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")}
    env["REHEARSE_TEST_NETWORK_LOG"] = str(log)
    env["REHEARSE_NO_COUNTDOWN"] = "1"

    def run(*args: str, stdin: str = "", timeout: float = 300):
        log.write_text("")
        done = subprocess.run([sys.executable, "-c", GUARD, *args], env=env, input=stdin, capture_output=True,
                              text=True, timeout=timeout, cwd=str(tmp_path))
        return done.returncode, done.stdout, done.stderr, log.read_text()

    return run


def test_the_subprocess_guard_catches_a_connection(guarded, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import urllib.request\ntry:\n    urllib.request.urlopen('http://example.org', timeout=1)\n"
                     "except Exception:\n    pass\n")
    import subprocess
    import sys

    log = tmp_path / "net.log"
    code = GUARD.replace('runpy.run_module("rehearse", run_name="__main__", alter_sys=True)',
                         f"runpy.run_path({str(probe)!r})")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "REHEARSE_TEST_NETWORK_LOG": str(log)},
                   check=True, timeout=60)
    assert "getaddrinfo('example.org')" in log.read_text()


def test_every_command_s_help_opens_no_connection(guarded):
    from rehearse.cli.main import command_names

    names = command_names()
    assert {"score", "transcribe", "demo", "models", "practice"} <= set(names)
    for name in names:
        code, out, err, network = guarded(name.replace("_", "-"), "--help")
        assert code == 0 and "usage: rehearse" in out, (name, err)
        assert network == "", (name, network)


def test_every_offline_command_really_runs_without_a_connection(guarded, tmp_path):
    from rehearse.cli.main import command_names

    need(SAMPLE.is_file(), "the packaged sample answer is missing")
    need_engine("whisper")
    need_engine("pocketsphinx")
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": 1, "archetype": "challenger", "text": OPENING}) + "\n"
                     + json.dumps({"id": 2, "archetype": "storyteller", "audio": str(SAMPLE)}) + "\n")
    typed_debrief = "yes, they doubted my experience\nno\nno\nno\nI wish I had talked about the migration\n" + "\n" * 6
    runs = [  # (arguments, stdin, the exit codes that are right here)
        (("score", "-a", "storyteller", "--text", OPENING, "--json"), "", {0}),
        (("score", "-a", "storyteller", "--audio", str(SAMPLE), "--engine", "pocketsphinx", "--json"), "", {0, 1}),
        (("score", "--batch", str(batch), "--engine", "pocketsphinx", "--json"), "", {0}),
        (("transcribe", str(SAMPLE), "--json"), "", {0}),  # the default engine: Whisper
        (("demo", "--text-prompt", "--engine", "pocketsphinx", "--json"), "", {0, 1}),
        (("drill", "--list"), "", {0}),
        (("history",), "", {0}),
        (("history", "--json"), "", {0}),
        (("replay", "last", "--no-audio", "--json"), "", {0}),
        (("export", "last", "--format", "md"), "", {0}),
        (("export", "last", "--format", "json", "--output", str(tmp_path / "report.json")), "", {0}),
        (("progress", "--chart", str(tmp_path / "progress.png")), "", {0}),
        (("rescore", "last"), "", {0}),
        (("rescore", "last", "--retranscribe", "--engine", "pocketsphinx"), "", {0}),
        (("versions", "last"), "", {0}),
        (("versions", "last", "--use", "1", "--json"), "", {0}),
        (("prompts",), "", {0}),
        (("prompts", "--json"), "", {0}),
        (("engines",), "", {0}),
        (("models", "list"), "", {0}),
        (("accomplishments", "add", "--title", "Migration", "--result", "cut hosting costs by 30 percent",
          "--best"), "", {0}),
        (("accomplishments", "list"), "", {0}),
        (("accomplishments", "export"), "", {0}),
        (("debrief", "--text"), typed_debrief, {0}),
        (("debrief", "--show"), "", {0}),
        (("devices",), "", {0, 2}),  # no sound card here is one sentence, still no network
        (("practice", "-a", "storyteller", "--text-prompt", "--max-seconds", "1"), "", {0, 1, 2}),
        (("sheet",), "", {0}),
        (("sheet", "--format", "html", "--output", str(tmp_path / "sheet.html")), "", {0}),
        (("interview", "--show"), "", {2}),  # none saved yet: one sentence
        (("interview", "-a", "challenger", "--text-prompt", "--turns", "3", "--max-seconds", "1"), "", {0, 1, 2}),
        (("retry", "last", "--text-prompt", "--max-seconds", "1"), "", {0, 1, 2}),
        (("delete", "last", "--yes"), "", {0}),
    ]
    ran = {args[0] for args, _, _ in runs}
    assert ran | {"models"} >= set(n.replace("_", "-") for n in command_names()), "a command is not run here"
    for args, stdin, codes in runs:
        code, out, err, network = guarded(*args, stdin=stdin)
        assert network == "", (args, network)
        assert code in codes and "Traceback" not in err and "unexpected error" not in err, (args, code, err)
    assert (tmp_path / "progress.png").stat().st_size > 0
    assert json.loads((tmp_path / "report.json").read_text())["format"] == "rehearse-session-report"


# --- below Python: every socket a process or its children open, seen by the kernel ---------------------

def _strace_inet(trace: Path) -> list[str]:
    """The lines of an ``strace -f -e trace=network`` log that open or use an internet socket."""
    return [line for line in trace.read_text(errors="replace").splitlines()
            if "AF_INET" in line and ("socket(" in line or "connect(" in line or "sendto(" in line)]


def test_the_kernel_level_guard_sees_a_socket_opened_in_c(tmp_path):
    """The check below must be able to fail: a socket created by C code (here libc through ctypes, which
    a Python-level guard never sees) shows up in the trace."""
    import shutil
    import subprocess
    import sys

    need(shutil.which("strace"), "strace is not installed")
    trace = tmp_path / "probe.trace"
    probe = "import ctypes; libc = ctypes.CDLL(None); fd = libc.socket(2, 1, 0); libc.close(fd)"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=network", "-o", str(trace), sys.executable, "-c", probe],
                   check=True, timeout=60)
    assert _strace_inet(trace), trace.read_text()


def test_no_process_opens_an_internet_socket_even_from_c(cli_env, tmp_path):
    """The Python guard above patches the socket module; native libraries (CTranslate2, ONNX Runtime,
    PortAudio, espeak-ng, matplotlib's back ends) could still open sockets of their own. Here the kernel's
    view: each offline path runs under ``strace -f`` and no process or child creates an AF_INET/AF_INET6
    socket (PulseAudio's local AF_UNIX socket is fine)."""
    import shutil
    import subprocess
    import sys

    need(shutil.which("strace"), "strace is not installed")
    need(SAMPLE.is_file(), "the packaged sample answer is missing")
    need_engine("whisper")
    need_engine("pocketsphinx")
    # Libraries stay quiet on CI machines of their own accord (ONNX Runtime's telemetry does when CI is
    # set): take those hints away, so what is checked is what a user's machine would do.
    quiet_hints = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "ORT_DISABLE_TELEMETRY",
                   "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "BUILD_ID", "JENKINS_URL")
    env = {k: v for k, v in cli_env.items() if k not in quiet_hints}
    env["REHEARSE_NO_COUNTDOWN"] = "1"
    runs = [
        ("score", "-a", "storyteller", "--text", OPENING, "--json"),  # the semantic model
        ("transcribe", str(SAMPLE), "--json"),  # Whisper, Silero
        ("score", "-a", "challenger", "--audio", str(SAMPLE), "--engine", "pocketsphinx", "--json"),
        ("demo", "--text-prompt", "--engine", "pocketsphinx", "--json"),
        ("progress", "--chart", str(tmp_path / "progress.png")),  # matplotlib
        ("export", "last", "--format", "html", "--output", str(tmp_path / "report.html")),
        ("devices",),  # PortAudio
    ]
    for n, args in enumerate(runs):
        trace = tmp_path / f"run{n}.trace"
        done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=network,execve", "-o", str(trace),
                               sys.executable, "-m", "rehearse", *args],
                              env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert "execve(" in trace.read_text(), args  # the trace really followed the command
        assert _strace_inet(trace) == [], (args, _strace_inet(trace))

"""A virtual microphone for integration tests: a private PulseAudio daemon with a null sink.

The session fixture :func:`virtual_mic` starts ``pulseaudio`` with its own runtime folder and home in
a temporary directory, creates a null sink ``vsink`` (16 kHz mono) and a virtual source ``vmic`` that
hears the sink's monitor, and makes ``vmic`` the default source. Whatever is played into ``vsink``
(:meth:`VirtualMic.play`) is what the default microphone records, in real time and bit for bit.

PortAudio reaches PulseAudio through ALSA's pulse plugin, so ``libasound2-plugins`` is needed too.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import pytest

SINK = "vsink"
SOURCE = "vmic"
RATE = 16000


@dataclass
class VirtualMic:
    """A running private PulseAudio daemon whose default source hears what is played into ``vsink``."""

    env: Dict[str, str]
    """The environment for subprocesses that should use this daemon: os.environ plus :attr:`client_env`."""
    root: Path
    """The temporary folder holding the daemon's runtime folder, home and log."""
    client_env: Dict[str, str]
    """Only the variables that point a PulseAudio client at this daemon (PULSE_SERVER, ...)."""

    def play(self, wav_path, delay_s: float = 0.0) -> subprocess.Popen:
        """Start playing ``wav_path`` into the microphone (after ``delay_s``) in the background."""
        # The player keeps PulseAudio's default deep buffer (only the recorder asks for 30 ms): on a
        # loaded machine a player with 30 ms queued runs dry and the "speaker" drops bits of words.
        command = ["paplay", f"--device={SINK}", str(wav_path)]
        if delay_s > 0:
            command = ["sh", "-c", f'sleep {float(delay_s):.3f} && exec "$@"', "play"] + command
        env = {k: v for k, v in self.env.items() if k != "PULSE_LATENCY_MSEC"}
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def alive(self) -> bool:
        """Whether the daemon is still running: its pid file names a process that is not a zombie
        (a daemonised process whose parent is a container's init may never be reaped)."""
        try:
            pid = int((self.root / "xdg" / "pulse" / "pid").read_text().split()[0])
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            return False
        return state not in ("Z", "X")

    @property
    def log(self) -> str:
        try:
            return (self.root / "pulse.log").read_text(errors="replace")
        except OSError:
            return ""


def start_daemon(root: Path, timeout_s: float = 15.0) -> VirtualMic:
    """Start the private daemon under ``root`` and wait until it answers.

    Missing PulseAudio tools skip the test (fail it under ``CI=true``, see conftest.need); a daemon
    that is installed but does not start or answer fails it.
    """
    from conftest import need

    missing = [tool for tool in ("pulseaudio", "pactl", "paplay") if shutil.which(tool) is None]
    need(not missing,
         f"The audio tests need {', '.join(missing)}: install pulseaudio, pulseaudio-utils and "
         "libasound2-plugins (sudo apt-get install pulseaudio pulseaudio-utils libasound2-plugins).")
    runtime, home = root / "xdg", root / "home"
    for folder in (runtime, home):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    daemon_env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    daemon_env.update(XDG_RUNTIME_DIR=str(runtime), HOME=str(home))
    client_env = {
        "PULSE_SERVER": f"unix:{runtime / 'pulse' / 'native'}",
        "PULSE_COOKIE": str(home / ".config" / "pulse" / "cookie"),
        # Without this the first input callback comes 1.2-1.8 s after start() (0.34 s with it).
        "PULSE_LATENCY_MSEC": "30",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env.update(client_env)
    log = root / "pulse.log"
    command = [
        "pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "--use-pid-file=yes",
        "--high-priority=yes",  # a raised priority where allowed keeps the clock of the null sink steady
        # Audio goes through the socket, not shared memory: under load PulseAudio 16.1 once aborted on
        # an assertion in its shared-memory import (memblock_replace_import, a flake-hunt run), and
        # every later audio test then found no microphone. 16 kHz mono needs no shared memory.
        "--disable-shm=yes",
        f"--log-target=file:{log}",
        "-L", "module-native-protocol-unix",
        "-L", f"module-null-sink sink_name={SINK} rate={RATE} channels=1",
        "-L", f"module-virtual-source source_name={SOURCE} master={SINK}.monitor",
        "-L", "module-always-sink",
    ]
    started = subprocess.run(command, env=daemon_env, capture_output=True, text=True, timeout=30)
    mic = VirtualMic(env=env, root=root, client_env=client_env)
    if started.returncode != 0:
        pytest.fail(f"pulseaudio did not start: {started.stderr.strip()} {mic.log[-2000:]}", pytrace=False)
    deadline = time.monotonic() + timeout_s
    while True:
        probe = subprocess.run(["pactl", "info"], env=env, capture_output=True, text=True, timeout=10)
        if probe.returncode == 0:
            break
        if time.monotonic() > deadline:
            stop_daemon(mic)
            pytest.fail(f"pulseaudio did not answer within {timeout_s:.0f} s: {mic.log[-2000:]}", pytrace=False)
        time.sleep(0.1)
    mic.pactl("set-default-source", SOURCE)
    mic.pactl("set-default-sink", SINK)
    return mic


def stop_daemon(mic: VirtualMic) -> None:
    pid_file = mic.root / "xdg" / "pulse" / "pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reinitialise_portaudio() -> None:
    """PortAudio lists devices once, when initialised: make an already imported sounddevice look again."""
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@contextmanager
def output_default_buffer():
    """Streams opened inside get PulseAudio's default buffer instead of the fixture's 30 ms.

    ``PULSE_LATENCY_MSEC`` (set for the recorder's quick start) applies to every stream libpulse
    connects; an output with 30 ms queued runs dry on a busy machine. libpulse reads the variable when
    a stream connects, so streams already open keep theirs."""
    saved = os.environ.pop("PULSE_LATENCY_MSEC", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PULSE_LATENCY_MSEC"] = saved


@pytest.fixture(scope="session")
def virtual_mic(tmp_path_factory):
    """A private PulseAudio daemon; the test process and ``mic.env`` subprocesses record from it."""
    root = tmp_path_factory.mktemp("pulse")
    mic = start_daemon(root)
    saved: Dict[str, Optional[str]] = {key: value for key, value in os.environ.items() if key.startswith("PULSE_")}
    for key in list(saved):
        del os.environ[key]
    os.environ.update(mic.client_env)
    saved.update({key: None for key in mic.client_env if key not in saved})
    _reinitialise_portaudio()
    try:
        yield mic
    finally:
        stop_daemon(mic)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        # PortAudio is not re-initialised here: with the daemon gone, libpulse could autospawn one
        # in the real home, and nothing records after the session ends anyway.

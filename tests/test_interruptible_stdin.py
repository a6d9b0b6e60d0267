"""Ctrl-C reaches a prompt waiting for a typed line even when the kernel hands SIGINT to another thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT

CHILD = textwrap.dedent("""
    import os, pty, signal, sys, threading, time
    sys.path.insert(0, {root!r})
    from rehearse.cli.commands._common import InterruptibleStdin

    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "r")
    worker_started = threading.Event()

    def worker():  # stands in for a library's thread that happens to receive the signal
        worker_started.set()
        time.sleep(60)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    worker_started.wait()
    threading.Timer(0.5, lambda: signal.pthread_kill(thread.ident, signal.SIGINT)).start()
    reader = InterruptibleStdin(terminal) if sys.argv[1] == "interruptible" else terminal
    try:
        reader.readline()
        print("read a line")
    except KeyboardInterrupt:
        print("interrupted")
""")


def _run(kind: str, timeout: float):
    code = CHILD.format(root=str(ROOT))
    try:
        done = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return done.stdout.strip()


def test_a_waiting_prompt_is_interrupted_when_another_thread_receives_sigint():
    assert _run("interruptible", timeout=120) == "interrupted"


def test_a_plain_blocking_read_would_wait_on_which_is_why_the_wrapper_exists():
    assert _run("plain", timeout=5) is None  # still waiting for a line when the test gave up

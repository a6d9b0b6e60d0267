"""A child process on a pseudo-terminal, for testing what a person sees and types.

:class:`Terminal` starts a command with its stdin and stderr on a pseudo-terminal (so it sees a real
terminal: ``isatty()`` is true, rich draws its live display) and stdout on a pipe (the report, kept
apart). A reader thread collects everything written to the terminal; :meth:`Terminal.wait_for`
waits until a text has appeared, :meth:`Terminal.type` types keys. :func:`plain` strips the
terminal's control sequences and :func:`frames` splits what was drawn into the lines and in-place
redraws a person saw, in order.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from typing import Optional, Sequence

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def plain(raw: str) -> str:
    """``raw`` terminal output without colours and cursor movements."""
    return ANSI.sub("", raw)


def frames(raw: str) -> list[str]:
    """The lines and redraws of ``raw`` in the order they were drawn (split at newlines, carriage
    returns and cursor movements), blank ones left out."""
    pieces = re.split(r"\r|\n|\x1b\[[0-9;]*[ABEFGHJK]", raw)
    return [p for p in (plain(piece).strip() for piece in pieces) if p]


class Terminal:
    def __init__(self, argv: Sequence[str], env: dict, *, rows: int = 40, cols: int = 120,
                 cwd: Optional[str] = None):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(env, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env,
                                     cwd=cwd, start_new_session=True)
        os.close(slave)
        self._master = master
        self._raw = bytearray()
        self._out = bytearray()
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read_terminal, daemon=True),
                         threading.Thread(target=self._read_stdout, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_terminal(self) -> None:
        while True:
            try:
                data = os.read(self._master, 4096)
            except OSError:  # EIO once the child has gone and the terminal is closed
                data = b""
            with self._changed:
                if not data:
                    self._changed.notify_all()
                    return
                self._raw.extend(data)
                self._changed.notify_all()

    def _read_stdout(self) -> None:
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            self._out.extend(chunk)

    @property
    def raw(self) -> str:
        """Everything written to the terminal so far, control sequences included."""
        with self._changed:
            return self._raw.decode("utf-8", "replace")

    @property
    def screen(self) -> str:
        """Everything written to the terminal so far, as plain text."""
        return plain(self.raw)

    def wait_for(self, text: str, timeout: float = 60.0, after: int = 0) -> int:
        """Wait until ``text`` has appeared on the terminal (at or after plain-text offset ``after``);
        returns the offset just past it. Fails the test, showing the screen, after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                screen = plain(self._raw.decode("utf-8", "replace"))
                at = screen.find(text, after)
                if at >= 0:
                    return at + len(text)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._readers[0].is_alive()):
                    raise AssertionError(f"{text!r} did not appear on the terminal; it shows:\n{screen[-3000:]}")
                self._changed.wait(min(left, 0.5))

    def type(self, keys: bytes) -> None:
        os.write(self._master, keys)

    def finish(self, timeout: float = 120.0) -> tuple[int, str, str]:
        """Wait for the command to end: (exit code, stdout, the terminal's raw output)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the command did not end; the terminal shows:\n{self.screen[-3000:]}")
        for reader in self._readers:
            reader.join(10)
        os.close(self._master)
        return code, self._out.decode("utf-8", "replace"), self.raw


def fake_cli(*args: str) -> list[str]:
    """The argv that runs ``rehearse`` with fakes at the device seam (tests/fake_cli.py)."""
    return [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_cli.py"), *args]

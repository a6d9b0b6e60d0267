"""Input files the user names: checked before they are read, so a bad one is one sentence.

A path must be a regular file (not a folder, a device such as ``/dev/zero``, a pipe or a socket,
which could be endless) and no larger than a limit that suits what it holds, so that no input can
make rehearse run out of memory.
"""

from __future__ import annotations

import stat
from pathlib import Path

from rehearse.core.errors import RehearseError

TEXT_LIMIT_BYTES = 1 << 20
"""An opening, a settings, prompt or drills file, an accomplishment bank: 1 MiB is far more than any."""


def size_text(n: float) -> str:
    """``n`` bytes for a person: 1.5 GB, 12 MB, 900 KB."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def _a(what: str) -> str:
    return ("an " if what[:1] in "aeiou" else "a ") + what


def check_file(path: Path, what: str, max_bytes: int) -> int:
    """The size of ``path`` when it is a regular file of at most ``max_bytes``; else one sentence.

    ``what`` names the file for the person, e.g. ``"audio file"``, ``"text file"``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise RehearseError(f"The {what} {path} does not exist; check the path.") from None
    except OSError as exc:
        raise RehearseError(f"The {what} {path} cannot be read ({exc.strerror}); check its permissions.") from None
    if stat.S_ISDIR(info.st_mode):
        raise RehearseError(f"{path} is a folder, not {_a(what)}; give the path of a file.")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a pipe" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                else "not a regular file")
        raise RehearseError(f"{path} is {kind}, not {_a(what)}, so it could be endless; give the path of a file.")
    if info.st_size > max_bytes:
        raise RehearseError(f"The {what} {path} is {size_text(info.st_size)}, more than the "
                            f"{size_text(max_bytes)} rehearse reads; give a smaller file.")
    return info.st_size


def read_text(path: Path, what: str, max_bytes: int = TEXT_LIMIT_BYTES) -> str:
    """The UTF-8 text of ``path`` after :func:`check_file`; one sentence when it cannot be read."""
    path = Path(path)
    check_file(path, what, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # a file that grows while read stops at the limit
    except OSError as exc:
        raise RehearseError(f"The {what} {path} cannot be read ({exc.strerror}); check its permissions.") from None
    if len(data) > max_bytes:
        raise RehearseError(f"The {what} {path} is more than the {size_text(max_bytes)} rehearse reads; "
                            "give a smaller file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RehearseError(f"The {what} {path} is not UTF-8 text (byte {exc.start + 1} is not); save it as "
                            "UTF-8 plain text.") from None

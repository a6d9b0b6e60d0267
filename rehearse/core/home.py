"""Where rehearse keeps its things: ``REHEARSE_HOME`` or the platform's user data folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from rehearse.core.errors import RehearseError

ENV_VAR = "REHEARSE_HOME"


def home() -> Path:
    """The folder holding the database, recordings, caches and settings (created on demand)."""
    value = os.environ.get(ENV_VAR)
    if value:
        path = Path(value).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("rehearse", appauthor=False))
    return _make(path, "rehearse folder")


def _make(path: Path, what: str) -> Path:
    """``path`` as a folder, made if missing; one sentence when it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RehearseError(f"The {what} {path} is a file, not a folder; move it aside or set {ENV_VAR} "
                            "to another folder.") from None
    except OSError as exc:
        raise RehearseError(folder_fault(path, exc, what)) from None
    return path


def folder_fault(path: Path, exc: OSError, what: str = "rehearse folder") -> str:
    """One sentence for a folder of rehearse's that cannot be made or written."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "its parent folder is read-only or not yours"
    elif exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif exc.errno == errno.ENOTDIR:
        why = "part of its path is a file, not a folder"
    else:
        why = exc.strerror or str(exc)
    return f"The {what} {path} cannot be created ({why}); set {ENV_VAR} to a folder you can write to."


def database_path() -> Path:
    return home() / "rehearse.db"


def recordings_dir() -> Path:
    return _make(home() / "recordings", "recordings folder")


def cache_dir() -> Path:
    return _make(home() / "cache", "cache folder")


def user_prompts_dir() -> Path:
    """Extra prompt files (``*.toml``) the user adds; merged over the packaged ones."""
    return home() / "prompts"

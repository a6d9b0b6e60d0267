"""Where rehearse keeps its things: ``REHEARSE_HOME`` or the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "REHEARSE_HOME"


def home() -> Path:
    """The folder holding the database, recordings, caches and settings (created on demand)."""
    value = os.environ.get(ENV_VAR)
    if value:
        path = Path(value).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("rehearse", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return home() / "rehearse.db"


def recordings_dir() -> Path:
    path = home() / "recordings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_prompts_dir() -> Path:
    """Extra prompt files (``*.toml``) the user adds; merged over the packaged ones."""
    return home() / "prompts"

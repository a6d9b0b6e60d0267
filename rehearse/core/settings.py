"""User settings from ``REHEARSE_HOME/settings.toml`` (all optional).

Example::

    [engine]
    default = "whisper"            # pin the speech engine
    whisper_model = "/path/to/ct2-model"

    [drill]
    green_fraction = 0.5        # lights as fractions of the limit
    yellow_fraction = 0.75
    red_fraction = 1.0
    grace_fraction = 0.1        # recording stops at red plus this
    tone = true                 # beep when red shows
    countdown_s = 3
    fillers = ["um", "uh"]      # replaces the packaged filler list
    wpm_low = 120
    wpm_high = 160
    display = "auto"            # auto, rich, plain or off
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError

FILE_NAME = "settings.toml"


def load() -> dict[str, Any]:
    from rehearse.core.home import home

    path = home() / FILE_NAME
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RehearseError(f"The settings file {path} cannot be read ({exc}); fix or remove it.")


def get(section: str, key: str, default: Any = None) -> Any:
    value = load().get(section, {})
    if not isinstance(value, dict):
        return default
    return value.get(key, default)

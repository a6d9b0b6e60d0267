"""User settings from ``REHEARSE_HOME/settings.toml`` (all optional), checked against :data:`SCHEMA`.

Example::

    [engine]
    default = "whisper"            # pin the speech engine
    whisper_model = "/path/to/ct2-model"
    live = "agreement"             # while you speak: "agreement" (re-decode as it grows) or "segments" (cut at pauses)

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

    [interview]
    listening = "pauses"        # the storyteller's monologue: "pauses" or "subtract" (speakers), "headphones"

A value of the wrong type is one sentence naming the file, the key and the type expected; keys this
version does not know are left alone (a newer rehearse may have written them).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError

FILE_NAME = "settings.toml"

Check = tuple[Callable[[Any], bool], str]
"""A test a value must pass, and what it must be (for the sentence when it does not)."""


def _number(low: float = float("-inf"), high: float = float("inf"), *, above: bool = False) -> Check:
    def ok(v: Any) -> bool:
        return (isinstance(v, (int, float)) and not isinstance(v, bool)
                and (v > low if above else v >= low) and v <= high)
    bound = f"more than {low:g}" if above else f"at least {low:g}" if low > float("-inf") else ""
    upper = f" and at most {high:g}" if high < float("inf") else ""
    return ok, f"a number {bound}{upper}".rstrip()


TEXT: Check = (lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string in quotes")
WHOLE: Check = (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 60,
                "a whole number of seconds from 0 to 60")
FLAG: Check = (lambda v: isinstance(v, bool), "true or false")
WORDS: Check = (lambda v: isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v),
                'a list of words in quotes, e.g. ["um", "uh"]')
DISPLAYS = ("auto", "rich", "plain", "off")
LIVE = ("segments", "agreement")
"""How an answer is transcribed while it is spoken (rehearse.speech.streaming.live_transcriber)."""
LISTENING = ("pauses", "subtract", "headphones")
"""How the storyteller's monologue is listened to (rehearse.coaching.seize.MODES)."""

SCHEMA: dict[str, dict[str, Check]] = {
    "engine": {
        "default": (TEXT[0], 'a string naming an engine, e.g. "whisper" (see `rehearse engines`)'),
        "whisper_model": (TEXT[0], 'a string naming a model or a model folder, e.g. "base.en"'),
        "live": (lambda v: v in LIVE, "one of " + ", ".join(f'"{m}"' for m in LIVE)),
    },
    "drill": {
        "green_fraction": _number(0, 10, above=True),
        "yellow_fraction": _number(0, 10, above=True),
        "red_fraction": _number(0, 10, above=True),
        "grace_fraction": _number(0, 10),
        "tone": FLAG,
        "countdown_s": WHOLE,
        "fillers": WORDS,
        "wpm_low": _number(0, 1000, above=True),
        "wpm_high": _number(0, 1000, above=True),
        "display": (lambda v: v in DISPLAYS, "one of " + ", ".join(f'"{d}"' for d in DISPLAYS)),
    },
    "interview": {
        "listening": (lambda v: v in LISTENING, "one of " + ", ".join(f'"{m}"' for m in LISTENING)),
    },
}
"""Every setting this version reads, by section, with the check its value must pass."""


def shown(value: Any) -> str:
    """A value as it is written in TOML (shortened), for a sentence."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.replace('"', '\\"') + '"'
    elif isinstance(value, dict):
        return "a table"
    else:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(data: dict, source: str) -> dict[str, Any]:
    """``data`` when every known setting has the right type; else one sentence naming ``source``."""
    for section, keys in SCHEMA.items():
        if section not in data:
            continue
        table = data[section]
        if not isinstance(table, dict):
            raise RehearseError(f"The settings file {source}: {section} = {shown(table)} must be a table "
                                f"[{section}] holding its keys; fix or remove it.")
        for key, (ok, expected) in keys.items():
            if key in table and not ok(table[key]):
                raise RehearseError(f"The settings file {source}: [{section}] {key} = {shown(table[key])} "
                                    f"must be {expected}; fix or remove it.")
    return data


def load() -> dict[str, Any]:
    from rehearse.core.home import home
    from rehearse.core.inputs import read_text

    path = home() / FILE_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(read_text(path, "settings file"))
    except tomllib.TOMLDecodeError as exc:
        raise RehearseError(f"The settings file {path} cannot be read ({exc}); fix or remove it.") from None
    return validate(data, str(path))


def get(section: str, key: str, default: Any = None) -> Any:
    value = load().get(section, {})
    if not isinstance(value, dict):
        return default
    return value.get(key, default)

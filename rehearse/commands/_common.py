"""Small helpers shared by commands: JSON output and archetype/engine selection."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """One JSON object per line on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """Something meant for a person: stderr."""
    print(message, file=sys.stderr, flush=True)


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON only on stdout")


def add_engine_flag(parser) -> None:
    parser.add_argument("--engine", metavar="NAME", help="speech engine (see `rehearse engines`)")


def add_archetype_flag(parser, required: bool = True) -> None:
    parser.add_argument("--archetype", "-a", required=required, metavar="ARCH",
                        help="storyteller, salesperson or challenger (or one from your prompt files)")

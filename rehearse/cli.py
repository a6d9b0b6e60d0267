"""The command line: parses arguments and hands each command to its module in ``rehearse.commands``.

Kept thin and fast to import: command modules import their heavy parts only when they run.
Every :class:`RehearseError` becomes one sentence on stderr and its exit code; nothing else ever
shows a traceback (set ``REHEARSE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Optional, Sequence

from rehearse import __version__

# command name -> module in rehearse.commands; each module has add_arguments(parser) and run(args).
COMMANDS = {
    "practice": ("practice", "Hear an interviewer's prompt, speak your opening, get the verdict."),
    "demo": ("demo", "One full round with a bundled sample answer in place of the microphone."),
    "score": ("score", "Score an opening given as text, a text file, an audio file or a JSONL batch."),
    "transcribe": ("transcribe", "Transcribe audio files offline."),
    "engines": ("engines", "List the speech engines and whether each is available."),
    "devices": ("devices", "List audio input and output devices and the defaults."),
    "prompts": ("prompts", "List the interviewer archetypes and their prompts."),
    "history": ("history", "List saved sessions, newest first."),
    "replay": ("replay", "Replay a saved session: the prompt, your answer and its checks."),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one plain sentence, exit 2
        self.exit(2, f"rehearse: {message} (see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rehearse", description="Rehearse the opening of your second interview, out loud.")
    parser.add_argument("--version", action="version", version=f"rehearse {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        _module(module).add_arguments(command_parser)
    return parser


def _module(name: str):
    return importlib.import_module(f"rehearse.commands.{name}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    from rehearse.errors import RehearseError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(_module(COMMANDS[args.command][0]).run(args) or 0)
    except RehearseError as err:
        print(f"rehearse: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("rehearse: stopped by Ctrl-C; nothing was lost.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: still one sentence
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: unexpected error ({type(exc).__name__}: {exc}); run again with REHEARSE_DEBUG=1 "
              "and report the traceback.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

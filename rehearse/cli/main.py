"""The command line: parses arguments and hands each command to its module in ``rehearse.cli.commands``.

Kept thin and fast to import: each command is a module in ``rehearse.cli.commands`` with ``HELP``,
``add_arguments(parser)`` and ``run(args)``; modules import their heavy parts only when they run.
Every :class:`RehearseError` becomes one sentence on stderr and its exit code; nothing else ever
shows a traceback (set ``REHEARSE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from typing import Optional, Sequence

from rehearse import __version__

# The order commands are listed in `rehearse --help`; modules in rehearse/commands not named here
# (and not starting with "_") are listed after these, so a new command needs only its module.
ORDER = ("practice", "drill", "demo", "score", "transcribe", "history", "replay", "progress", "export",
         "rescore", "delete", "prompts", "engines", "models", "devices", "debrief", "accomplishments")


def command_names() -> list[str]:
    import pkgutil

    import rehearse.cli.commands as package

    found = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    known = [n for n in ORDER if n in found]
    return known + sorted(n for n in found if n not in known)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one plain sentence, exit 2
        self.exit(2, f"rehearse: {message} (see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser; ``parser.commands`` maps each command's name to its own parser."""
    parser = _Parser(prog="rehearse", description="Rehearse the opening of your second interview, out loud.")
    parser.add_argument("--version", action="version", version=f"rehearse {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.commands = {}
    for name in command_names():
        module = _module(name)
        command = name.replace("_", "-")
        command_parser = sub.add_parser(command, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        parser.commands[command] = command_parser
    return parser


def _unknown_command(parser, argv: Sequence[str]) -> Optional[str]:
    """The sentence for a first word that is no command (with the nearest one, if any is near)."""
    import difflib

    word = next(iter(argv), None)
    if word is None or word.startswith("-") or word in parser.commands:
        return None
    near = difflib.get_close_matches(word.replace("_", "-").lower(), list(parser.commands), n=1, cutoff=0.6)
    if near:
        return f"unknown command {word!r}; did you mean `rehearse {near[0]}`?"
    return f"unknown command {word!r}; the commands are: {', '.join(parser.commands)}"


def _chosen_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)command ``args`` chose, however deep (`rehearse accomplishments add`)."""
    while True:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = getattr(args, subs[0].dest, None) if subs else None
        child = subs[0].choices.get(chosen) if chosen else None
        if child is None:
            return parser
        parser = child


def _unrecognized(command_parser, extra: Sequence[str]) -> str:
    """The sentence for arguments a command does not take (with the nearest flag, if one is near)."""
    import difflib

    message = f"unrecognized arguments: {' '.join(extra)}"
    flags = [o for o in command_parser._option_string_actions if o.startswith("--")]
    for arg in extra:
        if arg.startswith("--"):
            near = difflib.get_close_matches(arg.split("=", 1)[0], flags, n=1, cutoff=0.7)
            if near:
                return f"{message}; did you mean {near[0]}?"
    return message


def _module(name: str):
    return importlib.import_module(f"rehearse.cli.commands.{name}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    from rehearse.core.errors import RehearseError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    unknown = _unknown_command(parser, argv)
    if unknown:
        parser.error(unknown)
    args, extra = parser.parse_known_args(argv)
    if extra:  # reported by the command's own parser, so the hint names `rehearse COMMAND --help`
        command_parser = _chosen_parser(parser, args)
        command_parser.error(_unrecognized(command_parser, extra))
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(_module(args.command.replace("-", "_")).run(args) or 0)
    except RehearseError as err:
        print(f"rehearse: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("rehearse: stopped by Ctrl-C; nothing was lost.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except sqlite3.Error as exc:  # a storage fault anywhere: one sentence, never the catch-all
        from rehearse.core.home import database_path
        from rehearse.store.db import fault

        print(f"rehearse: {fault(database_path(), exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # last resort: still one sentence
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: unexpected error ({type(exc).__name__}: {exc}); run again with REHEARSE_DEBUG=1 "
              "and report the traceback.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

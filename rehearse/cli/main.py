"""The command line: parses arguments and hands each command to its module in ``rehearse.cli.commands``.

Kept thin and fast to import: each command is a module in ``rehearse.cli.commands`` with ``HELP``,
``add_arguments(parser)`` and ``run(args)``; modules import their heavy parts only when they run.
Every :class:`RehearseError` becomes one sentence on stderr and its exit code; nothing else ever
shows a traceback (set ``REHEARSE_DEBUG=1`` to see one). Storage faults (SQLite, a full disk, a
read-only folder), text that is not UTF-8 and running out of memory are each one sentence too, as a
last resort behind the commands' own checks.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sqlite3
import sys
from typing import Optional, Sequence

from rehearse import __version__

# The order commands are listed in `rehearse --help`; modules in rehearse/commands not named here
# (and not starting with "_") are listed after these, so a new command needs only its module.
ORDER = ("practice", "drill", "demo", "score", "transcribe", "history", "replay", "progress", "export",
         "rescore", "versions", "delete", "prompts", "engines", "models", "devices", "debrief", "accomplishments")


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


def _not_utf8(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Optional[str]:
    """The flag of the first text argument that is not valid UTF-8 (bytes the terminal could not decode).

    Paths (a metavar with PATH or FILE) are left alone: the file system takes any bytes."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            found = _not_utf8(chosen, args) if chosen is not None else None
            if found:
                return found
            continue
        if "PATH" in str(action.metavar or "") or "FILE" in str(action.metavar or ""):
            continue
        value = getattr(args, action.dest, None)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return action.option_strings[0] if action.option_strings else str(action.metavar or action.dest)
    return None


def _os_fault(exc: OSError) -> str:
    """One sentence for a file system fault that no command turned into its own sentence."""
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"the disk is full (writing{where}); free some space and run again."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where.strip() or 'a file'} cannot be written or read: it is read-only or not yours."
    return f"{(exc.strerror or str(exc)).rstrip('.')}{':' + where if where else ''}."


def _module(name: str):
    return importlib.import_module(f"rehearse.cli.commands.{name}")


def _debug_log() -> None:
    """With REHEARSE_DEBUG, what the library logs goes to stderr: the end-of-answer rule's decisions
    while you are silent, each live decode (``scripts/bench_latency.py --trace`` keeps them)."""
    import logging

    log = logging.getLogger("rehearse")
    log.setLevel(logging.DEBUG)
    if not any(getattr(h, "rehearse_debug", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(relativeCreated)9.0f ms %(name)s: %(message)s"))
        handler.rehearse_debug = True
        log.addHandler(handler)


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
    flag = _not_utf8(parser, args)
    if flag:
        print(f"rehearse: the text given to {flag} is not valid UTF-8 (the terminal passed bytes it could not "
              "decode); type it again or use a UTF-8 terminal.", file=sys.stderr)
        return 2
    if os.environ.get("REHEARSE_DEBUG"):
        _debug_log()
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

        try:
            print(f"rehearse: {fault(database_path(), exc)}", file=sys.stderr)
        except RehearseError as err:  # not even its folder can be reached
            print(f"rehearse: {err}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk or a read-only file that no command caught
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: {_os_fault(exc)}", file=sys.stderr)
        return 2
    except UnicodeError as exc:
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: some text is not valid UTF-8 ({exc.reason}); save files as UTF-8 and type "
              "plain text.", file=sys.stderr)
        return 2
    except MemoryError:
        print("rehearse: this ran out of memory; the input is too large for this computer.", file=sys.stderr)
        return 2
    except Exception as exc:  # last resort: still one sentence
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: unexpected error ({type(exc).__name__}: {exc}); run again with REHEARSE_DEBUG=1 "
              "and report the traceback.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

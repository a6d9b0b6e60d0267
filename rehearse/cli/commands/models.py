"""`rehearse models`: the Whisper models on this computer, and the one command that downloads."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "List Whisper models found on this computer, or download one (the only command that uses the network)."


def add_arguments(parser) -> None:
    parser.add_argument("action", nargs="?", choices=["list", "download"], default="list",
                        help="list (default) or download")
    parser.add_argument("name", nargs="?", metavar="NAME", help="model to download, e.g. base.en")
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.speech import whisper_models as models
    from rehearse.core.errors import RehearseError

    if args.action == "download":
        if not args.name:
            raise RehearseError(f"Name the model to download, one of: {', '.join(models.SPECS)}.")
        return _download(args.name, args.json)
    infos = models.available_models()
    chosen = chosen_path()
    if args.json:
        for info in infos:
            emit_json(_info_json(info, chosen))
        return 0
    for info in infos:
        where = f"{info.source}: {info.path}" if info.available else info.reason
        size = f", about {info.size_mb} MB" if info.size_mb else ""
        mark = "*" if info.available else " "
        used = " (used by default)" if _is_chosen(info, chosen) else ""
        description = info.description.rstrip(".")
        print(f"{mark} {info.name:9} {description}{size}{used}\n      {where}")
    print("\n* available offline. Download another with `rehearse models download NAME` (uses the network).")
    return 0


def chosen_path():
    """The folder of the model the whisper engine would load, or None when there is none."""
    from rehearse.speech import whisper_models as models
    from rehearse.core.errors import RehearseError

    try:
        return models.resolve().path
    except RehearseError:
        return None


def _is_chosen(info, chosen) -> bool:
    return chosen is not None and info.path == chosen


def _info_json(info, chosen=None) -> dict:
    return {"name": info.name, "available": info.available, "source": info.source,
            "path": None if info.path is None else str(info.path), "size_mb": info.size_mb,
            "description": info.description, "reason": info.reason, "default": _is_chosen(info, chosen)}


def _download(name: str, as_json: bool) -> int:
    import sys

    from rehearse.speech import whisper_models as models

    state = {"file": None}

    def progress(file_name: str, done: int, total) -> None:
        if not sys.stderr.isatty() and done and total and done != total:
            return  # in a log, one line per file is enough
        if state["file"] != file_name:
            state["file"] = file_name
            if not sys.stderr.isatty():
                say(f"downloading {file_name}")
        if sys.stderr.isatty():
            if total:
                width = 30
                filled = int(width * done / total)
                bar = "#" * filled + "-" * (width - filled)
                sys.stderr.write(f"\r  {file_name:18} [{bar}] {done / 1e6:7.1f}/{total / 1e6:.1f} MB")
            else:
                sys.stderr.write(f"\r  {file_name:18} {done / 1e6:7.1f} MB")
            if total and done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    say(f"Downloading the Whisper model {name} (this is the only command that uses the network)...")
    path = models.download(name, progress_cb=progress)
    if as_json:
        emit_json({"name": name, "path": str(path)})
    else:
        say(f"Done: {path}. `rehearse engines` now lists it.")
    return 0

"""`rehearse delete`: remove saved sessions and the recordings rehearse made for them."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "Delete saved sessions: their rows and the recordings rehearse made."


def add_arguments(parser) -> None:
    parser.add_argument("sessions", nargs="+", metavar="SESSION_ID",
                        help="session ids, unique prefixes of them, or `last`")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation at a terminal")
    add_json_flag(parser)


def run(args) -> int:
    import sys

    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    store = Store()
    sessions = []
    for ref in args.sessions:
        session = store.resolve(ref)  # every id is checked before anything is deleted
        if session.id not in {s.id for s in sessions}:
            sessions.append(session)
    if not args.yes and not args.json and sys.stdin.isatty():
        listing = ", ".join(f"{s.id} ({s.mode}, {s.archetype})" for s in sessions)
        answer = input(f"Delete {listing}? This cannot be undone [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise RehearseError("Nothing was deleted.")
    for session in sessions:
        audio = delete_one(store, session)
        if args.json:
            emit_json({"session_id": session.id, "deleted": True, **audio})
        else:
            note = {"removed": "and its recording", "kept": f"(your own file {session.audio_path} was kept)",
                    "missing": "(its recording was already gone)", "none": ""}[audio["audio"]]
            print(f"Deleted session {session.id} {note}".rstrip() + ".")
    return 0


def delete_one(store, session) -> dict:
    """Delete the session's rows, then its recording if rehearse made it (a user's own file is kept)."""
    from pathlib import Path

    from rehearse.core.home import recordings_dir

    store.delete(session.id)
    if not session.audio_path:
        return {"audio": "none", "audio_path": None}
    path = Path(session.audio_path)
    owned = session.source != "file" and _inside(path, recordings_dir())
    if not owned:
        return {"audio": "kept", "audio_path": str(path)}
    try:
        path.unlink()
    except FileNotFoundError:
        return {"audio": "missing", "audio_path": str(path)}
    except OSError as exc:
        say(f"The recording {path} could not be removed ({exc.strerror}); delete it by hand.")
        return {"audio": "kept", "audio_path": str(path)}
    return {"audio": "removed", "audio_path": str(path)}


def _inside(path, folder) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False

"""`rehearse export`: one session as a shareable report (Markdown, JSON, or one HTML page)."""

from __future__ import annotations

from rehearse.cli.commands._common import say

HELP = ("Export a session as a report to share (Markdown, JSON or one HTML page with the recording): "
        "prompt, checks, delivery, your own targets, the timed transcript.")
AUDIO_EMBED_LIMIT = 20 * 1024 * 1024
"""The largest recording (as 16-bit WAV) an HTML page carries: about 10 minutes at 16 kHz."""


def add_arguments(parser) -> None:
    parser.add_argument("session", metavar="SESSION_ID", help="a session id, a unique prefix of one, or `last`")
    parser.add_argument("--format", "-f", choices=["md", "json", "html"], default="md",
                        help="report format (default md); html is one page that plays the recording")
    parser.add_argument("--output", "-o", metavar="PATH", help="write the report to PATH instead of stdout")


def run(args) -> int:
    from pathlib import Path

    from rehearse.cli.render import export as export_report
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    store = Store()
    session = store.resolve(args.session)
    session.require_intact()
    report = export_report.build(session, store.versions(session.id), coaching=_coaching(session.archetype),
                                 audio_present=bool(session.audio_path) and Path(session.audio_path).is_file(),
                                 accomplishment=_bank_entry(store, session))
    if args.format == "json":
        text = export_report.to_json_text(report)
    elif args.format == "html":
        uri, note = audio_data_uri(session.audio_path, session_id=session.id)
        text = export_report.to_html(report, audio_uri=uri, audio_note=note)
    else:
        text = export_report.to_markdown(report)
    if not args.output:
        print(text, end="")
        return 0
    path = Path(args.output).expanduser()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RehearseError(f"The report cannot be written to {path} ({exc.strerror or exc}); "
                            "check the folder exists and is writable.") from None
    say(f"Wrote the {args.format} report for session {session.id} to {path}.")
    return 0


def audio_data_uri(audio_path, *, session_id: str = "", limit: int = AUDIO_EMBED_LIMIT):
    """(``data:audio/wav;base64,...``, None) for the recording, or (None, why the page has no audio).

    The recording is decoded and written again as 16-bit mono WAV, which every browser plays, also
    when the file on disk was FLAC, OGG or a WAV cut short when its writer was killed.
    """
    import base64
    import io
    import wave
    from pathlib import Path

    from rehearse.core.errors import RehearseError

    replay = f" (`rehearse replay {session_id}` plays it)" if session_id else ""
    if not audio_path:
        return None, "This session has no recording: the answer was typed or scored as text."
    path = Path(audio_path)
    if not path.is_file():
        return None, f"The recording ({path.name}) is no longer on this computer, so this page has no audio."
    too_big = (f"The recording is over the {limit / 1024 / 1024:.0f} MB this page carries, so it is left "
               f"out{replay}.")
    try:
        if path.stat().st_size > limit:
            with path.open("rb") as handle:
                if handle.read(4) == b"RIFF":  # a WAV that big decodes to more than the limit
                    return None, too_big
        from rehearse.audio import pcm

        audio = pcm.load(path)
    except (OSError, RehearseError) as exc:
        return None, f"The recording could not be read ({str(exc).rstrip('.')}), so this page has no audio."
    if 44 + 2 * len(audio.samples) > limit:
        return None, too_big
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.to_bytes())
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), None


def _bank_entry(store, session):
    """The bank entry the session's personal check named, as it is in the bank now (None if gone)."""
    titles = [p.get("target") for p in (session.extra or {}).get("personal") or []
              if isinstance(p, dict) and p.get("name") == "presents_accomplishment" and p.get("target")]
    if not titles:
        return None
    entry = store.bank.by_title(titles[0])
    return entry.to_json() if entry is not None else {"title": titles[0]}


def _coaching(archetype: str):
    from rehearse.core import archetypes
    from rehearse.core.errors import RehearseError

    try:
        return archetypes.get(archetype).advice or None
    except RehearseError:
        return None

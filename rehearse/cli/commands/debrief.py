"""`rehearse debrief`: review the first interview, then see what to drill, re-answer and bring up."""

from __future__ import annotations

import textwrap

from rehearse.cli.commands._common import InterruptibleStdin, add_device_flags, add_engine_flag, add_json_flag, emit_json, say

HELP = "Review your first interview: what went wrong, what to drill, the accomplishment to open with."


def add_arguments(parser) -> None:
    parser.add_argument("--text", action="store_true",
                        help="typed only: questions on screen, answers typed (one line each; empty skips)")
    parser.add_argument("--show", nargs="?", const="last", metavar="ID",
                        help="show a saved debrief (the latest by default) instead of starting one")
    parser.add_argument("--resume", action="store_true",
                        help="continue the last unfinished debrief (each answer is saved as it is given) "
                             "at its first unanswered question")
    parser.add_argument("--max-seconds", type=float, default=45.0, metavar="N",
                        help="longest spoken answer in seconds (default 45)")
    parser.add_argument("--silence", type=float, default=2.0, metavar="S",
                        help="seconds of silence after speech that end a spoken answer (default 2)")
    parser.add_argument("--skip-after", type=float, default=None, metavar="S",
                        help="seconds of silence, with no answer begun, that skip a spoken question "
                             "(default 6; Enter skips at once)")
    add_device_flags(parser, "spoken answers, but show the questions as text instead of speaking them")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.coaching import debrief
    from rehearse.core.errors import Interrupted, RehearseError
    from rehearse.store.db import now
    from rehearse.store.sessions import Store

    store = Store()
    bank = store.bank
    try:
        if args.resume and args.show is not None:
            raise RehearseError("Use --show or --resume, not both.")
        if args.show is not None:
            found = store.debriefs.get(args.show)
            acc = _entry(bank, found.plan.accomplishment_id)
            _print(found, acc, args.json, bank=bank, named=_entry(bank, found.plan.named_id))
            return 0
        if args.max_seconds <= 0:
            raise RehearseError("--max-seconds must be more than 0.")
        if args.skip_after is not None and args.skip_after <= 0:
            raise RehearseError("--skip-after must be more than 0.")
        script = debrief.load_script()
        unfinished = store.debriefs.unfinished()
        if args.resume and unfinished is None:
            raise RehearseError("There is no unfinished debrief to resume; start one with `rehearse debrief`.")
        resume = unfinished if args.resume else None
        if args.text:
            ask = debrief.TypedAsker(stdin=InterruptibleStdin())
            mode = "text"
            if not args.json:
                say("Debrief of your first interview: answer each question on one line; an empty line skips it.\n")
        else:
            try:
                ask = _spoken_asker(args)
            except RehearseError as err:
                if isinstance(err, Interrupted):
                    raise
                raise RehearseError(f"{str(err).rstrip('.')}; or answer by typing: `rehearse debrief --text`.") from None
            mode = "spoken"
            if not args.json:
                say("Debrief of your first interview: answer each question out loud after it is asked; "
                    f"press Enter to skip one (or say nothing for {_skip_after(args):g} s).\n")
        if resume is not None:  # (on stderr, like the questions, even with --json)
            done, at = _where(resume, script)
            say(f"Resuming debrief {resume.id} (started {resume.created_at}, {done}): continuing {at}.\n")
        elif unfinished is not None:
            say(f"(Debrief {unfinished.id}, started {unfinished.created_at}, was stopped before its end; "
                "`rehearse debrief --resume` continues it.)\n")
        storage = _Saved(store.debriefs)
        try:
            outcome = debrief.review(ask, bank, mode=mode, created_at=now(), script=script, storage=storage,
                                     resume=resume)
        except (KeyboardInterrupt, Interrupted):
            say("")  # the terminal's cursor is after "> " or "^C"
            kept = storage.last or resume
            if kept is None:
                raise Interrupted("Stopped by Ctrl-C before any answer; nothing was saved.") from None
            done, at = _where(kept, script)
            raise Interrupted(f"Stopped by Ctrl-C; your answers so far are saved (debrief {kept.id}, {done}): "
                              f"`rehearse debrief --resume` continues {at}.") from None
        named = outcome.named if outcome.debrief.plan.named_id is not None else None
        _print(outcome.debrief, outcome.accomplishment, args.json, bank=bank, outcome=outcome, named=named)
        return 0
    finally:
        store.close()


class _Saved:
    """The debrief store, remembering the last review it stored."""

    def __init__(self, debriefs):
        self.debriefs = debriefs
        self.last = None

    def save_progress(self, found):
        self.last = self.debriefs.save_progress(found)
        return self.last

    def save(self, found):
        self.last = self.debriefs.save(found)
        return self.last


def _where(found, script) -> tuple[str, str]:
    """Where an unfinished debrief stands: ("3 of 7 questions done", "at question 4")."""
    total = len(script.questions)
    done = sum(1 for q in script.questions if any(a.key == q.key for a in found.answers))
    last = found.answers[-1] if found.answers else None
    follow_ups = {q.key for q in script.follow_ups}
    if last is not None and (last.key in follow_ups or (script.question(last.key).feeds == "accomplishment"
                                                        and not last.skipped)):
        return f"{done} of {total} questions done", "with the questions about your accomplishment"
    number = found.next_question(script)
    return f"{done} of {total} questions done", ("where you stopped" if number is None else f"at question {number}")


def _spoken_asker(args):
    from rehearse.cli.commands._common import LivePorts
    from rehearse.session.debrief import MIN_ANSWER_SPEECH_S, SpokenAsker
    from rehearse.core.home import recordings_dir
    from rehearse.store.sessions import new_session_id

    skip_after = _skip_after(args)
    ports = LivePorts(args, silence_s=args.silence, min_speech_s=MIN_ANSWER_SPEECH_S, start_timeout_s=skip_after)
    folder = recordings_dir() / f"debrief-{new_session_id()}"
    return SpokenAsker(speaker=ports.speaker, recorder=ports.recorder, transcriber=ports.transcriber,
                       folder=folder, max_seconds=args.max_seconds,
                       on_recording_start=lambda: say(f"    Recording... (Enter ends it; Enter first, or {skip_after:g} s "
                                                      "of silence, skips it)"))


def _skip_after(args) -> float:
    from rehearse.session.debrief import SKIP_AFTER_S

    return args.skip_after if args.skip_after is not None else SKIP_AFTER_S


def _entry(bank, entry_id):
    if entry_id is None:
        return None
    try:
        return bank.get(entry_id)
    except Exception:  # removed from the bank since
        return None


def _print(found, acc, as_json: bool, *, bank, outcome=None, named=None) -> None:
    if as_json:
        obj = found.to_json()
        obj["accomplishment"] = acc.to_json() if acc else None
        obj["named_accomplishment"] = named.to_json() if named else None
        if outcome is not None:
            obj["accomplishment_created"] = outcome.created
        emit_json(obj)
        return
    print(format_debrief(found, acc, outcome=outcome, best=bank.best(), named=named))


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, width=92, initial_indent=indent, subsequent_indent=" " * len(indent) + "  ")


def format_debrief(found, acc, *, outcome=None, best=None, named=None) -> str:
    """A saved debrief as a short plan for a person.

    ``acc`` is the accomplishment to open with; ``named`` the one the answer named when the user
    chose not to open with it."""
    from rehearse.core import archetypes
    from rehearse.coaching.debrief import load_script

    script = load_script()
    plan = found.plan
    state = "" if found.finished else "; unfinished: `rehearse debrief --resume` continues it"
    lines = [f"Debrief {found.id} ({found.created_at}, {found.mode}{state})", ""]
    if plan.flagged:
        lines.append("What went wrong last time:")
        for key in plan.flagged:
            detail = plan.details.get(key)
            lines.append(f"  - {script.labels.get(key, key)}" + (f": {detail}" if detail else ""))
        lines.append("")
    lines.append("Drill:" if not plan.default else "Drill (no interviewer type stood out):")
    shown: dict[str, str] = {}  # a reason already printed -> the archetype it was printed under
    for d in plan.drills:
        try:
            title = archetypes.get(d.archetype).title
        except Exception:
            title = d.archetype
        lines.append(f"  {d.archetype} ({title})")
        for reason in d.reasons:  # (a debrief saved before reasons were per archetype may repeat one)
            if reason in shown:
                lines.append(_wrap(f"(for the reason given under {shown[reason]})"))
            else:
                shown[reason] = d.archetype
                lines.append(_wrap(reason))
        lines.append(f"    rehearse practice --archetype {d.archetype}")
    if plan.advice:
        lines.append("")
        lines.append("Advice:")
        lines.extend(_wrap(a, "  - ") for a in plan.advice)
    if plan.reanswer:
        lines.append("")
        lines.append("Questions to re-answer:")
        lines.extend(f"  - the question about {q}" for q in plan.reanswer)
    if plan.topics:
        lines.append("")
        lines.append("Topics to bring up (practice checks you mention them):")
        lines.extend(f"  - {t}" for t in plan.topics)
    lines.append("")
    if acc is not None:
        from rehearse.coaching.bank import describe, nudges

        tag = "your best, checked in every practice" if acc.best else f"bank entry {acc.id}"
        lines.append(f"Open with: {describe(acc)} ({tag}).")
        if plan.instead_of and named is None and plan.named is None:
            lines.append(f"  instead of: {plan.instead_of}")
        if outcome is not None and outcome.created and named is None:
            lines.append(f"  Added to your accomplishment bank as entry {acc.id}.")
        if not acc.best and best is not None:
            lines.append(f"  Your best is still \"{best.title}\"; `rehearse accomplishments best {acc.id}` "
                         "makes this one the one practice checks.")
        for n in nudges(acc):
            lines.append(_wrap(n, "  note: "))
    elif plan.accomplishment:
        lines.append(f"Open with: {plan.accomplishment} (no longer in the bank).")
    elif best is not None:
        from rehearse.coaching.bank import describe

        lines.append(f"Open with: {describe(best)} (your best accomplishment).")
    else:
        lines.append("No accomplishment chosen: add one with `rehearse accomplishments add` and mark it best.")
    if named is not None:
        added = " (added to your bank from this debrief)" if outcome is not None and outcome.created else ""
        lines.append(_wrap(f"You chose not to open with \"{named.title}\", entry {named.id}{added}; "
                           f"`rehearse accomplishments best {named.id}` makes it the one you open with.", "  "))
    elif plan.named:
        lines.append(_wrap(f"You chose not to open with \"{plan.named}\" (no longer in the bank).", "  "))
    if plan.unclear:
        labels = ", ".join(script.labels.get(k, k) for k in plan.unclear)
        lines.append(_wrap(f"Not counted (neither yes nor no heard): {labels}.", "  note: "))
    if plan.skipped:
        labels = "; ".join(script.labels.get(k, k) for k in plan.skipped)
        lines.append(_wrap(f"Skipped: {labels}.", "  note: "))
    return "\n".join(lines)

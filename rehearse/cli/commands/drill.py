"""`rehearse drill`: timed opening-pitch drills with a countdown, a live clock and timing lights."""

from __future__ import annotations

import os
import sys
import textwrap
from typing import Optional

from rehearse.cli.commands._common import (InterruptibleStdin, add_device_flags, add_engine_flag, add_json_flag, add_silence_flag,
                                           emit_json, say)

HELP = "Timed opening drills: a countdown, a live clock with green/yellow/red lights, pace and fillers."

NO_COUNTDOWN_ENV = "REHEARSE_NO_COUNTDOWN"
"""Set to 1 to skip the countdown (tests, scripts)."""


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", metavar="ARCH",
                        help="storyteller, salesperson or challenger (default: the preset's)")
    parser.add_argument("--seconds", type=float, metavar="N", help="the time limit: red shows at N seconds")
    parser.add_argument("--preset", metavar="NAME", help="a drill from `rehearse drill --list`")
    parser.add_argument("--list", action="store_true", help="show the drill presets and exit")
    parser.add_argument("--rounds", type=int, default=1, metavar="K", help="run K rounds (default 1)")
    parser.add_argument("--repeat", action="store_true", help="the same prompt every round")
    parser.add_argument("--prompt", metavar="ID", help="the first round's prompt id (default: random)")
    parser.add_argument("--green", type=float, metavar="S", help="green light at S seconds (default N/2)")
    parser.add_argument("--yellow", type=float, metavar="S", help="yellow light at S seconds (default 3N/4)")
    parser.add_argument("--red", type=float, metavar="S", help="red light at S seconds (default N)")
    parser.add_argument("--grace", type=float, metavar="S",
                        help="seconds recording goes on after red (default 10%% of N)")
    parser.add_argument("--no-tone", action="store_true", help="no tone when red shows")
    parser.add_argument("--countdown", type=int, metavar="N", help="seconds of countdown (default 3)")
    parser.add_argument("--no-countdown", action="store_true", help="start without a countdown")
    parser.add_argument("--display", choices=["auto", "rich", "plain", "off"],
                        help="live clock: rich on a terminal, plain lines otherwise (default auto)")
    add_silence_flag(parser)
    add_device_flags(parser)
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core import archetypes
    from rehearse.store.debriefs import load_targets
    from rehearse.session import drill
    from rehearse.cli.render import live
    from rehearse.session import round as rehearsal
    from rehearse.core import settings
    from rehearse.cli.commands._common import LivePorts
    from rehearse.core.errors import NoSpeechError, RehearseError
    from rehearse.store.sessions import Store

    if args.list:
        return list_presets(drill.load_presets(), args.json)
    config = settings.load().get("drill", {})
    config = config if isinstance(config, dict) else {}
    preset = drill.get_preset(args.preset) if args.preset else None
    archetype_name = args.archetype or (preset.archetype if preset else None)
    if not archetype_name:
        raise RehearseError("Say which interviewer to drill against with --archetype (or pick a --preset).")
    seconds = args.seconds if args.seconds is not None else (preset.seconds if preset else None)
    if seconds is None:
        raise RehearseError("Give the time limit with --seconds N (or pick a --preset; see `rehearse drill --list`).")
    if args.rounds < 1:
        raise RehearseError("--rounds must be at least 1.")
    if args.silence is not None and args.silence <= 0:
        raise RehearseError("--silence must be more than 0.")
    lights = drill.configure_lights(seconds, settings=config, preset=preset, green_at_s=args.green,
                                    yellow_at_s=args.yellow, red_at_s=args.red, grace_s=args.grace)
    wpm_band = drill.wpm_band_from(config)
    fillers = drill.fillers_from(config)
    countdown_s = _countdown_seconds(args, config)
    display_mode = args.display or str(config.get("display", "auto"))

    archetype = archetypes.get(archetype_name)
    first = rehearsal.choose_prompt(archetype, args.prompt)
    prompts = drill.prompts_for(archetype, args.rounds, repeat=args.repeat, first=first)
    ports = LivePorts(args, silence_s=args.silence)
    tone = None
    if not args.no_tone and bool(config.get("tone", True)):
        tone = _tone(ports.output_device if ports.output_device is not None else args.output_device)
    display = live.make_display(sys.stderr, display_mode)
    store = Store()
    targets = load_targets()  # your best accomplishment and the debrief's topics, if any

    if not args.json:
        title = f"{preset.title} ({preset.name}), " if preset else ""
        say(f"Drill: {title}{_s(lights.limit_s)} against {archetype.title.lower()}: green at "
            f"{_s(lights.green_at_s)}, yellow at {_s(lights.yellow_at_s)}, red at {_s(lights.red_at_s)}; "
            f"recording stops {_s(lights.grace_s)} after red.\nCoach: {archetype.advice}\n")
    done: list = []  # DrillRound, or SilentRound when no speech was heard
    stopped = None  # why the person ended the drill early, if they did
    interactive = not args.json and _is_terminal(sys.stdin)
    for number, prompt in enumerate(prompts, start=1):
        if number > 1:
            stopped = next_round(number, args.rounds, interactive=interactive, countdown_s=countdown_s)
            if stopped:
                break
        if args.rounds > 1:
            say(f"Round {number} of {args.rounds}")
        try:
            finished = drill.run_round(
                number=number, rounds=args.rounds, archetype=archetype, prompt=prompt, lights=lights,
                ports=ports.round_ports(store), display=display,
                tone=tone, fillers=fillers, wpm_band=wpm_band, drill_name=preset.name if preset else None,
                personal_targets=targets,
                # the countdown comes after the prompt: it ends as the person starts to answer
                after_prompt=lambda: live.countdown(countdown_s, sys.stderr),
                on_recording_start=lambda: say(
                    f"Recording... you have {_s(lights.limit_s)} (Enter or silence ends it)."),
            )
        except NoSpeechError as err:
            if args.rounds == 1:
                raise
            finished = drill.SilentRound(number=number, rounds=args.rounds, prompt=prompt,
                                         session_id=err.session_id, message=str(err))
            goes_on = "the drill goes on" if number < len(prompts) else "the other rounds are kept"
            say(f"Round {number}: {err}\nThis round is marked \"no speech\"; {goes_on}.")
        done.append(finished)
        _report_round(finished, args.json, wpm_band)
    if stopped:
        say(stopped)
    if len(done) > 1:
        summary = format_summary(done, drill.compare_scored(done))
        if args.json:
            say(summary)
        else:
            print(summary)
    sys.stdout.flush()
    scored = [r for r in done if isinstance(r, drill.DrillRound)]
    if not scored:
        say("rehearse: no speech was heard in any round, so nothing was scored; check the microphone "
            "(`rehearse devices`) and try again.")
        return 2
    if stopped == STOPPED_BY_CTRL_C:
        return 130
    passed = len(scored) == len(done) and all(r.score.verdict == "pass" for r in scored)
    return 0 if passed else 1


STOPPED_BY_CTRL_C = "Stopped by Ctrl-C between rounds; the rounds so far are saved."


def next_round(number: int, rounds: int, *, interactive: bool, countdown_s: int, stdin=None) -> Optional[str]:
    """The pause before round ``number``: None to go on, else why the drill stops here.

    On a terminal it waits for Enter (``q`` or end of input stops the drill; typing done during the
    last round is discarded first, so a second Enter pressed to end it does not skip the pause).
    With ``--json`` or a piped stdin it counts down instead, on stderr."""
    from rehearse.cli.render import live

    try:
        if not interactive:
            live.countdown(countdown_s, sys.stderr, label=f"Round {number} starts in")
            return None
        stdin = InterruptibleStdin(stdin if stdin is not None else sys.stdin)
        _discard_typed_ahead(stdin)
        sys.stderr.write(f"Press Enter for round {number} of {rounds} (q and Enter stops here): ")
        sys.stderr.flush()
        line = stdin.readline()
    except KeyboardInterrupt:  # the rounds so far still get their table
        sys.stderr.write("\n")
        return STOPPED_BY_CTRL_C
    if not line:
        sys.stderr.write("\n")
        return f"Stopped before round {number}: no more input."
    if line.strip().lower() in ("q", "quit", "stop"):
        return f"Stopped before round {number}, as you asked."
    return None


def _is_terminal(stream) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def _discard_typed_ahead(stdin) -> None:
    """Drop what was typed before the question (e.g. Enter pressed twice to end a round)."""
    try:
        import termios

        termios.tcflush(stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError, AttributeError):
        pass


def _countdown_seconds(args, config: dict) -> int:
    from rehearse.core.errors import RehearseError

    if args.no_countdown or os.environ.get(NO_COUNTDOWN_ENV, "").strip() not in ("", "0"):
        return 0
    value = args.countdown if args.countdown is not None else config.get("countdown_s", 3)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise RehearseError("countdown_s in the [drill] settings must be a whole number of seconds.") from None
    if value < 0:
        raise RehearseError("The countdown cannot be negative.")
    return value


def _tone(device):
    def ring() -> None:
        from rehearse.audio import playback

        playback.tone(880.0, 0.25, device)

    return ring


def _report_round(finished, as_json: bool, wpm_band=None) -> None:
    from rehearse.cli.render import text as report
    from rehearse.session.drill import SilentRound

    if as_json:
        emit_json(finished.to_json())
        return
    if isinstance(finished, SilentRound):
        return  # said on stderr as it happened; the round table marks it
    print(report.format_score(finished.score.to_json(), session_id=finished.result.session_id,
                              wpm_band=wpm_band))
    if finished.personal:
        print(report.format_personal(finished.personal))
    print(format_timing(finished.timing, engine=finished.score.engine))
    print()
    sys.stdout.flush()


def list_presets(presets, as_json: bool) -> int:
    if as_json:
        for preset in presets.values():
            emit_json(preset.to_json())
        return 0
    print(f"{'preset':10} {'limit':>7}  {'interviewer':12} what it trains")
    for p in presets.values():
        print(f"{p.name:10} {_s(p.seconds):>7}  {p.archetype or '-':12} {p.title}: {p.description}")
    print("\nRun one with `rehearse drill --preset NAME` (add --rounds K to see your progress).")
    return 0


# --- text --------------------------------------------------------------------------------------------

def format_timing(t, engine=None) -> str:
    from rehearse.session.drill import FILLER_NOTES
    from rehearse.cli.render.live import clock

    lines = [f"Timing (limit {_s(t.lights.limit_s)}: green {_s(t.lights.green_at_s)}, "
             f"yellow {_s(t.lights.yellow_at_s)}, red {_s(t.lights.red_at_s)})"]
    if t.ended_at_s is None:
        lines.append("  No timed words: nothing to time.")
        return "\n".join(lines)
    light = "no light (you finished before green)" if t.light == "none" else f"{t.light.upper()}"
    lines.append(f"  Light reached:      {light}, answer ended at {clock(t.ended_at_s)}")
    over = "none" if t.overtime_s <= 0 else f"{t.overtime_s:.1f} s over the limit"
    if t.cut:
        over += " (cut at red plus grace)"
    lines.append(f"  Overtime:           {over}")
    lines.append(f"  Spoken time:        {t.spoken_s:.1f} s (first word at {t.started_at_s:.1f} s)")
    acc = ("not heard" if t.first_accomplishment_s is None else f"{t.first_accomplishment_s:.1f} s in")
    lines.append(f"  First accomplishment: {acc}")
    if t.wpm is not None:
        low, high = t.wpm_band
        # rounded as saved (one decimal) first, so it reads the same as the score's words/min above
        lines.append(f"  Pace:               {round(t.wpm, 1):.0f} words/min (target {low:.0f}-{high:.0f}: "
                     f"{t.pace})")
    heard = ", ".join(f"{word} x{n}" for word, n in sorted(t.filler_words.items(), key=lambda kv: -kv[1]))
    per_min = "" if t.fillers_per_min is None else f", {t.fillers_per_min:.1f} per minute"
    lines.append(f"  Filler words:       {t.fillers}{per_min}" + (f" ({heard})" if heard else ""))
    note = FILLER_NOTES.get(engine or "")
    if note:
        lines.extend(textwrap.wrap(note, width=96, initial_indent=" " * 22, subsequent_indent=" " * 22))
    pause = ("none" if t.longest_pause_at_s is None
             else f"{t.longest_pause_s:.1f} s (at {clock(t.longest_pause_at_s)})")
    lines.append(f"  Longest pause:      {pause}")
    return "\n".join(lines)


def format_summary(rounds, comparison) -> str:
    """The round table and, with ``comparison`` (:func:`rehearse.session.drill.compare_scored`), what
    changed from the first to the last scored round."""
    from rehearse.session.drill import SilentRound

    header = (f"{'round':>5}  {'light':6} {'ended':>6} {'over':>5} {'accompl.':>8} {'wpm':>4} "
              f"{'fillers':>7} {'pause':>5}  {'checks':>6}  verdict")
    lines = ["", "Round by round:", header]
    for r in rounds:
        if isinstance(r, SilentRound):
            lines.append(f"{r.number:>5}  {'-':6} {'-':>6} {'-':>5} {'-':>8} {'-':>4} {'-':>7} {'-':>5}  "
                         f"{'-':>6}  no speech")
            continue
        t = r.timing
        passed = sum(1 for c in r.score.checks.values() if c.passed)
        lines.append(
            f"{r.number:>5}  {t.light:6} {_n(t.ended_at_s):>6} {_n(t.overtime_s):>5} "
            f"{_n(t.first_accomplishment_s):>8} {_n(t.wpm, 0):>4} {t.fillers:>7} {_n(t.longest_pause_s):>5}  "
            f"{passed:>3}/{len(r.score.checks):<2}  {r.score.verdict}")
    if comparison is None:
        return "\n".join(lines)
    first, last, changes = comparison
    lines.append("")
    lines.append(f"From round {first.number} to round {last.number}:")
    for kind in ("better", "worse", "same"):
        picked = [c.text for c in changes if c.direction == kind]
        if picked:
            title = {"better": "Improved", "worse": "Got worse", "same": "Unchanged"}[kind]
            lines.append(f"  {title}:")
            lines.extend(f"    {text}" for text in picked)
    return "\n".join(lines)


def _n(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _s(seconds: float) -> str:
    return f"{seconds:g} s"

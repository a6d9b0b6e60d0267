"""Timed drills, orchestrated over the ports: presets, one timed round, several rounds, the comparison.

A round is a practice round (:func:`rehearse.session.round.run_round`) with a clock: while recording,
:class:`RoundClock` follows the seconds recorded, updates the live display, rings the tone when red
shows while the speaker is talking (not in the closing silence after the last word) and cuts the
recording at red plus grace. Afterwards the timed words give the round's
:class:`~rehearse.coaching.timing.RoundTiming`, saved with the session (mode ``drill``).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.coaching import metrics

from rehearse.coaching import timing
from rehearse.core.errors import RehearseError
from rehearse.core.model import Archetype, Prompt, Score
from rehearse.coaching.timing import Lights, LightTracker, RoundTiming

PRESETS_FILE = "drills.toml"
FRACTION_KEYS = ("green_fraction", "yellow_fraction", "red_fraction", "grace_fraction")

FILLER_NOTES = {
    "pocketsphinx": ("PocketSphinx misses most fillers (it caught about 1 in 5 spoken ones, almost never um "
                     "or uh) and sometimes hears a \"like\" that was not said, so take this count as a rough "
                     "guide, not a tally."),
}
"""How far each speech engine's filler count can be trusted (measured with scripts/bench_fillers.py)."""

ToneFn = Callable[[], None]
"""Plays the red-light tone (blocking); the drill calls it in a thread."""

ANSWER_ENDED = "answer ended (your last word)"
"""What the display says when its clock stops at the answer's last word."""
NO_SPEECH = "no speech heard"


# --- presets -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Preset:
    """A named drill: its limit, its default interviewer, and optional light fractions."""

    name: str
    title: str
    seconds: float
    description: str = ""
    archetype: Optional[str] = None
    fractions: dict[str, float] = field(default_factory=dict)
    """Overrides of green/yellow/red/grace fractions of the limit."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "seconds": self.seconds, "archetype": self.archetype,
                "description": self.description, **self.fractions}


MAX_DRILL_S = 3600.0
"""The longest drill a preset may set (an hour)."""


def load_presets() -> dict[str, Preset]:
    """The packaged presets, then the user's ``REHEARSE_HOME/drills.toml`` (adds or overrides by name)."""
    from importlib import resources

    from rehearse.core.home import home
    from rehearse.core.inputs import read_text

    packaged = resources.files("rehearse").joinpath(f"data/{PRESETS_FILE}").read_text(encoding="utf-8")
    presets = _parse_presets(tomllib.loads(packaged), f"The packaged {PRESETS_FILE}")
    user = home() / PRESETS_FILE
    if user.exists():
        label = f"The drill presets file {user}"
        try:
            data = tomllib.loads(read_text(user, "drill presets file"))
        except tomllib.TOMLDecodeError as exc:
            raise RehearseError(f"{label} cannot be read ({exc}); fix or remove it.") from None
        presets.update(_parse_presets(data, label))
    return presets


def _parse_presets(data: dict, source: str) -> dict[str, Preset]:
    """The presets in ``data``; a value of the wrong type is one sentence naming ``source``, the drill,
    the key and what it must be."""
    from rehearse.core.settings import shown

    drills = data.get("drills", {})
    if not isinstance(drills, dict):
        raise RehearseError(f"{source}: drills = {shown(drills)} must be tables [drills.NAME]; fix or remove it.")

    def bad(name: str, key: str, value, expected: str) -> RehearseError:
        return RehearseError(f"{source}: [drills.{name}] {key} = {shown(value)} must be {expected}; "
                             "fix or remove it.")

    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    found = {}
    for name, spec in drills.items():
        if not isinstance(spec, dict):
            raise RehearseError(f"{source}: drills.{name} = {shown(spec)} must be a table [drills.{name}] with "
                                "at least seconds = N; fix or remove it.")
        if "seconds" not in spec:
            raise RehearseError(f"{source}: [drills.{name}] needs seconds = N (the limit in seconds).")
        seconds = spec["seconds"]
        if not (number(seconds) and 0 < seconds <= MAX_DRILL_S):
            raise bad(name, "seconds", seconds, f"a number of seconds more than 0 and at most {MAX_DRILL_S:g}")
        for key in FRACTION_KEYS:
            if key in spec and not (number(spec[key]) and 0 <= spec[key] <= 10
                                    and (spec[key] > 0 or key == "grace_fraction")):
                raise bad(name, key, spec[key], "a number (a fraction of the limit, e.g. 0.5)")
        for key in ("title", "description", "archetype"):
            if key in spec and not isinstance(spec[key], str):
                raise bad(name, key, spec[key], "a string in quotes")
        fractions = {k: float(spec[k]) for k in FRACTION_KEYS if k in spec}
        found[name] = Preset(name=name, title=str(spec.get("title", name)), seconds=float(seconds),
                             description=" ".join(str(spec.get("description", "")).split()),
                             archetype=spec.get("archetype"), fractions=fractions)
    return found


def get_preset(name: str) -> Preset:
    presets = load_presets()
    if name not in presets:
        raise RehearseError(f"No drill preset {name!r}; choose one of: {', '.join(presets)} "
                            "(see `rehearse drill --list`).")
    return presets[name]


def prompts_for(archetype: Archetype, rounds: int, *, repeat: bool = False, first: Optional[Prompt] = None
                ) -> list[Prompt]:
    """The prompt of each round: ``first`` then the archetype's next prompts in turn (or ``first`` again)."""
    prompts = list(archetype.prompts)
    if not prompts:
        raise RehearseError(f"The {archetype.name} archetype has no prompts; add some to a prompt file.")
    first = first or prompts[0]
    if repeat:
        return [first] * rounds
    start = next((i for i, p in enumerate(prompts) if p.id == first.id), 0)
    return [prompts[(start + i) % len(prompts)] for i in range(rounds)]


# --- one round ---------------------------------------------------------------------------------------

class RoundClock:
    """The live side of a round: follows recorded seconds, drives the display and tone, cuts at red+grace.

    Its methods are the recorder's callbacks; ``on_block`` and ``stop_when`` run on the recorder's
    thread and never block (the tone plays in its own thread).
    """

    def __init__(self, lights: Lights, display=None, tone: Optional[ToneFn] = None,
                 speaking: Optional[Callable[[], bool]] = None):
        self.lights = lights
        self.display = display
        self.tone = tone
        self.speaking = speaking
        """Whether the speaker is talking at the latest block (the recorder's voice activity); None: assume so."""
        self.tone_due = False
        """Red has shown but the tone has not rung: the speaker was not talking then."""
        self.tracker = LightTracker(lights)
        self.elapsed_s = 0.0
        self.tone_thread: Optional[threading.Thread] = None
        self.tone_error: Optional[BaseException] = None
        self.finished = False

    def on_start(self) -> None:
        if self.display is not None:
            self.display.start(self.lights)

    def on_block(self, block, elapsed_s: float) -> None:
        self.tick(elapsed_s)

    def tick(self, elapsed_s: float) -> list[str]:
        """Advance to ``elapsed_s``; returns the lights that came on."""
        self.elapsed_s = elapsed_s
        changed = self.tracker.advance(elapsed_s)
        if "red" in changed and self.tone is not None:
            self.tone_due = True
        # The tone tells a speaker who is still talking that time is up. Red that shows in a pause
        # waits for the next word; red that shows after the last word (the recorder only waiting
        # out the closing silence) never rings.
        if self.tone_due and not self.finished and (self.speaking is None or self.speaking()):
            self.tone_due = False
            self._ring()
        if self.display is not None:
            self.display.update(elapsed_s, self.tracker.current)
        return changed

    def stop_when(self, elapsed_s: float) -> bool:
        return self.lights.should_stop(elapsed_s)

    def checking(self, recording=None) -> None:
        """Recording has stopped and the answer is being checked: say so at once, before the figures."""
        if self.display is not None and not self.finished:
            checking = getattr(self.display, "checking", None)
            if checking is not None:
                checking(self.elapsed_s, self.tracker.current)

    def finish(self, measured: Optional[RoundTiming] = None, note: str = "recording stopped") -> None:
        """Freeze the display once, where the answer ended.

        With the round's timing, the clock stops at the answer's last word and shows the light there:
        the figures the report and the round table give, not the end of the silence that closed
        the recording. Without timed words it stops where recording stopped, with ``note``."""
        if self.finished:
            return
        self.finished = True
        self.tone_due = False
        if self.display is None:
            return
        if measured is not None and measured.ended_at_s is not None:
            self.display.stop(measured.ended_at_s, measured.light, note=ANSWER_ENDED)
        else:  # no light was reached by an answer that was not heard
            light = "none" if note == NO_SPEECH else self.tracker.current
            self.display.stop(self.elapsed_s, light, note=note)

    def _ring(self) -> None:
        def play() -> None:
            try:
                self.tone()
            except Exception as exc:  # a missing speaker must not stop the drill
                self.tone_error = exc

        self.tone_thread = threading.Thread(target=play, name="drill-tone", daemon=True)
        self.tone_thread.start()


@dataclass(frozen=True)
class DrillRound:
    """One finished round: the practice result and its timing."""

    number: int
    rounds: int
    result: Any
    """The :class:`rehearse.session.round.RoundResult`."""
    timing: RoundTiming
    personal: Optional[list] = None
    """Personalised checks (your best accomplishment, the debrief's topics) as JSON objects, if any."""

    @property
    def score(self) -> Score:
        return self.result.score

    def to_json(self) -> dict[str, Any]:
        timed = timing_json(self.timing, self.score.engine)
        data = {**self.score.to_json(), "session_id": self.result.session_id, "round": self.number,
                "rounds": self.rounds, "prompt_id": self.result.prompt.id, "timing": timed}
        if self.personal is not None:
            data["personal"] = self.personal
        return data


def timing_json(measured: RoundTiming, engine: Optional[str]) -> dict[str, Any]:
    """The round's ``"timing"`` object: the measured figures and how far the filler count holds."""
    return {**measured.to_json(), "fillers_note": FILLER_NOTES.get(engine or "")}


def measure_round(lights: Lights, recording, transcript, score: Score, *, fillers: Sequence[str],
                  wpm_band: tuple[float, float] = timing.WPM_BAND) -> RoundTiming:
    """The timing of a recorded, transcribed and scored round."""
    tokens = metrics.tokens(transcript.text)
    return timing.measure(
        lights, transcript.words, recorded_s=recording.duration_s,
        cut=recording.stopped_by in ("stopped", "max_seconds"), score=score,
        filler_words=timing.filler_counts(tokens, fillers), n_words=len(tokens), wpm_band=wpm_band,
    )


def run_round(
    *,
    number: int,
    rounds: int,
    archetype: Archetype,
    prompt: Prompt,
    lights: Lights,
    ports,
    display=None,
    tone: Optional[ToneFn] = None,
    fillers: Optional[Sequence[str]] = None,
    wpm_band: tuple[float, float] = timing.WPM_BAND,
    after_prompt: Optional[Callable[[], None]] = None,
    on_recording_start: Optional[Callable[[], None]] = None,
    drill_name: Optional[str] = None,
    personal_targets=None,
) -> DrillRound:
    """Speak the prompt, record with the clock running, transcribe, score, time and save one round.

    ``ports`` are the round's :class:`rehearse.session.round.RoundPorts`; ``after_prompt`` runs once
    the prompt has been spoken, just before recording (the countdown). Raises
    :class:`~rehearse.core.errors.NoSpeechError` when nothing was heard (see :class:`SilentRound`)."""
    from rehearse.core.errors import NoSpeechError
    from rehearse.session import round as rehearsal

    clock = RoundClock(lights, display, tone, speaking=getattr(ports.recorder, "speaking", None))
    fillers = tuple(fillers or metrics.default_fillers())
    measured: dict[str, RoundTiming] = {}

    def started() -> None:
        if on_recording_start is not None:
            on_recording_start()
        clock.on_start()

    def extra(recording, transcript, score) -> dict:
        measured["timing"] = measure_round(lights, recording, transcript, score, fillers=fillers,
                                           wpm_band=wpm_band)
        clock.finish(measured["timing"])  # the screen stops where the report says the answer ended
        return {"drill": drill_name, "round": number, "rounds": rounds,
                "timing": timing_json(measured["timing"], score.engine)}

    try:
        result = rehearsal.run_round(
            archetype=archetype, prompt=prompt, ports=ports, targets=personal_targets, mode="drill",
            max_seconds=lights.cutoff_s + 0.5, after_prompt=after_prompt, on_recording_start=started,
            on_recording_end=clock.checking, on_block=clock.on_block, stop_when=clock.stop_when, extra=extra,
        )
    except NoSpeechError:
        clock.finish(note=NO_SPEECH)
        raise
    finally:
        clock.finish()
    if clock.tone_thread is not None:
        clock.tone_thread.join(timeout=2.0)
    return DrillRound(number=number, rounds=rounds, result=result, timing=measured["timing"],
                      personal=result.personal)


@dataclass(frozen=True)
class SilentRound:
    """A round in which no speech was heard: its recording is kept (status ``no_speech``), nothing
    is scored, and the drill goes on."""

    number: int
    rounds: int
    prompt: Prompt
    session_id: Optional[str]
    message: str
    """Why, in one sentence (what :class:`~rehearse.core.errors.NoSpeechError` said)."""

    def to_json(self) -> dict[str, Any]:
        return {"round": self.number, "rounds": self.rounds, "session_id": self.session_id,
                "prompt_id": self.prompt.id, "status": "no_speech", "error": self.message}


# --- several rounds ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """How one figure moved between the first and the last round."""

    name: str
    label: str
    first: Optional[float]
    last: Optional[float]
    direction: str
    """"better", "worse" or "same"."""
    text: str
    """One line for the user."""


def _pace_miss(t: RoundTiming) -> Optional[float]:
    """Words per minute outside the target band (0 inside it)."""
    if t.wpm is None:
        return None
    low, high = t.wpm_band
    return max(0.0, low - t.wpm, t.wpm - high)


def _checks_passed(score: Score) -> float:
    return float(sum(1 for c in score.checks.values() if c.passed))


# name, label, how to read it, lower is better?, tolerance, unit
_COMPARED: tuple[tuple[str, str, Callable[[DrillRound], Optional[float]], bool, float, str], ...] = (
    ("first_accomplishment_s", "time to your accomplishment",
     lambda r: r.timing.first_accomplishment_s, True, 0.3, "s"),
    ("overtime_s", "overtime", lambda r: r.timing.overtime_s, True, 0.3, "s"),
    ("started_at_s", "time before your first word", lambda r: r.timing.started_at_s, True, 0.3, "s"),
    ("pace_miss_wpm", "pace outside the target band", lambda r: _pace_miss(r.timing),
     True, 3.0, "wpm"),
    ("fillers_per_min", "fillers per minute", lambda r: r.timing.fillers_per_min, True, 0.5, "/min"),
    ("longest_pause_s", "longest pause", lambda r: r.timing.longest_pause_s, True, 0.3, "s"),
    ("checks_passed", "checks passed", lambda r: _checks_passed(r.score), False, 0.5, ""),
)


def compare(first: DrillRound, last: DrillRound) -> list[Change]:
    """What improved, got worse or stayed the same from ``first`` to ``last``.

    A missing value (no accomplishment heard, no pace) counts as the worst; changes smaller than
    each figure's tolerance count as the same.
    """
    changes = []
    for name, label, read, lower_better, tolerance, unit in _COMPARED:
        a, b = read(first), read(last)
        direction = _direction(a, b, lower_better, tolerance)
        changes.append(Change(name=name, label=label, first=a, last=b, direction=direction,
                              text=f"{label}: {_fmt(a, unit)} -> {_fmt(b, unit)}"))
    return changes


def compare_scored(rounds: Sequence[Any]) -> Optional[tuple[DrillRound, DrillRound, list[Change]]]:
    """The first and last scored rounds of a drill and what changed between them (silent rounds
    are left out); None with fewer than two scored rounds."""
    scored = [r for r in rounds if isinstance(r, DrillRound)]
    if len(scored) < 2:
        return None
    return scored[0], scored[-1], compare(scored[0], scored[-1])


def _direction(a: Optional[float], b: Optional[float], lower_better: bool, tolerance: float) -> str:
    if a is None and b is None:
        return "same"
    if a is None:
        return "better"
    if b is None:
        return "worse"
    if abs(b - a) < tolerance:
        return "same"
    return "better" if (b < a) == lower_better else "worse"


def _fmt(value: Optional[float], unit: str) -> str:
    if value is None:
        return "not heard" if unit == "s" else "n/a"
    if unit == "":
        return f"{value:g}"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.1f} {unit}".replace(" /min", "/min")


# --- configuration -----------------------------------------------------------------------------------

def configure_lights(limit_s: float, *, settings: Optional[dict] = None, preset: Optional[Preset] = None,
                     green_at_s: Optional[float] = None, yellow_at_s: Optional[float] = None,
                     red_at_s: Optional[float] = None, grace_s: Optional[float] = None) -> Lights:
    """The lights of a drill: explicit seconds (flags) over the preset's fractions over the settings'."""
    fractions = {k: v for k, v in (settings or {}).items() if k in FRACTION_KEYS}
    if preset is not None:
        fractions.update(preset.fractions)
    return Lights.for_limit(limit_s, **fractions, green_at_s=green_at_s, yellow_at_s=yellow_at_s,
                            red_at_s=red_at_s, grace_s=grace_s)


def wpm_band_from(settings: Optional[dict]) -> tuple[float, float]:
    """The target pace band: settings ``wpm_low``/``wpm_high`` or 120-160."""
    settings = settings or {}
    try:
        low = float(settings.get("wpm_low", timing.WPM_BAND[0]))
        high = float(settings.get("wpm_high", timing.WPM_BAND[1]))
    except (TypeError, ValueError):
        raise RehearseError("wpm_low and wpm_high in the [drill] settings must be numbers.") from None
    if not 0 < low <= high:
        raise RehearseError(f"The [drill] pace band must have 0 < wpm_low <= wpm_high (got {low:g}-{high:g}).")
    return low, high


def fillers_from(settings: Optional[dict]) -> tuple[str, ...]:
    """The filler words counted: settings ``fillers`` (a list) or the packaged list."""
    value = (settings or {}).get("fillers")
    if value is None:
        return metrics.default_fillers()
    if not isinstance(value, list) or not all(isinstance(f, str) and f.strip() for f in value):
        raise RehearseError("fillers in the [drill] settings must be a list of words, e.g. [\"um\", \"uh\"].")
    return tuple(f.strip().lower() for f in value)

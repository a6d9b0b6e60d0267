"""What the speaker sees during a drill: the countdown and the live clock with its lights (on stderr).

Three displays share one small interface (``start(lights)``, ``update(elapsed_s, light)``,
``stop(elapsed_s, light, note)``): :class:`RichDisplay` redraws one line in place on a terminal
(clock, a bar coloured by the light zones, the current light); :class:`PlainDisplay` writes one line
each time a light comes on (for logs and pipes); :class:`NullDisplay` shows nothing.
:func:`make_display` picks rich on a terminal and plain otherwise.

``stop`` draws the last frame: the drill calls it with the answer's end (its last word) and the light
showing then, the same figures its report gives, and ``note`` says what the frozen clock shows.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO

from rehearse.coaching.timing import Lights

MODES = ("auto", "rich", "plain", "off")
STYLES = {"none": "white", "green": "bold green", "yellow": "bold yellow", "red": "bold red"}
REFRESH_S = 0.1
"""Least seconds of recording between two redraws of the rich display."""


def clock(seconds: float) -> str:
    """``m:ss.s``, the drill clock."""
    seconds = max(0.0, seconds)
    minutes = int(seconds // 60)
    return f"{minutes}:{seconds - 60 * minutes:04.1f}"


CHECKING = "checking your answer..."
"""What the display says between the end of recording and the figures."""


class NullDisplay:
    def start(self, lights: Lights) -> None:
        pass

    def update(self, elapsed_s: float, light: str) -> None:
        pass

    def checking(self, elapsed_s: float, light: str) -> None:
        pass

    def stop(self, elapsed_s: float, light: str, note: str = "recording stopped") -> None:
        pass


class PlainDisplay:
    """One line per light that comes on, and one when recording stops."""

    def __init__(self, stream: Optional[TextIO] = None):
        self.stream = stream if stream is not None else sys.stderr
        self.light = "none"
        self.lights: Optional[Lights] = None

    def start(self, lights: Lights) -> None:
        self.lights, self.light = lights, "none"
        self._write(f"  clock running: green at {clock(lights.green_at_s)}, yellow at {clock(lights.yellow_at_s)}, "
                    f"red at {clock(lights.red_at_s)}")

    def update(self, elapsed_s: float, light: str) -> None:
        if light != self.light:
            self.light = light
            self._write(f"  {clock(elapsed_s)}  {light.upper()} light")

    def checking(self, elapsed_s: float, light: str) -> None:
        self._write(f"  {clock(elapsed_s)}  recording stopped; {CHECKING}")

    def stop(self, elapsed_s: float, light: str, note: str = "recording stopped") -> None:
        where = "" if light == "none" else f" on {light.upper()}"
        self._write(f"  {clock(elapsed_s)}  {note}{where}")

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


class RichDisplay:
    """A one-line live panel: clock / limit, a bar with the light zones, and the light showing."""

    def __init__(self, stream: Optional[TextIO] = None, width: int = 40):
        from rich.console import Console

        self.console = Console(file=stream if stream is not None else sys.stderr, highlight=False)
        self.width = width
        self.lights: Optional[Lights] = None
        self._live = None
        self._drawn_at = -1.0
        self._light = "none"

    def start(self, lights: Lights) -> None:
        from rich.live import Live

        self.lights, self._drawn_at, self._light = lights, -1.0, "none"
        self._live = Live(self.render(0.0, "none"), console=self.console, auto_refresh=False, transient=False)
        self._live.start()

    def update(self, elapsed_s: float, light: str) -> None:
        if self._live is None:
            return
        if light == self._light and elapsed_s - self._drawn_at < REFRESH_S:
            return
        self._light, self._drawn_at = light, elapsed_s
        self._live.update(self.render(elapsed_s, light), refresh=True)

    def checking(self, elapsed_s: float, light: str) -> None:
        if self._live is None:
            return
        self._live.update(self.render(elapsed_s, light, CHECKING), refresh=True)

    def stop(self, elapsed_s: float, light: str, note: str = "recording stopped") -> None:
        if self._live is None:
            return
        self._live.update(self.render(elapsed_s, light, note), refresh=True)
        self._live.stop()
        self._live = None

    def render(self, elapsed_s: float, light: str, note: Optional[str] = None):
        """The panel for ``elapsed_s`` (a rich Text), with ``note`` after the light once stopped."""
        from rich.text import Text

        lights = self.lights
        assert lights is not None
        text = Text()
        text.append(f" {clock(elapsed_s)} / {clock(lights.limit_s)} ", style="bold")
        span = max(lights.cutoff_s, lights.limit_s)
        filled = int(round(min(elapsed_s, span) / span * self.width))
        for cell in range(self.width):
            zone = lights.light_at((cell + 0.5) / self.width * span)
            text.append("█" if cell < filled else "░", style=STYLES[zone] if cell < filled else "dim " + STYLES[zone])
        label = ("no light" if note else "no light yet") if light == "none" else f"● {light.upper()}"
        text.append(f"  {label}", style=STYLES[light])
        if note:
            text.append(f"  {note}")
        return text


def make_display(stream: Optional[TextIO] = None, mode: str = "auto"):
    """The display for ``mode``: auto is rich on a terminal and plain otherwise (plain too without rich)."""
    stream = stream if stream is not None else sys.stderr
    if mode not in MODES:
        from rehearse.core.errors import RehearseError

        raise RehearseError(f"Unknown display {mode!r}; choose one of: {', '.join(MODES)}.")
    if mode == "off":
        return NullDisplay()
    if mode == "auto":
        try:
            mode = "rich" if stream.isatty() else "plain"
        except (AttributeError, ValueError):
            mode = "plain"
    if mode == "rich":
        try:
            return RichDisplay(stream)
        except ImportError:
            pass
    return PlainDisplay(stream)


def countdown(seconds: int, stream: Optional[TextIO] = None,
              sleep: Optional[Callable[[float], None]] = None, label: str = "Starting in") -> None:
    """``Starting in 3... 2... 1...`` (or ``label`` and the numbers) on ``stream``, one number a second
    (nothing for 0)."""
    if seconds <= 0:
        return
    stream = stream if stream is not None else sys.stderr
    sleep = sleep or time.sleep
    stream.write(label)
    for n in range(int(seconds), 0, -1):
        stream.write(f" {n}...")
        stream.flush()
        sleep(1.0)
    stream.write("\n")
    stream.flush()

"""The progress chart: a PNG with the verdict of each session and one panel per trend, drawn with
matplotlib (imported only here).

What it shows, and how it keeps honest:
- the x axis is the date and time of each session (local time), so a week off shows as a gap;
- a strip on top marks each session passed or failed, one row per archetype, and every point of the
  delivery panels is marked the same way;
- the targets are drawn and named: the comfortable pace band (120-160 words a minute) and the goal of
  reaching your accomplishment within :data:`FIRST_ACCOMPLISHMENT_GOAL_S` seconds;
- every quantity's axis starts at zero, so 1.5 s looks like 1.5 s and not like a cliff.
Which sessions are drawn is the caller's choice (``rehearse progress`` leaves demo runs out).

:func:`render` writes the PNG and returns, per plotted series, how many points were drawn; the same
counts go into the PNG as a ``rehearse-points`` text chunk (JSON), so anyone holding the file can
check what it shows. A ``rehearse-fingerprint`` chunk (a hash of the plotted data) lets a later
call leave an up-to-date chart alone instead of drawing the same picture again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from rehearse.core.errors import RehearseError
from rehearse.coaching.trends import Trends, smooth, smoothing_window

POINTS_KEY = "rehearse-points"
FINGERPRINT_KEY = "rehearse-fingerprint"
CHART_VERSION = "2"
"""Part of the fingerprint: bump it when the drawing changes, so old charts are redrawn."""
MARKERS_UP_TO = 60
"""Series with up to this many points are drawn as joined markers; longer ones as faint dots (one per
session) under a moving-average trend line."""
FIRST_ACCOMPLISHMENT_GOAL_S = 20.0
"""The goal drawn on the time-to-accomplishment panel: your accomplishment within the first 20 seconds,
inside the 30-second opener the drills time (the storyteller must be seized "at the very start")."""
PASS_COLOR = "#2b8a3e"
FAIL_COLOR = "#c92a2a"
TARGET_COLOR = "#2f9e44"
TITLE_Y = 1.0
"""Where each panel's title sits (just above it). Given, matplotlib does not measure every tick label
of the panel to move the title clear of labels on top, which no panel has (a tenth of the drawing time
with 10,000 sessions)."""


@dataclass(frozen=True)
class Chart:
    """A written chart."""

    path: Path
    points: dict[str, int]
    """Series name (``pass_rate:ARCHETYPE``, ``first_accomplishment_s``, ``wpm``, ``fillers_per_min``,
    ``verdict:pass``, ``verdict:fail``) -> points drawn."""
    reused: bool = False
    """True when the file already showed exactly these trends and was left as it was."""


def fingerprint(trends: Trends, dates: Sequence[str] = (), note: Optional[str] = None) -> str:
    """A hash of everything the chart plots (and of the drawing's version)."""
    import hashlib

    data = json.dumps({"trends": trends.to_json(), "dates": "\n".join(map(str, dates)), "note": note,
                       "goal": FIRST_ACCOMPLISHMENT_GOAL_S}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((CHART_VERSION + data).encode()).hexdigest()


def session_times(dates: Sequence[str]) -> list[datetime]:
    """ISO 8601 times (UTC when they name no zone) as naive local datetimes, for the x axis."""
    import time

    out = []
    for text in dates:
        moment = datetime.fromisoformat(str(text))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        utc = moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta(0))
        # the local offset of that moment (DST included), as astimezone() finds it, without its overhead
        offset = time.localtime((utc - _EPOCH).total_seconds()).tm_gmtoff
        out.append(utc + timedelta(seconds=offset))
    return out


_EPOCH = datetime(1970, 1, 1)


def render(trends: Trends, path: Union[str, Path], *, dates: Sequence[str], note: Optional[str] = None,
           dpi: int = 90, reuse: bool = True) -> Chart:
    """Draw ``trends`` into the PNG at ``path`` (folders created); RehearseError if it cannot be written.

    ``dates`` are the ``started_at`` of the sessions ``trends`` was computed from, in the same order
    (session number ``n`` is ``dates[n - 1]``); ``note`` is a line under the title. With ``reuse``, a
    PNG at ``path`` that this function drew from the same trends is kept as it is.
    """
    path = Path(path)
    key = fingerprint(trends, dates, note)
    if reuse and path.is_file():
        try:
            texts = read_texts(path)
            if texts.get(FINGERPRINT_KEY) == key:
                return Chart(path=path, points=json.loads(texts[POINTS_KEY]), reused=True)
        except (OSError, ValueError, KeyError):
            pass  # not one of ours, or damaged: draw it again
    fig, points = draw(trends, dates=dates, note=note)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=dpi, pil_kwargs={"compress_level": 3},
                    metadata={POINTS_KEY: json.dumps(points, sort_keys=True), FINGERPRINT_KEY: key})
    except OSError as exc:
        raise RehearseError(f"The chart {path} cannot be written ({exc.strerror or exc}); "
                            "choose another path with --chart.") from None
    return Chart(path=path, points=points)


def draw(trends: Trends, *, dates: Sequence[str], note: Optional[str] = None) -> tuple[Any, dict[str, int]]:
    """The chart as a matplotlib Figure, and the points drawn per series."""
    if len(dates) != trends.sessions:
        raise ValueError(f"{len(dates)} dates for {trends.sessions} sessions")
    mdates, FigureCanvasAgg, Figure, PercentFormatter = _matplotlib()
    import numpy as np

    when = session_times(dates)
    # matplotlib's date numbers, converted once (converting datetimes at every plot call is slow)
    days = mdates.date2num(np.array(when, dtype="datetime64[us]")) if when else np.zeros(0)
    flags = trends.pass_flags

    def at(numbers: Sequence[int]):
        return days[np.asarray(numbers, dtype=int) - 1] if len(numbers) else np.zeros(0)

    fig = Figure(figsize=(10.5, 8))
    # fixed margins: an automatic layout engine draws the figure twice (half a second for 10,000 sessions)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.07, top=0.9, wspace=0.2, hspace=0.42)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(3, 2, height_ratios=[0.55 + 0.12 * max(1, len(trends.archetypes)), 2.0, 2.0])
    strip = fig.add_subplot(grid[0, :])
    axes = [[fig.add_subplot(grid[1, 0], sharex=strip), fig.add_subplot(grid[1, 1], sharex=strip)],
            [fig.add_subplot(grid[2, 0], sharex=strip), fig.add_subplot(grid[2, 1], sharex=strip)]]
    points: dict[str, int] = {}
    many = trends.sessions > MARKERS_UP_TO

    # the verdict of each session, one row per archetype
    names = [a.archetype for a in trends.archetypes]
    passed_x, passed_y, failed_x, failed_y = [], [], [], []
    for row, arch in enumerate(trends.archetypes):
        for n in arch.x:
            if flags[n - 1]:
                passed_x.append(days[n - 1])
                passed_y.append(row)
            else:
                failed_x.append(days[n - 1])
                failed_y.append(row)
    size = 3 if many else 7
    (ok,) = strip.plot(passed_x, passed_y, linestyle="none", marker="o", markersize=size, color=PASS_COLOR,
                       label="passed")
    (bad,) = strip.plot(failed_x, failed_y, linestyle="none", marker="x", markersize=size, markeredgewidth=2,
                        color=FAIL_COLOR, label="failed")
    points["verdict:pass"] = len(ok.get_xdata())
    points["verdict:fail"] = len(bad.get_xdata())
    strip.set_yticks(range(len(names)), names)
    strip.set_ylim(-0.6, len(names) - 0.4)
    strip.set_title("Verdict of each session (the same marks below)", loc="left", fontsize="medium", y=TITLE_Y)
    strip.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize="small", frameon=False)
    strip.grid(axis="x", color="#e9ecef")

    # pass rate by archetype
    ax = axes[0][0]
    for arch in trends.archetypes:
        values = [v * 100 for v in arch.rolling]
        if len(values) <= MARKERS_UP_TO:
            (line,) = ax.plot(at(arch.x), values, label=arch.archetype, marker="o", markersize=3, linewidth=1.2,
                              drawstyle="steps-post")
        else:
            (line,) = ax.plot(at(arch.x), smooth(values, smoothing_window(len(values))), label=arch.archetype,
                              linewidth=1.4, drawstyle="steps-post")
        points[f"pass_rate:{arch.archetype}"] = len(line.get_xdata())
    longest = max((a.sessions for a in trends.archetypes), default=0)
    ax.set_title("Pass rate by archetype (last 5 sessions)" if longest <= MARKERS_UP_TO else
                 f"Pass rate by archetype (moving average, ~{smoothing_window(longest)} sessions)",
                 fontsize="medium", y=TITLE_Y)
    ax.set_ylim(-4, 104)  # the whole 0-100% scale, never zoomed; a little room so 0% and 100% show
    ax.set_yticks(range(0, 101, 20))
    ax.yaxis.set_major_formatter(PercentFormatter())
    if trends.archetypes:
        ax.legend(loc="lower right", fontsize="small")

    panels = {"first_accomplishment_s": axes[0][1], "wpm": axes[1][0], "fillers_per_min": axes[1][1]}
    for metric in trends.metrics:
        ax = panels[metric.name]
        handles = []
        top = max(metric.values, default=0.0)
        if metric.band:
            lo, hi = metric.band
            band = ax.axhspan(lo, hi, color=TARGET_COLOR, alpha=0.15, linewidth=0,
                              label=f"target: {lo:.0f}-{hi:.0f} {metric.unit}")
            handles.append(band)
            top = max(top, hi * 1.2)
        if metric.name == "first_accomplishment_s":
            goal = FIRST_ACCOMPLISHMENT_GOAL_S
            ax.axhspan(0, goal, color=TARGET_COLOR, alpha=0.08, linewidth=0)
            handles.append(ax.axhline(goal, color=TARGET_COLOR, linestyle="--", linewidth=1.4,
                                      label=f"goal: within {goal:.0f} s"))
            top = max(top, goal * 1.3)
        x = at(metric.x)
        good = [i for i, n in enumerate(metric.x) if flags[n - 1]]
        poor = [i for i, n in enumerate(metric.x) if not flags[n - 1]]
        if len(metric.values) <= MARKERS_UP_TO:
            ax.plot(x, metric.values, color="#868e96", linewidth=0.9, zorder=2)
            marker_size, alpha = 5, 1.0
        else:
            window = smoothing_window(len(metric.values))
            handles.append(ax.plot(x, smooth(metric.values, window), color="#1c4f9c", linewidth=1.6, zorder=4,
                                   label=f"average of last {window}")[0])
            marker_size, alpha = 2.5, 0.35
        (dots_ok,) = ax.plot(x[good], [metric.values[i] for i in good], linestyle="none", marker="o",
                             markersize=marker_size, color=PASS_COLOR, alpha=alpha, zorder=3, clip_on=False)
        (dots_bad,) = ax.plot(x[poor], [metric.values[i] for i in poor], linestyle="none", marker="x",
                              markersize=marker_size, markeredgewidth=1.5, color=FAIL_COLOR, alpha=alpha, zorder=3,
                              clip_on=False)
        points[metric.name] = len(dots_ok.get_xdata()) + len(dots_bad.get_xdata())
        ax.set_title(f"{metric.label} ({metric.unit}, {metric.better} is better)"
                     if metric.better != "band" else f"{metric.label} (inside the target band is better)",
                     fontsize="medium", y=TITLE_Y)
        ax.set_ylim(0, max(top * 1.12, 1.0))  # a quantity: the axis starts at zero
        ax.set_ylabel(metric.unit if metric.unit != "s" else "seconds")
        if handles:
            # "best" looks at every point: cheap for a few dozen, not for thousands
            ax.legend(handles=handles, loc="best" if not many else "upper left", fontsize="x-small",
                      framealpha=0.85)
        if not metric.values:
            ax.text(0.5, 0.5, "no sessions with this figure yet", transform=ax.transAxes,
                    ha="center", va="center", color="grey")

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    formatter = mdates.ConciseDateFormatter(locator)
    for ax in [strip, *axes[0], *axes[1]]:
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(formatter)
        ax.tick_params(axis="x", labelbottom=True, labelsize="small")
    for ax in axes[1]:
        ax.set_xlabel("date of the session (local time)")
    if when:
        first, last = min(when), max(when)
        span = last - first
        pad = max(span * 0.04, timedelta(minutes=30))
        strip.set_xlim(mdates.date2num(first - pad), mdates.date2num(last + pad))
    title = f"rehearse progress: {trends.sessions} scored session{'s' if trends.sessions != 1 else ''}"
    if when:
        first_day, last_day = min(when).strftime("%d %b %Y"), max(when).strftime("%d %b %Y")
        title += f", {first_day}" + (f" to {last_day}" if last_day != first_day else "")
    fig.suptitle(title, fontsize="large")
    if note:
        fig.text(0.5, 0.935, note, ha="center", va="center", fontsize="small", color="#495057")
    return fig, points


def _matplotlib():
    """The parts of matplotlib the chart uses (Agg backend), imported without building setter docs.

    Importing matplotlib's figure and backend creates some hundred Artist classes, and for each it
    writes a help text listing every property (``matplotlib.artist.kwdoc``, which reads the docstring
    of every setter): with ``rehearse progress`` over 10,000 sessions, a fifth of the command's time
    went there (profiled with cProfile; scripts/bench_history.py). Nobody reads those texts here, so
    while this import runs they are left empty; the classes and their ``set()`` behave the same.
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.artist as artist

        kwdoc = artist.kwdoc
        artist.kwdoc = lambda *a, **kw: ""
        try:
            from matplotlib import dates as mdates
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            from matplotlib.ticker import PercentFormatter
        finally:
            artist.kwdoc = kwdoc
    except ImportError:
        raise RehearseError("Drawing the chart needs matplotlib; install it (pip install matplotlib) "
                            "or use --no-chart.") from None
    return mdates, FigureCanvasAgg, Figure, PercentFormatter


def read_points(path: Union[str, Path]) -> dict[str, int]:
    """The point counts a chart written by :func:`render` records (reads PNG text chunks; no matplotlib)."""
    texts = read_texts(path)
    if POINTS_KEY not in texts:
        raise ValueError(f"{path} records no {POINTS_KEY}")
    return json.loads(texts[POINTS_KEY])


def read_texts(path: Union[str, Path]) -> dict[str, str]:
    """The text chunks (tEXt, zTXt, iTXt) of the PNG at ``path``; ValueError if it is not a PNG."""
    import struct
    import zlib

    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    texts: dict[str, str] = {}
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            texts[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            value = rest.split(b"\0", 2)[2]
            texts[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode("utf-8")
        elif kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return texts

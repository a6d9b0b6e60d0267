"""The progress chart: a PNG with one panel per trend, drawn with matplotlib (imported only here).

:func:`render` writes the PNG and returns, per plotted series, how many points were drawn; the same
counts go into the PNG as a ``rehearse-points`` text chunk (JSON), so anyone holding the file can
check what it shows. A ``rehearse-fingerprint`` chunk (a hash of the plotted data) lets a later
call leave an up-to-date chart alone instead of drawing the same picture again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from rehearse.core.errors import RehearseError
from rehearse.coaching.trends import Trends, smooth, smoothing_window

POINTS_KEY = "rehearse-points"
FINGERPRINT_KEY = "rehearse-fingerprint"
CHART_VERSION = "1"
"""Part of the fingerprint: bump it when the drawing changes, so old charts are redrawn."""
MARKERS_UP_TO = 60
"""Series with up to this many points are drawn as joined markers; longer ones as faint dots (one per
session) under a moving-average trend line."""


@dataclass(frozen=True)
class Chart:
    """A written chart."""

    path: Path
    points: dict[str, int]
    """Series name (``pass_rate:ARCHETYPE``, ``first_accomplishment_s``, ``wpm``, ``fillers_per_min``) ->
    points drawn."""
    reused: bool = False
    """True when the file already showed exactly these trends and was left as it was."""


def fingerprint(trends: Trends) -> str:
    """A hash of everything the chart plots (and of the drawing's version)."""
    import hashlib

    data = json.dumps(trends.to_json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((CHART_VERSION + data).encode()).hexdigest()


def render(trends: Trends, path: Union[str, Path], *, dpi: int = 90, reuse: bool = True) -> Chart:
    """Draw ``trends`` into the PNG at ``path`` (folders created); RehearseError if it cannot be written.

    With ``reuse``, a PNG at ``path`` that this function drew from the same trends is kept as it is.
    """
    path = Path(path)
    key = fingerprint(trends)
    if reuse and path.is_file():
        try:
            texts = read_texts(path)
            if texts.get(FINGERPRINT_KEY) == key:
                return Chart(path=path, points=json.loads(texts[POINTS_KEY]), reused=True)
        except (OSError, ValueError, KeyError):
            pass  # not one of ours, or damaged: draw it again
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator, PercentFormatter
    except ImportError:
        raise RehearseError("Drawing the chart needs matplotlib; install it (pip install matplotlib) "
                            "or use --no-chart.") from None
    fig = Figure(figsize=(10, 6.5))
    # fixed margins: an automatic layout engine draws the figure twice (half a second for 10,000 sessions)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, wspace=0.18, hspace=0.25)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True)
    points: dict[str, int] = {}

    ax = axes[0][0]
    for arch in trends.archetypes:
        values = [v * 100 for v in arch.rolling]
        if len(values) <= MARKERS_UP_TO:
            (line,) = ax.plot(arch.x, values, label=arch.archetype, marker="o", markersize=3, linewidth=1.2)
        else:
            (line,) = ax.plot(arch.x, smooth(values, smoothing_window(len(values))), label=arch.archetype,
                              linewidth=1.4)
        points[f"pass_rate:{arch.archetype}"] = len(line.get_xdata())
    longest = max((a.sessions for a in trends.archetypes), default=0)
    ax.set_title("Pass rate by archetype (last 5 sessions)" if longest <= MARKERS_UP_TO else
                 f"Pass rate by archetype (moving average, ~{smoothing_window(longest)} sessions)")
    ax.set_ylim(-5, 105)
    ax.yaxis.set_major_formatter(PercentFormatter())
    if trends.archetypes:
        ax.legend(loc="lower right", fontsize="small")

    panels = {"first_accomplishment_s": axes[0][1], "wpm": axes[1][0], "fillers_per_min": axes[1][1]}
    for metric in trends.metrics:
        ax = panels[metric.name]
        if metric.band:
            ax.axhspan(metric.band[0], metric.band[1], color="tab:green", alpha=0.12, label="comfortable pace")
        if len(metric.values) <= MARKERS_UP_TO:
            (line,) = ax.plot(metric.x, metric.values, color="tab:blue", marker="o", markersize=3, linewidth=1)
        else:
            (line,) = ax.plot(metric.x, metric.values, color="tab:blue", linestyle="none", marker=".",
                              markersize=1.5, alpha=0.25)
            window = smoothing_window(len(metric.values))
            ax.plot(metric.x, smooth(metric.values, window), color="tab:red", linewidth=1.4,
                    label=f"average of last {window}")
            ax.legend(loc="upper right", fontsize="small")
        points[metric.name] = len(line.get_xdata())
        ax.set_title(f"{metric.label} ({metric.unit}, {metric.better} is better)"
                     if metric.better != "band" else f"{metric.label} (inside the band is better)")
        if not metric.values:
            ax.text(0.5, 0.5, "no sessions with this figure yet", transform=ax.transAxes,
                    ha="center", va="center", color="grey")
    for ax in axes[1]:
        ax.set_xlabel("session (oldest first)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"rehearse progress: {trends.sessions} scored sessions")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=dpi, pil_kwargs={"compress_level": 3},
                    metadata={POINTS_KEY: json.dumps(points, sort_keys=True), FINGERPRINT_KEY: key})
    except OSError as exc:
        raise RehearseError(f"The chart {path} cannot be written ({exc.strerror or exc}); "
                            "choose another path with --chart.") from None
    return Chart(path=path, points=points)


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

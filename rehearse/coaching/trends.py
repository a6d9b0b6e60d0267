"""How the user is trending over saved sessions: pass rate by archetype and the delivery figures.

Pure: a list of session rows (oldest first) in, a :class:`Trends` out. A row is anything with
``started_at``, ``archetype``, ``verdict``, ``wpm``, ``fillers_per_min`` and
``first_accomplishment_s`` (e.g. :class:`rehearse.store.sessions.HistoryRow`); rows without a verdict
(interrupted, no speech) and rows whose ``mode`` is not the user's own answer (the demo's sample
answer) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

WINDOW = 5
"""Sessions in a rolling pass rate, and in the early/recent means a change is judged on."""
STEADY = 0.05
"""A relative change smaller than this is reported as steady."""
DEFAULT_WPM_BAND = (120.0, 160.0)
UNTRENDED_MODES = ("demo",)
"""Session modes that are not the user's answers (``rehearse demo`` plays a bundled sample): never trended."""


def wpm_band() -> tuple[float, float]:
    """The comfortable speaking pace, from the drill's timing rules when they are present."""
    try:
        from rehearse.coaching.timing import WPM_BAND

        return tuple(WPM_BAND)  # type: ignore[return-value]
    except (ImportError, AttributeError):
        return DEFAULT_WPM_BAND


@dataclass(frozen=True)
class ArchetypeTrend:
    """Pass rate over the sessions against one interviewer archetype."""

    archetype: str
    sessions: int
    passed: int
    x: tuple[int, ...]
    """Overall session numbers (1 = oldest scored session) of this archetype's sessions."""
    rolling: tuple[float, ...]
    """Pass rate (0..1) over the last :data:`WINDOW` sessions of this archetype, at each of ``x``."""
    recent_rate: float
    """Pass rate over the most recent :data:`WINDOW` sessions."""
    earlier_rate: Optional[float]
    """Pass rate over the sessions before those, or None when there are none."""

    @property
    def pass_rate(self) -> float:
        return self.passed / self.sessions if self.sessions else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"archetype": self.archetype, "sessions": self.sessions, "passed": self.passed,
                "pass_rate": round(self.pass_rate, 3), "recent_pass_rate": round(self.recent_rate, 3),
                "earlier_pass_rate": None if self.earlier_rate is None else round(self.earlier_rate, 3),
                "x": list(self.x), "rolling_pass_rate": [round(v, 3) for v in self.rolling]}


@dataclass(frozen=True)
class MetricTrend:
    """One delivery figure across the sessions that have it."""

    name: str
    label: str
    unit: str
    better: str
    """``lower``, ``higher`` or ``band`` (closer to :attr:`band` is better)."""
    x: tuple[int, ...]
    """Overall session numbers of the sessions that have this figure."""
    values: tuple[float, ...]
    early_mean: Optional[float]
    """Mean of the earliest values: the first tenth, at least :data:`WINDOW` (the first half when there
    are fewer than two windows)."""
    recent_mean: Optional[float]
    """Mean of as many of the latest values."""
    direction: str
    """``better``, ``worse``, ``steady`` or ``too few`` (fewer than 2 values)."""
    band: Optional[tuple[float, float]] = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "unit": self.unit, "better": self.better,
                "points": len(self.values), "x": list(self.x), "values": [round(v, 2) for v in self.values],
                "early_mean": _round(self.early_mean), "recent_mean": _round(self.recent_mean),
                "direction": self.direction, "band": list(self.band) if self.band else None}


@dataclass(frozen=True)
class Trends:
    """Everything ``rehearse progress`` shows."""

    sessions: int
    """Scored sessions considered."""
    first_at: Optional[str]
    last_at: Optional[str]
    archetypes: tuple[ArchetypeTrend, ...]
    metrics: tuple[MetricTrend, ...]
    pass_flags: tuple[bool, ...] = field(default=())
    """Each scored session's verdict, oldest first (True = pass)."""

    def metric(self, name: str) -> MetricTrend:
        return next(m for m in self.metrics if m.name == name)

    def to_json(self) -> dict[str, Any]:
        passed = sum(self.pass_flags)
        return {"sessions": self.sessions, "first_at": self.first_at, "last_at": self.last_at,
                "passed": passed, "pass_rate": round(passed / self.sessions, 3) if self.sessions else None,
                "archetypes": [a.to_json() for a in self.archetypes],
                "metrics": {m.name: m.to_json() for m in self.metrics}}


def _round(v: Optional[float]) -> Optional[float]:
    return None if v is None else round(v, 2)


def _mean(values: Sequence[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def _early_recent(values: Sequence[float]) -> tuple[Optional[float], Optional[float]]:
    n = len(values)
    if n < 2:
        return None, None
    k = max(WINDOW, n // 10) if n >= 2 * WINDOW else n // 2
    return _mean(values[:k]), _mean(values[-k:])


def judge(early: Optional[float], recent: Optional[float], better: str,
          band: Optional[tuple[float, float]] = None) -> str:
    """Whether moving from ``early`` to ``recent`` is better, worse or steady for this kind of figure."""
    if early is None or recent is None:
        return "too few"
    if better == "band":
        assert band is not None
        lo, hi = band

        def off(v: float) -> float:
            return max(lo - v, v - hi, 0.0)

        before, after = off(early), off(recent)
        if abs(after - before) <= STEADY * hi:
            return "steady"
        return "better" if after < before else "worse"
    scale = max(abs(early), abs(recent), 1e-9)
    if abs(recent - early) / scale < STEADY:
        return "steady"
    improved = recent < early if better == "lower" else recent > early
    return "better" if improved else "worse"


def _metric(rows: Sequence[Any], attr: str, name: str, label: str, unit: str, better: str,
            band: Optional[tuple[float, float]] = None) -> MetricTrend:
    x, values = [], []
    for number, row in enumerate(rows, start=1):
        value = getattr(row, attr)
        if value is not None:
            x.append(number)
            values.append(float(value))
    early, recent = _early_recent(values)
    return MetricTrend(name=name, label=label, unit=unit, better=better, x=tuple(x), values=tuple(values),
                       early_mean=early, recent_mean=recent, direction=judge(early, recent, better, band),
                       band=band)


def compute(rows: Sequence[Any]) -> Trends:
    """Trends over ``rows`` (oldest first); rows without a verdict, and demo rows, are skipped."""
    scored = [r for r in rows if r.verdict in ("pass", "fail")
              and getattr(r, "mode", None) not in UNTRENDED_MODES]
    by_arch: dict[str, list[tuple[int, bool]]] = {}
    for number, row in enumerate(scored, start=1):
        by_arch.setdefault(row.archetype, []).append((number, row.verdict == "pass"))
    archetypes = []
    for name in sorted(by_arch):
        items = by_arch[name]
        flags = [ok for _, ok in items]
        rolling = []
        for i in range(len(flags)):
            window = flags[max(0, i + 1 - WINDOW):i + 1]
            rolling.append(sum(window) / len(window))
        recent = flags[-WINDOW:]
        earlier = flags[:-WINDOW]
        archetypes.append(ArchetypeTrend(
            archetype=name, sessions=len(flags), passed=sum(flags), x=tuple(n for n, _ in items),
            rolling=tuple(rolling), recent_rate=sum(recent) / len(recent),
            earlier_rate=(sum(earlier) / len(earlier)) if earlier else None))
    band = wpm_band()
    metrics = (
        _metric(scored, "first_accomplishment_s", "first_accomplishment_s", "Time to first accomplishment",
                "s", "lower"),
        _metric(scored, "wpm", "wpm", "Words per minute", "wpm", "band", band),
        _metric(scored, "fillers_per_min", "fillers_per_min", "Fillers per minute", "/min", "lower"),
    )
    return Trends(sessions=len(scored), first_at=scored[0].started_at if scored else None,
                  last_at=scored[-1].started_at if scored else None, archetypes=tuple(archetypes),
                  metrics=metrics, pass_flags=tuple(r.verdict == "pass" for r in scored))


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Trailing moving average over ``window`` values (fewer at the start), for drawing a trend line."""
    window = max(1, int(window))
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def smoothing_window(points: int) -> int:
    """How many sessions a chart's trend line averages: about 1/25 of them, at least :data:`WINDOW`."""
    return max(WINDOW, points // 25)

"""Sparklines: a series of numbers as one line of block characters, for a glance in the terminal. Pure."""

from __future__ import annotations

from typing import Optional, Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = " "
"""Drawn where a bucket holds no value."""


def buckets(values: Sequence[Optional[float]], width: int) -> list[Optional[float]]:
    """``values`` squeezed into at most ``width`` buckets, each the mean of the values that fall in it.

    Fewer values than ``width`` are kept one per bucket; None values are skipped (a bucket with only
    None stays None).
    """
    if width <= 0:
        raise ValueError("width must be positive")
    n = len(values)
    if n <= width:
        return list(values)
    out: list[Optional[float]] = []
    for b in range(width):
        lo, hi = b * n // width, (b + 1) * n // width
        chunk = [v for v in values[lo:hi] if v is not None]
        out.append(sum(chunk) / len(chunk) if chunk else None)
    return out


def sparkline(values: Sequence[Optional[float]], width: int = 40,
              lo: Optional[float] = None, hi: Optional[float] = None) -> str:
    """One character per bucket, lowest value ``▁``, highest ``█``; ``lo``/``hi`` fix the scale."""
    points = buckets(values, width)
    present = [v for v in points if v is not None]
    if not present:
        return GAP * len(points)
    lo = min(present) if lo is None else lo
    hi = max(present) if hi is None else hi
    span = hi - lo
    chars = []
    for v in points:
        if v is None:
            chars.append(GAP)
        elif span <= 0:
            chars.append(BLOCKS[len(BLOCKS) // 2])
        else:
            level = int(round((min(max(v, lo), hi) - lo) / span * (len(BLOCKS) - 1)))
            chars.append(BLOCKS[level])
    return "".join(chars)

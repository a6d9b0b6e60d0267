"""Times as the user types and reads them: ``--since`` values, and stored UTC times shown locally. Pure."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Optional

from rehearse.core.errors import RehearseError

_RELATIVE = re.compile(r"^(\d+)\s*(h|d|w)$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str, now: Optional[datetime] = None) -> str:
    """``--since`` as an ISO 8601 UTC time comparable with ``started_at``.

    Accepts ``today``, ``yesterday``, a span back from now (``12h``, ``7d``, ``2w``), a date
    (``2026-03-01``, local midnight) or a date and time (local unless it names its zone).
    """
    now = now or datetime.now(timezone.utc)
    local_now = now.astimezone()
    value = (text or "").strip().lower()
    match = _RELATIVE.match(value)
    if value in ("today", "yesterday"):
        start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = start - timedelta(days=1) if value == "yesterday" else start
    elif match:
        moment = now - int(match.group(1)) * _UNITS[match.group(2)]
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise RehearseError(
                f"--since {text!r} is not a time; give a date (2026-03-01), a date and time "
                "(2026-03-01T09:00), today, yesterday, or a span such as 7d, 2w or 12h."
            ) from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # naive: the user's local time
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def local_time(iso: str) -> str:
    """A stored UTC time as local ``YYYY-MM-DD HH:MM`` (the text unchanged if it does not parse)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")

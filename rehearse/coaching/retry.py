"""Another go at the same prompt: which of the checks that failed before pass now. Pure.

Only the checks that failed before (the required ones: they decided the verdict) are reported;
a required check that passed before and fails now is named too, since it changes the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from rehearse.core.model import CHECK_NAMES


@dataclass(frozen=True)
class Comparison:
    """The earlier failures of a session against a new attempt's checks."""

    failed_before: tuple[str, ...]
    """Required checks that failed before, in the contract's order."""
    fixed: tuple[str, ...]
    still_failing: tuple[str, ...]
    newly_failing: tuple[str, ...]
    """Required checks that passed before and fail now."""
    now: Mapping[str, Mapping[str, Any]]
    """The new check objects (contract shape) of the earlier failures."""

    @property
    def all_fixed(self) -> bool:
        return not self.still_failing

    def checks_json(self) -> dict[str, Any]:
        return {name: {"before": False, "now": bool(self.now[name].get("passed")),
                       "evidence": self.now[name].get("evidence"), "seconds": self.now[name].get("seconds"),
                       "advice": self.now[name].get("advice")}
                for name in self.failed_before}


def failed_required(checks: Mapping[str, Any]) -> list[str]:
    """The required checks that failed, in the contract's order (``checks``: contract-shape objects)."""
    return [n for n in CHECK_NAMES if n in checks and checks[n].get("required") and not checks[n].get("passed")]


def compare(before: Optional[Mapping[str, Any]], after: Mapping[str, Any]) -> Comparison:
    """``before`` and ``after`` are score objects (contract shape); ``before`` None: nothing to compare."""
    old = (before or {}).get("checks") or {}
    new = after.get("checks") or {}
    failed = failed_required(old)
    now = {n: new.get(n) or {} for n in failed}
    fixed = tuple(n for n in failed if now[n].get("passed"))
    still = tuple(n for n in failed if not now[n].get("passed"))
    newly = tuple(n for n in failed_required(new) if n not in failed and n in old)
    return Comparison(failed_before=tuple(failed), fixed=fixed, still_failing=still, newly_failing=newly, now=now)

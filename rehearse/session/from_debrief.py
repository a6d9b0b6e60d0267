"""Practice chosen by the latest debrief: the archetype it says to drill, and what to keep in mind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rehearse.core.errors import RehearseError


@dataclass(frozen=True)
class DebriefChoice:
    """What the latest debrief says to practise."""

    debrief_id: Optional[int]
    created_at: str
    archetype: str
    reasons: tuple[str, ...]
    others: tuple[str, ...]
    """The plan's other archetypes, for later rounds."""
    topics: tuple[str, ...]
    reanswer: tuple[str, ...]

    def intro(self) -> str:
        """Sentences for the person before the round."""
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        lines = [f"From your debrief of {self.created_at[:10]}: drill the {self.archetype}{why}."]
        if self.others:
            lines.append(f"It also names: {', '.join(self.others)} (`rehearse practice --archetype "
                         f"{self.others[0]}`).")
        if self.topics:
            lines.append(f"Bring up: {'; '.join(self.topics)}.")
        if self.reanswer:
            lines.append(f"Be ready to re-answer: {'; '.join(self.reanswer)}.")
        return "\n".join(lines)


def choose(debriefs, archetype: Optional[str] = None) -> DebriefChoice:
    """From ``debriefs`` (:class:`rehearse.store.debriefs.DebriefStore`): the plan's first archetype to
    drill, or ``archetype`` when given (the plan's reasons for it, if it names it)."""
    latest = debriefs.latest()
    if latest is None:
        raise RehearseError("No debrief is saved yet; run `rehearse debrief` first, or choose --archetype.")
    plan = latest.plan
    drills = {d.archetype: d for d in plan.drills}
    name = (archetype or "").strip().lower() or (plan.drills[0].archetype if plan.drills else "")
    if not name:
        raise RehearseError("Your latest debrief names no archetype to drill; choose one with --archetype.")
    reasons = drills[name].reasons if name in drills else ()
    return DebriefChoice(debrief_id=latest.id, created_at=latest.created_at, archetype=name,
                         reasons=tuple(reasons), others=tuple(a for a in drills if a != name),
                         topics=tuple(plan.topics), reanswer=tuple(plan.reanswer))

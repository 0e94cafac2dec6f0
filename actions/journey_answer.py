"""A life event's journey as the bot says it: the steps in order, each with its deadline and why.

Why a text (for now): both channels show it as it is, and the life event's services stay the quick
replies of the message after it, so a citizen opens any step with one tap. A step whose service
has left the catalogue is skipped rather than named; a deadline nobody has checked against its
source is said with the catalogue's usual caution (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable

from knowledge.journeys import Journey
from knowledge.schema import Service
from texts import Lang, text

__all__ = ["JourneyLookup", "journey_text"]

# The journey of a life event, or None (no journey, or the journeys are not loaded yet).
JourneyLookup = Callable[[str], Journey | None]


def journey_text(journey: Journey, service: Callable[[str], Service | None], lang: Lang) -> str | None:
    """The journey as one message, or None when none of its steps' services is in the catalogue."""
    lines: list[str] = []
    unchecked = False
    for step in journey.steps:
        found = service(step.service)
        if found is None:
            continue
        line = f"{len(lines) + 1}. {getattr(found.title, lang)}"
        if step.deadline is not None:
            key, values = step.deadline.wording()
            line += f" ({text(key, lang, **values)}{'*' if step.deadline.status != 'verified' else ''})"
            unchecked = unchecked or step.deadline.status != "verified"
        lines.append(f"{line}: {getattr(step.why, lang)}")
    if not lines:
        return None
    said = [getattr(journey.title, lang), getattr(journey.summary, lang), *lines]
    if unchecked:
        said.append(text("journeys.unchecked_deadline", lang))
    return "\n".join(said)

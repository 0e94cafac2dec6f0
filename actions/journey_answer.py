"""A life event's journey as the bot says it: the steps in order, each with its deadline and why.

:func:`journey_payload` is the journey as a Rasa custom payload (``{"type": "journey", ...}``, sent
like a service card): LINE shows it as a carousel, the widget as a stepper, and the conversation
layer adds the citizen's own progress to it (conversation/citizens/journey_view.py), which the
actions cannot see. It carries :func:`journey_text` as ``text``, the same journey as one plain
message for a channel that cannot show the structured one. A step whose service has left the
catalogue is skipped rather than named; a deadline nobody has checked against its source is said
with the catalogue's usual caution (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from knowledge.journeys import Journey
from knowledge.schema import Service
from texts import Lang, text

__all__ = ["JourneyLookup", "journey_payload", "journey_text"]

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


def journey_payload(journey: Journey, service: Callable[[str], Service | None], lang: Lang) -> dict[str, Any] | None:
    """The journey as the structured message's payload, or None when none of its steps' services is
    in the catalogue. Every text is already in ``lang``; the deadline keeps its unit and amount so
    the conversation layer can give a due date once the citizen says when the event happened."""
    said = journey_text(journey, service, lang)
    if said is None:
        return None
    steps: list[dict[str, Any]] = []
    for step in journey.steps:
        found = service(step.service)
        if found is None:
            continue
        deadline: dict[str, Any] | None = None
        if step.deadline is not None:
            key, values = step.deadline.wording()
            deadline = {
                "text": text(key, lang, **values),
                "unit": step.deadline.unit,
                "amount": step.deadline.amount,
                "unverified": step.deadline.status != "verified",
            }
        steps.append(
            {
                "service": step.service,
                "title": getattr(found.title, lang),
                "why": getattr(step.why, lang),
                "deadline": deadline,
                "unverified": deadline is not None and bool(deadline["unverified"]),
            }
        )
    return {
        "type": "journey",
        "lang": lang,
        "id": journey.id,
        "life_event": journey.life_event.value,
        "title": getattr(journey.title, lang),
        "summary": getattr(journey.summary, lang),
        "steps": steps,
        "unchecked_note": text("journeys.unchecked_deadline", lang) if any(s["unverified"] for s in steps) else None,
        "text": said,
    }

"""Issue 17's own examples through the trained model: a life event told in a citizen's words gets
that event's journey (the steps in order, with the legal deadline), in the citizen's language."""

from __future__ import annotations

import pytest

from knowledge.journeys import load_seed_journeys

pytestmark = pytest.mark.rasa


def _said(reply: dict) -> str:
    return "\n".join(str(message.get("text") or "") for message in reply["messages"])


@pytest.mark.parametrize(
    ("words", "journey_id", "lang", "deadline"),
    [
        ("ลูกเพิ่งคลอด ต้องทำอะไรบ้าง", "having-a-baby", "th", "ภายใน 15 วัน"),
        ("my father died, what do I need to do?", "death-in-the-family", "en", "within 24 hours"),
    ],
)
def test_a_life_event_in_own_words_gets_its_journey(live_stack, words, journey_id, lang, deadline):
    journey = next(j for j in load_seed_journeys() if j.id == journey_id)
    said = _said(live_stack.chat(f"journey-{journey_id}", words))
    assert getattr(journey.title, lang) in said, said
    assert deadline in said

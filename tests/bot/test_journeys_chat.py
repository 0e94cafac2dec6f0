"""Issue 17's own examples through the trained model: a life event told in a citizen's words gets
that event's journey as the journey message (the stepper / carousel: the steps in order, with the
legal deadline, the next step and each step's tick command), in the citizen's language."""

from __future__ import annotations

import pytest

from knowledge.journeys import load_seed_journeys

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize(
    ("words", "journey_id", "lang", "deadline", "progress"),
    [
        ("ลูกเพิ่งคลอด ต้องทำอะไรบ้าง", "having-a-baby", "th", "ภายใน 15 วัน", "ทำแล้ว 0 จาก 5 ขั้นตอน"),
        ("my father died, what do I need to do?", "death-in-the-family", "en", "within 24 hours", "0 of 5 done"),
    ],
)
def test_a_life_event_in_own_words_gets_its_journey(live_stack, words, journey_id, lang, deadline, progress):
    journey = next(j for j in load_seed_journeys() if j.id == journey_id)
    reply = live_stack.chat(f"journey-{journey_id}", words)
    shown = [m["journey"] for m in reply["messages"] if m["type"] == "journey"]
    assert len(shown) == 1, reply["messages"]
    told = shown[0]
    assert told["id"] == journey_id and told["lang"] == lang and told["title"] == getattr(journey.title, lang)
    assert [step["service"] for step in told["steps"]] == journey.service_ids()
    first = told["steps"][0]
    assert first["deadline"]["text"] == deadline and first["next"] and told["next"] == first["service"]
    assert told["progress_text"] == progress  # a new conversation has ticked nothing
    assert first["commands"]["toggle"] == f"/journey_step {journey_id} {first['service']} done {lang}"
    assert deadline in told["text"]  # the plain text for a channel that cannot draw it

"""The status check's attempt limit, with the real form classes and trackers shaped as Rasa sends them:
a conversation, or a client across conversations, that has checked too many reference numbers or IDs
is told (in its language) when to try again, and the form stops without looking anything up."""

from __future__ import annotations

import asyncio
import copy
import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api.status_provider import SampleStatusProvider
from actions.status_attempts import AttemptLimit, StatusAttempts
from actions.status_form import ActionCheckStatus, ValidateCheckStatusForm
from actions.status_route import ActionRouteStatus
from tests.actions.test_service_actions import THRESHOLDS
from texts import text

PROVIDER = SampleStatusProvider()
UNKNOWN = "DOPA-2569-999999"  # well formed, no such application
KNOWN = "DOPA-2569-000123"  # an application that needs no ID
NEEDS_ID = "DCA-2569-004567"  # an application that needs the applicant's ID
DOMAIN = {
    "forms": {"check_status_form": {"required_slots": ["reference_number", "national_id"]}},
    "slots": {
        "reference_number": {"mappings": [{"type": "custom"}]},
        "national_id": {"mappings": [{"type": "custom"}]},
    },
}
STOPPED = [
    {"event": "slot", "timestamp": None, "name": "reference_number", "value": None},
    {"event": "slot", "timestamp": None, "name": "national_id", "value": None},
    {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
    {"event": "active_loop", "timestamp": None, "name": None},
]


def form_tracker(
    said: str,
    sender: str = "web:conversation-1",
    client: str | None = "web-client:one",
    lang: str = "th",
    asked: str = "reference_number",
    intent: str = "inform",
    **slots: object,
) -> Tracker:
    """The tracker Rasa sends to ``validate_check_status_form`` while the form waits for ``asked``."""
    metadata = {"channel": "web", **({"client": client} if client else {})}
    return Tracker.from_dict(
        copy.deepcopy(
            {
                "sender_id": sender,
                "slots": {"language": lang, "requested_slot": asked, "reference_number": None, **slots},
                "latest_message": {
                    "text": said,
                    "intent": {"name": intent, "confidence": 0.9},
                    "entities": [],
                    "metadata": metadata,
                },
                "events": [{"event": "user", "text": said, "metadata": metadata}],
                "paused": False,
                "followup_action": None,
                "active_loop": {"name": "check_status_form"},
                "latest_action_name": "action_listen",
            }
        )
    )


def validate(form: ValidateCheckStatusForm, track: Tracker) -> tuple[list[dict], list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(form.run(dispatcher, track, DOMAIN))
    return events, [m["text"] for m in dispatcher.messages]


def limited(attempts: int = 3, window_seconds: int = 900) -> StatusAttempts:
    return StatusAttempts(AttemptLimit(attempts, window_seconds))


def cool_down(lang: str, minutes: int) -> str:
    wait = text("status_attempts.minutes", lang, count=minutes)
    return text("status_attempts.cool_down", lang, wait=wait)


def test_a_conversation_is_stopped_after_its_attempts_and_told_when_to_try_again():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=3))
    for _ in range(3):
        events, said = validate(form, form_tracker(UNKNOWN))
        assert f"ไม่พบคำขอเลขที่ {UNKNOWN}" in said[0]
    # The fourth is not looked up at all, even a real reference: no status, no "not found".
    events, said = validate(form, form_tracker(KNOWN, client=None))
    assert said == [cool_down("th", 15)]
    assert "15 นาที" in said[0] and KNOWN not in said[0]
    assert events == STOPPED  # the form stops asking


def test_the_cool_down_is_in_english_for_an_english_conversation():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=1, window_seconds=60))
    validate(form, form_tracker(UNKNOWN, lang="en"))
    _, said = validate(form, form_tracker(UNKNOWN, lang="en"))
    assert said == [text("status_attempts.cool_down", "en", wait=text("status_attempts.one_minute", "en"))]
    assert "try again in about a minute" in said[0]


def test_new_conversations_from_one_client_share_its_attempts():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=3))
    for number in range(3):
        _, said = validate(form, form_tracker(UNKNOWN, sender=f"web:new-{number}"))
        assert "ไม่พบคำขอเลขที่" in said[0]
    events, said = validate(form, form_tracker(UNKNOWN, sender="web:new-3"))
    assert said == [cool_down("th", 15)] and events == STOPPED
    # Someone else, from another client, is not held back by it.
    _, said = validate(form, form_tracker(UNKNOWN, sender="web:other", client="web-client:two"))
    assert "ไม่พบคำขอเลขที่" in said[0]


def test_a_conversation_is_limited_whichever_client_it_says_it_is():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=2))
    validate(form, form_tracker(UNKNOWN, client="web-client:a"))
    validate(form, form_tracker(UNKNOWN, client="web-client:b"))
    _, said = validate(form, form_tracker(UNKNOWN, client="web-client:c"))
    assert said == [cool_down("th", 15)]


def test_national_id_checks_count_too():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=2))
    _, said = validate(form, form_tracker(NEEDS_ID))  # attempt 1: the reference
    assert said == []  # accepted: the form goes on to ask for the ID
    wrong_id = "1103702071811"  # a valid ID, but not the applicant's
    _, said = validate(form, form_tracker(wrong_id, asked="national_id", reference_number=NEEDS_ID))
    assert "x-xxxx-xxxx1-81-1" in said[0]  # attempt 2: refused as someone else's
    events, said = validate(form, form_tracker("3101200456789", asked="national_id", reference_number=NEEDS_ID))
    assert said == [cool_down("th", 15)] and events == STOPPED  # even the right ID: no more lookups


def test_what_is_not_a_reference_is_not_an_attempt():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=1))
    for _ in range(3):
        _, said = validate(form, form_tracker("ไม่รู้เหมือนกัน"))
        assert said == [text("answers.status_bad_reference", "th")]
    _, said = validate(form, form_tracker(UNKNOWN))
    assert "ไม่พบคำขอเลขที่" in said[0]


def test_the_last_allowed_check_still_answers_then_the_form_is_not_started_again(catalogue):
    attempts = limited(attempts=1)
    form = ValidateCheckStatusForm(PROVIDER, attempts)
    events, said = validate(form, form_tracker(KNOWN))
    assert said == [] and {"event": "slot", "timestamp": None, "name": "reference_number", "value": KNOWN} in events
    dispatcher = CollectingDispatcher()
    done = form_tracker("", asked="", reference_number=KNOWN)
    asyncio.run(ActionCheckStatus(PROVIDER, catalogue, attempts).run(dispatcher, done, DOMAIN))
    assert KNOWN in dispatcher.messages[0]["text"]  # the one allowed check gets its answer

    # Asking again while cooling down: the cool-down, and the route that starts no form.
    dispatcher = CollectingDispatcher()
    again = form_tracker("เช็คสถานะคำขอ DOPA-2569-000124 หน่อย", asked="", intent="check_status")
    events = asyncio.run(ActionRouteStatus(catalogue, THRESHOLDS, attempts).run(dispatcher, again, DOMAIN))
    assert [m["text"] for m in dispatcher.messages] == [cool_down("th", 15)]
    assert events == [{"event": "slot", "timestamp": None, "name": "status_route", "value": "service"}]


def test_after_the_form_is_stopped_the_answer_step_says_nothing_more(catalogue):
    attempts = limited(attempts=1)
    validate(ValidateCheckStatusForm(PROVIDER, attempts), form_tracker(UNKNOWN))
    _, said = validate(ValidateCheckStatusForm(PROVIDER, attempts), form_tracker(UNKNOWN))
    assert said == [cool_down("th", 15)]
    # The rules run action_check_status once the form stops: it must not add "no reference number".
    dispatcher = CollectingDispatcher()
    stopped = form_tracker("", asked="")
    events = asyncio.run(ActionCheckStatus(PROVIDER, catalogue, attempts).run(dispatcher, stopped, DOMAIN))
    assert dispatcher.messages == [] and events[-1]["name"] == "national_id"


def test_without_a_limit_the_answer_step_still_names_a_missing_reference(catalogue):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCheckStatus(PROVIDER, catalogue).run(dispatcher, form_tracker("", asked=""), DOMAIN))
    assert dispatcher.messages[0]["text"] == text("answers.status_bad_reference", "th")


def test_checks_are_allowed_again_once_the_window_has_passed():
    form = ValidateCheckStatusForm(PROVIDER, limited(attempts=1, window_seconds=1))
    validate(form, form_tracker(UNKNOWN))
    _, said = validate(form, form_tracker(UNKNOWN))
    assert said == [text("status_attempts.cool_down", "th", wait=text("status_attempts.one_minute", "th"))]
    time.sleep(1.1)
    _, said = validate(form, form_tracker(UNKNOWN))
    assert "ไม่พบคำขอเลขที่" in said[0]


@pytest.mark.parametrize(("attempts", "window"), [(0, 60), (5, 0)])
def test_a_limit_needs_an_attempt_and_a_window(attempts, window):
    with pytest.raises(ValueError, match="at least 1 attempt"):
        AttemptLimit(attempts, window)

"""The status form works from the surrogate ID Rasa saw, and the stores keep only masked text."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from rasa_sdk.executor import CollectingDispatcher

from actions.api.id_vault import IdVault
from actions.api.status_provider import SampleStatusProvider
from actions.status_form import ValidateCheckStatusForm
from tests.actions.test_service_actions import tracker

PROVIDER = SampleStatusProvider()
REAL_ID = "3101200456789"  # DCA-2569-004567's applicant in the sample table
SENDER = "citizen-1"  # the sample tracker's conversation


def validate(form: ValidateCheckStatusForm, value: str, **slots):
    dispatcher = CollectingDispatcher()
    state = tracker("x", reference_number="DCA-2569-004567", **slots)
    result = asyncio.run(form.validate_national_id(value, dispatcher, state, {}))
    return result, [m["text"] for m in dispatcher.messages]


def test_the_status_form_resolves_a_surrogate_to_the_real_id_once():
    vault = IdVault()
    surrogate = vault.stand_in(SENDER, REAL_ID)
    assert surrogate != REAL_ID
    form = ValidateCheckStatusForm(PROVIDER, id_vault=vault)
    result, texts = validate(form, surrogate)
    assert result == {"national_id": surrogate} and texts == []  # the slot keeps what Rasa saw
    assert len(vault) == 0  # dropped after use
    again, texts = validate(form, surrogate)  # the same surrogate a second time: no longer known
    assert again == {"national_id": None} and "x-xxxx-xxxx6-78-9" in texts[0]


def test_a_surrogate_of_someone_elses_id_is_refused_with_the_real_ids_mask():
    vault = IdVault()
    surrogate = vault.stand_in(SENDER, "1103702071811")
    result, texts = validate(ValidateCheckStatusForm(PROVIDER, id_vault=vault), surrogate)
    assert result == {"national_id": None}
    assert "x-xxxx-xxxx1-81-1" in texts[0]  # the same last four digits the citizen typed


def test_a_surrogate_of_a_mistyped_id_gets_the_same_explanation():
    vault = IdVault()
    surrogate = vault.stand_in(SENDER, "3101200456788")  # wrong check digit
    result, texts = validate(ValidateCheckStatusForm(PROVIDER, id_vault=vault), surrogate)
    assert result == {"national_id": None} and "ไม่ตรงกับเลขตรวจสอบ" in texts[0]
    assert len(vault) == 0


def test_a_surrogate_is_only_resolved_in_its_own_conversation():
    vault = IdVault()
    surrogate = vault.stand_in("another-citizen", REAL_ID)
    result, _ = validate(ValidateCheckStatusForm(PROVIDER, id_vault=vault), surrogate)
    assert result == {"national_id": None}
    assert vault.take("another-citizen", surrogate) == REAL_ID


def test_the_vault_forgets_after_its_ttl_and_beyond_its_size():
    now = [0.0]
    vault = IdVault(ttl_seconds=60, max_entries=3, clock=lambda: now[0])
    first = vault.stand_in("c1", REAL_ID)
    now[0] = 61
    assert vault.take("c1", first) is None
    kept = [vault.stand_in(f"c{i}", REAL_ID) for i in range(5)]
    assert len(vault) == 3
    assert vault.take("c0", kept[0]) is None and vault.take("c4", kept[4]) == REAL_ID
    assert vault.forget("c3") == 1 and vault.take("c3", kept[3]) is None


def _rows(path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_handoff_transcripts_and_feedback_are_masked_on_write(conversations, tmp_path):
    said = "บัตร 1-1037-02071-81-1 โทร 081-234-5678 เมล somchai@gmail.com"
    conversations.request_handoff("c1", "web", "th", "asked", [{"from": "citizen", "text": said}])
    conversations.record_feedback("c1", "unhelpful", f"question {said}", "answer for 0812345678", None)
    assert conversations.add_comment_to_latest("c1", f"comment {said}")
    database = tmp_path / "conversations.db"
    stored = json.dumps(_rows(database, "SELECT * FROM handoff_requests") + _rows(database, "SELECT * FROM feedback"))
    for clear in ("1103702071811", "1-1037-02071-81-1", "081-234-5678", "0812345678", "somchai@gmail.com"):
        assert clear not in stored
    (transcript,) = _rows(database, "SELECT transcript FROM handoff_requests")[0]
    assert json.loads(transcript)[0]["text"] == "บัตร x-xxxx-xxxx1-81-1 โทร 08x-xxx-xx78 เมล s***@gmail.com"
    feedback = conversations.feedback()[0]
    assert feedback.comment == "comment บัตร x-xxxx-xxxx1-81-1 โทร 08x-xxx-xx78 เมล s***@gmail.com"
    assert feedback.answer == "answer for 08x-xxx-xx78"

"""The desk on a real database: take, reply, forward, release, close and cancel with the citizen's notices
in their language; a held conversation's messages stop at the desk; contacts left with consent; the
pick-up time-out told once; the figures."""

from __future__ import annotations

import asyncio

import pytest

from conversation.handoff.desk import CANCEL_COMMAND, CONTACT_COMMAND, HandoffDesk
from conversation.handoff.store import HandoffStateError
from texts import text


def run(coroutine):
    return asyncio.run(coroutine)


def ask(desk: HandoffDesk, conversations, sender: str = "web:a", lang: str = "th"):
    return conversations.request_handoff(
        sender, "web", lang, "asked", [{"from": "citizen", "text": "hi"}], now=desk.store.now()
    )


@pytest.mark.parametrize("lang", ["th", "en"])
def test_take_reply_release_tell_the_citizen_in_their_language(desk, conversations, lang):
    record = ask(desk, conversations, lang=lang)
    run(desk.take(record.id, "somchai", "Somchai J."))
    state = desk.widget_state("web:a")
    assert state.state == "with_officer" and state.officer == "Somchai J."
    assert [m.text for m in state.messages] == [text("handoff.officer_joined", lang, name="Somchai J.")]
    reply = run(desk.reply(record.id, "somchai", "สวัสดีค่ะ อีเมล a@b.co"))
    assert reply.author == "agent" and "a@b.co" not in reply.text
    after = state.messages[-1].id
    assert [m.id for m in desk.widget_state("web:a", after).messages] == [reply.id]
    run(desk.release(record.id, "somchai"))
    state = desk.widget_state("web:a", reply.id)
    assert state.state == "released" and state.officer is None
    assert [m.text for m in state.messages] == [text("handoff.bot_back", lang)]


def test_while_taken_the_citizens_message_goes_to_the_officer_not_the_bot(desk, conversations):
    record = ask(desk, conversations)
    assert run(desk.intercept("web:a", "ยังรออยู่ไหมครับ", "th")) is None  # waiting: the bot answers
    run(desk.take(record.id, "somchai", "Somchai"))
    held = run(desk.intercept("web:a", "เอกสารต้องใช้อะไรบ้าง", "th", reply_token="rt-1"))
    assert held is not None and held.with_officer and held.messages == []
    said = [m.text for m in desk.store.messages(record.id) if m.author == "citizen"]
    assert said == ["ยังรออยู่ไหมครับ", "เอกสารต้องใช้อะไรบ้าง"]
    assert desk.store.get(record.id).reply_token == "rt-1"
    assert run(desk.intercept("web:other", "hello", "en")) is None  # another conversation: untouched


def test_only_the_holder_replies_and_forward_moves_it(desk, conversations):
    record = ask(desk, conversations)
    with pytest.raises(HandoffStateError):
        run(desk.reply(record.id, "somchai", "hello"))  # nobody took it yet
    run(desk.take(record.id, "somchai", "Somchai"))
    with pytest.raises(HandoffStateError):
        run(desk.reply(record.id, "malee", "hello"))
    moved = run(desk.forward(record.id, "somchai", "malee", "Malee"))
    assert moved.assigned_to == "malee" and moved.status == "taken"
    assert desk.widget_state("web:a").officer == "Malee"
    assert run(desk.reply(record.id, "malee", "สวัสดีค่ะ")).agent == "malee"
    closed = run(desk.close(record.id, "malee", "answered"))
    assert closed.status == "closed" and closed.outcome == "answered"
    assert desk.widget_state("web:a").messages[-1].text == text("handoff.closed", "th")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_citizen_cancels_with_the_command(desk, conversations, lang):
    nothing = run(desk.intercept("web:a", CANCEL_COMMAND, lang))
    assert nothing.messages[0]["text"] == text("handoff.nothing_to_cancel", lang)
    record = ask(desk, conversations, lang=lang)
    run(desk.take(record.id, "somchai", "Somchai"))
    done = run(desk.intercept("web:a", CANCEL_COMMAND, lang))
    assert done.messages[0]["text"] == text("handoff.cancelled", lang) and not done.with_officer
    assert desk.widget_state("web:a").state == "cancelled"
    assert run(desk.intercept("web:a", "hello again", lang)) is None  # the bot answers again


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_contact_is_kept_with_consent_only(desk, conversations, lang):
    record = ask(desk, conversations, lang=lang)
    assert run(desk.intercept("web:a", "โทร 0812345678", lang)) is None  # not asked: not kept as contact
    assert desk.store.get(record.id).contact is None
    asked = run(desk.intercept("web:a", CONTACT_COMMAND, lang))
    assert asked.messages[0]["text"] == text("handoff.contact_ask", lang)
    wrong = run(desk.intercept("web:a", "081-23", lang))
    assert wrong.messages[0]["text"] == text("handoff.contact_not_found", lang)
    saved = run(desk.intercept("web:a", "somchai@example.com ครับ", lang))
    assert saved.messages[0]["text"] == text("handoff.contact_saved", lang)
    assert desk.store.get(record.id).contact == "somchai@example.com"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_nobody_takes_it_in_time_and_the_citizen_is_told_once(desk, conversations, clock, lang):
    ask(desk, conversations, lang=lang)
    assert run(desk.sweep()) == 0
    clock.advance(minutes=11)
    assert run(desk.sweep()) == 1
    assert run(desk.sweep()) == 0
    [notice] = desk.widget_state("web:a").messages
    assert notice.text == text("handoff.timeout", lang, minutes=10) and "1111" in notice.text
    # The notice asked for a contact: the next message with one is kept.
    run(desk.intercept("web:a", "0812345678", lang))
    assert desk.store.latest_for("web:a").contact == "0812345678"


def test_out_of_hours_there_is_no_time_out_notice(desk, conversations, clock):
    clock.advance(hours=12)  # 22:00 in Bangkok
    ask(desk, conversations)
    clock.advance(minutes=30)
    assert run(desk.sweep()) == 0


def test_figures_count_waits_officers_and_outcomes(desk, conversations, clock):
    a = ask(desk, conversations, "web:a")
    b = ask(desk, conversations, "web:b")
    ask(desk, conversations, "web:c")
    clock.advance(seconds=60)
    run(desk.take(a.id, "somchai", "Somchai"))
    clock.advance(seconds=120)
    run(desk.take(b.id, "malee", "Malee"))
    run(desk.close(a.id, "somchai", "answered"))
    run(desk.close(b.id, "malee", "referred"))
    figures = desk.figures(30)
    assert figures["requests"] == 3 and figures["taken"] == 2
    assert figures["per_agent"] == {"somchai": 1, "malee": 1}
    assert figures["outcomes"] == {"answered": 1, "referred": 1}
    assert figures["waiting_seconds"]["median"] == 120.0
    assert figures["waiting_seconds"]["p90"] == 168.0  # between 60 s and 180 s

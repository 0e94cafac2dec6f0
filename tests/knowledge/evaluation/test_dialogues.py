"""Reading dialogue files and judging a turn: a bad line or turn is named; each kind of expectation is
right only when the citizen would see what it asks for, in the language it asks for."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.evaluation.dialogues import (
    NO_QUICK_REPLY,
    Expectation,
    ReplyReading,
    judge,
    load_dialogues,
    service_ids,
    summarise,
)

DIALOGUE = {
    "id": "d-1",
    "lang": "mixed",
    "persona": "parent",
    "situation": "asks vaguely, picks, then wants English",
    "turns": [
        {
            "text": "สอบถามเรื่องบัตรประชาชน",
            "type": "open_vague",
            "expect": {"ask_back_includes": ["id-card-renewal", "id-card-replacement-lost-damaged"], "lang": "th"},
        },
        {
            "pick": "id-card-renewal",
            "fallback_text": "บัตรหมดอายุ",
            "type": "pick",
            "expect": {"service": "id-card-renewal", "field": None, "lang": "th"},
        },
        {"press_language": "en", "type": "widget_switch", "expect": {"service": "id-card-renewal", "lang": "en"}},
        {
            "text": "How much?",
            "type": "follow_up",
            "expect": {"service": "id-card-renewal", "field": "fees", "lang": "en"},
        },
        {"text": "thanks", "type": "closing", "tags": ["colloquial"], "expect": {"any": True, "lang": "en"}},
    ],
}


def _write(tmp_path, *rows):
    path = tmp_path / "dialogues.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_valid_dialogue_reads_back(tmp_path):
    [dialogue] = load_dialogues(_write(tmp_path, DIALOGUE))
    assert [t.action for t in dialogue.turns] == ["text", "pick", "press_language", "text", "text"]
    assert [t.expect.kind for t in dialogue.turns] == ["ask_back", "service", "service", "service", "any"]
    assert dialogue.turns[3].expect.field == "fees" and dialogue.turns[4].tags == ("colloquial",)
    assert service_ids([dialogue]) == {"id-card-renewal", "id-card-replacement-lost-damaged"}


def _with_turn(turn):
    return DIALOGUE | {"turns": [DIALOGUE["turns"][0], turn]}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (DIALOGUE | {"id": ""}, "'id' must be a non-empty string"),
        (DIALOGUE | {"lang": "th"}, "'lang' must be the one reply language"),
        (DIALOGUE | {"turns": DIALOGUE["turns"][:1]}, "2 to 6 turns"),
        (DIALOGUE | {"turns": DIALOGUE["turns"][1:]}, "the first turn must send text"),
        (_with_turn({"text": "x", "type": "chat", "expect": {"any": True, "lang": "th"}}), "turn 2: type must be"),
        (
            _with_turn({"text": "x", "pick": "a", "type": "pick", "expect": {"any": True, "lang": "th"}}),
            "exactly one of",
        ),
        (_with_turn({"pick": "a", "type": "pick", "expect": {"any": True, "lang": "th"}}), "fallback_text"),
        (_with_turn({"text": "x", "type": "closing", "expect": {"any": True, "lang": "fr"}}), "expect.lang"),
        (_with_turn({"text": "x", "type": "closing", "expect": {"lang": "th"}}), "exactly one of 'service'"),
        (
            _with_turn({"text": "x", "type": "follow_up", "expect": {"service": "a", "field": "price", "lang": "th"}}),
            "expect.field",
        ),
        (_with_turn({"text": "x", "type": "closing", "tags": ["rude"], "expect": {"any": True, "lang": "th"}}), "tags"),
    ],
)
def test_a_bad_dialogue_is_named(tmp_path, row, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_dialogues(_write(tmp_path, row))


def test_a_repeated_id_and_an_empty_file_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"dialogues.jsonl:2: duplicate id 'd-1'"):
        load_dialogues(_write(tmp_path, DIALOGUE, DIALOGUE))
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no dialogues"):
        load_dialogues(tmp_path / "empty.jsonl")


FEES = Expectation(lang="en", service="id-card-renewal", field="fees")


@pytest.mark.parametrize(
    ("expect", "reading", "outcome"),
    [
        (FEES, ReplyReading(True, "en", "id-card-renewal", (), frozenset({"fees", "documents"})), "right"),
        (FEES, ReplyReading(True, "en", "id-card-renewal", (), frozenset({"documents"})), "field_not_shown"),
        (FEES, ReplyReading(True, "th", "id-card-renewal", (), frozenset({"fees"})), "wrong_language"),
        (FEES, ReplyReading(True, "en", "id-card-first-issue", (), frozenset({"fees"})), "wrong_service"),
        (FEES, ReplyReading(True, "en", None, ("id-card-renewal",)), "asked_back"),
        (FEES, ReplyReading(True, "en"), "no_answer"),
        (FEES, ReplyReading(False), "error"),
        (Expectation(lang="en", service="id-card-renewal"), ReplyReading(True, "en", "id-card-renewal"), "right"),
        (Expectation(lang="th", no_card=True), ReplyReading(True, "th", None, ("id-card-renewal",)), "right"),
        (Expectation(lang="th", no_card=True), ReplyReading(True, "th", "id-card-renewal"), "unrelated_answer"),
        (
            Expectation(lang="th", ask_back_includes=("a", "b")),
            ReplyReading(True, "th", None, ("b", "c", "a")),
            "right",
        ),
        (
            Expectation(lang="th", ask_back_includes=("a", "b")),
            ReplyReading(True, "th", None, ("a",)),
            "ask_back_incomplete",
        ),
        (Expectation(lang="th", ask_back_includes=("a",)), ReplyReading(True, "th", "a", ("a",)), "answered_instead"),
        (Expectation(lang="th", any=True), ReplyReading(True, "th"), "right"),
        (Expectation(lang="th", any=True), ReplyReading(True, "en"), "wrong_language"),
    ],
)
def test_judge(expect, reading, outcome):
    verdict = judge(expect, reading)
    assert (verdict.outcome, verdict.right) == (outcome, outcome == "right")
    assert verdict.language_ok == (reading.ok and reading.language == expect.lang)


def test_summary_counts_turns_dialogues_and_types(tmp_path):
    dialogue = load_dialogues(_write(tmp_path, DIALOGUE))[0]
    right = judge(Expectation(lang="en", any=True), ReplyReading(True, "en"))
    wrong = judge(Expectation(lang="en", any=True), ReplyReading(True, "th"))
    summary = summarise([dialogue, dialogue], [[right] * 5, [right, NO_QUICK_REPLY, right, wrong, right]])
    assert summary["turns"] == {"n": 10, "right": 8, "rate": 0.8}
    assert summary["dialogues"] == {"n": 2, "right": 1, "rate": 0.5}
    assert summary["by_type"]["pick"] == {"n": 2, "right": 1, "rate": 0.5}
    assert list(summary["by_type"]) == ["open_vague", "pick", "follow_up", "widget_switch", "closing"]
    assert summary["by_tag"] == {"colloquial": {"n": 2, "right": 2, "rate": 1.0}}
    assert summary["reply_language"] == {"n": 9, "right": 8, "rate": 0.8889}  # no reply to a missing quick reply
    assert summary["outcomes"] == {"no_quick_reply": 1, "right": 8, "wrong_language": 1}
    with pytest.raises(ValueError, match="one verdict per turn"):
        summarise([dialogue], [[right]])

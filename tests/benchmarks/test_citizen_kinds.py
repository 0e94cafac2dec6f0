"""The citizen-kinds benchmark's scoring, on hand-made ``/api/chat`` replies and search results (no stack).

What a citizen notices decides the score: the first service card is the answer; a reply that offers
services as quick replies instead asked back; outside the catalogue, any card is an unrelated card.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("citizen_kinds", ROOT / "benchmarks" / "citizen_kinds.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["citizen_kinds"] = bench
_spec.loader.exec_module(bench)

CATALOGUE = [
    {"id": "passport-first-issue", "title": {"th": "ทำหนังสือเดินทางครั้งแรก", "en": "Getting your first passport"}},
    {"id": "passport-renewal", "title": {"th": "ต่ออายุหนังสือเดินทาง", "en": "Renewing your passport"}},
    {"id": "id-card-renewal", "title": {"th": "ต่ออายุบัตรประจำตัวประชาชน", "en": "Renewing your ID card"}},
]
TITLES = bench.title_index(CATALOGUE)


def _question(kind: str = "sibling", relevant: tuple[str, ...] = ("passport-renewal",), lang: str = "th") -> dict:
    return {"id": "q1", "text": "ต่อพาสปอร์ต", "relevant": list(relevant), "lang": lang, "kind": kind}


def _card(service_id: str, lang: str = "th") -> dict[str, Any]:
    return {"type": "card", "card": {"type": "service_card", "lang": lang, "service_id": service_id, "title": "..."}}


def _reply(*messages: dict[str, Any], language: str = "th") -> dict[str, Any]:
    return {"sender": "s", "language": language, "status": "ok", "messages": list(messages)}


LIFE_EVENT_MENU = {
    "type": "quick_replies",
    "text": "ไม่พบบริการที่ตรงกับคำถาม",
    "options": [{"label": "มีลูก", "payload": '/browse_life_event{"life_event":"birth"}'}],
}


def test_the_first_card_is_the_answer_even_after_text_and_before_other_cards():
    reply = _reply(
        {"type": "text", "text": "ต่ออายุหนังสือเดินทาง ..."},
        _card("passport-renewal"),
        _card("passport-first-issue"),
    )
    outcome = bench.score_chat_reply(_question(), reply, TITLES)
    assert (outcome.right, outcome.outcome, outcome.got, outcome.language_ok) == (
        True,
        "right",
        "passport-renewal",
        True,
    )


def test_the_sibling_card_is_wrong_and_related_buttons_after_it_do_not_rescue_it():
    related = {"type": "quick_replies", "text": "ที่เกี่ยวข้อง", "options": [{"label": "ต่ออายุหนังสือเดินทาง"}]}
    outcome = bench.score_chat_reply(_question(), _reply(_card("passport-first-issue"), related), TITLES)
    assert (outcome.right, outcome.outcome, outcome.got, outcome.candidates) == (
        False,
        "wrong",
        "passport-first-issue",
        (),
    )


def test_candidates_as_quick_replies_without_a_card_is_asking_back_not_right_first():
    ask = {
        "type": "quick_replies",
        "text": "ทำครั้งแรก หรือ ต่ออายุเล่มเดิม?",
        "options": [
            {"label": "ทำหนังสือเดินทางครั้งแรก", "payload": "ทำหนังสือเดินทางครั้งแรก"},
            {"label": "Renewing your passport", "payload": "Renewing your passport"},
            {"label": "มีลูก", "payload": '/browse_life_event{"life_event":"birth"}'},  # names no service
        ],
    }
    outcome = bench.score_chat_reply(_question(), _reply(ask), TITLES)
    assert (outcome.right, outcome.outcome) == (False, "asked_back")
    assert outcome.candidates == ("passport-first-issue", "passport-renewal")
    assert outcome.right_offered


def test_candidates_are_recognised_by_an_entity_payload_or_a_cut_label():
    long_title = "Renewing your passport at a Thai embassy or consulate abroad, or at a passport office in Thailand"
    catalogue = [*CATALOGUE, {"id": "passport-abroad", "title": {"th": "ต่อพาสปอร์ตที่ต่างประเทศ", "en": long_title}}]
    ask = {
        "type": "quick_replies",
        "text": "Which one?",
        "options": [
            {"label": "First time", "payload": '/choose_service{"service_id":"passport-first-issue"}'},
            {"label": long_title[:80], "payload": "x"},  # the gateway cuts labels at 80 characters
            {"label": "Something else", "payload": "/out_of_scope"},
        ],
    }
    found = bench.candidate_services([ask], bench.title_index(catalogue))
    assert found == ["passport-first-issue", "passport-abroad"]


def test_no_card_and_no_candidates_is_no_answer_inside_the_catalogue():
    outcome = bench.score_chat_reply(_question(), _reply(LIFE_EVENT_MENU), TITLES)
    assert (outcome.right, outcome.outcome, outcome.candidates) == (False, "no_answer", ())


def test_outside_the_catalogue_right_means_no_service_card():
    question = _question(kind="out_of_catalogue", relevant=())
    declined = bench.score_chat_reply(question, _reply(LIFE_EVENT_MENU), TITLES)
    unrelated = bench.score_chat_reply(question, _reply(_card("id-card-renewal")), TITLES)
    assert (declined.right, declined.outcome, declined.in_catalogue) == (True, "declined", False)
    assert (unrelated.right, unrelated.outcome, unrelated.got) == (False, "wrong", "id-card-renewal")


def test_reply_language_must_be_the_questions_language():
    english = _question(kind="english", lang="en")
    outcome = bench.score_chat_reply(english, _reply(_card("passport-renewal", "th"), language="th"), TITLES)
    assert outcome.right and outcome.language_ok is False


def test_a_failed_request_is_an_error_never_a_right_answer_even_outside_the_catalogue():
    for question in (_question(), _question(kind="out_of_catalogue", relevant=())):
        for reply in (None, {"error": {"code": "rasa_unavailable"}}):
            outcome = bench.score_chat_reply(question, reply, TITLES)
            assert (outcome.right, outcome.outcome, outcome.language_ok) == (False, "error", False)


def test_search_top_hit_answers_only_at_or_above_the_threshold():
    question, outside = _question(), _question(kind="out_of_catalogue", relevant=())
    ranked = [["passport-renewal", 0.62], ["passport-first-issue", 0.60]]
    assert bench.score_search_top(question, ranked, 0.45).outcome == "right"
    assert bench.score_search_top(question, ranked, 0.62).right  # at the threshold it still answers
    low = bench.score_search_top(question, ranked, 0.70)
    assert (low.right, low.outcome, low.got) == (False, "no_answer", None)
    assert bench.score_search_top(question, [["passport-first-issue", 0.9]], 0.45).outcome == "wrong"
    assert bench.score_search_top(outside, ranked, 0.70).right
    assert not bench.score_search_top(outside, ranked, 0.45).right
    assert bench.score_search_top(outside, [], 0.45).outcome == "declined"


def _outcome(kind: str, outcome: str, language_ok: bool | None = True) -> Any:
    inside = kind != "out_of_catalogue"
    right = outcome == "right" if inside else outcome in ("declined", "asked_back")
    return bench.Outcome("q", kind, inside, right, outcome, language_ok=language_ok)


def test_summary_by_kind_overall_ask_back_and_language():
    outcomes = [
        _outcome("formal", "right"),
        _outcome("formal", "wrong"),
        _outcome("sibling", "asked_back"),
        _outcome("sibling", "right", language_ok=False),
        _outcome("out_of_catalogue", "declined"),
        _outcome("out_of_catalogue", "wrong"),
        _outcome("out_of_catalogue", "wrong"),
        _outcome("out_of_catalogue", "declined"),
    ]
    summary = bench.summarise(outcomes)
    assert list(summary["by_kind"]) == ["formal", "sibling", "out_of_catalogue"]
    assert summary["by_kind"]["formal"] == {
        "n": 2,
        "right": 1,
        "rate": 0.5,
        "asked_back": 0,
        "ask_back_rate": 0.0,
    }
    assert summary["by_kind"]["sibling"]["ask_back_rate"] == 0.5
    assert summary["by_kind"]["out_of_catalogue"]["rate"] == 0.5
    assert summary["overall"] == {"n": 4, "right": 2, "rate": 0.5}  # questions in the catalogue only
    assert summary["all_questions"] == {"n": 8, "right": 4, "rate": 0.5}
    assert summary["asked_back"]["count"] == 1 and summary["asked_back"]["rate"] == 0.25
    assert summary["reply_language"] == {"n": 8, "right": 7, "rate": 0.875}
    assert summary["outcomes"] == {"asked_back": 1, "declined": 2, "right": 2, "wrong": 3}


def test_search_summaries_have_no_ask_back_or_language_rows():
    summary = bench.summarise([_outcome("formal", "right", language_ok=None)], asks_back=False)
    assert "asked_back" not in summary and "reply_language" not in summary
    assert "asked_back" not in summary["by_kind"]["formal"]


def test_side_by_side_shows_both_versions_and_the_change_from_the_counts():
    before = bench.summarise([_outcome("misspelt", "wrong")] * 2 + [_outcome("misspelt", "right")])
    after = bench.summarise([_outcome("misspelt", "right")] * 2 + [_outcome("misspelt", "asked_back")])
    rows = {row["row"]: row for row in bench.side_by_side({"baseline": before, "change": after})}
    assert rows["misspelt"]["baseline"] == pytest.approx(1 / 3, abs=1e-4)
    assert rows["misspelt"]["change"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows["misspelt"]["delta"] == pytest.approx(1 / 3, abs=1e-4)
    assert rows["asked_back"]["change"] == pytest.approx(1 / 3, abs=1e-4)
    table = bench.format_table(list(rows.values()), {"baseline": "main 4c68aa9", "change": "working tree"})
    misspelt = next(line for line in table.splitlines() if line.startswith("misspelt Thai"))
    assert misspelt.split() == ["misspelt", "Thai", "3", "33.3", "%", "66.7", "%", "+33.3"]
    assert "main 4c68aa9" in table.splitlines()[0]


def test_kinds_keep_the_issues_order_and_unknown_kinds_come_last():
    assert bench.ordered_kinds(["zzz", "out_of_catalogue", "english", "formal"]) == [
        "formal",
        "english",
        "out_of_catalogue",
        "zzz",
    ]


def test_the_layout_is_found_on_disk(tmp_path: Path):
    for package in ("bot", "gateway"):
        tree = tmp_path / package
        for module in ("settings", "runtime", "cli"):
            (tree / package).mkdir(parents=True, exist_ok=True)
            (tree / package / f"{module}.py").write_text("")
        assert bench.gateway_package(tree) == package
    (tmp_path / "gateway" / "bot").mkdir()  # since issue 10 bot/ is only the Rasa project
    assert bench.gateway_package(tmp_path / "gateway") == "gateway"
    with pytest.raises(FileNotFoundError):
        bench.gateway_package(tmp_path / "nothing")


def test_questions_need_every_field(tmp_path: Path):
    good = {"id": "q", "text": "ต่อพาสปอร์ต", "relevant": [], "lang": "th", "kind": "out_of_catalogue"}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n\n", encoding="utf-8")
    assert bench.load_questions(path) == [good]
    path.write_text(json.dumps({k: v for k, v in good.items() if k != "kind"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:1: needs"):
        bench.load_questions(path)


def test_the_real_dev_split_loads_and_every_label_is_a_known_kind():
    questions = bench.load_questions(bench.SPLITS["dev"])
    assert {q["kind"] for q in questions} <= set(bench.KIND_LABELS)

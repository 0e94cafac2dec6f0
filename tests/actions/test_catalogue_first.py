"""An FAQ or out-of-scope reading still searches the catalogue; an unsure one that names a service answers it."""

from __future__ import annotations

from actions.catalogue_first import ActionAnswerOrRespond
from tests.actions.test_service_actions import THRESHOLDS, run, tracker

HOTLINE = {
    "response_selector": {
        "faq": {"response": {"utter_action": "utter_faq/government_hotline_1111", "confidence": 0.7}},
    }
}


def test_an_unsure_faq_reading_that_names_a_service_is_answered_about_the_service(catalogue):
    words = "บัตรทองใช้สิทธิฉุกเฉินวิกฤตที่โรงพยาบาลเอกชนได้ไหม"
    events, messages = run(ActionAnswerOrRespond(catalogue, THRESHOLDS), tracker(words, intent="faq", confidence=0.6))
    assert any(m.get("custom", {}).get("service_id") == "emergency-care-ucep" for m in messages)
    assert {"event": "slot", "timestamp": None, "name": "service_id", "value": "emergency-care-ucep"} in events


def test_a_sure_faq_keeps_the_answer_the_response_selector_chose(catalogue):
    question = tracker("1111 คือเบอร์อะไร", intent="faq", confidence=0.99, message=HOTLINE)
    events, messages = run(ActionAnswerOrRespond(catalogue, THRESHOLDS), question)
    assert events == [] and [m["response"] for m in messages] == ["utter_faq/government_hotline_1111"]


def test_the_one_shared_response_selector_answers_a_sure_faq(catalogue):
    # config.yml has one ResponseSelector for every retrieval intent: Rasa reports its pick under
    # "default", not under the intent's name (seen on the trained model: "โทรแจ้งได้ไหม เบอร์อะไร").
    shared = {
        "response_selector": {
            "all_retrieval_intents": ["chitchat", "faq"],
            "default": {
                "response": {"utter_action": "utter_faq/emergency_numbers", "confidence": 0.85},
                "ranking": [],
            },
        }
    }
    question = tracker("โทรแจ้งได้ไหม เบอร์อะไร", intent="faq", confidence=0.998, message=shared)
    _, messages = run(ActionAnswerOrRespond(catalogue, THRESHOLDS), question)
    assert [m["response"] for m in messages] == ["utter_faq/emergency_numbers"]


def test_out_of_scope_without_a_service_is_declined_as_before(catalogue):
    for confidence in (0.99, 0.5):
        question = tracker("วันนี้อากาศเป็นยังไง", intent="out_of_scope", confidence=confidence)
        _, messages = run(ActionAnswerOrRespond(catalogue, THRESHOLDS), question)
        assert [m["response"] for m in messages] == ["utter_out_of_scope"]

"""When "report a problem" (the intent) really starts a report: the words decide, with the real
catalogue's routing and the real problem-type classifier."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.report_actions import ActionReportProblem
from gateway.settings import SearchSettings
from knowledge.reports.classifier import default_classifier

THRESHOLDS = SearchSettings().thresholds()


def _run(catalogue, words: str, lang: str = "th") -> list[dict]:
    tracker = Tracker(
        "citizen",
        {"language": lang},
        {"text": words, "intent": {"name": "report_problem", "confidence": 0.95}, "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    action = ActionReportProblem(catalogue, THRESHOLDS, default_classifier)
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def _starts(messages: list[dict]) -> bool:
    return any((message.get("custom") or {}).get("report") == "start" for message in messages)


@pytest.mark.parametrize(
    "words",
    [
        "อยากแจ้งปัญหา",
        "I want to report a problem",
        "ไฟทางเดินในหมู่บ้านดับมาสามวันแล้ว อยากแจ้งให้มาซ่อม",
        "ขอแจ้งเรื่องท่อน้ำแตกหน้าปากซอยครับ",
        "น้ำประปาไม่ไหล อยากแจ้งเรื่อง",
        "มีขยะกองอยู่ริมถนน อยากให้มาเก็บ",
        "I'd like to report a pothole on my road",
        "/report_problem",
    ],
)
def test_a_problem_or_the_request_alone_starts_a_report(catalogue, words):
    assert _starts(_run(catalogue, words))


@pytest.mark.parametrize(
    "words",
    [
        "ขอใบอนุญาตตกปลาในเขื่อนหน่อยครับ",
        "How do I renew my passport?",
        "แจ้งเกิดลูกต้องใช้เอกสารอะไรบ้าง",
        "แจ้งตายต้องไปที่ไหน",
        "บัตรประชาชนหาย ต้องแจ้งความไหม",
    ],
)
def test_a_catalogue_question_the_model_took_for_a_report_gets_the_catalogue(catalogue, words):
    messages = _run(catalogue, words)
    assert not _starts(messages) and messages  # answered (a card, a choice or "not in my catalogue")


def _status(words: str, lang: str = "th") -> list[dict]:
    from actions.report_actions import ActionReportStatus

    tracker = Tracker(
        "citizen",
        {"language": lang},
        {"text": words, "intent": {"name": "report_status", "confidence": 0.9}, "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionReportStatus().run(dispatcher, tracker, {}))
    return dispatcher.messages


@pytest.mark.parametrize(
    "words", ["เรื่องที่แจ้งไว้ถึงไหนแล้ว", "ติดตามเรื่องร้องเรียน", "what happened to my report", "/report_status"]
)
def test_asking_about_a_report_lists_the_reports(words):
    [message] = _status(words)
    assert message["custom"] == {"report": "status"}


def test_a_status_question_about_an_application_offers_both_checks():
    [message] = _status("เรื่องที่ยื่นไว้ถึงไหนแล้ว")
    assert [button["payload"] for button in message["buttons"]] == ["/check_status", "/report_status"]
    assert message["buttons"][1]["title"] == "เรื่องที่ฉันแจ้งไว้"

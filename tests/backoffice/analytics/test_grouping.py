"""Unanswered messages in groups, with the project's own sentence encoder: rewordings of one question
together (in Thai and English), different questions apart, the same groups and ids every time."""

from __future__ import annotations

import datetime as dt

from backoffice.analytics import grouping
from backoffice.analytics.grouping import group_id, group_messages, normalised_key
from backoffice.analytics.queries import UnansweredMessage

START = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def messages(*texts: str) -> list[UnansweredMessage]:
    return [
        UnansweredMessage(text, START + dt.timedelta(minutes=i), "out_of_catalogue", "web", "th", None)
        for i, text in enumerate(texts)
    ]


def test_normalised_text_folds_case_spacing_punctuation_and_elongation():
    assert normalised_key("  แมวหาย!!  ทำไงดีคะะะ ") == normalised_key("แมวหาย ทำไงดีคะ")
    assert normalised_key("Lost   my CAT?") == "lost my cat"
    assert normalised_key("...") == ""


def test_without_an_encoder_only_the_same_words_group():
    groups = group_messages(messages("แมวหาย", "แมวหาย!", "สุนัขหาย", "แมวหาย"))
    assert [(g.count, g.examples()) for g in groups] == [(3, ["แมวหาย", "แมวหาย!"]), (1, ["สุนัขหาย"])]
    assert groups[0].first_seen == START and groups[0].last_seen == START + dt.timedelta(minutes=3)
    assert groups[0].id == group_id(normalised_key("แมวหาย"))


def test_rewordings_of_one_question_group_and_different_questions_do_not(embedder):
    said = messages(
        "บัตรประชาชนหายทำยังไง",
        "ทำบัตรประชาชนหาย ต้องทำอย่างไร",
        "บัตรประชาชนหายทำยังไง",
        "จดทะเบียนสมรสที่ไหน",
        "where to register marriage",
        "ขอใบอนุญาตขายเหล้า",
        "แมวหาย",
    )
    groups = group_messages(said, embedder)
    as_sets = [set(g.messages) for g in groups]
    assert {"บัตรประชาชนหายทำยังไง", "ทำบัตรประชาชนหาย ต้องทำอย่างไร"} in as_sets
    assert {"จดทะเบียนสมรสที่ไหน", "where to register marriage"} in as_sets
    assert {"ขอใบอนุญาตขายเหล้า"} in as_sets and {"แมวหาย"} in as_sets
    assert groups[0].count == 3 and groups[0].examples()[0] == "บัตรประชาชนหายทำยังไง"  # the largest first
    again = group_messages(list(reversed(said)), embedder)
    assert [(g.id, g.count) for g in again] == [(g.id, g.count) for g in groups]


def test_only_the_largest_groups_are_compared_by_meaning(embedder, monkeypatch):
    monkeypatch.setattr(grouping, "MAX_EMBEDDED", 1)
    said = messages("บัตรประชาชนหายทำยังไง", "บัตรประชาชนหายทำยังไง", "แมวหาย", "ทำบัตรประชาชนหาย ต้องทำอย่างไร")
    groups = group_messages(said, embedder)
    # Only the largest group is embedded: the rewording, beyond the cap, stays a group of its own.
    assert sorted(g.count for g in groups) == [1, 1, 2]

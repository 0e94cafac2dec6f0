"""The analytics figures over real turn events and ratings, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.api.conversation_store import ConversationStore, FeedbackRecord
from backoffice.analytics import queries
from backoffice.analytics.filters import parse_filters
from conversation.turn_events import Outcome, TurnEvent, TurnEventStore

# 18:00 UTC is 01:00 the next day in Bangkok: these turns fall on 1 and 2 December, Thai time.
DAY1 = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
DAY2 = DAY1 + dt.timedelta(days=1)


@pytest.fixture
def stores(sql_url):
    conversations = ConversationStore(sql_url)
    events = TurnEventStore(conversations.engine)
    yield conversations, events
    conversations.close()


def add(events: TurnEventStore, at: dt.datetime, outcome: Outcome, message: str = "q", **extra) -> None:
    values = {"channel": "web", "language": "th", "status": "ok", "duration_ms": 100.0, **extra}
    events.record(TurnEvent(f"web:{at.timestamp()}", message=message, outcome=outcome, at=at, **values))


@pytest.fixture
def turns(stores):
    conversations, events = stores
    add(events, DAY1, Outcome.ANSWERED, service_id="id-card-renewal", duration_ms=100, top_score=0.8)
    add(
        events,
        DAY1,
        Outcome.ANSWERED,
        service_id="id-card-renewal",
        duration_ms=200,
        top_score=0.35,
        message="ต่อบัตรแบบไหน",
    )
    add(events, DAY1, Outcome.ANSWERED, service_id="passport-new", duration_ms=300, channel="line", language="en")
    add(events, DAY1, Outcome.OUT_OF_CATALOGUE, message="แมวหาย", duration_ms=400)
    add(events, DAY2, Outcome.FALLBACK, message="ทำพาสปอร์ต", status="rasa_unavailable", duration_ms=500)
    add(events, DAY2, Outcome.HANDOFF, message="/affirm", tapped=True, duration_ms=600)
    add(events, DAY2, Outcome.OTHER, message="สวัสดี", status="degraded", duration_ms=700)
    add(events, DAY2 + dt.timedelta(days=5), Outcome.OTHER, message="later")  # outside the range below
    return conversations, events


def test_questions_per_day_count_typed_questions_by_thai_day_channel_and_language(turns):
    _conversations, events = turns
    filters = parse_filters("2026-12-01", "2026-12-02")
    assert queries.questions_per_day(events.engine, filters) == [
        {"day": "2026-12-01", "channel": "line", "language": "en", "questions": 1},
        {"day": "2026-12-01", "channel": "web", "language": "th", "questions": 3},
        {"day": "2026-12-02", "channel": "web", "language": "th", "questions": 2},  # the tap is not a question
    ]
    only_line = parse_filters("2026-12-01", "2026-12-02", channel="line")
    assert [row["questions"] for row in queries.questions_per_day(events.engine, only_line)] == [1]


def test_the_summary_figures(turns):
    conversations, events = turns
    conversations.record_feedback("web:a", "helpful", "q", "a", "id-card-renewal")
    conversations.record_feedback("web:b", "unhelpful", "q", "a", "id-card-renewal")
    conversations.record_feedback("line:c", "helpful", "q", "a", "passport-new")
    with conversations.engine.begin() as connection:  # rated on the first day of the range
        connection.execute(FeedbackRecord.__table__.update().values(created_at=DAY1))
    filters = parse_filters("2026-12-01", "2026-12-02")
    figures = queries.summary(events.engine, filters)
    assert figures["questions"] == 6 and figures["turns"] == 7  # the tap is a turn, not a question
    assert figures["outcomes"]["questions"]["answered"] == 3
    assert figures["outcomes"]["statuses"]["degraded"] == 1
    assert figures["top_services"] == [
        {"service_id": "id-card-renewal", "count": 2, "share": 0.6667},
        {"service_id": "passport-new", "count": 1, "share": 0.3333},
    ]
    # Not matched: the out-of-catalogue and the fallback turn, of six typed questions.
    assert figures["rates"]["fallback"] == round(2 / 6, 4)
    assert figures["rates"]["handoff"] == round(1 / 6, 4)
    assert figures["rates"]["degraded"] == round(1 / 7, 4)
    ratings = {row["service_id"]: row for row in figures["ratings"]}
    assert ratings["id-card-renewal"]["helpful_share"] == 0.5 and ratings["passport-new"]["helpful"] == 1
    line_only = queries.ratings_per_service(events.engine, parse_filters(filters.first_day, filters.last_day, "line"))
    assert [row["service_id"] for row in line_only] == ["passport-new"]


def test_turn_time_percentiles_are_nearest_rank_over_the_range(turns):
    _conversations, events = turns
    timing = queries.turn_time(events.engine, parse_filters("2026-12-01", "2026-12-02"))
    assert (timing.p50_ms, timing.p95_ms, timing.sample) == (400.0, 700.0, 7)
    assert queries.percentile([], 0.5) is None


def test_the_unanswered_messages_are_unmatched_or_weakly_answered_typed_ones(turns):
    _conversations, events = turns
    filters = parse_filters("2026-12-01", "2026-12-02")
    found = queries.unanswered_messages(events.engine, filters)
    assert [(m.message, m.outcome) for m in found] == [
        ("ทำพาสปอร์ต", "fallback"),
        ("แมวหาย", "out_of_catalogue"),
        ("ต่อบัตรแบบไหน", "answered"),  # answered with a top score under the low-score line
    ]
    strict = queries.unanswered_messages(events.engine, filters, low_score=0.3)
    assert [m.message for m in strict] == ["ทำพาสปอร์ต", "แมวหาย"]
    assert all(m.at.tzinfo is not None for m in found)


def test_the_turn_rows_leave_out_the_conversation(turns):
    _conversations, events = turns
    rows = list(queries.turn_rows(events.engine, parse_filters("2026-12-01", "2026-12-01")))
    assert len(rows) == 4 and "conversation_id" not in rows[0]
    assert rows[0]["at"].endswith("+00:00")

"""The analytics figures, read from the turn events and the ratings (docs/analytics.md defines each).

SQLAlchemy core over ``turn_events`` (conversation/turn_events.py) and ``feedback``
(actions/api/conversation_store.py), both in the conversations database: the same SQL on SQLite
and PostgreSQL. Counting and grouping happen in the database; percentiles are computed here over
the most recent :data:`MAX_DURATIONS` turns of the range, which bounds the query.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from actions.api.conversation_store import FeedbackRecord
from backoffice.analytics.filters import Filters
from conversation.turn_events import UNMATCHED, Outcome, turn_events

__all__ = [
    "DEFAULT_LOW_SCORE",
    "MAX_DURATIONS",
    "MAX_UNANSWERED",
    "TurnTime",
    "UnansweredMessage",
    "outcome_counts",
    "percentile",
    "questions_per_day",
    "ratings_per_service",
    "summary",
    "top_services",
    "turn_rows",
    "turn_time",
    "unanswered_messages",
]

MAX_DURATIONS = 100_000
MAX_UNANSWERED = 5_000  # the most recent unanswered messages of the range that are grouped
# An answer whose top search score is below this counts as unanswered too: above search.min_score
# (0.325), so the bot answered, but barely; such answers are the ones most often wrong.
DEFAULT_LOW_SCORE = 0.4

_t = turn_events.c


def _where(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [_t.day >= filters.first_day, _t.day <= filters.last_day]
    if filters.channel:
        conditions.append(_t.channel == filters.channel)
    if filters.language:
        conditions.append(_t.language == filters.language)
    return conditions


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def questions_per_day(engine: Engine, filters: Filters) -> list[dict[str, Any]]:
    """Typed questions (not button taps) per Thai calendar day, channel and language."""
    query = (
        select(_t.day, _t.channel, _t.language, func.count().label("questions"))
        .where(*_where(filters), _t.tapped.is_(False))
        .group_by(_t.day, _t.channel, _t.language)
        .order_by(_t.day, _t.channel, _t.language)
    )
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def outcome_counts(engine: Engine, filters: Filters) -> dict[str, dict[str, int]]:
    """Turns per outcome, all and typed only, and per status (``degraded`` ...)."""
    by_outcome = (
        select(_t.outcome, _t.tapped, func.count().label("n")).where(*_where(filters)).group_by(_t.outcome, _t.tapped)
    )
    by_status = select(_t.status, func.count().label("n")).where(*_where(filters)).group_by(_t.status)
    turns = {outcome.value: 0 for outcome in Outcome}
    typed = dict(turns)
    with engine.connect() as connection:
        for row in connection.execute(by_outcome):
            turns[row.outcome] = turns.get(row.outcome, 0) + row.n
            if not row.tapped:
                typed[row.outcome] = typed.get(row.outcome, 0) + row.n
        statuses = {row.status: row.n for row in connection.execute(by_status)}
    return {"turns": turns, "questions": typed, "statuses": dict(sorted(statuses.items()))}


def top_services(engine: Engine, filters: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """Services answered (their card shown), most first, with their share of all such answers."""
    answered = and_(*_where(filters), _t.outcome == Outcome.ANSWERED.value, _t.service_id.is_not(None))
    count = func.count().label("n")
    query = select(_t.service_id, count).where(answered).group_by(_t.service_id).order_by(count.desc(), _t.service_id)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).where(answered)).scalar_one()
        rows = connection.execute(query.limit(limit)).all()
    return [{"service_id": row.service_id, "count": row.n, "share": _share(row.n, total)} for row in rows]


def ratings_per_service(engine: Engine, filters: Filters) -> list[dict[str, Any]]:
    """Helpful / unhelpful ratings per service in the range (and channel: the conversation id names it).

    Ratings do not record a language, so the language filter does not apply to them."""
    feedback = FeedbackRecord.__table__.c
    start, end = filters.utc_bounds()
    conditions = [feedback.created_at >= start, feedback.created_at < end]
    if filters.channel:
        conditions.append(feedback.sender_id.like(f"{filters.channel}:%"))
    query = (
        select(feedback.service_id, feedback.rating, func.count().label("n"))
        .where(*conditions)
        .group_by(feedback.service_id, feedback.rating)
    )
    tally: dict[str | None, dict[str, int]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            counts = tally.setdefault(row.service_id, {"helpful": 0, "unhelpful": 0})
            counts[row.rating] = counts.get(row.rating, 0) + row.n
    ratings = []
    for service_id, counts in tally.items():
        rated = counts.get("helpful", 0) + counts.get("unhelpful", 0)
        ratings.append(
            {
                "service_id": service_id,
                "helpful": counts.get("helpful", 0),
                "unhelpful": counts.get("unhelpful", 0),
                "helpful_share": _share(counts.get("helpful", 0), rated),
            }
        )
    return sorted(ratings, key=lambda r: (-(r["helpful"] + r["unhelpful"]), r["service_id"] or ""))


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (None for none): a value that occurred."""
    if not values:
        return None
    rank = max(1, math.ceil(fraction * len(values)))
    return float(values[rank - 1])


@dataclass(frozen=True)
class TurnTime:
    p50_ms: float | None
    p95_ms: float | None
    sample: int  # turns the percentiles were taken over (the most recent MAX_DURATIONS at most)


def turn_time(engine: Engine, filters: Filters) -> TurnTime:
    query = select(_t.duration_ms).where(*_where(filters)).order_by(_t.at.desc()).limit(MAX_DURATIONS)
    with engine.connect() as connection:
        durations = sorted(float(value) for value in connection.execute(query).scalars())
    return TurnTime(percentile(durations, 0.5), percentile(durations, 0.95), len(durations))


@dataclass(frozen=True)
class UnansweredMessage:
    message: str
    at: dt.datetime
    outcome: str
    channel: str
    language: str
    top_score: float | None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def unanswered_messages(
    engine: Engine, filters: Filters, low_score: float = DEFAULT_LOW_SCORE
) -> list[UnansweredMessage]:
    """Typed messages the bot could not match (nothing in the catalogue, no answer at all) or
    answered with a top score below ``low_score``; the most recent :data:`MAX_UNANSWERED`."""
    unmatched = or_(
        _t.outcome.in_([outcome.value for outcome in UNMATCHED]),
        and_(_t.outcome == Outcome.ANSWERED.value, _t.top_score < low_score),
    )
    query = (
        select(_t.message, _t.at, _t.outcome, _t.channel, _t.language, _t.top_score)
        .where(*_where(filters), _t.tapped.is_(False), unmatched)
        .order_by(_t.at.desc(), _t.id.desc())
        .limit(MAX_UNANSWERED)
    )
    with engine.connect() as connection:
        return [
            UnansweredMessage(row.message, _aware(row.at), row.outcome, row.channel, row.language, row.top_score)
            for row in connection.execute(query)
        ]


def turn_rows(engine: Engine, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every turn of the range, oldest first, without the conversation id (the CSV export)."""
    query = (
        select(
            _t.day,
            _t.at,
            _t.channel,
            _t.language,
            _t.message,
            _t.tapped,
            _t.outcome,
            _t.status,
            _t.service_id,
            _t.top_score,
            _t.duration_ms,
        )
        .where(*_where(filters))
        .order_by(_t.at, _t.id)
    )
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=1000).execute(query).mappings():
            yield {**row, "at": _aware(row["at"]).isoformat()}


def summary(engine: Engine, filters: Filters) -> dict[str, Any]:
    """Every figure of the summary at once (titles are added by the API, which knows the catalogue)."""
    counts = outcome_counts(engine, filters)
    questions = sum(counts["questions"].values())
    turns = sum(counts["turns"].values())
    unmatched = sum(counts["questions"][outcome.value] for outcome in UNMATCHED)
    handoffs = counts["turns"][Outcome.HANDOFF.value]
    timing = turn_time(engine, filters)
    return {
        "filters": filters.to_dict(),
        "turns": turns,
        "questions": questions,
        "per_day": questions_per_day(engine, filters),
        "outcomes": counts,
        "rates": {
            "fallback": _share(unmatched, questions),
            "handoff": _share(handoffs, questions),
            "degraded": _share(counts["statuses"].get("degraded", 0), turns),
        },
        "top_services": top_services(engine, filters),
        "ratings": ratings_per_service(engine, filters),
        "turn_time_ms": {"p50": timing.p50_ms, "p95": timing.p95_ms, "sample": timing.sample},
    }

"""What to do with a question's best catalogue matches: answer, ask back between close ones, or say
honestly that the catalogue does not cover it.

One small decision shared by the bot's actions and ``benchmarks/no_match_threshold.py``, so the
threshold the benchmark chooses on the development questions is the one the bot applies. The
question's intent decides *what* to say about the service (documents, fee, where ...); this decides
*which* service, if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.service_search import ReferralMatch, ServiceMatch

__all__ = [
    "Answer",
    "AskBack",
    "NoMatch",
    "Route",
    "RoutingPolicy",
    "offered_score",
    "referral_lead",
    "refers",
    "route",
    "stands_out",
]


@dataclass(frozen=True)
class RoutingPolicy:
    """How sure the search must be to answer.

    ``min_score``: below it nothing is the answer. ``ask_margin``: a candidate within this of the best
    is too close to call, so the citizen chooses. ``spread``: when even the ``depth``-th candidate is
    within this of the best, the words name a family ("ใบขับขี่") but not the detail that picks one of
    it, so the citizen chooses too (0 never). ``max_choices``: most candidates offered.
    ``referral_margin``: a topic outside the catalogue (:mod:`knowledge.referrals`) that scores within
    this of the best service, or above it, is the answer instead: the question is about that topic.
    """

    min_score: float
    ask_margin: float
    spread: float = 0.0
    depth: int = 5
    max_choices: int = 3
    referral_margin: float = 0.0

    def __post_init__(self) -> None:
        scores_ok = 0 <= self.min_score <= 1 and min(self.ask_margin, self.spread) >= 0
        scores_ok = scores_ok and -1 <= self.referral_margin <= 1
        if not scores_ok or self.depth < 2 or self.max_choices < 2:
            raise ValueError(f"unusable routing policy {self}")


@dataclass(frozen=True)
class Answer:
    """One service stands out; ``related`` are the others worth a quick reply."""

    match: ServiceMatch
    related: list[ServiceMatch] = field(default_factory=list)


@dataclass(frozen=True)
class AskBack:
    """Two or more services fit about equally well: ask which one, best first."""

    candidates: list[ServiceMatch]


@dataclass(frozen=True)
class NoMatch:
    """Nothing fits well enough to be shown as the answer; ``nearest`` is for logs only.
    ``referral``: the topic outside the catalogue the question is about, when one fits: say who
    handles it."""

    nearest: ServiceMatch | None = None
    referral: ReferralMatch | None = None


Route = Answer | AskBack | NoMatch


def route(matches: Sequence[ServiceMatch], policy: RoutingPolicy, referral: ReferralMatch | None = None) -> Route:
    """Decide from ``matches`` (best first) and the best ``referral`` topic, as
    :meth:`CatalogueSearch.lookup` returns them."""
    nearest = matches[0] if matches else None
    topic = referral if referral is not None and referral.hit.score >= policy.min_score else None
    if nearest is None or nearest.hit.score < policy.min_score:
        return NoMatch(nearest, topic)
    if topic is not None and refers(matches, topic, policy):
        return NoMatch(nearest, topic)
    best, rest = matches[0], [m for m in matches[1:] if m.hit.score >= policy.min_score]
    close = [m for m in rest if best.hit.score - m.hit.score <= policy.ask_margin]
    if close:
        return AskBack([best, *close][: policy.max_choices])
    if rest and policy.spread > 0 and not stands_out(matches, lead=policy.spread, depth=policy.depth):
        return AskBack([best, *rest][: policy.max_choices])
    return Answer(best, rest)


def referral_lead(matches: Sequence[ServiceMatch], topic: ReferralMatch) -> float:
    """The topic's lead over the best service, as retrieval scored both (a hand-made match: its score)."""
    if topic.lead is not None:
        return topic.lead
    return topic.hit.score - matches[0].hit.score if matches else topic.hit.score


def refers(matches: Sequence[ServiceMatch], topic: ReferralMatch, policy: RoutingPolicy) -> bool:
    """Is the question about ``topic`` rather than a service? It must come within ``referral_margin``
    of the best service and, unless it leads them all by the ``spread``, the question must name it by
    one of its own phrases while some service stands out: wording many texts share ("ค่าธรรมเนียม
    เท่าไหร่", "where do I apply") fits the topics' short example questions as well as anything."""
    lead = referral_lead(matches, topic)
    if lead < -policy.referral_margin:
        return False
    flat = policy.spread > 0 and not stands_out(matches, lead=policy.spread, depth=policy.depth)
    # A topic the words do not name by its own phrases ("ขอ passport ใหม่" against "transferring a visa
    # to a new passport") wins only by a clear lead: it is a neighbour in meaning, not the subject.
    return (not flat and topic.named) or lead >= policy.spread


def offered_score(decision: Route) -> float:
    """The best offered service's score (an answer or the first choice); 0 when nothing is offered."""
    if isinstance(decision, Answer):
        return decision.match.hit.score
    if isinstance(decision, AskBack):
        return decision.candidates[0].hit.score
    return 0.0


def stands_out(matches: Sequence[ServiceMatch], lead: float, depth: int) -> bool:
    """Does the best match lead the ``depth``-th by ``lead`` or more? Words that name a service pick
    out it and its siblings; wording many services' example questions share ("how much is the fee?")
    matches them all about equally. Fewer than ``depth`` matches is a short list: it stands out."""
    if len(matches) < depth:
        return True
    return matches[0].hit.score - matches[depth - 1].hit.score >= lead

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
    "alike",
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
    ``family_window``: a candidate within this of the best whose texts use every word of the question
    the best's texts use (:func:`alike`) is a sibling the words do not tell apart, when the question
    says at most ``family_extra`` other words: it names the family only ("สอบถามเรื่องบัตรประชาชน"),
    so the citizen chooses among the family, up to ``depth`` of it (0 never).
    """

    min_score: float
    ask_margin: float
    spread: float = 0.0
    depth: int = 5
    max_choices: int = 3
    referral_margin: float = 0.0
    family_window: float = 0.0
    family_extra: int = 2

    def __post_init__(self) -> None:
        scores_ok = 0 <= self.min_score <= 1 and min(self.ask_margin, self.spread, self.family_window) >= 0
        scores_ok = scores_ok and -1 <= self.referral_margin <= 1 and self.family_extra >= 0
        if not scores_ok or self.depth < 2 or self.max_choices < 2:
            raise ValueError(f"unusable routing policy {self}")


@dataclass(frozen=True)
class Answer:
    """One service stands out; ``related`` are the others worth a quick reply."""

    match: ServiceMatch
    related: list[ServiceMatch] = field(default_factory=list)


@dataclass(frozen=True)
class AskBack:
    """Two or more services fit about equally well: ask which one, best first. ``family``: the
    question's words name a family of siblings and nothing that picks one (:func:`alike`)."""

    candidates: list[ServiceMatch]
    family: bool = False


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
    referred = topic if topic is not None and refers(matches, topic, policy) else None
    if nearest is None or nearest.hit.score < policy.min_score:
        # No service fits either: the topic is named as the answer only by the rule that names it
        # otherwise (a neighbour in meaning is not the subject); else the plain "not covered".
        return NoMatch(nearest, referred)
    if referred is not None:
        return NoMatch(nearest, referred)
    best, rest = matches[0], [m for m in matches[1:] if m.hit.score >= policy.min_score]
    close = [m for m in rest if best.hit.score - m.hit.score <= policy.ask_margin]
    family = [m for m in rest if best.hit.score - m.hit.score <= policy.family_window and alike(best, m, policy)]
    if family:
        # The family the words name, and any other candidate too close to call, best first.
        offered = [m for m in rest if any(m is f for f in family) or any(m is c for c in close)]
        return AskBack([best, *offered][: policy.depth], family=True)
    if close:
        return AskBack([best, *close][: policy.max_choices])
    if rest and policy.spread > 0 and not stands_out(matches, lead=policy.spread, depth=policy.depth):
        return AskBack([best, *rest][: policy.max_choices])
    return Answer(best, rest)


def alike(best: ServiceMatch, other: ServiceMatch, policy: RoutingPolicy) -> bool:
    """Do the question's words fail to tell ``other`` from ``best``? Every word (or editor's phrase)
    of it that the best's texts use, the other's use too, there is at least one such word, and the
    question says at most ``policy.family_extra`` words the best's texts do not use: a question that
    tells its situation ("the old house is far away, I don't want to go back to report moving out")
    is answered by the search's best, even when its words are all common to the family."""
    if best.words is None or other.words is None or not best.words:
        return False
    return best.other_words <= policy.family_extra and best.words <= other.words


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

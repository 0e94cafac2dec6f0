"""Which service a turn is about: the one chosen or named now, or the one talked about last.

Every message with words gets a catalogue search, whatever its intent; :func:`knowledge.routing.route`
turns the matches into one service, a choice between close ones, or none. A service chosen from an
ask-back's quick replies (its id in the ``service`` entity) is taken as it is, and so is one typed
from those just offered (:mod:`actions.pick`: "อันแรก", "the second one", "ต่ออายุ"). A named service
switches the conversation to it; a bare follow-up ("and how much is it?") stays with the service in
the ``service_id`` slot, and so does a question whose close candidates include that service.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from rasa_sdk import Tracker

from actions.pick import picked
from knowledge.routing import (
    Answer,
    AskBack,
    NoMatch,
    Route,
    RoutingPolicy,
    offered_score,
    referral_lead,
    route,
    stands_out,
)
from knowledge.schema import Service
from knowledge.service_search import CatalogueSearch, Lookup, ReferralMatch, ServiceMatch

__all__ = [
    "SURE_INTENT",
    "Resolution",
    "SearchThresholds",
    "chosen_service",
    "clearly_meant",
    "clearly_named",
    "find_service",
    "resolve_question",
    "resolve_service",
]

_CANDIDATES = 5  # also the depth of the spread (knowledge.routing.RoutingPolicy)

# At or above this NLU confidence, an intent with an answer of its own keeps it: the NLU's training
# questions for those intents score as high against the catalogue as real service questions do
# ("what number do I call for an ambulance"). Of the held-out NLU questions read as those intents
# (tests/data/nlu_heldout), the few below this name no service at switch_score; the development
# questions about a service that NLU took for an FAQ, a life-event menu or out of scope came at
# 0.47 to 0.82 (docs/adr/0007-retrieval-routing.md).
SURE_INTENT = 0.9


@dataclass(frozen=True)
class SearchThresholds:
    """``answer``: lowest score worth answering; ``switch``: a follow-up this sure names a new service;
    ``ask_margin``, ``spread``, ``family_window`` and ``family_extra``: when to offer a choice instead
    (:class:`RoutingPolicy`)."""

    answer: float
    switch: float
    ask_margin: float
    spread: float
    referral_margin: float = 0.0
    family_window: float = 0.0
    family_extra: int = 2

    @property
    def policy(self) -> RoutingPolicy:
        return RoutingPolicy(
            self.answer,
            self.ask_margin,
            spread=self.spread,
            depth=_CANDIDATES,
            referral_margin=self.referral_margin,
            family_window=self.family_window,
            family_extra=self.family_extra,
        )


@dataclass(frozen=True)
class Resolution:
    """``source``: "named" (say which service, show its card), "context" (the one talked about),
    "ask" (``candidates`` to choose from) or "none" (with the ``referral`` topic outside the catalogue
    the question is about, if one fits)."""

    service: Service | None
    source: Literal["named", "context", "ask", "none"]
    related: list[ServiceMatch] = field(default_factory=list)
    candidates: list[ServiceMatch] = field(default_factory=list)
    referral: ReferralMatch | None = None
    # A service typed from the ones just offered: the question they were offered for ("ask_fee").
    picked_for: str | None = None


def _none(decision: Route) -> Resolution:
    return Resolution(None, "none", referral=decision.referral if isinstance(decision, NoMatch) else None)


def _said(tracker: Tracker) -> str:
    """The citizen's words; a button payload ("/ask_fee{...}") is not words to search."""
    text = str(tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def chosen_service(tracker: Tracker, catalogue: CatalogueSearch) -> Service | None:
    """The service the citizen picked from an ask-back: its id arrives in the ``service`` entity."""
    for value in tracker.get_latest_entity_values("service"):
        if service := catalogue.get(str(value)):
            return service
    return None


@dataclass(frozen=True)
class _Finding:
    decision: Route
    mentioned: bool  # NLU found a ``service`` entity in the message: it names one
    specific: bool  # the words pick out a few services, not only the wording many services share
    matches: list[ServiceMatch] = field(default_factory=list)


def _find(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> _Finding:
    # The whole message is searched, never the ``service`` mention alone: on the development
    # questions, searching the mention when the sentence scored low answered no more of them right
    # and showed cards for "ใบอนุญาตตกปลา"-like things the catalogue does not have (docs/adr/0007).
    text = _said(tracker)
    found = catalogue.lookup(text, k=_CANDIDATES) if text else Lookup([])
    matches = found.matches
    mentioned = next(tracker.get_latest_entity_values("service"), None) is not None
    # Top matches all about equal with no service mentioned: wording many services' example
    # questions share ("ต้องใช้เอกสารอะไรบ้าง"), not a service.
    specific = mentioned or stands_out(matches, lead=thresholds.spread, depth=_CANDIDATES)
    if not specific and found.referral is not None:
        # A topic outside the catalogue that leads every service by the spread ("ใบอนุญาตอาวุธปืน
        # ค่าธรรมเนียมเท่าไหร่"): the words are specific, just not about a service.
        specific = referral_lead(matches, found.referral) >= thresholds.spread
    policy = thresholds.policy
    if tracker.get_slot("service_id"):
        # With a service in context the conversation has said which one: a family's word in a
        # follow-up ("แล้วนามสกุลล่ะ", "and if I can't vote at all?") is read against it, as before,
        # not asked back. On the development dialogues the family ask-back mid-conversation lost
        # three sibling and switch turns it had right, and won none.
        policy = replace(policy, family_window=0.0)
    return _Finding(route(matches, policy, found.referral), mentioned, specific, matches)


def find_service(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> Route:
    """Route the latest message's own words (a button payload has none: no match)."""
    return _find(tracker, catalogue, thresholds).decision


def clearly_meant(
    tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds
) -> Answer | ReferralMatch | None:
    """What the words themselves name, when NLU is unsure of an intent that has an answer of its own
    (an FAQ, a life-event menu): one service that stands out (:func:`knowledge.routing.route` answers
    only then), enough to answer about it, or a topic outside the catalogue, whose agency is a better
    answer than "not something I do". The intent says what is asked, not whether to look: a long
    question with a sentence of context first scores low against every service but still picks one."""
    confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    if confidence >= SURE_INTENT:
        return None
    decision = find_service(tracker, catalogue, thresholds)
    if isinstance(decision, Answer):
        return decision
    if isinstance(decision, NoMatch) and decision.referral is not None:
        return decision.referral
    return None


def clearly_named(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> Answer | None:
    """One service the words clearly name (:func:`clearly_meant`), or None."""
    found = clearly_meant(tracker, catalogue, thresholds)
    return found if isinstance(found, Answer) else None


def _current_service(tracker: Tracker, catalogue: CatalogueSearch) -> Service | None:
    current_id = tracker.get_slot("service_id")
    return catalogue.get(str(current_id)) if current_id else None


def resolve_question(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> Resolution:
    """The service a "tell me about ..." question names; the one in context only breaks a tie."""
    if chosen := chosen_service(tracker, catalogue):
        return Resolution(chosen, "named")
    if pick := picked(tracker, catalogue):
        return Resolution(pick.service, "named", picked_for=pick.intent)
    decision = find_service(tracker, catalogue, thresholds)
    if isinstance(decision, Answer):
        return Resolution(decision.match.service, "named", decision.related)
    if isinstance(decision, AskBack):
        current = _current_service(tracker, catalogue)
        if current is not None and any(m.service.id == current.id for m in decision.candidates):
            others = [m for m in decision.candidates if m.service.id != current.id]
            return Resolution(current, "named", others)
        return Resolution(None, "ask", candidates=decision.candidates)
    return _none(decision)


def resolve_service(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> Resolution:
    """The service a follow-up question is about, with the conversation's context.

    Wording many services' example questions share ("ต้องใช้เอกสารอะไรบ้าง") names none of them: it
    keeps the service in context, or, with none, the bot asks which service is meant."""
    if chosen := chosen_service(tracker, catalogue):
        return Resolution(chosen, "named")
    if pick := picked(tracker, catalogue):
        return Resolution(pick.service, "named", picked_for=pick.intent)
    finding = _find(tracker, catalogue, thresholds)
    decision = finding.decision
    current = _current_service(tracker, catalogue)
    if current is not None:
        referred = decision.referral if isinstance(decision, NoMatch) else None
        # A follow-up's few words ("ต้องสอบอะไรบ้าง") fit some topic's short example question as well
        # as the service in context: only a topic that leads every service by the spread moves away.
        clearly_elsewhere = referred is not None and referral_lead(finding.matches, referred) >= thresholds.spread
        if referred is not None and clearly_elsewhere and referred.hit.score >= thresholds.switch:
            return _none(decision)  # clearly about a matter outside the catalogue, not the current service
        clearly_another = finding.mentioned or (finding.specific and offered_score(decision) >= thresholds.switch)
        if isinstance(decision, Answer) and decision.match.service.id != current.id and clearly_another:
            return Resolution(decision.match.service, "named", decision.related)
        elsewhere = isinstance(decision, AskBack) and all(m.service.id != current.id for m in decision.candidates)
        if isinstance(decision, AskBack) and elsewhere and clearly_another:
            return Resolution(None, "ask", candidates=decision.candidates)
        return Resolution(current, "context")
    if not finding.specific:
        return Resolution(None, "none")
    if isinstance(decision, Answer):
        return Resolution(decision.match.service, "named", decision.related)
    if isinstance(decision, AskBack):
        return Resolution(None, "ask", candidates=decision.candidates)
    return _none(decision)

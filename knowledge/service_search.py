"""The catalogue as the bot searches it: services turned into passages in a hybrid index.

Keeps the index in step with the store: built from the store when the saved
index is missing or stale, then brought up to the store's revision by applying
only the services changed since (:meth:`CatalogueSearch.catch_up`), whoever made
the change: this process's editor API or another process such as the command line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.database import store_fingerprint
from knowledge.referrals import Referral, fingerprint
from knowledge.schema import LifeEvent, Service
from knowledge.search.index import HybridIndex
from knowledge.search.passages import Passage, SearchHit
from knowledge.search.persistence import write_json_atomically
from knowledge.search.question_words import ServiceWords
from knowledge.search.service_classifier import (
    ClassifierConfig,
    ClassifierTrainer,
    ServiceClassifier,
    TextVectors,
    fuse_with_classifier,
)
from knowledge.search.spelling import DEFAULT_SPELLING, SpellingConfig
from knowledge.search.vector_cache import VectorCache
from knowledge.store import CatalogueStore
from nlu.embedders import Embedder
from nlu.language import Lang
from nlu.normalize import normalize_text

__all__ = [
    "CatalogueSearch",
    "KeywordBoost",
    "Lookup",
    "ReferralMatch",
    "ServiceMatch",
    "editors_words",
    "passages_for",
    "referral_passages",
]

logger = logging.getLogger(__name__)

_META_FILE = "catalogue.json"
_RECENT_SCORES = 4096  # lookups whose best score is remembered (a few minutes of turns)


def _digests(services: Mapping[str, Service]) -> dict[str, str]:
    """What each service puts in the index, as a short digest: equal digests, equal passages."""
    digests = {}
    for sid, service in services.items():
        texts = json.dumps([[p.field, p.lang, p.text] for p in passages_for(service)], ensure_ascii=False)
        digests[sid] = hashlib.sha256(texts.encode("utf-8")).hexdigest()[:20]
    return digests


def passages_for(service: Service) -> list[Passage]:
    """The texts a citizen's question may match: title, summary, the editors' words (keywords,
    colloquial names, abbreviations), example questions and FAQ questions."""
    passages: list[Passage] = []
    for lang in ("th", "en"):
        title = service.title.get(lang)
        passages.append(Passage(service.id, "title", lang, title))
        passages.append(Passage(service.id, "summary", lang, f"{title}. {service.summary.get(lang)}"))
        words = editors_words(service, lang)
        if words:
            passages.append(Passage(service.id, "keywords", lang, " ".join(words)))
        for question in service.example_questions.get(lang):
            passages.append(Passage(service.id, "example", lang, question))
        for entry in service.faq:
            passages.append(Passage(service.id, "faq", lang, entry.question.get(lang)))
    return passages


def referral_passages(referral: Referral) -> list[Passage]:
    """A topic outside the catalogue, as search sees it: its title, keywords and example questions."""
    passages: list[Passage] = []
    for lang in ("th", "en"):
        passages.append(Passage(referral.doc_id, "title", lang, referral.title.get(lang)))
        if referral.keywords.get(lang):
            passages.append(Passage(referral.doc_id, "keywords", lang, " ".join(referral.keywords.get(lang))))
        passages.extend(Passage(referral.doc_id, "example", lang, q) for q in referral.example_questions.get(lang))
    return passages


def editors_words(service: Service, lang: Lang) -> list[str]:
    """Keywords, colloquial names and abbreviations: the phrases editors curate for search."""
    return [*service.keywords.get(lang), *service.colloquial_names.get(lang), *service.abbreviations.get(lang)]


def _squash(text: str) -> str:
    """Case-folded, normalised, without spaces: Thai is typed with or without them."""
    return "".join(normalize_text(text).casefold().split())


class KeywordBoost:
    """Re-rank hybrid hits by the editors' own words: a title or keyword phrase that
    appears whole in the question ("ต่อใบขับขี่", "tax refund") is strong evidence.

    Editors curate keywords and colloquial synonyms for exactly this; the encoder
    cannot know that "ต่อ" means renew in "ต่อใบขับขี่".
    """

    MIN_CHARS = 4
    BONUS = 0.15

    def __init__(self, services: Mapping[str, Service], referrals: Sequence[Referral] = ()) -> None:
        named: dict[str, list[str]] = {
            sid: [text for lang in ("th", "en") for text in [*editors_words(s, lang), s.title.get(lang)]]
            for sid, s in services.items()
        }
        # Topics outside the catalogue compete for their own words ("ใบอนุญาตปืน"), and a word both
        # they and a service use tells neither apart.
        named.update({r.doc_id: [*r.keywords.th, *r.keywords.en, r.title.th, r.title.en] for r in referrals})
        phrases = {
            sid: {phrase for phrase in map(_squash, texts) if len(phrase) >= self.MIN_CHARS}
            for sid, texts in named.items()
        }
        # A phrase editors gave several services ("ใบขับขี่", "SSO") says nothing about which one is
        # meant; counting it would lift every sibling alike and drown the phrase that tells them apart.
        owners = Counter(phrase for service_phrases in phrases.values() for phrase in service_phrases)
        self._phrases = {
            sid: sorted((p for p in service_phrases if owners[p] == 1), key=len, reverse=True)
            for sid, service_phrases in phrases.items()
        }

    def bonus(self, service_id: str, squashed_query: str) -> float:
        for phrase in self._phrases.get(service_id, []):
            if phrase in squashed_query:
                return self.BONUS * min(1.0, 0.5 + len(phrase) / max(len(squashed_query), 1))
        return 0.0

    def rerank(self, hits: Sequence[SearchHit], query: str) -> list[SearchHit]:
        squashed = _squash(query)
        boosted = [hit.rescored(min(1.0, hit.score + self.bonus(hit.doc_id, squashed))) for hit in hits]
        return sorted(boosted, key=lambda hit: hit.score, reverse=True)


@dataclass(frozen=True)
class ServiceMatch:
    """``words``: the question's words (and editors' phrases found in it) that this service's own
    texts use (:mod:`knowledge.search.question_words`); None when not known (a hand-made match).
    ``other_words``: how many of the question's words they do not use."""

    service: Service
    hit: SearchHit
    words: frozenset[str] | None = None
    other_words: int = 0


@dataclass(frozen=True)
class ReferralMatch:
    """A topic outside the catalogue that fits the question (:mod:`knowledge.referrals`).

    ``lead``: its retrieval score minus the best service's. Topics are not classes of the service
    classifier (as classes they took "renew my passport" from the Thai passport to a foreign one),
    so they are weighed against the services before the classifier re-scores those."""

    referral: Referral
    hit: SearchHit
    lead: float | None = None
    named: bool = True  # the question contains one of the topic's own phrases (title or keywords)


@dataclass(frozen=True)
class Lookup:
    """The services that fit a question, best first, and the best-fitting topic outside the
    catalogue if one fits at all (:func:`knowledge.routing.route` weighs the two)."""

    matches: list[ServiceMatch]
    referral: ReferralMatch | None = None


class CatalogueSearch:
    """Search over the live catalogue; one instance per gateway process.

    Retrieval's candidates are re-scored with a per-service classifier trained on the catalogue
    (:mod:`knowledge.search.service_classifier`) and retrained in the background on every change
    (a second or two; retrieval alone answers meanwhile): it tells sibling services apart.
    ``classifier_weight`` is its share of the score, chosen on the development questions by
    ``benchmarks/sibling_fusion.py``; ``classifier=None`` searches by retrieval alone.
    """

    CLASSIFIER_WEIGHT = 0.2

    def __init__(
        self,
        store: CatalogueStore,
        embedder: Embedder,
        index_dir: Path,
        *,
        classifier: ClassifierConfig | None = ClassifierConfig(),  # noqa: B008 - frozen, shared safely
        classifier_weight: float = CLASSIFIER_WEIGHT,
        spelling: SpellingConfig | None = DEFAULT_SPELLING,  # misspelt Thai: knowledge.search.spelling
        referrals: Sequence[Referral] = (),  # topics outside the catalogue: knowledge.referrals
    ) -> None:
        self.store = store
        self.referrals = {r.doc_id: r for r in referrals}
        self._referrals_fingerprint = fingerprint(self.referrals.values())
        self.spelling = spelling
        self.embedder = embedder
        self.index_dir = index_dir
        self._index: HybridIndex | None = None
        self._services: dict[str, Service] = {}
        self._boost = KeywordBoost({})
        self._words = ServiceWords()
        self.classifier_weight = classifier_weight
        # One cache of query vectors for the index and the classifier: both score the same (spelled) query.
        self._query_vectors = VectorCache(embedder, 2048)
        self._text_vectors = TextVectors(embedder, self._query_vectors)
        self._trainer = ClassifierTrainer(self._text_vectors, classifier) if classifier is not None else None
        self._generation = 0  # one per catalogue state the classifier is trained on
        self._lock = threading.RLock()
        self.revision = -1
        # The best score of each recent lookup, by query: a turn's record reads it instead of searching again.
        self._recent_scores: OrderedDict[str, float] = OrderedDict()
        self._recent_lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------

    def load_or_build(self) -> None:
        """Load the saved index and re-embed only the services that changed since it was saved (a
        restart after edits, a restored backup); build it whole when it is missing, damaged or foreign."""
        with self._lock:
            self._load_or_build(reuse_saved=True)

    def _load_or_build(self, reuse_saved: bool) -> None:
        # The new index is built off to the side and swapped in whole: searches keep using the old one.
        revision = self.store.revision()
        services = {s.id: s for s in self.store.list_services()}
        index = self._load_saved(revision, services) if reuse_saved else None
        if index is None:
            logger.info("building the search index for %d services", len(services))
            index = HybridIndex(self.embedder, spelling=self.spelling, query_vectors=self._query_vectors)
            docs = {sid: passages_for(s) for sid, s in services.items()}
            docs.update({doc_id: referral_passages(r) for doc_id, r in self.referrals.items()})
            index.upsert_many(docs)
            self._save(index, revision, _digests(services))
        self._index, self._services, self.revision = index, services, revision
        self._boost = KeywordBoost(services, list(self.referrals.values()))
        self._retrain(services)

    def _load_saved(self, revision: int, services: Mapping[str, Service]) -> HybridIndex | None:
        """The saved index brought up to ``services``, or None to build it whole.

        The meta file holds a digest of each service's passages as indexed, so what differs from the
        store now is known without trusting revision numbers (a restored backup reuses them): those
        services are embedded again, the rest is read from disk.
        """
        meta_path = self.index_dir / _META_FILE
        if not meta_path.exists():
            return None
        digests = _digests(services)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            saved = meta.get("services")
            same_topics = meta.get("referrals") == self._referrals_fingerprint
            if not isinstance(saved, dict):  # written before digests: only an exact match is usable
                same_store = meta.get("store") == store_fingerprint(self.store.url)
                saved = None if meta.get("revision") != revision or not same_store else digests
            if saved is None or not same_topics:
                logger.info("saved search index is stale; rebuilding")
                return None
            index = HybridIndex.load(self.index_dir, self.embedder, self.spelling, self._query_vectors)
        except Exception:  # a damaged or foreign index is rebuilt, never trusted
            logger.warning("saved search index unusable; rebuilding", exc_info=True)
            return None
        updates = {sid: passages_for(services[sid]) for sid, digest in digests.items() if saved.get(sid) != digest}
        updates.update({sid: [] for sid in saved if sid not in services})  # deleted since: out of the index
        if updates:
            logger.info("saved search index reused; %d changed services embedded again", len(updates))
            index.upsert_many(updates)
            self._save(index, revision, digests)
        elif meta.get("revision") != revision or meta.get("store") != store_fingerprint(self.store.url):
            self._write_meta(revision, digests)  # the same content under another revision or store
        return index

    def _save(self, index: HybridIndex, revision: int, digests: Mapping[str, str]) -> None:
        """``digests``: :func:`_digests` of the services the index now holds."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        index.save(self.index_dir)
        self._write_meta(revision, digests)

    def _write_meta(self, revision: int, digests: Mapping[str, str]) -> None:
        meta = {
            "revision": revision,
            "store": store_fingerprint(self.store.url),  # the URL may hold a password
            "embedder": self.embedder.name,
            "referrals": self._referrals_fingerprint,
            "services": dict(digests),
        }
        write_json_atomically(self.index_dir / _META_FILE, meta)

    @property
    def ready(self) -> bool:
        return self._index is not None

    def __len__(self) -> int:
        return len(self._services)

    # --- live updates ------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply what the store changed after the revision this index applied; how many services changed.

        Only the changed services are embedded again, and searches keep running meanwhile. A store
        whose revision went back (restored from a backup) is rebuilt instead, swapped in when ready.
        Before the first load there is nothing to catch up: loading reads the store as it is then.
        """
        with self._lock:
            index = self._index
            if index is None:
                return 0
            changes = self.store.changes_since(self.revision)
            if changes.revision < self.revision:
                logger.warning(
                    "the store went back from revision %d to %d; rebuilding", self.revision, changes.revision
                )
                self._load_or_build(reuse_saved=False)
                return len(self._services)
            if changes.revision == self.revision:
                return 0
            updates: dict[str, list[Passage]] = {sid: passages_for(s) for sid, s in changes.services.items()}
            updates.update({sid: [] for sid in changes.removed})  # no passages: the service leaves the index
            index.upsert_many(updates)
            services = {sid: s for sid, s in self._services.items() if sid not in changes.removed}
            services.update(changes.services)
            self._services, self._boost = services, KeywordBoost(services, list(self.referrals.values()))
            self._retrain(services)
            self.revision = changes.revision
            self._save(index, self.revision, _digests(services))
            return len(changes.services) + len(changes.removed)

    def _retrain(self, services: Mapping[str, Service]) -> None:
        """Have the classifier fitted on the catalogue as it now is, off this thread."""
        self._words.forget(services)
        self._generation += 1
        if self._trainer is not None:
            self._trainer.request(self._generation, services)

    @property
    def classifier(self) -> ServiceClassifier | None:
        """The classifier of the current catalogue; None while it trains or when there is none."""
        return self._trainer.current(self._generation) if self._trainer is not None else None

    def wait_for_classifier(self, timeout: float | None = None) -> bool:
        """Block until the classifier knows the current catalogue (benchmarks, tests); whether it does."""
        return self._trainer is not None and self._trainer.wait(self._generation, timeout)

    # --- reading -----------------------------------------------------------------

    def _require_index(self) -> HybridIndex:
        if self._index is None:
            raise RuntimeError("the catalogue search index is not loaded yet")
        return self._index

    def search(self, query: str, k: int = 5) -> list[ServiceMatch]:
        """The ``k`` services that fit ``query`` best (topics outside the catalogue left out)."""
        return self.lookup(query, k).matches

    def lookup(self, query: str, k: int = 5) -> Lookup:
        """The ``k`` best services and the best topic outside the catalogue, scored together."""
        services, referrals, boost = self._services, self.referrals, self._boost
        index = self._require_index()
        depth = max(k * 3, 10) + (10 if referrals else 0)
        spelled = index.spell(query)  # the classifier learnt the catalogue's spelling too
        retrieved = boost.rerank(index.search(query, k=depth), spelled)
        topic = next((hit for hit in retrieved if hit.doc_id in referrals), None)
        hits = [hit for hit in retrieved if hit.doc_id in services]
        best_service = hits[0].score if hits else 0.0
        classifier = self.classifier
        if classifier is not None and self.classifier_weight > 0 and hits:
            probabilities = classifier.probabilities(spelled, self._text_vectors.query(spelled))
            hits = fuse_with_classifier(hits, probabilities, self.classifier_weight)
        top = [services[hit.doc_id] for hit in hits[:k]]
        question = self._words.question(spelled)
        used = self._words.used(question, top)
        matches = [
            ServiceMatch(service, hit, words, len(question.words - words))
            for service, hit, words in zip(top, hits, used, strict=False)
        ]
        self._remember_score(query, matches[0].hit.score if matches else None)
        referral = None
        if topic is not None:
            named = boost.bonus(topic.doc_id, _squash(spelled)) > 0
            referral = ReferralMatch(referrals[topic.doc_id], topic, lead=topic.score - best_service, named=named)
        return Lookup(matches, referral)

    def recent_top_score(self, query: str) -> float | None:
        """The best service's score when this process looked up exactly ``query`` lately; else None.

        What a turn's analytics record keeps (conversation/turn_recording.py): the action that answered
        the turn made that lookup moments ago, so the record costs no second search."""
        with self._recent_lock:
            return self._recent_scores.get(query)

    def _remember_score(self, query: str, score: float | None) -> None:
        if score is None:
            return
        with self._recent_lock:
            self._recent_scores[query] = float(score)
            self._recent_scores.move_to_end(query)
            while len(self._recent_scores) > _RECENT_SCORES:
                self._recent_scores.popitem(last=False)

    def words_used(self, query: str, candidates: Sequence[Service]) -> tuple[frozenset[str], list[frozenset[str]]]:
        """The query's content words (spelling corrected as a search corrects it) and, for each of
        ``candidates``, those words and editors' phrases in the query that its own texts use
        (:mod:`knowledge.search.question_words`): what tells one offered service from the others."""
        question = self._words.question(self._require_index().spell(query))
        return question.words, self._words.used(question, candidates)

    def get(self, service_id: str) -> Service | None:
        return self._services.get(service_id)

    def by_life_event(self, event: LifeEvent) -> list[Service]:
        return sorted((s for s in self._services.values() if event in s.life_events), key=lambda s: s.title.en)

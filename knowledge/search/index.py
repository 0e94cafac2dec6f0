"""``HybridIndex``: documents made of passages, searched densely and lexically at once.

Scoring is in :mod:`knowledge.search.fusion`; this module keeps the parts in step. A document is
its passages: vectors in :class:`DenseIndex`, weighted terms in two :class:`LexicalIndex` channels
(words, Thai character trigrams), its new words in the :class:`TermBridge`, and its Thai words in
the :class:`SpellingBridge` that maps misspelt query words to them.

Concurrency: any number of searches run together; an update prepares everything slow (embedding,
tokenising) outside the lock and then takes a writer lock for the few milliseconds it takes to swap
vectors and postings, so a search sees the index either before or after an update, never between.
(Cloning the faiss index per update, as first planned, costs a full copy per edit: O(catalogue).)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from knowledge.search.analyzers import lexical_terms, thai_char_ngrams
from knowledge.search.bm25 import LexicalIndex, LexicalQuery
from knowledge.search.dense import DenseIndex
from knowledge.search.fusion import MODES, FusionConfig, dense_document_scores, fused_scores, lexical_evidence
from knowledge.search.passages import VIEW_SEPARATOR, Passage, SearchHit
from knowledge.search.persistence import SavedIndex, read_index, write_index
from knowledge.search.read_write_lock import ReadWriteLock
from knowledge.search.spelling import DEFAULT_SPELLING, SpellingBridge, SpellingConfig
from knowledge.search.term_bridge import TermBridge
from knowledge.search.vector_cache import VectorCache
from nlu.embedders import Embedder

__all__ = ["HybridIndex"]


@dataclass
class _Prepared:
    """An update with all slow work done, ready to apply under the writer lock."""

    passages: dict[str, list[Passage]]
    vectors: np.ndarray
    terms: dict[str, dict[str, float]]
    char_terms: dict[str, dict[str, float]]
    new_words: list[str] = field(default_factory=list)
    new_word_vectors: np.ndarray | None = None


class HybridIndex:
    """Dense + lexical index of documents made of passages; scoring: :mod:`knowledge.search.fusion`."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        fusion: FusionConfig | None = None,
        field_weights: Mapping[str, float] | None = None,
        bridge: bool = True,
        k1: float = 1.2,
        b: float = 0.75,
        spelling: SpellingConfig | None = DEFAULT_SPELLING,
        query_vectors: VectorCache | None = None,
    ) -> None:
        """``query_vectors``: a cache of query vectors shared with other users of the same embedder (the
        service classifier scores the same query), so a question is embedded once per lookup."""
        self.embedder = embedder
        self.fusion = fusion or FusionConfig()
        dimension = int(embedder.dimension)
        self._dense = DenseIndex(dimension)
        weights = {"title": 2.0, "keywords": 1.5}
        weights.update(field_weights or {})
        self._lexical = LexicalIndex(k1=k1, b=b, field_weights=weights)
        self._chars = (
            LexicalIndex(k1=k1, b=b, field_weights=weights, analyzer="thai-char3")
            if self.fusion.char_weight > 0
            else None
        )
        self._bridge = (
            TermBridge(dimension, self.fusion.bridge_top_k, self.fusion.bridge_min_similarity) if bridge else None
        )
        self._spelling: SpellingBridge | None = None
        if spelling is not None and spelling.enabled:
            self._spelling = SpellingBridge(spelling)
        self._lock = ReadWriteLock()
        self._passages: dict[int, Passage] = {}
        self._doc_pids: dict[str, np.ndarray] = {}  # doc -> passage ids (int64)
        self._doc_fields: dict[str, np.ndarray] = {}  # doc -> field number of each passage
        self._next_pid = 0
        self._field_ids: dict[str, int] = {}
        self._query_vectors = query_vectors if query_vectors is not None else VectorCache(embedder, 2048)
        self._word_vectors = VectorCache(embedder, 8192)

    # ----- updates ------------------------------------------------------------------------------

    def upsert(self, doc_id: str, passages: Sequence[Passage]) -> None:
        """Replace every passage of ``doc_id``; an empty list removes the document."""
        self.upsert_many({doc_id: passages})

    def upsert_many(self, docs: Mapping[str, Sequence[Passage]]) -> None:
        """Replace many documents; one embedding batch, one writer-lock section."""
        if not docs:
            return
        prepared = self._prepare(docs)
        with self._lock.write():
            self._apply(prepared)

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; unknown ids are fine."""
        with self._lock.write():
            self._drop(doc_id)

    def configure_spelling(self, config: SpellingConfig | None) -> None:
        """Change how misspelt Thai is met (None: not at all), without re-embedding anything.

        The new vocabulary is built from the word channel while searches go on, then swapped in.
        """
        bridge = SpellingBridge(config) if config is not None and config.enabled else None
        with self._lock.read():  # writers wait, so the vocabulary cannot change under the build
            if bridge is not None:
                bridge.vocabulary.add(self._lexical.vocabulary())
            self._spelling = bridge  # one reference: a search sees the old bridge or the new one

    @property
    def spelling(self) -> SpellingConfig | None:
        return self._spelling.config if self._spelling is not None else None

    def _prepare(self, docs: Mapping[str, Sequence[Passage]]) -> _Prepared:
        cleaned: dict[str, list[Passage]] = {}
        for doc_id, passages in docs.items():
            if not isinstance(doc_id, str) or not doc_id:
                raise ValueError(f"doc_id must be a non-empty string, got {doc_id!r}")
            kept = []
            for passage in passages:
                if passage.doc_id != doc_id:
                    raise ValueError(f"passage of {passage.doc_id!r} given for document {doc_id!r}")
                if passage.text.strip():  # an empty text has no meaning to find
                    kept.append(passage)
            cleaned[doc_id] = kept
        texts = [p.text for passages in cleaned.values() for p in passages]
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, self._dense.dimension), np.float32)
        if vectors.shape != (len(texts), self._dense.dimension):
            raise ValueError(f"embedder returned shape {vectors.shape} for {len(texts)} texts")
        terms = {
            doc_id: self._lexical.document_terms((p.field, p.text) for p in passages)
            for doc_id, passages in cleaned.items()
        }
        char_terms = {}
        if self._chars is not None:
            chars = self._chars
            char_terms = {
                doc_id: chars.document_terms((p.field, p.text) for p in passages)
                for doc_id, passages in cleaned.items()
            }
        prepared = _Prepared(passages=cleaned, vectors=vectors, terms=terms, char_terms=char_terms)
        if self._bridge is not None:
            words = self._bridge.missing(t for doc_terms in terms.values() for t in doc_terms)
            if words:
                prepared.new_words = words
                prepared.new_word_vectors = self.embedder.embed(words)
        return prepared

    def _apply(self, prepared: _Prepared) -> None:
        if self._bridge is not None and prepared.new_word_vectors is not None:
            self._bridge.add(prepared.new_words, prepared.new_word_vectors)
        old_pids = [
            pid for doc_id in prepared.passages if doc_id in self._doc_pids for pid in self._doc_pids[doc_id].tolist()
        ]
        new_pids: list[int] = []
        appeared: set[str] = set()
        vanished: set[str] = set()
        for doc_id, passages in prepared.passages.items():
            self._forget_passages(doc_id)
            if not passages:
                vanished.update(self._lexical.remove(doc_id))
                if self._chars is not None:
                    self._chars.remove(doc_id)
                continue
            pids = np.arange(self._next_pid, self._next_pid + len(passages), dtype=np.int64)
            self._next_pid += len(passages)
            self._register(doc_id, pids, passages)
            new_pids.extend(pids.tolist())
            added, gone = self._lexical.add(doc_id, prepared.terms[doc_id])
            if self._chars is not None:
                self._chars.add(doc_id, prepared.char_terms[doc_id])
            appeared.update(added)
            vanished.update(gone)
        self._dense.replace(old_pids, np.asarray(new_pids, dtype=np.int64), prepared.vectors)
        if self._bridge is not None:
            self._bridge.set_active(vanished - appeared, False)
            self._bridge.set_active(appeared, True)
        if self._spelling is not None:
            self._spelling.update(vanished | appeared, self._lexical.__contains__)

    def _register(self, doc_id: str, pids: np.ndarray, passages: Sequence[Passage]) -> None:
        for pid, passage in zip(pids.tolist(), passages, strict=True):
            self._passages[pid] = passage
        fields = [self._field_ids.setdefault(p.field, len(self._field_ids)) for p in passages]
        self._doc_pids[doc_id] = pids
        self._doc_fields[doc_id] = np.asarray(fields, dtype=np.int64)

    def _forget_passages(self, doc_id: str) -> list[int]:
        pids: list[int] = self._doc_pids.pop(doc_id, np.zeros(0, dtype=np.int64)).tolist()
        self._doc_fields.pop(doc_id, None)
        for pid in pids:
            del self._passages[pid]
        return pids

    def _drop(self, doc_id: str) -> None:
        pids = self._forget_passages(doc_id)
        self._dense.remove(pids)
        vanished = self._lexical.remove(doc_id)
        if self._chars is not None:
            self._chars.remove(doc_id)
        if self._bridge is not None:
            self._bridge.set_active(vanished, False)
        if self._spelling is not None:
            self._spelling.update(vanished, self._lexical.__contains__)

    # ----- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._doc_pids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._doc_pids

    def passages(self, doc_id: str) -> list[Passage]:
        with self._lock.read():
            return [self._passages[pid] for pid in self._doc_pids.get(doc_id, np.zeros(0, np.int64)).tolist()]

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        """Best documents for ``query``, one hit per document, best first."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        if k <= 0 or not query or not query.strip():
            return []
        query, spelled_words, spelled_grams = self._spelling_corrections(query, mode)
        words = lexical_terms(query) if mode != "dense" else []
        grams = thai_char_ngrams(query) if mode != "dense" and self._chars is not None else []
        query_vector = self._query_vectors.get_many([query])[0] if mode != "lexical" else None
        with self._lock.read():
            if not self._doc_pids:
                return []
            channels: list[tuple[LexicalIndex, np.ndarray, float]] = []
            lexical_query: LexicalQuery | None = None
            if mode != "dense":
                lexical_query = self._lexical_query(words, spelled_words)
                channels.append((self._lexical, self._lexical.scores(lexical_query), self.fusion.lexical_weight))
                if self._chars is not None and grams:
                    chars = self._chars.scores(self._chars.prepare(grams, spelled_grams))
                    channels.append((self._chars, chars, self.fusion.char_weight))
            return self._rank(k, mode, query_vector, lexical_query, channels)

    def spell(self, query: str) -> str:
        """``query`` as this index searches it: with its misspelt Thai corrected when ``correct_query`` is on.

        For re-ranking by the query's words (``KeywordBoost``): they should see what the index saw.
        """
        spelling = self._spelling
        if spelling is None or not spelling.config.correct_query or not query:
            return query
        return self._spelling_corrections(query, "hybrid")[0]

    def _spelling_corrections(self, query: str, mode: str) -> tuple[str, dict[str, float], dict[str, float]]:
        """The query to search, and the weighted words and Thai trigrams its misspelt Thai stands for.

        With ``correct_query`` the corrections are written into the query (every mode searches the
        corrected text); otherwise they join the lexical channels and the query is left as typed.
        See :mod:`knowledge.search.spelling`.
        """
        spelling = self._spelling  # read once: :meth:`configure_spelling` may swap it meanwhile
        if spelling is None or (mode == "dense" and not spelling.config.correct_query):
            return query, {}, {}
        thai = spelling.read(query)
        if not thai.suspects:
            return query, {}, {}
        with self._lock.read():
            corrections = spelling.corrections(thai, self._lexical.document_frequency, self._in_indexed_text)
        if spelling.config.correct_query:
            return (spelling.rewrite(thai, corrections) if corrections else query), {}, {}
        words = SpellingBridge.weights(corrections)
        grams: dict[str, float] = {}
        if spelling.config.chars:
            for word, weight in words.items():
                for gram in thai_char_ngrams(word):
                    grams[gram] = max(grams.get(gram, 0.0), weight)
        return query, words, grams

    def _in_indexed_text(self, text: str) -> bool:
        """Does ``text`` (probably) occur in the indexed Thai text: is each of its character trigrams there?"""
        chars = self._chars
        grams = thai_char_ngrams(text)
        return chars is not None and len(text) >= 3 and all(gram in chars for gram in grams)

    def _lexical_query(self, words: Sequence[str], spelled: Mapping[str, float]) -> LexicalQuery:
        prepared = self._lexical.prepare(words)
        bridged: dict[str, float] = {}
        if self._bridge is not None and prepared.unknown:
            unknown = self._bridge.translatable(prepared.unknown)
            if unknown:
                bridged = self._bridge.expand(self._word_vectors.get_many(unknown))
        for word, weight in spelled.items():
            bridged[word] = max(bridged.get(word, 0.0), weight)
        return self._lexical.prepare(words, bridged) if bridged else prepared

    def _rank(
        self,
        k: int,
        mode: str,
        query_vector: np.ndarray | None,
        lexical_query: LexicalQuery | None,
        channels: Sequence[tuple[LexicalIndex, np.ndarray, float]],
    ) -> list[SearchHit]:
        config = self.fusion
        candidates: dict[str, None] = {}
        if query_vector is not None:
            _, ids = self._dense.search(query_vector[None, :], config.dense_candidates)
            for pid in ids[0]:
                if pid >= 0:
                    candidates[self._passages[int(pid)].doc_id] = None
        for index, scores, _ in channels:
            limit = min(max(k, config.lexical_candidates), len(scores))
            if limit <= 0:
                continue
            top = np.argpartition(-scores, limit - 1)[:limit]
            for slot in top[np.argsort(-scores[top], kind="stable")]:
                doc_id = index.doc_at(int(slot))
                if scores[slot] > 0 and doc_id is not None:
                    candidates[doc_id] = None
        doc_ids = list(candidates)
        if not doc_ids:
            return []
        # Lexical evidence of each candidate: the channels' weighted mean (words, Thai character trigrams).
        lexical_scores = lexical_evidence(
            [(self._channel_values(index, scores, doc_ids), weight) for index, scores, weight in channels], len(doc_ids)
        )
        best = np.zeros(len(doc_ids))
        aggregate = np.zeros(len(doc_ids))
        pid_lists = [self._doc_pids[doc_id] for doc_id in doc_ids]
        similarities: list[np.ndarray] = []
        if query_vector is not None:
            field_lists = [self._doc_fields[doc_id] for doc_id in doc_ids]
            best, aggregate, similarities = self._dense_scores(query_vector, pid_lists, field_lists)
        fused = fused_scores(mode, aggregate, lexical_scores, sum(weight for _, _, weight in channels))
        order = np.argsort(-fused, kind="stable")[:k]
        hits = []
        for i in order:
            if mode == "lexical" and lexical_scores[i] <= 0:
                continue
            sims = similarities[i] if similarities else None
            hits.append(
                SearchHit(
                    doc_id=doc_ids[i],
                    score=float(fused[i]),
                    dense_score=float(best[i]),
                    lexical_score=float(lexical_scores[i]),
                    # The passages as they are now: an edit may replace them before the passage is read.
                    find_passage=partial(
                        self._best_passage,
                        [self._passages[int(pid)] for pid in pid_lists[i]],
                        sims,
                        lexical_query,
                        mode,
                    ),
                )
            )
        return hits

    @staticmethod
    def _channel_values(index: LexicalIndex, scores: np.ndarray, doc_ids: Sequence[str]) -> np.ndarray:
        """One channel's scores of ``doc_ids`` (0 for a document the channel has no terms of)."""
        slots = [index.slot_of(doc_id) for doc_id in doc_ids]
        return np.array([scores[s] if s is not None else 0.0 for s in slots])

    def _dense_scores(
        self, query_vector: np.ndarray, pid_lists: Sequence[np.ndarray], field_lists: Sequence[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Per document: best cosine, the field-aware aggregate, and the cosine of each passage."""
        sims = self._dense.similarities(query_vector, np.concatenate(pid_lists))
        lengths = np.fromiter((len(pids) for pids in pid_lists), dtype=np.int64, count=len(pid_lists))
        best, aggregate = dense_document_scores(
            sims, lengths, np.concatenate(field_lists), len(self._field_ids), self.fusion.max_weight
        )
        return best, aggregate, np.split(sims, np.cumsum(lengths)[:-1])

    def _best_passage(
        self,
        passages: Sequence[Passage],
        sims: np.ndarray | None,
        lexical_query: LexicalQuery | None,
        mode: str,
    ) -> Passage:
        """The passage of one hit that matched best: its cosine plus, with words, how many it contains.

        Called when a hit's passage is first read, after the search has let go of the index lock."""
        score = np.zeros(len(passages)) if sims is None else np.asarray(sims, dtype=np.float64).copy()
        if lexical_query is not None and lexical_query.weights and lexical_query.ceiling > 0:
            weight = 1.0 if mode == "lexical" else self.fusion.lexical_weight
            with self._lock.read():
                idf = {term: w * self._lexical.idf(term) for term, w in lexical_query.weights.items()}
                field_weights = {p.field: self._lexical.field_weight(p.field) for p in passages}
            for i, passage in enumerate(passages):
                if field_weights[passage.field] <= 0 or VIEW_SEPARATOR in passage.field:
                    continue
                # Substring test instead of re-tokenising: only picks which passage to show.
                text = passage.text.casefold()
                found = sum(value for term, value in idf.items() if term in text)
                score[i] += weight * min(1.0, found / lexical_query.ceiling)
        return passages[int(np.argmax(score))]

    # ----- persistence --------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (see :mod:`knowledge.search.persistence`); searches go on meanwhile."""
        with self._lock.read():  # snapshot in memory; writing files must not block editors
            saved = SavedIndex(
                embedder_name=self.embedder.name,
                dimension=int(self.embedder.dimension),
                fusion=self.fusion,
                next_pid=self._next_pid,
                passages=[(pid, self._passages[pid]) for pids in self._doc_pids.values() for pid in pids.tolist()],
                dense=self._dense.clone(),
                lexical=self._lexical.state(),
                chars=self._chars.state() if self._chars is not None else None,
                bridge=self._bridge.arrays() if self._bridge is not None else None,
            )
        write_index(directory, saved)

    @classmethod
    def load(
        cls,
        directory: Path,
        embedder: Embedder,
        spelling: SpellingConfig | None = DEFAULT_SPELLING,
        query_vectors: VectorCache | None = None,
    ) -> HybridIndex:
        """Open what :meth:`save` wrote; the embedder must be the one that built it.

        ``spelling`` is a choice of the process that searches, not of the saved index: the
        vocabulary it looks words up in is rebuilt from the saved word channel.
        """
        saved = read_index(directory, embedder)
        index = cls(
            embedder,
            fusion=saved.fusion,
            bridge=saved.bridge is not None,
            spelling=spelling,
            query_vectors=query_vectors,
        )
        index._lexical = LexicalIndex.from_state(saved.lexical)
        if index._spelling is not None:  # derived from the vocabulary, so never saved
            index._spelling.vocabulary.add(index._lexical.vocabulary())
        if index._chars is not None and saved.chars is not None:
            index._chars = LexicalIndex.from_state(saved.chars)
        index._dense = saved.dense
        by_doc: dict[str, tuple[list[int], list[Passage]]] = {}
        for pid, passage in saved.passages:
            pids, passages = by_doc.setdefault(passage.doc_id, ([], []))
            pids.append(pid)
            passages.append(passage)
        for doc_id, (pids, passages) in by_doc.items():
            index._register(doc_id, np.asarray(pids, dtype=np.int64), passages)
        index._next_pid = saved.next_pid
        if index._bridge is not None and saved.bridge is not None:
            terms, vectors = saved.bridge
            index._bridge.restore(terms, vectors, index._lexical.vocabulary())
        return index

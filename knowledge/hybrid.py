"""Hybrid search over the service catalogue: sentence embeddings (faiss) fused with BM25F words.

Why both: lexical search is precise when the citizen uses the catalogue's own words (and Thai
Wikipedia-style questions mostly do: BM25 alone finds 93 % of XQuAD answers at rank 1), the encoder
carries paraphrase and the other language (English question, Thai text). Neither wins everywhere.

How a document is scored for a query (every number comparable across queries, roughly 0..1):

* dense: cosine of the query with each passage; per document
  ``max_weight * best + (1 - max_weight) * mean over fields of the field's best passage``.
  Several views of one text (whole, ~100-character chunks, sentences) each vote, so a document
  whose text agrees with the query at every granularity beats one with a single lucky phrase.
* words: BM25F over :func:`knowledge.lexical.lexical_terms`, divided by the query's own ceiling;
  words the index never saw are bridged to the nearest indexed words in the encoder's space.
* Thai characters: BM25F over character trigrams of the Thai-script text, normalised the same way;
  catches misspelt Thai, which word segmentation turns into unrelated pieces.
* lexical = the channels' weighted mean; fused = ``(dense + s * lexical) / (1 + s)`` where ``s`` is
  the summed weight of the channels the query uses (an English query has no Thai trigrams).

Concurrency: any number of searches run together; an update prepares everything slow (embedding,
tokenising) outside the lock and then takes a writer lock for the few milliseconds it takes to swap
vectors and postings, so a search sees the index either before or after an update, never between.
(Cloning the faiss index per update, as first planned, costs a full copy per edit: O(catalogue).)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from knowledge.dense import DenseIndex
from knowledge.lexical import (
    VIEW_SEPARATOR,
    LexicalIndex,
    LexicalQuery,
    TermBridge,
    lexical_terms,
    thai_char_ngrams,
)
from nlu.embedders import Embedder

__all__ = [
    "MODES",
    "FusionConfig",
    "HybridIndex",
    "IndexMismatchError",
    "Passage",
    "SearchHit",
    "passages_from_text",
]

MODES = ("hybrid", "dense", "lexical")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Passage:
    """One searchable text of a document (a title, a summary, one FAQ question, a chunk...)."""

    doc_id: str
    field: str  # e.g. "title", "summary", "keywords", "faq"; "body#chunk" marks a view of "body"
    lang: str  # "th" | "en"
    text: str


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    score: float  # fused score, higher is better, about 0..1 and comparable across queries
    dense_score: float  # best cosine of the doc's passages (0.0 in lexical mode: not computed)
    lexical_score: float  # normalised BM25F, 0..1 (0.0 in dense mode: not computed)
    passage: Passage  # the passage that matched best


@dataclass(frozen=True)
class FusionConfig:
    """Weights tuned on XQuAD th/en (see docs/adr/0002-hybrid-retrieval.md); flat optimum, not a spike."""

    lexical_weight: float = 0.35  # word (BM25F) share in the fused score
    char_weight: float = 0.5  # Thai character-trigram share (0 disables the channel and its memory)
    max_weight: float = 0.25  # dense: best passage vs mean of per-field bests
    dense_candidates: int = 256  # passages read from faiss per query
    lexical_candidates: int = 64  # best lexical documents added to the candidates
    bridge_top_k: int = 3  # indexed words per unknown query word
    bridge_min_similarity: float = 0.5  # below this cosine a word is no translation


class IndexMismatchError(ValueError):
    """A saved index was built with another embedder (vectors from two models are not comparable)."""


def passages_from_text(doc_id: str, text: str, lang: str, field: str = "body", chunk_chars: int = 100) -> list[Passage]:
    """The text itself plus, when longer than ``chunk_chars``, chunk and sentence views of it.

    Views are named ``field#chunk`` and ``field#sentence``: they vote separately in the dense score
    and are not counted again lexically. Thai separates sentences and phrases with spaces, so for
    Thai every space is a boundary; other languages split after ``. ! ?``.
    """
    text = text.strip()
    if not text:
        return []
    passages = [Passage(doc_id, field, lang, text)]
    if len(text) <= chunk_chars:
        return passages
    pattern = r"\s+" if lang == "th" else r"(?<=[.!?])\s+"
    sentences = [piece for piece in re.split(pattern, text) if piece.strip()]
    chunks: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + 1 + len(sentence) > chunk_chars:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    passages += [Passage(doc_id, f"{field}{VIEW_SEPARATOR}chunk", lang, chunk) for chunk in chunks]
    passages += [Passage(doc_id, f"{field}{VIEW_SEPARATOR}sentence", lang, s) for s in sentences]
    return passages


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer stops new readers so edits are never starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class _VectorCache:
    """LRU of text -> vector so repeated queries and words are embedded once."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self._embedder = embedder
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> np.ndarray:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._items.get(text)
                if vector is not None:
                    self._items.move_to_end(text)
                    found[text] = vector
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            vectors = self._embedder.embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    vector.setflags(write=False)
                    found[text] = vector
                    self._items[text] = vector
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack([found[text] for text in texts])


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
    """Dense + lexical index of documents made of passages; see the module docstring for scoring."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        fusion: FusionConfig | None = None,
        field_weights: Mapping[str, float] | None = None,
        bridge: bool = True,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
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
        self._lock = _ReadWriteLock()
        self._passages: dict[int, Passage] = {}
        self._doc_pids: dict[str, np.ndarray] = {}  # doc -> passage ids (int64)
        self._doc_fields: dict[str, np.ndarray] = {}  # doc -> field number of each passage
        self._next_pid = 0
        self._field_ids: dict[str, int] = {}
        self._query_vectors = _VectorCache(embedder, 2048)
        self._word_vectors = _VectorCache(embedder, 8192)

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
        words = lexical_terms(query) if mode != "dense" else []
        grams = thai_char_ngrams(query) if mode != "dense" and self._chars is not None else []
        query_vector = self._query_vectors.get_many([query])[0] if mode != "lexical" else None
        with self._lock.read():
            if not self._doc_pids:
                return []
            channels: list[tuple[LexicalIndex, np.ndarray, float]] = []
            lexical_query: LexicalQuery | None = None
            if mode != "dense":
                lexical_query = self._lexical_query(words)
                channels.append((self._lexical, self._lexical.scores(lexical_query), self.fusion.lexical_weight))
                if self._chars is not None and grams:
                    chars = self._chars.scores(self._chars.prepare(grams))
                    channels.append((self._chars, chars, self.fusion.char_weight))
            return self._rank(k, mode, query_vector, lexical_query, channels)

    def _lexical_query(self, words: Sequence[str]) -> LexicalQuery:
        prepared = self._lexical.prepare(words)
        if self._bridge is None or not prepared.unknown:
            return prepared
        unknown = self._bridge.translatable(prepared.unknown)
        if not unknown:
            return prepared
        bridged = self._bridge.expand(self._word_vectors.get_many(unknown))
        return self._lexical.prepare(words, bridged)

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
        lexical_scores = np.zeros(len(doc_ids))
        if channels:
            total = sum(weight for _, _, weight in channels)
            for index, scores, weight in channels:
                slots = [index.slot_of(doc_id) for doc_id in doc_ids]
                values = np.array([scores[s] if s is not None else 0.0 for s in slots])
                lexical_scores += (weight / total) * values
        best = np.zeros(len(doc_ids))
        aggregate = np.zeros(len(doc_ids))
        pid_lists = [self._doc_pids[doc_id] for doc_id in doc_ids]
        similarities: list[np.ndarray] = []
        if query_vector is not None:
            field_lists = [self._doc_fields[doc_id] for doc_id in doc_ids]
            best, aggregate, similarities = self._dense_scores(query_vector, pid_lists, field_lists)
        if mode == "dense":
            fused = aggregate
        elif mode == "lexical":
            fused = lexical_scores
        else:
            # A query without Thai letters has no character channel; its weight is not added then, so
            # an English query's scores keep the same scale whether or not the index has Thai text.
            share = sum(weight for _, _, weight in channels)
            fused = (aggregate + share * lexical_scores) / (1.0 + share)
        order = np.argsort(-fused, kind="stable")[:k]
        hits = []
        for i in order:
            if mode == "lexical" and lexical_scores[i] <= 0:
                continue
            sims = similarities[i] if similarities else None
            passage = self._best_passage(pid_lists[i], sims, lexical_query, mode)
            hits.append(
                SearchHit(
                    doc_id=doc_ids[i],
                    score=float(fused[i]),
                    dense_score=float(best[i]),
                    lexical_score=float(lexical_scores[i]),
                    passage=passage,
                )
            )
        return hits

    def _dense_scores(
        self, query_vector: np.ndarray, pid_lists: Sequence[np.ndarray], field_lists: Sequence[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Per document: best cosine, and the field-aware aggregate (see module docstring)."""
        flat = np.concatenate(pid_lists)
        sims = self._dense.vectors(flat) @ query_vector
        lengths = np.fromiter((len(pids) for pids in pid_lists), dtype=np.int64, count=len(pid_lists))
        owner = np.repeat(np.arange(len(pid_lists)), lengths)
        fields = np.concatenate(field_lists)
        grid = np.full((len(pid_lists), len(self._field_ids)), -np.inf)
        np.maximum.at(grid, (owner, fields), sims)
        present = np.isfinite(grid)
        best = grid.max(axis=1)
        field_mean = np.where(present, grid, 0.0).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
        weight = self.fusion.max_weight
        aggregate = weight * best + (1.0 - weight) * field_mean
        split = np.split(sims, np.cumsum(lengths)[:-1])
        return best, aggregate, split

    def _best_passage(
        self,
        pids: np.ndarray,
        sims: np.ndarray | None,
        lexical_query: LexicalQuery | None,
        mode: str,
    ) -> Passage:
        score = np.zeros(len(pids)) if sims is None else np.asarray(sims, dtype=np.float64).copy()
        if lexical_query is not None and lexical_query.weights and lexical_query.ceiling > 0:
            weight = 1.0 if mode == "lexical" else self.fusion.lexical_weight
            idf = {term: w * self._lexical.idf(term) for term, w in lexical_query.weights.items()}
            for i, pid in enumerate(pids.tolist()):
                passage = self._passages[pid]
                if self._lexical.field_weight(passage.field) <= 0 or VIEW_SEPARATOR in passage.field:
                    continue
                # Substring test instead of re-tokenising: only picks which passage to show.
                text = passage.text.casefold()
                found = sum(value for term, value in idf.items() if term in text)
                score[i] += weight * min(1.0, found / lexical_query.ceiling)
        return self._passages[int(pids[int(np.argmax(score))])]

    # ----- persistence --------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write a new version beside the old one, then switch ``CURRENT`` to it with one rename."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock.read():  # snapshot in memory; writing files must not block editors
            dense_bytes = self._dense.serialize()
            passages = [
                {"pid": pid, **asdict(self._passages[pid])} for pids in self._doc_pids.values() for pid in pids.tolist()
            ]
            lexical_state = self._lexical.state()
            char_state = self._chars.state() if self._chars is not None else None
            terms, term_vectors = self._bridge.arrays() if self._bridge is not None else ([], None)
            meta = {
                "format": FORMAT_VERSION,
                "embedder": {"name": self.embedder.name, "dimension": int(self.embedder.dimension)},
                "next_pid": self._next_pid,
                "documents": len(self._doc_pids),
                "fusion": asdict(self.fusion),
                "bridge": self._bridge is not None,
                "saved_at": time.time(),
            }
        version = f"v{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        staging = directory / f".staging-{version}"
        staging.mkdir()
        try:
            dense_bytes.tofile(staging / "dense.faiss")
            _write_text(staging / "passages.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages))
            _write_text(staging / "lexical.json", json.dumps(lexical_state, ensure_ascii=False))
            if char_state is not None:
                _write_text(staging / "chars.json", json.dumps(char_state, ensure_ascii=False))
            if term_vectors is not None:
                np.save(staging / "bridge_vectors.npy", term_vectors)
                _write_text(staging / "bridge_terms.json", json.dumps(terms, ensure_ascii=False))
            _write_text(staging / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
            os.replace(staging, directory / version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        pointer = directory / f".CURRENT-{version}"
        _write_text(pointer, version + "\n")
        previous = _current_version(directory)
        os.replace(pointer, directory / "CURRENT")
        # Keep the previous version for a reader that opened it a moment ago; drop older ones.
        for entry in directory.iterdir():
            if entry.is_dir() and entry.name.startswith("v") and entry.name not in (version, previous):
                shutil.rmtree(entry, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, embedder: Embedder) -> HybridIndex:
        """Open what :meth:`save` wrote; the embedder must be the one that built it."""
        directory = Path(directory)
        version = _current_version(directory)
        if version is None:
            raise FileNotFoundError(f"no saved index in {directory} (missing CURRENT)")
        path = directory / version
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"index in {path} has format {meta.get('format')}, this code reads {FORMAT_VERSION}")
        saved = meta["embedder"]
        built_with = f"index in {path} was built with embedder {saved['name']!r} ({saved['dimension']} dims)"
        if saved["name"] != embedder.name:  # checked first: asking for the dimension may load a model
            raise IndexMismatchError(f"{built_with}; got {embedder.name!r}. Rebuild the index for this embedder.")
        if int(saved["dimension"]) != int(embedder.dimension):
            raise IndexMismatchError(
                f"{built_with}; got {embedder.name!r} with {embedder.dimension} dims. Rebuild the index."
            )
        lexical = LexicalIndex.from_state(json.loads((path / "lexical.json").read_text(encoding="utf-8")))
        index = cls(embedder, fusion=FusionConfig(**meta["fusion"]), bridge=bool(meta["bridge"]))
        index._lexical = lexical
        if index._chars is not None:
            index._chars = LexicalIndex.from_state(json.loads((path / "chars.json").read_text(encoding="utf-8")))
        index._dense = DenseIndex.load(path / "dense.faiss", int(saved["dimension"]))
        by_doc: dict[str, tuple[list[int], list[Passage]]] = {}
        with open(path / "passages.jsonl", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                pid = int(row.pop("pid"))
                passage = Passage(**row)
                pids, passages = by_doc.setdefault(passage.doc_id, ([], []))
                pids.append(pid)
                passages.append(passage)
        for doc_id, (pids, passages) in by_doc.items():
            index._register(doc_id, np.asarray(pids, dtype=np.int64), passages)
        index._next_pid = int(meta["next_pid"])
        if index._bridge is not None:
            terms = json.loads((path / "bridge_terms.json").read_text(encoding="utf-8"))
            index._bridge.restore(terms, np.load(path / "bridge_vectors.npy"), lexical.vocabulary())
        if len(index._dense) != len(index._passages):
            raise ValueError(
                f"index in {path} is inconsistent: {len(index._dense)} vectors, {len(index._passages)} passages"
            )
        return index


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _current_version(directory: Path) -> str | None:
    try:
        return (directory / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None

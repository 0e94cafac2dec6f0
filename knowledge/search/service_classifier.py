"""A per-service classifier trained on the catalogue's own phrasings, retrained whenever it changes.

Why, next to retrieval: retrieval asks "which passage reads most like the question?", and sibling
services (first passport / renewal / lost) share almost every word, so the nearest passage is often
a sibling's. A classifier trained on every service's example questions, editors' words, titles and
FAQ questions at once learns what sets each service apart from the others: the words that only one
sibling's examples use ("ต่อ", "หาย", "หมดอายุ", "ม.39") weigh for it and against the rest.

The model is linear over two feature blocks (least squares on one-hot targets by default, logistic
regression as the alternative the benchmark compares), its scores turned into probabilities:

* the sentence encoder's vector of the text (paraphrase, the other language);
* TF-IDF of PyThaiNLP words, word pairs and Thai character trigrams (the exact words, and misspelt
  Thai), limited to the terms the catalogue uses, so an unseen word simply adds nothing.

Plain numpy: least squares is one linear solve, about a second for a hundred services, so
:class:`knowledge.service_search.CatalogueSearch` retrains it on every catalogue change. Texts
already embedded are remembered, so a retrain only embeds what an editor added.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.schema import Service
from knowledge.search.analyzers import lexical_terms, stopwords, thai_char_ngrams
from knowledge.search.passages import SearchHit
from knowledge.search.vector_cache import VectorCache
from nlu.embedders import Embedder

logger = logging.getLogger(__name__)

__all__ = [
    "ClassifierConfig",
    "ClassifierTrainer",
    "ServiceClassifier",
    "TextVectors",
    "fuse_with_classifier",
    "training_texts",
]


def training_texts(service: Service) -> list[str]:
    """What the classifier learns a service from: how citizens and editors name and ask for it."""
    texts: list[str] = []
    for lang in ("th", "en"):
        texts.append(service.title.get(lang))
        texts.extend(service.example_questions.get(lang))
        texts.extend(service.colloquial_names.get(lang))
        texts.extend(service.abbreviations.get(lang))
        texts.extend(service.keywords.get(lang))
        texts.extend(entry.question.get(lang) for entry in service.faq)
    return [text for text in dict.fromkeys(t.strip() for t in texts) if text]


def text_features(text: str) -> list[str]:
    """Lexical features: content words, adjacent word pairs and Thai character trigrams."""
    stop = stopwords()
    words = [w for w in lexical_terms(text) if w not in stop]
    features = [f"w:{w}" for w in words]
    features.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    features.extend(f"c:{g}" for g in thai_char_ngrams(text))
    return features


class TextVectors:
    """Sentence vectors and lexical features of training texts, remembered so a retrain only
    embeds and segments what an editor added; texts no service uses any more are forgotten."""

    BATCH = 32

    def __init__(self, embedder: Embedder, queries: VectorCache | None = None) -> None:
        """``queries``: the search index's query cache, so a question is embedded once for both."""
        self.embedder = embedder
        self._queries = queries if queries is not None else VectorCache(embedder, 1024)
        self._vectors: dict[str, np.ndarray] = {}
        self._terms: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def prepare(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[str]]]:
        """Vectors (one row per text) and :func:`text_features` of ``texts``; forgets every other text."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        # Small batches: the encoder serves one caller at a time, and citizens' queries must not
        # wait behind thousands of training texts at startup.
        embedded: list[np.ndarray] = []
        for start in range(0, len(missing), self.BATCH):
            embedded.extend(self.embedder.embed(missing[start : start + self.BATCH]))
        terms = {t: text_features(t) for t in missing}
        with self._lock:
            self._vectors.update(zip(missing, embedded, strict=True))
            self._terms.update(terms)
            kept = set(texts)
            self._vectors = {t: v for t, v in self._vectors.items() if t in kept}
            self._terms = {t: v for t, v in self._terms.items() if t in kept}
            rows = [self._vectors[t] for t in texts]
            features = [self._terms[t] for t in texts]
        if not rows:
            return np.zeros((0, int(self.embedder.dimension)), dtype=np.float32), []
        return np.stack(rows).astype(np.float32, copy=False), features

    def query(self, text: str) -> np.ndarray:
        """A question's sentence vector (recent questions are remembered)."""
        return np.asarray(self._queries.get_many([text])[0], dtype=np.float32)


@dataclass(frozen=True)
class ClassifierConfig:
    """Chosen on the development questions (``benchmarks/sibling_fusion.py``): least squares fused
    as well as logistic regression there and trains ten times faster, so catalogue edits stay cheap.

    ``lexical_weight`` scales the TF-IDF block against the unit-length sentence vector; ``max_terms``
    keeps the most frequent catalogue terms (training time grows with it); ``temperature`` softens
    the probabilities that are fused with retrieval scores.
    """

    solver: str = "ridge"  # "ridge" (least squares, one solve) or "softmax" (logistic regression, iterative)
    lexical: bool = True
    lexical_weight: float = 1.0
    max_terms: int = 1500
    min_term_count: int = 2
    l2: float = 1e-3
    learning_rate: float = 0.1  # softmax only
    iterations: int = 80  # softmax only
    temperature: float = 0.1


class ServiceClassifier:
    """Softmax regression from a question to the catalogue's services."""

    def __init__(
        self,
        service_ids: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        config: ClassifierConfig,
    ) -> None:
        self.service_ids = service_ids
        self._weights = weights
        self._bias = bias
        self._vocabulary = vocabulary
        self._idf = idf
        self.config = config

    # ----- training -----------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        services: Mapping[str, Service],
        text_vectors: TextVectors,
        config: ClassifierConfig | None = None,
    ) -> ServiceClassifier:
        """Fit on every service's :func:`training_texts`; deterministic for the same catalogue."""
        config = config or ClassifierConfig()
        service_ids = sorted(services)
        texts: list[str] = []
        labels: list[int] = []
        for number, service_id in enumerate(service_ids):
            for text in training_texts(services[service_id]):
                texts.append(text)
                labels.append(number)
        dense, terms = text_vectors.prepare(texts)
        vocabulary, idf = cls._vocabulary_of(terms, config)
        features = cls._features(dense, terms, vocabulary, idf, config)
        fit = _fit_ridge if config.solver == "ridge" else _fit_softmax
        weights, bias = fit(features, np.asarray(labels, dtype=np.int64), len(service_ids), config)
        return cls(service_ids, weights, bias, vocabulary, idf, config)

    @staticmethod
    def _vocabulary_of(terms: Sequence[Sequence[str]], config: ClassifierConfig) -> tuple[dict[str, int], np.ndarray]:
        if not config.lexical:
            return {}, np.zeros(0, dtype=np.float32)
        document_frequency: Counter[str] = Counter()
        for text_terms in terms:
            document_frequency.update(set(text_terms))
        frequent = [term for term, count in document_frequency.items() if count >= config.min_term_count]
        frequent.sort(key=lambda term: (-document_frequency[term], term))
        kept = frequent[: config.max_terms]
        vocabulary = {term: i for i, term in enumerate(kept)}
        n = len(terms)
        idf = np.array([math.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in kept], dtype=np.float32)
        return vocabulary, idf

    @staticmethod
    def _features(
        dense: np.ndarray,
        terms: Sequence[Sequence[str]],
        vocabulary: Mapping[str, int],
        idf: np.ndarray,
        config: ClassifierConfig,
    ) -> np.ndarray:
        if not vocabulary:
            return dense
        lexical = np.zeros((len(terms), len(vocabulary)), dtype=np.float32)
        for row, text_terms in enumerate(terms):
            for term, count in Counter(text_terms).items():
                column = vocabulary.get(term)
                if column is not None:
                    lexical[row, column] = (1.0 + math.log(count)) * idf[column]
        norms = np.linalg.norm(lexical, axis=1, keepdims=True)
        np.divide(lexical, norms, out=lexical, where=norms > 0)
        return np.hstack([dense, config.lexical_weight * lexical])

    # ----- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.service_ids)

    def probabilities(self, text: str, vector: np.ndarray) -> dict[str, float]:
        """Each service's probability for ``text`` (whose sentence vector is ``vector``)."""
        if not self.service_ids:
            return {}
        features = self._features(vector[None, :], [text_features(text)], self._vocabulary, self._idf, self.config)
        logits = (features @ self._weights + self._bias)[0] / self.config.temperature
        probabilities = _softmax(logits[None, :])[0]
        return dict(zip(self.service_ids, probabilities.tolist(), strict=True))

    def distinguishing_terms(self, service_id: str, other_id: str, n: int = 10) -> list[str]:
        """The catalogue terms that most favour ``service_id`` over ``other_id``, as learned.

        The words that tell siblings apart ("w:ต่อ" for a renewal over a first issue) come from the
        catalogue's own examples, not from a table; this shows them to whoever tunes the examples.
        """
        first, second = self.service_ids.index(service_id), self.service_ids.index(other_id)
        lexical = self._weights[self._weights.shape[0] - len(self._vocabulary) :]
        margin = lexical[:, first] - lexical[:, second]
        terms = list(self._vocabulary)
        return [terms[i] for i in np.argsort(-margin, kind="stable")[:n] if margin[i] > 0]

    def ranked(self, text: str, vector: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` likeliest services, best first."""
        scores = self.probabilities(text, vector)
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)[:k]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted: np.ndarray = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


def _fit_softmax(
    features: np.ndarray, labels: np.ndarray, classes: int, config: ClassifierConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch Adam on the mean cross-entropy plus an L2 penalty; starts from zero, so deterministic."""
    rows, columns = features.shape
    weights = np.zeros((columns, classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    if rows == 0 or classes == 0:
        return weights, bias
    targets = np.zeros((rows, classes), dtype=np.float32)
    targets[np.arange(rows), labels] = 1.0
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, config.iterations + 1):
        error = (_softmax(features @ weights + bias) - targets) / rows
        gradients = (features.T @ error + config.l2 * weights, error.sum(axis=0))
        for number, (parameter, gradient) in enumerate(zip((weights, bias), gradients, strict=True)):
            first, second = moments[2 * number], moments[2 * number + 1]
            first *= beta1
            first += (1 - beta1) * gradient
            second *= beta2
            second += (1 - beta2) * gradient * gradient
            corrected = (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + epsilon)
            parameter -= config.learning_rate * corrected.astype(np.float32)
    return weights, bias


def _fit_ridge(
    features: np.ndarray, labels: np.ndarray, classes: int, config: ClassifierConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares on one-hot targets, in closed form: one linear solve, no iterations."""
    rows, columns = features.shape
    if rows == 0 or classes == 0:
        return np.zeros((columns, classes), dtype=np.float32), np.zeros(classes, dtype=np.float32)
    targets = np.zeros((rows, classes), dtype=np.float64)
    targets[np.arange(rows), labels] = 1.0
    mean_x = features.mean(axis=0, dtype=np.float64)
    mean_y = targets.mean(axis=0)
    centred = features - mean_x.astype(np.float32)
    gram = (centred.T @ centred).astype(np.float64)
    gram[np.diag_indices_from(gram)] += config.l2 * rows
    weights = np.linalg.solve(gram, (centred.T @ (targets - mean_y).astype(np.float32)).astype(np.float64))
    bias = mean_y - mean_x @ weights
    return weights.astype(np.float32), bias.astype(np.float32)


def fuse_with_classifier(
    hits: Sequence[SearchHit], probabilities: Mapping[str, float], weight: float
) -> list[SearchHit]:
    """Re-score retrieval's candidates: ``(1 - weight) * retrieval + weight * classifier probability``.

    Only retrieval's candidates are re-scored, since a hit needs the passage that matched; the score
    stays within 0..1 so thresholds on it keep their meaning.
    """
    if weight <= 0 or not probabilities:
        return list(hits)
    fused = [hit.rescored((1 - weight) * hit.score + weight * probabilities.get(hit.doc_id, 0.0)) for hit in hits]
    return sorted(fused, key=lambda hit: hit.score, reverse=True)


class ClassifierTrainer:
    """Retrains off the request path, so an editor's save stays instant and startup stays short.

    Requests carry a generation number (one per catalogue state); while a newer one is pending or
    training, :meth:`current` gives nothing, and search falls back to retrieval alone rather than
    fuse scores of a classifier that has not seen the latest change. Requests coalesce: only the
    newest catalogue is trained.
    """

    def __init__(self, text_vectors: TextVectors, config: ClassifierConfig) -> None:
        self._text_vectors = text_vectors
        self._config = config
        self._changed = threading.Condition()
        self._pending: tuple[int, dict[str, Service]] | None = None
        self._running = False
        self._classifier: ServiceClassifier | None = None
        self._generation = -1

    def request(self, generation: int, services: Mapping[str, Service]) -> None:
        with self._changed:
            self._pending = (generation, dict(services))
            if not self._running:
                self._running = True
                threading.Thread(target=self._work, name="service-classifier", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._changed:
                if self._pending is None:
                    self._running = False
                    self._changed.notify_all()
                    return
                generation, services = self._pending
                self._pending = None
            try:
                classifier = ServiceClassifier.train(services, self._text_vectors, self._config)
            except Exception:  # search goes on by retrieval alone; the next change tries again
                logger.exception("training the service classifier failed")
                continue
            with self._changed:
                self._classifier, self._generation = classifier, generation
                self._changed.notify_all()

    def current(self, generation: int) -> ServiceClassifier | None:
        """The classifier trained on catalogue ``generation``, or None while it is being trained."""
        classifier, trained = self._classifier, self._generation
        return classifier if trained == generation else None

    def wait(self, generation: int, timeout: float | None = None) -> bool:
        """Block until ``generation`` is trained (or nothing is left to train); whether it is."""
        with self._changed:
            self._changed.wait_for(lambda: self._generation == generation or not self._running, timeout)
            return self._generation == generation

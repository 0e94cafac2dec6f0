"""Which problem type a citizen's description is, with a confidence and the top choices when unsure.

Why this model: the descriptions are short, often misspelt, colloquial or mixed Thai/English, and
the types differ by a few telling words (ฝาท่อ, ทางเท้า, สายเคเบิล). A linear model over TF-IDF of
character n-grams (robust to typos and to Thai written without spaces) and of PyThaiNLP words (the
telling words themselves) trains in well under a second, needs no model download, and its
probabilities are a usable confidence. It learns only from ``data/training.yml``; the persona set
in ``tests/data/report_texts`` measures it (``benchmarks/report_types.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from knowledge.reports.types import DATA_DIR, ProblemType, Taxonomy, load_taxonomy
from nlu.normalize import normalize_text
from nlu.tokens import word_list

__all__ = [
    "DEFAULT_MIN_SCORE",
    "Classification",
    "ReportTypeClassifier",
    "TypeScore",
    "default_classifier",
    "load_training_examples",
]

DEFAULT_MIN_SCORE = 0.25
"""Below this top probability the citizen is offered the top choices instead of one type. Chosen on
the dev split (never the test split): 96 % of the dev texts at or above it are right, and for 32 of
the 35 below it the right type is among the top three choices."""
DEFAULT_CHOICES = 3
MAX_TEXT_CHARS = 5000
"""Longer descriptions are cut: the type is told by the first lines, and the cost stays bounded."""


@dataclass(frozen=True, slots=True)
class TypeScore:
    """One candidate type and its probability."""

    type: ProblemType
    score: float


@dataclass(frozen=True, slots=True)
class Classification:
    """The best type, its probability, the top choices, and whether the model is sure."""

    type: ProblemType
    score: float
    choices: tuple[TypeScore, ...]
    sure: bool


def _clean(text: str) -> str:
    return normalize_text(text[:MAX_TEXT_CHARS]).casefold()


def _words(text: str) -> list[str]:
    return [word for word in word_list(text) if word.strip()]


def load_training_examples(path: Path | None = None, taxonomy: Taxonomy | None = None) -> dict[str, list[str]]:
    """Read ``type name -> example texts`` (the packaged ``data/training.yml`` by default)."""
    source = path or DATA_DIR / "training.yml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: expected a mapping of problem type to example texts")
    types = taxonomy or load_taxonomy()
    examples: dict[str, list[str]] = {}
    for name, texts in raw.items():
        if not isinstance(texts, list) or not all(isinstance(text, str) and text.strip() for text in texts):
            raise ValueError(f"{source}: examples of {name!r} must be a list of non-empty texts")
        examples.setdefault(types.require(str(name)).th, []).extend(texts)
    return examples


class ReportTypeClassifier:
    """A trained model; :meth:`classify` is thread-safe (the model is read-only after training)."""

    def __init__(self, taxonomy: Taxonomy, features: FeatureUnion, model: LogisticRegression, min_score: float) -> None:
        self._taxonomy = taxonomy
        self._features = features
        self._model = model
        self._labels = [taxonomy.require(str(label)) for label in model.classes_]
        self._min_score = min_score

    @classmethod
    def train(
        cls,
        examples: Mapping[str, Sequence[str]],
        taxonomy: Taxonomy | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> ReportTypeClassifier:
        """Fit on ``type name -> texts``; every type needs examples, or it could never be chosen."""
        types = taxonomy or load_taxonomy()
        texts: list[str] = []
        labels: list[str] = []
        for name, type_texts in examples.items():
            label = types.require(name).th
            for text in type_texts:
                texts.append(_clean(text))
                labels.append(label)
        missing = [problem_type.th for problem_type in types if problem_type.th not in set(labels)]
        if missing:
            raise ValueError(f"no training examples for: {', '.join(missing)}")
        features = FeatureUnion(
            [
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1)),
                (
                    "words",
                    TfidfVectorizer(analyzer=_words, sublinear_tf=True, min_df=1, token_pattern=None, lowercase=False),
                ),
            ]
        )
        matrix = features.fit_transform(texts)
        model = LogisticRegression(C=20.0, max_iter=3000)
        model.fit(matrix, labels)
        return cls(types, features, model, min_score)

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy

    def classify(self, text: str, choices: int = DEFAULT_CHOICES) -> Classification:
        """The type of ``text``; an empty description is the catch-all type with score 0."""
        cleaned = _clean(text)
        if not cleaned.strip():
            other = self._taxonomy.other
            return Classification(other, 0.0, (TypeScore(other, 0.0),), sure=False)
        return self.classify_many([cleaned], choices)[0]

    def classify_many(self, texts: Sequence[str], choices: int = DEFAULT_CHOICES) -> list[Classification]:
        """Classify several texts in one matrix product (the benchmark and the CLI use this)."""
        if not texts:
            return []
        matrix = self._features.transform([_clean(text) for text in texts])
        probabilities: Any = self._model.predict_proba(matrix)
        results = []
        for row in np.asarray(probabilities):
            order = np.argsort(-row)[: max(1, choices)]
            top = tuple(TypeScore(self._labels[index], round(float(row[index]), 4)) for index in order)
            results.append(Classification(top[0].type, top[0].score, top, sure=top[0].score >= self._min_score))
        return results


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _default() -> ReportTypeClassifier:
    return ReportTypeClassifier.train(load_training_examples())


def default_classifier() -> ReportTypeClassifier:
    """The classifier trained on the packaged examples, built once (about a second) on first use."""
    with _lock:
        return _default()

"""A Rasa 3.6 intent classifier: logistic regression over TF-IDF words, character n-grams and USE.

With 40-180 examples per intent, DIET memorises the words it saw: in 5-fold cross-validation it
reached intent macro F1 0.88 (Thai) and 0.80 (English) on our data. A linear model over
sublinear TF-IDF of the tokenizer's normalised words and their character 1-4 grams (misspellings,
unspaced Thai), plus the multilingual USE sentence vector (meaning across new wording), reaches
0.93 and 0.91 on the same folds (docs/adr/0005-intent-classification.md). DIET still extracts the
entities; this component only sets ``intent`` and ``intent_ranking``.

The trained model is stored as plain arrays and JSON (no pickle), like Rasa's own components.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

logger = logging.getLogger(__name__)

_WORD_SEPARATOR = "\u241f"  # joins token lemmas; never typed by a citizen, never inside a token
MODEL_FILE = "linear_intent_classifier.npz"
META_FILE = "linear_intent_classifier.json"


def _words(joined: str) -> list[str]:
    return [word for word in joined.split(_WORD_SEPARATOR) if word]


def _spaced(joined: str) -> str:
    # char_wb n-grams stay inside words: give the analyzer the words separated by spaces.
    return " ".join(_words(joined))


def _carries_no_request(text: str) -> bool:
    """Punctuation and spaces alone ("???", "...") say nothing about what the citizen wants.

    The character n-grams would still match "?" in small-talk examples; an even ranking lets the
    FallbackClassifier ask again instead. Emoji are kept: a thumbs-up can be a rating."""
    return all(char.isspace() or unicodedata.category(char).startswith("P") for char in text)


def _tokens_of(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return _WORD_SEPARATOR.join((token.lemma or token.text).lower() for token in tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent with a multinomial logistic regression; ranking of every intent."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer, Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,  # inverse regularisation; the cross-validated optimum is a flat plateau 10-100
            "char_ngram_range": [1, 4],
            "dense_weight": 1.5,  # scale of the (unit) USE vector against the unit TF-IDF rows
            "max_iter": 3000,
            "ranking_length": 10,
            "random_state": 42,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # Set by ``train`` or ``load``; None while untrained.
        self._char: CountVectorizer | None = None
        self._word: CountVectorizer | None = None
        self._char_idf: np.ndarray | None = None
        self._word_idf: np.ndarray | None = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self._classes: list[str] = []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # --- features -------------------------------------------------------------------------

    def _char_options(self) -> dict[str, Any]:
        """One definition of the character n-grams, for fitting (TF-IDF) and for counting."""
        low, high = self._config["char_ngram_range"]
        return {"analyzer": "char_wb", "ngram_range": (int(low), int(high)), "preprocessor": _spaced}

    def _char_vectorizer(self, vocabulary: dict[str, int]) -> CountVectorizer:
        return CountVectorizer(**self._char_options(), vocabulary=vocabulary)

    @staticmethod
    def _word_vectorizer(vocabulary: dict[str, int]) -> CountVectorizer:
        return CountVectorizer(analyzer=_words, vocabulary=vocabulary)

    @staticmethod
    def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        """Sublinear TF times IDF, unit rows: what TfidfVectorizer(sublinear_tf=True) computes."""
        weighted = counts.astype(np.float64).tocsr(copy=True)
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
        return normalize(weighted @ sp.diags(idf), norm="l2", copy=False).tocsr()

    def _dense(self, messages: list[Message]) -> sp.csr_matrix:
        rows = []
        for message in messages:
            sentence = message.get_dense_features(TEXT)[1]
            if sentence is None:
                raise ValueError(
                    "LinearIntentClassifier needs a dense sentence featurizer before it in the pipeline "
                    "(nlu.rasa_sentence_featurizer.UniversalSentenceFeaturizer)"
                )
            rows.append(np.asarray(sentence.features, dtype=np.float64).reshape(-1))
        return sp.csr_matrix(np.vstack(rows) * float(self._config["dense_weight"]))

    def _features(self, messages: list[Message]) -> sp.csr_matrix:
        assert self._char is not None and self._word is not None
        assert self._char_idf is not None and self._word_idf is not None
        texts = [_tokens_of(message) for message in messages]
        chars = self._tfidf(self._char.transform(texts), self._char_idf)
        words = self._tfidf(self._word.transform(texts), self._word_idf)
        return sp.hstack([chars, words, self._dense(messages)]).tocsr()

    # --- training -------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [example for example in training_data.intent_examples if example.get(TEXT)]
        labels = [str(example.get(INTENT)) for example in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier: fewer than two intents in the training data; not trained")
            return self._resource
        texts = [_tokens_of(example) for example in examples]
        char_fit = TfidfVectorizer(**self._char_options(), sublinear_tf=True).fit(texts)
        word_fit = TfidfVectorizer(analyzer=_words, sublinear_tf=True).fit(texts)
        self._char = self._char_vectorizer(char_fit.vocabulary_)
        self._word = self._word_vectorizer(word_fit.vocabulary_)
        self._char_idf = np.asarray(char_fit.idf_, dtype=np.float64)
        self._word_idf = np.asarray(word_fit.idf_, dtype=np.float64)
        model = LogisticRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            random_state=int(self._config["random_state"]),
        ).fit(self._features(examples), labels)
        self._coef = np.asarray(model.coef_, dtype=np.float64)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        self._classes = [str(name) for name in model.classes_]
        self.persist()
        return self._resource

    # --- prediction -----------------------------------------------------------------------

    def _probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        assert self._coef is not None and self._intercept is not None
        scores = np.asarray(features @ self._coef.T) + self._intercept
        if scores.shape[1] == 1:  # two classes: sklearn keeps one column for the second class
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def process(self, messages: list[Message]) -> list[Message]:
        if self._coef is None:
            return messages  # untrained (no intents in the data): leave the intent unset
        to_classify = [message for message in messages if message.get(TEXT)]
        if not to_classify:
            return messages
        probabilities = self._probabilities(self._features(to_classify))
        length = int(self._config["ranking_length"])
        for message, row in zip(to_classify, probabilities, strict=True):
            if _carries_no_request(str(message.get(TEXT))):
                row = np.full(len(self._classes), 1.0 / len(self._classes))
            order = np.argsort(-row, kind="stable")
            ranking = [
                {INTENT_NAME_KEY: self._classes[index], PREDICTED_CONFIDENCE_KEY: float(row[index])}
                for index in order[: length if length > 0 else len(order)]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    # --- storage --------------------------------------------------------------------------

    def persist(self) -> None:
        assert self._char is not None and self._word is not None
        assert self._char_idf is not None and self._word_idf is not None
        assert self._coef is not None and self._intercept is not None
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / MODEL_FILE,
                char_idf=self._char_idf,
                word_idf=self._word_idf,
                coef=self._coef,
                intercept=self._intercept,
            )
            meta = {
                "classes": self._classes,
                "char_vocabulary": {key: int(value) for key, value in self._char.vocabulary.items()},
                "word_vocabulary": {key: int(value) for key, value in self._word.vocabulary.items()},
            }
            (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / MODEL_FILE, allow_pickle=False)
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("LinearIntentClassifier: no trained model found; intents will not be classified")
            return cls(config, model_storage, resource)
        component = cls(config, model_storage, resource)
        component._char = component._char_vectorizer(meta["char_vocabulary"])
        component._word = cls._word_vectorizer(meta["word_vocabulary"])
        component._char_idf = arrays["char_idf"]
        component._word_idf = arrays["word_idf"]
        component._coef = arrays["coef"]
        component._intercept = arrays["intercept"]
        component._classes = list(meta["classes"])
        return component

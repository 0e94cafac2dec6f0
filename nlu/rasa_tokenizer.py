"""A Rasa 3.6 tokenizer that splits Thai with PyThaiNLP and keeps exact offsets.

Rasa's WhitespaceTokenizer refuses ``language: th`` and would make one token of
a whole Thai phrase. Each token's ``text`` is the word exactly as typed; its
``lemma`` is the normalised form (no elongation, Arabic digits, optionally
case-folded), which the count-vector featurizers read by default.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.tokens import DEFAULT_ENGINE, tokenize_with_offsets


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ThaiTokenizer(Tokenizer):
    """PyThaiNLP word tokenizer for Thai, English and code-switched messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Rasa's Tokenizer base class reads these three.
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "engine": DEFAULT_ENGINE,
            "case_folding": True,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.engine: str = config.get("engine", DEFAULT_ENGINE)
        self.case_folding: bool = bool(config.get("case_folding", True))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ThaiTokenizer:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["pythainlp"]

    @staticmethod
    def supported_languages() -> list[str] | None:
        return None

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        words = tokenize_with_offsets(text, engine=self.engine, case_folding=self.case_folding)
        tokens = [Token(word.text, word.start, lemma=word.norm) for word in words]
        return self._apply_token_pattern(tokens)

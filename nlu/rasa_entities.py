"""A Rasa 3.6 component that finds dates and 13-digit national IDs by rule.

Learned extractors guess at digits; these formats are exact. Dates come out as
ISO ``YYYY-MM-DD`` whatever the era or digits typed; an ID comes out as its 13
digits (the form validates the checksum and explains a mistake).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.national_id import find_national_ids
from nlu.thai_dates import find_dates


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ThaiDateIdExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``date`` and ``national_id`` entities to every message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ThaiDateIdExtractor:
        return cls()

    @staticmethod
    def required_packages() -> list[str]:
        return ["pythainlp"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found: list[dict[str, Any]] = []
            ids = find_national_ids(text)
            for start, end, digits in ids:
                found.append({"entity": "national_id", "start": start, "end": end, "value": digits, "confidence": 1.0})
            for mention in find_dates(text):
                if any(mention.start < end and start < mention.end for start, end, _ in ids):
                    continue
                found.append(
                    {
                        "entity": "date",
                        "start": mention.start,
                        "end": mention.end,
                        "value": mention.date.isoformat(),
                        "confidence": 1.0,
                    }
                )
            if found:
                existing = message.get(ENTITIES, [])
                message.set(ENTITIES, existing + self.add_extractor_name(found), add_to_output=True)
        return messages

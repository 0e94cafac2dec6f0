"""One click from a miss to content: an unanswered message becomes an example question of a service.

The change goes through the catalogue writer (:class:`knowledge.catalogue_writer.CatalogueWriter`),
like every edit: versioned under the staff member's name, and reindexed before the call returns,
so the same question finds that service at once (search and the service classifier both learn
from example questions). The message is masked again and added to the list of its own language.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalogue_writer import CatalogueWriter
from knowledge.schema import BilingualList
from knowledge.store import StaleVersionError
from nlu.language import detect_language, reply_language
from nlu.pii import mask_pii

__all__ = ["MAX_EXAMPLE_CHARS", "AddedExample", "add_example"]

MAX_EXAMPLE_CHARS = 300  # an example question is one question, not a pasted page


@dataclass(frozen=True)
class AddedExample:
    service_id: str
    language: str
    example: str
    version: int
    added: bool  # False: the service already had this example; nothing was written
    searchable: bool


def add_example(
    writer: CatalogueWriter, service_id: str, message: str, author: str, expected_version: int | None = None
) -> AddedExample:
    """Add ``message`` to the service's example questions.

    ``ValueError`` for an empty or overlong message; the store's ``ServiceNotFoundError`` for an
    unknown service and ``StaleVersionError`` when the service moved on from ``expected_version``."""
    example = " ".join(mask_pii(message).split())
    if not example:
        raise ValueError("The message is empty.")
    if len(example) > MAX_EXAMPLE_CHARS:
        raise ValueError(f"An example question is at most {MAX_EXAMPLE_CHARS} characters.")
    store = writer.store
    service = store.get(service_id)
    version = store.current_version(service_id)
    if expected_version is not None and expected_version != version:
        raise StaleVersionError(f"service {service_id!r} is at version {version}, not {expected_version}")
    lang = reply_language(detect_language(example))
    current = service.example_questions.get(lang)
    if any(" ".join(existing.split()).casefold() == example.casefold() for existing in current):
        return AddedExample(service_id, lang, example, version, added=False, searchable=True)
    lists = {"th": list(service.example_questions.th), "en": list(service.example_questions.en)}
    lists[lang].append(example)
    updated = service.model_copy(update={"example_questions": BilingualList(th=lists["th"], en=lists["en"])})
    change = writer.update(updated, author, expected_version=version)
    return AddedExample(service_id, lang, example, change.version, added=True, searchable=change.searchable)

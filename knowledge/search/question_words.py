"""Which of a question's own words each candidate service's texts use.

Why: sibling services (first ID card / renewal / lost) share their family's name, and the search
still ranks one of them first for a question that names only the family ("สอบถามเรื่องบัตรประชาชน",
"I have a question about my ID card"): an editor gave the family name as a keyword to one sibling,
or one sibling's example questions use it more. Scores cannot show that the question never said
which sibling; its words can. :func:`knowledge.routing.route` asks back when every word of the
question the best service's texts use, a close sibling's texts use too (nothing tells them apart),
and the question says little else.

The same words pick an offered candidate when the citizen types a distinguishing word after an
ask-back ("ต่ออายุ", "lost"): the one candidate whose texts use it.

A service's words come from the texts that say what it is and how citizens ask for it (title,
colloquial names, abbreviations, keywords, example and FAQ questions, summary), segmented with the
index's analyzer; function words ("ที่", "how") are left out. Editors' phrases (title, keywords,
colloquial names, abbreviations) count whole too, so "ต่อพาสปอร์ต" tells the renewal apart even
though "ต่อ" alone is a function word.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.schema import Service
from knowledge.search.analyzers import lexical_terms, stopwords
from knowledge.search.service_classifier import training_texts
from nlu.normalize import normalize_text

__all__ = ["QuestionWords", "ServiceWords", "content_words", "squash"]

_MIN_PHRASE_CHARS = 4  # as the keyword boost counts editors' phrases (knowledge.service_search)


def squash(text: str) -> str:
    """Case-folded, normalised, without spaces: Thai is typed with or without them."""
    return "".join(normalize_text(text).casefold().split())


def content_words(text: str) -> frozenset[str]:
    """The index's words of ``text`` without function words."""
    stop = stopwords()
    return frozenset(word for word in lexical_terms(text) if word not in stop)


@dataclass(frozen=True)
class _Words:
    words: frozenset[str]
    squashed: tuple[str, ...]  # each text whole, to find an editor's phrase in
    phrases: frozenset[str]  # the editors' own phrases, squashed


@dataclass(frozen=True)
class QuestionWords:
    """A question's content words and squashed text, segmented once per lookup."""

    words: frozenset[str]
    squashed: str


class ServiceWords:
    """Each service's own words, segmented once per version of the service (a changed service is a
    new object: :meth:`CatalogueSearch.catch_up` keeps the unchanged ones), lazily: a lookup needs
    only its few candidates'."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Service, _Words]] = {}
        self._lock = threading.Lock()

    def _of(self, service: Service) -> _Words:
        cached = self._cache.get(service.id)
        if cached is not None and cached[0] is service:
            return cached[1]
        texts = [*training_texts(service), service.summary.th, service.summary.en]
        named = [service.title.th, service.title.en]
        for bilingual in (service.keywords, service.colloquial_names, service.abbreviations):
            named += [*bilingual.th, *bilingual.en]
        found = _Words(
            words=frozenset().union(*(content_words(text) for text in texts)),
            squashed=tuple(squash(text) for text in texts if text.strip()),
            phrases=frozenset(p for p in map(squash, named) if len(p) >= _MIN_PHRASE_CHARS),
        )
        with self._lock:
            self._cache[service.id] = (service, found)
        return found

    def forget(self, keep: Iterable[str]) -> None:
        """Drop the words of services no longer in the catalogue."""
        kept = set(keep)
        with self._lock:
            self._cache = {sid: entry for sid, entry in self._cache.items() if sid in kept}

    @staticmethod
    def question(text: str) -> QuestionWords:
        return QuestionWords(content_words(text), squash(text))

    def used(self, question: QuestionWords, candidates: Sequence[Service]) -> list[frozenset[str]]:
        """For each candidate, the question's words and the candidates' editor phrases in the
        question that the candidate's own texts use: a word by itself, a phrase anywhere in a text."""
        own = [self._of(service) for service in candidates]
        phrases = {p for words in own for p in words.phrases if p in question.squashed}
        return [
            frozenset(question.words & words.words)
            | frozenset(p for p in phrases if any(p in text for text in words.squashed))
            for words in own
        ]

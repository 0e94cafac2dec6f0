"""Free text as passages: the whole text plus chunk and sentence views that vote separately.

The catalogue's services are already made of short passages (title, summary, FAQ questions); this
is for evaluation corpora of long paragraphs such as XQuAD.
"""

from __future__ import annotations

import re

from knowledge.search.passages import VIEW_SEPARATOR, Passage

__all__ = ["passages_from_text"]


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

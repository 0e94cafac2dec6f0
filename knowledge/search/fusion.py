"""How dense and lexical evidence become one score per document (every score roughly 0..1).

Why both: lexical search is precise when the citizen uses the catalogue's own words (and Thai
Wikipedia-style questions mostly do: BM25 alone finds 93 % of XQuAD answers at rank 1), the encoder
carries paraphrase and the other language (English question, Thai text). Neither wins everywhere.

How a document is scored for a query (every number comparable across queries, roughly 0..1):

* dense: cosine of the query with each passage; per document
  ``max_weight * best + (1 - max_weight) * mean over fields of the field's best passage``.
  Several views of one text (whole, ~100-character chunks, sentences) each vote, so a document
  whose text agrees with the query at every granularity beats one with a single lucky phrase.
* words: BM25F over :func:`knowledge.search.analyzers.lexical_terms`, divided by the query's own
  ceiling; words the index never saw are bridged to the nearest indexed words in the encoder's space.
* Thai characters: BM25F over character trigrams of the Thai-script text, normalised the same way;
  catches misspelt Thai, which word segmentation turns into unrelated pieces.
* lexical = the channels' weighted mean; fused = ``(dense + s * lexical) / (1 + s)`` where ``s`` is
  the summed weight of the channels the query uses (an English query has no Thai trigrams).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MODES", "FusionConfig", "dense_document_scores", "fused_scores", "lexical_evidence"]

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class FusionConfig:
    """Weights tuned on XQuAD th/en (see docs/adr/0002-hybrid-retrieval.md); flat optimum, not a spike."""

    lexical_weight: float = 0.35  # word (BM25F) share in the fused score
    char_weight: float = 0.5  # Thai character-trigram share (0 disables the channel and its memory)
    max_weight: float = 0.25  # dense: best passage vs mean of per-field bests
    dense_candidates: int = 256  # passages read from faiss per query
    lexical_candidates: int = 64  # best lexical documents added to the candidates
    bridge_top_k: int = 3  # indexed words per unknown query word
    bridge_min_similarity: float = 0.5  # below this cosine a word is no translation


def dense_document_scores(
    similarities: np.ndarray, lengths: np.ndarray, fields: np.ndarray, field_count: int, max_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per document: the best cosine, and the field-aware aggregate that ranks it.

    ``similarities`` and ``fields`` hold every candidate's passages one document after another,
    ``lengths`` how many passages each document has; ``fields`` numbers each passage's field.
    """
    owner = np.repeat(np.arange(len(lengths)), lengths)
    grid = np.full((len(lengths), field_count), -np.inf)
    np.maximum.at(grid, (owner, fields), similarities)
    present = np.isfinite(grid)
    best = grid.max(axis=1)
    field_mean = np.where(present, grid, 0.0).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    aggregate = max_weight * best + (1.0 - max_weight) * field_mean
    return best, aggregate


def lexical_evidence(channels: Sequence[tuple[np.ndarray, float]], count: int) -> np.ndarray:
    """The channels' weighted mean per document; each channel is ``(scores of the documents, weight)``."""
    evidence = np.zeros(count)
    if channels:
        total = sum(weight for _, weight in channels)
        for values, weight in channels:
            evidence += (weight / total) * values
    return evidence


def fused_scores(mode: str, dense: np.ndarray, lexical: np.ndarray, share: float) -> np.ndarray:
    """The score that orders the hits in ``mode``; ``share`` is the lexical channels' summed weight.

    A query without Thai letters has no character channel; its weight is not in ``share`` then, so
    an English query's scores keep the same scale whether or not the index has Thai text.
    """
    if mode == "dense":
        return dense
    if mode == "lexical":
        return lexical
    return (dense + share * lexical) / (1.0 + share)

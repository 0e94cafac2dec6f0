"""Where a draft's service would rank for a question, with the draft in place of the live version.

Honest and cheap, and the live index is never touched: a private copy of the index is read from
the files the live search saved (:meth:`HybridIndex.load`: no re-embedding, the saved index is
versioned and switched atomically, so a concurrent edit never shows half-written), the draft's
passages replace the live service's there (only those are embedded), and the question is searched
and re-ranked by the editors' words exactly as :meth:`CatalogueSearch.lookup` does. One difference,
stated: the per-service classifier is left out (it is trained on the live catalogue and would
score the draft by its old texts), so this is the retrieval ranking, which decides which services
the bot considers; the bot's final order may differ slightly among close siblings. Topics outside
the catalogue compete as in the bot, but only services are ranked here. Cost: reading the saved index
(O(catalogue), about 0.4 s for the 104 seed services on a 2-core machine) plus embedding the draft's
passages, per preview; nothing is kept, so nothing can go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.schema import Service
from knowledge.search.index import HybridIndex
from knowledge.service_search import CatalogueSearch, KeywordBoost, passages_for

__all__ = ["DraftRanking", "RankedService", "rank_with_draft"]


@dataclass(frozen=True)
class RankedService:
    service_id: str
    title_th: str
    title_en: str
    score: float


@dataclass(frozen=True)
class DraftRanking:
    """``rank``: the draft's service's place (1 = first) among the top ``k`` services, None if not there."""

    question: str
    rank: int | None
    score: float | None
    top: list[RankedService]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "rank": self.rank,
            "score": self.score,
            "top": [vars(ranked) for ranked in self.top],
        }


def rank_with_draft(search: CatalogueSearch, draft: Service, question: str, k: int = 5) -> DraftRanking:
    """Search ``question`` over the live catalogue with ``draft`` in place of its live version."""
    index = HybridIndex.load(search.index_dir, search.embedder, search.spelling)
    index.upsert(draft.id, passages_for(draft))
    services = {service.id: service for service in search.store.list_services()}
    services[draft.id] = draft
    boost = KeywordBoost(services, list(search.referrals.values()))
    depth = max(k * 3, 10) + (10 if search.referrals else 0)
    hits = [
        hit for hit in boost.rerank(index.search(question, k=depth), index.spell(question)) if hit.doc_id in services
    ]
    top = [
        RankedService(hit.doc_id, services[hit.doc_id].title.th, services[hit.doc_id].title.en, round(hit.score, 4))
        for hit in hits[:k]
    ]
    place = next((position for position, ranked in enumerate(top, start=1) if ranked.service_id == draft.id), None)
    return DraftRanking(question, place, top[place - 1].score if place is not None else None, top)

"""Filtering the drafts list (state, author, service): pure functions over drafts, for the page."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.drafts import Draft

__all__ = ["DraftFilters", "author_names", "filter_drafts"]


@dataclass(frozen=True)
class DraftFilters:
    state: str = "open"  # a draft state, "open" (being written or waiting for review) or "all"
    author: str = ""  # an account that started or saved the draft
    service: str = ""  # part of the service's id or of its Thai or English title


def filter_drafts(drafts: list[Draft], filters: DraftFilters) -> list[Draft]:
    """The drafts (already of the wanted states) that the author and service filters keep."""
    query = filters.service.casefold().strip()
    kept = []
    for draft in drafts:
        if filters.author and filters.author not in (draft.author, *draft.contributors):
            continue
        words = f"{draft.service_id} {draft.service.title.th} {draft.service.title.en}".casefold()
        if query and query not in words:
            continue
        kept.append(draft)
    return kept


def author_names(drafts: list[Draft]) -> list[str]:
    """Everyone who started or saved one of ``drafts``, sorted: the author filter's choices."""
    return sorted({name for draft in drafts for name in (draft.author, *draft.contributors)})

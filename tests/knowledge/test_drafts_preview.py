"""Ranking a question with a draft in place of the live service: the draft's new words count, the live
index and catalogue are left exactly as they were (real store, real saved index, the embedded encoder)."""

from __future__ import annotations

from knowledge.draft_preview import rank_with_draft

QUESTION = "how do I get a permit for my pet iguana"


def test_the_drafts_new_words_rank_it_and_the_live_search_is_untouched(catalogue):
    live = catalogue.store.get("id-card-renewal")
    before = [m.service.id for m in catalogue.search(QUESTION, k=5)]
    revision = catalogue.store.revision()
    without = rank_with_draft(catalogue, live, QUESTION)
    assert without.rank != 1

    keywords = live.keywords.model_copy(update={"en": [*live.keywords.en, "pet iguana permit"]})
    examples = live.example_questions.model_copy(update={"en": [*live.example_questions.en, QUESTION]})
    draft = live.model_copy(update={"keywords": keywords, "example_questions": examples})
    ranked = rank_with_draft(catalogue, draft, QUESTION)
    assert ranked.rank == 1 and ranked.top[0].service_id == "id-card-renewal"
    assert ranked.to_dict()["top"][0]["title_en"] == live.title.en

    assert [m.service.id for m in catalogue.search(QUESTION, k=5)] == before
    assert catalogue.store.revision() == revision and catalogue.get("id-card-renewal") == live

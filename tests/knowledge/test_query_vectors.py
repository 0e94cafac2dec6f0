"""A citizen's question is embedded once per lookup: the search index and the service classifier
score the same query and share one cache of query vectors."""

from __future__ import annotations

import numpy as np

from knowledge.referrals import load_referrals
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from tests.support import copy_prebuilt_catalogue_to


class RecordingEmbedder:
    """The session's real encoder, remembering every text it embeds."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self.texts: list[str] = []

    def embed(self, texts) -> np.ndarray:
        self.texts.extend(texts)
        return self._embedder.embed(texts)


def test_a_question_is_embedded_once_for_the_index_and_the_classifier(tmp_path, embedder):
    store = CatalogueStore(copy_prebuilt_catalogue_to(tmp_path / "catalogue.db", tmp_path / "index"))
    recording = RecordingEmbedder(embedder)
    try:
        search = CatalogueSearch(store, recording, tmp_path / "index", referrals=load_referrals())
        search.load_or_build()
        search.wait_for_classifier()
        question = "อยากต่ออายุพาสปอร์ตต้องทำยังไงบ้างครับ"
        found = search.lookup(question, k=3)
        assert found.matches[0].service.id == "passport-renewal"
        assert recording.texts.count(question) == 1
        search.lookup(question, k=3)  # asked again: nothing new to embed
        assert recording.texts.count(question) == 1
    finally:
        store.close()


def test_a_turns_record_reads_the_score_of_the_lookup_that_answered_it(catalogue):
    """The analytics' record of a turn (conversation/turn_recording.py) costs no second search: the
    lookup the action made is remembered, and words this process never looked up have no score."""
    question = "ต่อใบขับขี่รถยนต์ที่หมดอายุแล้วทำอย่างไร"
    found = catalogue.lookup(question, k=3)
    assert catalogue.recent_top_score(question) == found.matches[0].hit.score
    assert catalogue.recent_top_score("a question nobody looked up " + question) is None

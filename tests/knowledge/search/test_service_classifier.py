"""The per-service classifier with the real seed catalogue and the real encoder: siblings told apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from knowledge.search.service_classifier import ServiceClassifier, TextVectors
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore


def _catalogue(tmp_path, services, embedder) -> Iterator[CatalogueSearch]:
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.import_services(services, "test")
    search = CatalogueSearch(store, embedder, tmp_path / "index")
    search.load_or_build()
    assert search.wait_for_classifier(timeout=300)
    try:
        yield search
    finally:
        store.close()


@pytest.fixture(scope="module")
def seed_search(tmp_path_factory, seed_services, embedder) -> Iterator[CatalogueSearch]:
    yield from _catalogue(tmp_path_factory.mktemp("seed"), seed_services, embedder)


def ranking(search: CatalogueSearch, question: str) -> list[str]:
    return [match.service.id for match in search.search(question, k=5)]


@pytest.mark.parametrize("question", ["How do I renew my passport?", "ต่อพาสปอร์ต", "ต่ออายุพาสปอร์ตเล่มเดิม"])
def test_renewing_a_passport_finds_renewal_not_first_issue(seed_search, question):
    assert ranking(seed_search, question)[0] == "passport-renewal"


def test_a_lost_id_card_ranks_the_lost_or_damaged_service_over_renewal(seed_search):
    ranked = ranking(seed_search, "บัตรประชาชนหาย")
    assert ranked[0] == "id-card-replacement-lost-damaged"
    assert ranked.index("id-card-replacement-lost-damaged") < ranked.index("id-card-renewal")


def test_the_words_that_tell_siblings_apart_come_from_the_catalogue(seed_search):
    classifier = seed_search.classifier
    assert classifier is not None
    renewal_over_first = classifier.distinguishing_terms("passport-renewal", "passport-first-issue", n=40)
    assert {"w:ต่อ", "w:renew"} & set(renewal_over_first)
    lost_over_renewal = classifier.distinguishing_terms("id-card-replacement-lost-damaged", "id-card-renewal", n=40)
    assert {"w:หาย", "w:lost"} & set(lost_over_renewal)


def test_every_service_is_learned_and_a_question_gets_a_probability_per_service(seed_search, seed_services):
    classifier = seed_search.classifier
    assert classifier is not None and len(classifier) == len(seed_services)
    question = "ทำพาสปอร์ตครั้งแรก"
    probabilities = classifier.probabilities(question, TextVectors(seed_search.embedder).query(question))
    assert set(probabilities) == {s.id for s in seed_services}
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert max(probabilities, key=probabilities.__getitem__) == "passport-first-issue"


def test_retraining_after_a_catalogue_change_learns_the_new_examples(tmp_path, seed_services, embedder):
    siblings = [s for s in seed_services if s.id.startswith(("passport-", "id-card-"))]
    new_question = "เล่มสีเลือดหมูโดนกระต่ายแทะจนขาดครึ่ง"  # a rabbit chewed the maroon book in half
    for search in _catalogue(tmp_path, siblings, embedder):
        classifier = search.classifier
        assert classifier is not None
        vector = TextVectors(embedder).query(new_question)
        assert classifier.ranked(new_question, vector, k=1)[0][0] != "passport-lost-replacement"

        lost = search.store.get("passport-lost-replacement")
        examples = lost.example_questions.model_copy(
            update={"th": [*lost.example_questions.th, new_question, "กระต่ายแทะพาสปอร์ตขาด"]}
        )
        search.store.update(lost.model_copy(update={"example_questions": examples}), "editor")
        assert search.catch_up() == 1
        assert search.wait_for_classifier(timeout=300)

        retrained = search.classifier
        assert retrained is not None and retrained is not classifier
        assert retrained.ranked(new_question, vector, k=1)[0][0] == "passport-lost-replacement"
        assert ranking(search, new_question)[0] == "passport-lost-replacement"


def test_retrieval_alone_remains_available(tmp_path, seed_services, embedder):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        store.import_services(seed_services[:5], "test")
        search = CatalogueSearch(store, embedder, tmp_path / "index", classifier=None)
        search.load_or_build()
        assert search.classifier is None and not search.wait_for_classifier(timeout=1)
        assert ranking(search, seed_services[0].title.en)[0] == seed_services[0].id
    finally:
        store.close()


def test_an_empty_catalogue_trains_an_empty_classifier(embedder):
    classifier = ServiceClassifier.train({}, TextVectors(embedder))
    assert len(classifier) == 0
    assert classifier.probabilities("ต่อพาสปอร์ต", TextVectors(embedder).query("ต่อพาสปอร์ต")) == {}

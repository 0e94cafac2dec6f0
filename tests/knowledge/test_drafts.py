"""Drafts in the catalogue store, on a real SQLite file and on PostgreSQL: apart from the live catalogue
until a reviewer who did not write them publishes; conflicts between editors and with the live service
are refused, and nothing is lost."""

from __future__ import annotations

import pytest

from knowledge.diff import diff_services
from knowledge.drafts import (
    DraftConflictError,
    DraftExistsError,
    DraftIdTakenError,
    DraftMismatchError,
    DraftStaleError,
    DraftStateError,
    OwnDraftError,
)
from knowledge.store import CatalogueStore, StaleVersionError


@pytest.fixture()
def store(sql_url, seed_services):
    """A SQLite file, then a PostgreSQL schema of its own (tests/conftest.py)."""
    store = CatalogueStore(sql_url)
    store.import_services(seed_services[:3], "seed")
    yield store
    store.close()


def with_fee(service, th: str, en: str):
    return service.model_copy(update={"fees": service.fees.model_copy(update={"th": th, "en": en})})


def test_saving_a_draft_leaves_the_live_catalogue_and_its_revision_alone(store, seed_services):
    live = seed_services[0]
    revision, services = store.revision(), store.list_services()
    draft = store.create_draft(with_fee(live, "999 บาท", "999 baht"), "malee")
    saved = store.save_draft(draft.id, with_fee(live, "150 บาท", "150 baht"), "malee", expected_version=1)
    assert (draft.state, draft.base_version, saved.version) == ("draft", 1, 2)
    assert store.revision() == revision and store.list_services() == services
    assert store.get(live.id).fees == live.fees
    assert store.get_draft(draft.id).service.fees.en == "150 baht"


def test_a_reviewer_who_did_not_write_it_publishes_a_new_live_version(store, seed_services):
    live = seed_services[0]
    draft = store.create_draft(with_fee(live, "150 บาท", "150 baht"), "malee")
    store.submit_draft(draft.id, "malee")
    with pytest.raises(OwnDraftError) as own:
        store.publish_draft(draft.id, "malee")
    assert "another reviewer" in str(own.value) and "ผู้ตรวจทานคนอื่น" in own.value.messages()["th"]
    revision = store.revision()
    published = store.publish_draft(draft.id, "wichai")
    assert (published.state, published.reviewer, published.published_version) == ("published", "wichai", 2)
    assert store.get(live.id).fees.en == "150 baht" and store.revision() > revision
    last = store.history(live.id)[-1]
    assert (last.change, last.author, last.changed_fields) == ("publish", "malee", ["fees"])
    assert store.list_drafts() == []  # published: no longer open
    assert [d.id for d in store.list_drafts(states=["published"])] == [draft.id]


def test_a_draft_must_be_submitted_before_it_is_published_and_returning_keeps_the_comment(store, seed_services):
    draft = store.create_draft(with_fee(seed_services[1], "1 บาท", "1 baht"), "malee")
    with pytest.raises(DraftStateError):
        store.publish_draft(draft.id, "wichai")
    store.submit_draft(draft.id, "malee")
    returned = store.return_draft(draft.id, "wichai", "Which page says 1 baht?")
    assert (returned.state, returned.review_comment) == ("draft", "Which page says 1 baht?")
    assert store.get(seed_services[1].id).fees == seed_services[1].fees


def test_a_stale_save_is_refused_and_the_other_editors_text_is_kept(store, seed_services):
    live = seed_services[0]
    draft = store.create_draft(live, "malee")
    store.save_draft(draft.id, with_fee(live, "120 บาท", "120 baht"), "somchai", expected_version=1)
    with pytest.raises(DraftStaleError) as stale:
        store.save_draft(draft.id, with_fee(live, "130 บาท", "130 baht"), "malee", expected_version=1)
    assert "somchai" in str(stale.value) and "version 2" in str(stale.value)
    kept = store.get_draft(draft.id)
    assert (kept.version, kept.service.fees.en, kept.contributors) == (2, "120 baht", ["malee", "somchai"])
    # somchai saved it, so somchai may not review it either
    store.submit_draft(draft.id, "malee")
    with pytest.raises(OwnDraftError):
        store.return_draft(draft.id, "somchai", "looks fine")


def test_one_open_draft_per_service_and_the_service_id_stays(store, seed_services):
    live = seed_services[0]
    first = store.create_draft(live, "malee")
    with pytest.raises(DraftExistsError) as exists:
        store.create_draft(live, "somchai")
    assert exists.value.draft_id == first.id
    with pytest.raises(DraftMismatchError):
        store.save_draft(first.id, seed_services[1], "malee", expected_version=1)
    with pytest.raises(StaleVersionError):
        store.create_draft(seed_services[1], "malee", expected_base_version=7)


def test_publishing_refuses_when_the_live_service_moved_past_the_base(store, seed_services):
    live = seed_services[0]
    draft = store.create_draft(with_fee(live, "150 บาท", "150 baht"), "malee")
    store.submit_draft(draft.id, "malee")
    store.update(with_fee(live, "200 บาท", "200 baht"), "somchai")  # someone edits the live service
    with pytest.raises(DraftConflictError) as conflict:
        store.publish_draft(draft.id, "wichai")
    assert "version 1" in str(conflict.value) and "live now 2" in str(conflict.value)
    assert store.get(live.id).fees.en == "200 baht"
    assert store.get_draft(draft.id).state == "submitted"  # nothing lost: the draft waits
    # the editor compares, takes the live version as the new base and submits again
    rebased = store.rebase_draft(draft.id, "malee")
    assert (rebased.base_version, rebased.state, rebased.service.fees.en) == (2, "draft", "150 baht")
    store.submit_draft(draft.id, "malee")
    assert store.publish_draft(draft.id, "wichai").published_version == 3
    assert store.get(live.id).fees.en == "150 baht"


def test_a_draft_of_a_new_service_is_created_on_publishing(store, seed_services):
    new = seed_services[5].model_copy(update={"id": "fishing-boat"})
    draft = store.create_draft(new, "malee")
    assert draft.base_version is None
    with pytest.raises(LookupError):
        store.get("fishing-boat")
    store.submit_draft(draft.id, "malee")
    store.publish_draft(draft.id, "wichai")
    assert store.get("fishing-boat") == new and store.current_version("fishing-boat") == 1


def test_the_diff_between_versions_and_between_draft_and_live_names_the_fee(store, seed_services):
    live = seed_services[0]
    store.update(with_fee(live, "150 บาท", "150 baht"), "somchai")
    changes = diff_services(store.service_version(live.id, 1), store.service_version(live.id, 2))
    assert {c.field: (c.before, c.after) for c in changes} == {
        "fees.th": (live.fees.th, "150 บาท"),
        "fees.en": (live.fees.en, "150 baht"),
    }
    draft = store.create_draft(with_fee(live, "150 บาท", "175 baht"), "malee")
    assert [c.to_dict() for c in diff_services(store.get(live.id), draft.service)] == [
        {"field": "fees.en", "before": "150 baht", "after": "175 baht"}
    ]


def test_a_discarded_draft_cannot_be_saved_and_frees_the_service(store, seed_services):
    live = seed_services[0]
    draft = store.create_draft(live, "malee")
    store.discard_draft(draft.id, "malee")
    with pytest.raises(DraftStateError) as refused:
        store.save_draft(draft.id, live, "malee", expected_version=2)
    assert "discarded" in str(refused.value) and "ยกเลิกแล้ว" in refused.value.messages()["th"]
    assert store.create_draft(live, "malee").id != draft.id


def test_a_new_services_draft_whose_id_was_taken_meanwhile_says_so(store, seed_services):
    new = seed_services[5].model_copy(update={"id": "canal-boat"})
    draft = store.create_draft(new, "malee")
    store.submit_draft(draft.id, "malee")
    store.create(new.model_copy(update={"title": new.title.model_copy(update={"en": "Someone else's"})}), "somchai")
    with pytest.raises(DraftIdTakenError) as taken:
        store.publish_draft(draft.id, "wichai")
    assert "another id" in str(taken.value) and taken.value.code == "draft_id_taken"
    assert store.get("canal-boat").title.en == "Someone else's"

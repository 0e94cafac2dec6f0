"""A restart reuses the saved search index and embeds again only what changed in the store meanwhile:
edits made by another process, a deletion, a catalogue restored from a backup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.referrals import load_referrals
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from tests.support import copy_prebuilt_catalogue_to


class CountingEmbedder:
    """The session's real encoder, counting the texts it is asked to embed."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self.texts = 0

    def embed(self, texts) -> np.ndarray:
        self.texts += len(texts)
        return self._embedder.embed(texts)


@pytest.fixture
def saved(tmp_path: Path, embedder) -> tuple[CatalogueStore, Path, CountingEmbedder]:
    store = CatalogueStore(copy_prebuilt_catalogue_to(tmp_path / "catalogue.db", tmp_path / "index"))
    yield store, tmp_path / "index", CountingEmbedder(embedder)
    store.close()


def _open(store: CatalogueStore, index_dir: Path, embedder: CountingEmbedder) -> CatalogueSearch:
    search = CatalogueSearch(store, embedder, index_dir, referrals=load_referrals(), classifier=None)
    search.load_or_build()
    return search


def test_an_unchanged_catalogue_embeds_nothing(saved):
    store, index_dir, embedder = saved
    search = _open(store, index_dir, embedder)
    assert embedder.texts == 0
    assert search.search("ต่ออายุบัตรประชาชน", k=1)[0].service.id == "id-card-renewal"


def test_edits_and_a_deletion_made_while_down_are_applied_by_embedding_only_those(saved):
    store, index_dir, embedder = saved
    pet = store.get("id-card-renewal").model_copy(deep=True)
    pet.title.th, pet.title.en = "ขึ้นทะเบียนสุนัขและแมว", "Registering a pet dog or cat"
    pet.keywords.th, pet.keywords.en = ["ทะเบียนหมา", "ทะเบียนแมว"], ["pet registration", "dog licence"]
    store.update(pet, "another-process")
    store.delete("passport-renewal", "another-process")
    search = _open(store, index_dir, embedder)
    assert 0 < embedder.texts < 80  # one service's passages, not the catalogue's thousands
    assert search.search("register my dog", k=1)[0].service.id == "id-card-renewal"
    assert "passport-renewal" not in {m.service.id for m in search.search("renew my passport", k=10)}
    assert search.revision == store.revision()
    embedder.texts = 0
    _open(store, index_dir, embedder)  # the catch-up was saved: the next start embeds nothing
    assert embedder.texts == 0


def test_a_catalogue_restored_from_a_backup_is_searched_as_restored(saved, tmp_path):
    store, index_dir, embedder = saved
    backup = tmp_path / "backup.db"
    shutil.copy2(tmp_path / "catalogue.db", backup)
    changed = store.get("id-card-renewal").model_copy(deep=True)
    changed.title.en = "Registering a pet dog or cat"
    store.update(changed, "editor")
    _open(store, index_dir, embedder)  # the saved index now holds the edit
    store.close()
    shutil.copy2(backup, tmp_path / "catalogue.db")  # the operator restores yesterday's file
    restored = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        embedder.texts = 0
        search = _open(restored, index_dir, embedder)
        assert 0 < embedder.texts < 80
        assert search.search("renew my ID card", k=1)[0].service.id == "id-card-renewal"
        meta = json.loads((index_dir / "catalogue.json").read_text())
        assert meta["revision"] == restored.revision()
    finally:
        restored.close()

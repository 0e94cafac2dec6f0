"""The index on disk: a saved index searches exactly as before, and only with its own embedder."""

from __future__ import annotations

import pytest

from knowledge.search.index import HybridIndex
from knowledge.search.passages import Passage
from knowledge.search.persistence import IndexMismatchError
from nlu.embedders import SentenceTransformerEmbedder, gt_minilm_model_path
from tests.knowledge.search.sample_catalogue import fresh, ids, passages_of


def test_save_load_roundtrip(embedder, tmp_path):
    index = fresh(embedder)
    queries = ["ต่ออายุบัตรประชาชน", "river pier", "elderly monthly money", "แจ้งเกิด"]
    before = {q: [(h.doc_id, round(h.score, 5), h.passage) for h in index.search(q, k=4)] for q in queries}
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx", embedder)
    assert len(loaded) == len(index)
    for query in queries:
        assert [(h.doc_id, round(h.score, 5), h.passage) for h in loaded.search(query, k=4)] == before[query]
    # the loaded index keeps working: new ids never collide with saved ones
    loaded.upsert("passport", [Passage("passport", "title", "th", "ทำพาสปอร์ตเล่มใหม่")])
    assert len(loaded._dense) == len(loaded._passages)
    assert ids(loaded.search("ทำพาสปอร์ตเล่มใหม่", k=1)) == ["passport"]
    # atomic versions: CURRENT names one complete directory; at most the previous one is kept
    loaded.save(tmp_path / "idx")
    loaded.save(tmp_path / "idx")
    current = (tmp_path / "idx" / "CURRENT").read_text().strip()
    versions = sorted(p.name for p in (tmp_path / "idx").iterdir() if p.is_dir())
    assert current in versions and len(versions) == 2
    assert not [p for p in (tmp_path / "idx").iterdir() if p.name.startswith(".")]


def test_load_refuses_another_embedder(embedder, tmp_path):
    index = HybridIndex(embedder)
    index.upsert("passport", passages_of("passport"))
    index.save(tmp_path / "idx")
    other = SentenceTransformerEmbedder(str(gt_minilm_model_path()))
    with pytest.raises(IndexMismatchError, match="use-multilingual-v3"):
        HybridIndex.load(tmp_path / "idx", other)
    with pytest.raises(FileNotFoundError, match="CURRENT"):
        HybridIndex.load(tmp_path / "nothing-here", embedder)

"""faiss IndexIDMap2(IndexFlatIP): ids, duplicates, removal, persistence."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from knowledge.search.dense import DenseIndex


def unit(rows: int, dimension: int = 8, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dimension)).astype(np.float32)
    return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), dtype=np.float32)


def test_search_returns_ids_by_cosine():
    index = DenseIndex(8)
    vectors = unit(5)
    index.add([10, 11, 12, 13, 14], vectors)
    scores, ids = index.search(vectors[2:3], 3)
    assert ids[0, 0] == 12
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert len(index) == 5
    np.testing.assert_allclose(index.vectors([14, 10]), vectors[[4, 0]], atol=1e-6)


def test_raw_faiss_keeps_duplicate_ids_and_replace_does_not():
    vectors = unit(2)
    raw = faiss.IndexIDMap2(faiss.IndexFlatIP(8))
    raw.add_with_ids(vectors[:1], np.array([7], dtype=np.int64))
    raw.add_with_ids(vectors[1:], np.array([7], dtype=np.int64))  # accepted silently
    assert raw.ntotal == 2  # the pitfall: both versions are searchable

    index = DenseIndex(8)
    index.add([7], vectors[:1])
    index.replace([7], [7], vectors[1:])
    assert len(index) == 1
    _, ids = index.search(vectors[1:], 5)
    assert ids[0].tolist() == [7]
    np.testing.assert_allclose(index.vectors([7]), vectors[1:], atol=1e-6)


def test_remove_ignores_unknown_ids():
    index = DenseIndex(8)
    index.add([1, 2, 3], unit(3))
    assert index.remove([2, 99]) == 1
    assert index.remove([]) == 0
    assert len(index) == 2
    _, ids = index.search(unit(1, seed=5), 10)
    assert sorted(ids[0].tolist()) == [1, 3]


def test_shapes_are_checked():
    index = DenseIndex(8)
    with pytest.raises(ValueError, match=r"shape \(n, 8\)"):
        index.add([1], unit(1, dimension=4))
    with pytest.raises(ValueError, match="2 ids for 1 vectors"):
        index.add([1, 2], unit(1))
    scores, ids = index.search(unit(1), 5)  # empty index
    assert scores.shape == ids.shape == (1, 0)


def test_save_load_and_clone(tmp_path):
    index = DenseIndex(8)
    vectors = unit(4)
    index.add([5, 6, 7, 8], vectors)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", 8)
    clone = index.clone()
    index.remove([5])
    for other in (loaded, clone):
        assert len(other) == 4
        _, ids = other.search(vectors[:1], 1)
        assert ids[0, 0] == 5
    with pytest.raises(ValueError, match="dimension"):
        DenseIndex.load(tmp_path / "dense.faiss", 16)


def test_similarities_follow_every_change_of_the_index():
    index = DenseIndex(8)
    vectors = unit(6, seed=3)
    index.add([0, 1, 2, 3], vectors[:4])
    query = unit(1, seed=9)[0]
    np.testing.assert_allclose(index.similarities(query, [3, 0, 3]), vectors[[3, 0, 3]] @ query, atol=1e-6)
    index.replace([1], [7], vectors[4:5])  # an edit: a passage replaced by a new id
    index.add([5], vectors[5:6])
    np.testing.assert_allclose(index.similarities(query, [7, 5, 0]), vectors[[4, 5, 0]] @ query, atol=1e-6)
    np.testing.assert_allclose(index.vectors([7, 2]), vectors[[4, 2]], atol=1e-6)
    with pytest.raises(KeyError, match="1"):
        index.similarities(query, [1])  # the replaced passage is gone
    with pytest.raises(KeyError, match="99"):
        index.vectors([0, 99])


def test_similarities_of_a_loaded_and_a_cloned_index(tmp_path):
    index = DenseIndex(8)
    vectors = unit(3, seed=4)
    index.add([4, 5, 6], vectors)
    query = unit(1, seed=2)[0]
    index.save(tmp_path / "dense.faiss")
    for copy in (DenseIndex.load(tmp_path / "dense.faiss", 8), index.clone()):
        np.testing.assert_allclose(copy.similarities(query, [6, 4]), vectors[[2, 0]] @ query, atol=1e-6)
    assert DenseIndex(8).similarities(query, []).shape == (0,)

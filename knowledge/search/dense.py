"""Exact inner-product search over unit vectors: faiss ``IndexIDMap2(IndexFlatIP)``.

Why flat: a national service catalogue is thousands of documents, tens of thousands of passages;
exact search over that is a millisecond or two, needs no training and never drifts as editors
change content. ``IDMap2`` (not ``IDMap``) because we read vectors back by id to score every
passage of a candidate document.

faiss accepts a duplicate id silently and then keeps both vectors, so :meth:`DenseIndex.replace`
always removes before it adds. Nothing here is synchronised: :class:`knowledge.search.index.HybridIndex`
holds a readers-writer lock around it (faiss searches themselves are thread-safe).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DenseIndex", "set_faiss_threads"]


_threads = 1
_applied_threads: int | None = None


def set_faiss_threads(threads: int) -> None:
    """How many OpenMP threads faiss may use, process-wide; the gateway passes ``search.faiss_threads``.

    Applied at once if faiss is loaded already, otherwise when it first is.
    """
    global _threads
    if threads < 1:
        raise ValueError(f"faiss needs at least one thread, got {threads}")
    _threads = threads
    if _applied_threads is not None:
        _faiss()


def _faiss() -> Any:
    """faiss, imported lazily (it loads OpenMP and BLAS) and limited to one OpenMP thread by default.

    Why one thread: we search one query at a time, where OpenMP gains nothing, and its idle threads
    busy-wait on the cores that numpy's BLAS (the sentence encoder) needs next: measured on XQuAD,
    a query went from 166 ms to 11 ms and a build from 49 s to 12 s. Concurrency comes from serving
    several requests at once. :func:`set_faiss_threads` changes it.
    """
    global _applied_threads
    import faiss

    if _applied_threads != _threads:
        faiss.omp_set_num_threads(_threads)
        _applied_threads = _threads
    return faiss


def _ids(ids: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


class DenseIndex:
    """One vector per passage id (int64); cosine similarity because rows are L2-normalised."""

    def __init__(self, dimension: int, index: Any = None) -> None:
        if dimension <= 0:
            raise ValueError("dimension must be positive")
        self.dimension = dimension
        if index is None:
            faiss = _faiss()
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        elif index.d != dimension:
            raise ValueError(f"faiss index has dimension {index.d}, expected {dimension}")
        self._index = index
        # The vectors as one numpy matrix with a row per id, built on the first read after a change
        # (the caller's index lock keeps writers out meanwhile): ranking reads every candidate
        # passage's vector, and faiss's reconstruct_batch (an id-map lookup and a copy per id) was
        # about 7 % of a gateway turn's CPU. It costs a second copy of the vectors: 12 MB for the
        # seed catalogue's 5,765 passages, 2 KB per passage at 512 dimensions.
        self._mirror: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def _check(self, vectors: np.ndarray) -> np.ndarray:
        array = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if array.ndim != 2 or array.shape[1] != self.dimension:
            raise ValueError(f"expected vectors of shape (n, {self.dimension}), got {array.shape}")
        return array

    def add(self, ids: Any, vectors: np.ndarray) -> None:
        """Append vectors; ids must be new (use :meth:`replace` otherwise)."""
        array, id_array = self._check(vectors), _ids(ids)
        if len(array) != len(id_array):
            raise ValueError(f"{len(id_array)} ids for {len(array)} vectors")
        if len(array):
            self._index.add_with_ids(array, id_array)
            self._mirror = None

    def remove(self, ids: Any) -> int:
        """Drop vectors by id; unknown ids are ignored. Returns how many vectors went."""
        id_array = _ids(ids)
        if not len(id_array):
            return 0
        selector = _faiss().IDSelectorBatch(id_array)
        removed = int(self._index.remove_ids(selector))
        self._mirror = None
        return removed

    def replace(self, remove_ids: Any, add_ids: Any, vectors: np.ndarray) -> None:
        """Remove-then-add, the only safe update with faiss (duplicate ids would both stay)."""
        self.remove(remove_ids)
        self.add(add_ids, vectors)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; missing slots have id -1."""
        array = self._check(queries)
        k = min(k, len(self))
        if k <= 0:
            return np.zeros((len(array), 0), dtype=np.float32), np.zeros((len(array), 0), dtype=np.int64)
        scores, ids = self._index.search(array, k)
        return scores, ids

    def vectors(self, ids: Any) -> np.ndarray:
        """Stored vectors by id, in the given order (raises for unknown ids)."""
        id_array = _ids(ids)
        if not len(id_array):
            return np.zeros((0, self.dimension), dtype=np.float32)
        matrix, rows = self._matrix_rows(id_array)
        return np.asarray(matrix[rows], dtype=np.float32)

    def similarities(self, query: np.ndarray, ids: Any) -> np.ndarray:
        """Inner product of ``query`` with the stored vector of each id, in the given order (raises for
        unknown ids): ``vectors(ids) @ query`` without copying the rows."""
        id_array = _ids(ids)
        if not len(id_array):
            return np.zeros(0, dtype=np.float32)
        matrix, rows = self._matrix_rows(id_array)
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        if len(rows) * 4 < len(matrix):  # a few ids: their rows alone
            return np.asarray(matrix[rows] @ vector, dtype=np.float32)
        return np.asarray((matrix @ vector)[rows], dtype=np.float32)

    def _matrix_rows(self, id_array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        matrix, row_of = self._mirrored()
        known = (id_array >= 0) & (id_array < len(row_of))
        rows = np.full(len(id_array), -1, dtype=np.int64)
        rows[known] = row_of[id_array[known]]
        if (rows < 0).any():
            raise KeyError(f"unknown vector ids: {id_array[rows < 0][:5].tolist()}")
        return matrix, rows

    def _mirrored(self) -> tuple[np.ndarray, np.ndarray]:
        mirror = self._mirror
        if mirror is None:
            faiss, total = _faiss(), int(self._index.ntotal)
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            matrix = (
                np.asarray(self._index.index.reconstruct_n(0, total), dtype=np.float32).reshape(total, self.dimension)
                if total
                else np.zeros((0, self.dimension), dtype=np.float32)
            )
            row_of = np.full(int(ids.max()) + 1 if total else 0, -1, dtype=np.int64)
            row_of[ids] = np.arange(total, dtype=np.int64)
            mirror = self._mirror = (matrix, row_of)
        return mirror

    def clone(self) -> DenseIndex:
        return DenseIndex(self.dimension, _faiss().clone_index(self._index))

    def serialize(self) -> np.ndarray:
        """The index as bytes (uint8 array), the same format :meth:`save` writes."""
        return np.asarray(_faiss().serialize_index(self._index))

    def save(self, path: Path) -> None:
        _faiss().write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dimension: int) -> DenseIndex:
        return cls(dimension, _faiss().read_index(str(path)))

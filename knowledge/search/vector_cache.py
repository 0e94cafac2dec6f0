"""Query and word vectors kept in memory, so a repeated query or word is embedded once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from nlu.embedders import Embedder

__all__ = ["VectorCache"]


class VectorCache:
    """LRU of text -> vector so repeated queries and words are embedded once."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self._embedder = embedder
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; only texts not seen lately reach the encoder (in one batch)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._items.get(text)
                if vector is not None:
                    self._items.move_to_end(text)
                    found[text] = vector
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            vectors = self._embedder.embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    vector.setflags(write=False)
                    found[text] = vector
                    self._items[text] = vector
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack([found[text] for text in texts])

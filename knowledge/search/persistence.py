"""The search index on disk: versioned directories, switched atomically through ``CURRENT``.

Layout of ``directory``: ``CURRENT`` names one complete version ``v<ns>-<hex>/`` holding
``meta.json`` (format, embedder, fusion weights), ``dense.faiss``, ``passages.jsonl``,
``lexical.json``, optionally ``chars.json`` (Thai trigrams) and ``bridge_terms.json`` +
``bridge_vectors.npy`` (the word bridge). A version is written under a hidden staging name and
renamed whole, and the previous version is kept for a reader that opened it a moment ago, so a
process loading the index never sees a half-written one. What the spelling aids look words up in
(:mod:`knowledge.search.spelling`) is derived from ``lexical.json`` on loading, so it is not saved
and indexes saved before it existed load unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.search.dense import DenseIndex
from knowledge.search.fusion import FusionConfig
from knowledge.search.passages import Passage
from nlu.embedders import Embedder

__all__ = ["FORMAT_VERSION", "IndexMismatchError", "SavedIndex", "read_index", "write_index"]

FORMAT_VERSION = 1


class IndexMismatchError(ValueError):
    """A saved index was built with another embedder (vectors from two models are not comparable)."""


@dataclass(frozen=True)
class SavedIndex:
    """Everything a :class:`knowledge.search.index.HybridIndex` is rebuilt from, without re-embedding."""

    embedder_name: str
    dimension: int
    fusion: FusionConfig
    next_pid: int  # the next passage id to hand out: ids never collide with saved ones
    passages: list[tuple[int, Passage]]  # (passage id, passage), each document's passages together
    dense: DenseIndex  # one vector per passage id
    lexical: dict[str, Any]  # :meth:`LexicalIndex.state` of the word channel
    chars: dict[str, Any] | None  # the same for Thai character trigrams, None when that channel is off
    bridge: tuple[list[str], np.ndarray] | None  # (words, their vectors), None without a word bridge

    @property
    def documents(self) -> int:
        return len({passage.doc_id for _, passage in self.passages})


def write_index(directory: Path, saved: SavedIndex) -> None:
    """Write a new version beside the old one, then switch ``CURRENT`` to it with one rename."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT_VERSION,
        "embedder": {"name": saved.embedder_name, "dimension": saved.dimension},
        "next_pid": saved.next_pid,
        "documents": saved.documents,
        "fusion": asdict(saved.fusion),
        "bridge": saved.bridge is not None,
        "saved_at": time.time(),
    }
    passages = [{"pid": pid, **asdict(passage)} for pid, passage in saved.passages]
    version = f"v{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    staging = directory / f".staging-{version}"
    staging.mkdir()
    try:
        saved.dense.save(staging / "dense.faiss")
        _write_text(staging / "passages.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages))
        _write_text(staging / "lexical.json", json.dumps(saved.lexical, ensure_ascii=False))
        if saved.chars is not None:
            _write_text(staging / "chars.json", json.dumps(saved.chars, ensure_ascii=False))
        if saved.bridge is not None:
            terms, term_vectors = saved.bridge
            np.save(staging / "bridge_vectors.npy", term_vectors)
            _write_text(staging / "bridge_terms.json", json.dumps(terms, ensure_ascii=False))
        _write_text(staging / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
        os.replace(staging, directory / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = directory / f".CURRENT-{version}"
    _write_text(pointer, version + "\n")
    previous = _current_version(directory)
    os.replace(pointer, directory / "CURRENT")
    # Keep the previous version for a reader that opened it a moment ago; drop older ones.
    for entry in directory.iterdir():
        if entry.is_dir() and entry.name.startswith("v") and entry.name not in (version, previous):
            shutil.rmtree(entry, ignore_errors=True)


def read_index(directory: Path, embedder: Embedder) -> SavedIndex:
    """Read what :func:`write_index` wrote; the embedder must be the one that built it."""
    directory = Path(directory)
    version = _current_version(directory)
    if version is None:
        raise FileNotFoundError(f"no saved index in {directory} (missing CURRENT)")
    path = directory / version
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"index in {path} has format {meta.get('format')}, this code reads {FORMAT_VERSION}")
    built = meta["embedder"]
    built_with = f"index in {path} was built with embedder {built['name']!r} ({built['dimension']} dims)"
    if built["name"] != embedder.name:  # checked first: asking for the dimension may load a model
        raise IndexMismatchError(f"{built_with}; got {embedder.name!r}. Rebuild the index for this embedder.")
    if int(built["dimension"]) != int(embedder.dimension):
        raise IndexMismatchError(
            f"{built_with}; got {embedder.name!r} with {embedder.dimension} dims. Rebuild the index."
        )
    fusion = FusionConfig(**meta["fusion"])
    dimension = int(built["dimension"])
    passages: list[tuple[int, Passage]] = []
    with open(path / "passages.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            pid = int(row.pop("pid"))
            passages.append((pid, Passage(**row)))
    bridge = None
    if meta["bridge"]:
        terms = json.loads((path / "bridge_terms.json").read_text(encoding="utf-8"))
        bridge = (terms, np.load(path / "bridge_vectors.npy"))
    saved = SavedIndex(
        embedder_name=str(built["name"]),
        dimension=dimension,
        fusion=fusion,
        next_pid=int(meta["next_pid"]),
        passages=passages,
        dense=DenseIndex.load(path / "dense.faiss", dimension),
        lexical=json.loads((path / "lexical.json").read_text(encoding="utf-8")),
        chars=json.loads((path / "chars.json").read_text(encoding="utf-8")) if fusion.char_weight > 0 else None,
        bridge=bridge,
    )
    pids = {pid for pid, _ in passages}
    if len(saved.dense) != len(pids):
        raise ValueError(f"index in {path} is inconsistent: {len(saved.dense)} vectors, {len(pids)} passages")
    return saved


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _current_version(directory: Path) -> str | None:
    try:
        return (directory / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None

"""The search index on disk: versioned directories, switched atomically through ``CURRENT``.

Layout of ``directory``: ``CURRENT`` names one complete version ``v<ns>-<hex>/`` holding
``meta.json`` (format, embedder, fusion weights), ``dense.faiss``, ``passages.jsonl``,
``lexical.json``, optionally ``chars.json`` (Thai trigrams) and ``bridge_terms.json`` +
``bridge_vectors.npy`` (the word bridge). A version is written under a hidden staging name and
renamed whole, and the previous version is kept for a reader that opened it a moment ago, so a
process loading the index never sees a half-written one. Every file, and each directory an entry
was renamed into, is fsynced before the next step, so after a power cut ``CURRENT`` never names a
version whose files are not all on disk. A writer killed mid-write leaves a staging directory, a
pointer or temporary file, or a complete version never switched to: :func:`clean_leftovers` removes
them when the index is next read or written, under a lock file that a live writer in another process
holds, so it never removes what is being written. What the spelling aids look words up in
(:mod:`knowledge.search.spelling`) is derived from ``lexical.json`` on loading, so it is not saved
and indexes saved before it existed load unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.search.dense import DenseIndex
from knowledge.search.fusion import FusionConfig
from knowledge.search.passages import Passage
from nlu.embedders import Embedder

__all__ = [
    "FORMAT_VERSION",
    "IndexMismatchError",
    "SavedIndex",
    "clean_leftovers",
    "read_index",
    "write_index",
    "write_json_atomically",
]

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
    with _writer_lock(directory, wait=True):
        _clean_leftovers_locked(directory)
        _write_version(directory, version, saved, meta, passages)


def _write_version(
    directory: Path, version: str, saved: SavedIndex, meta: dict[str, Any], passages: list[dict[str, Any]]
) -> None:
    staging = directory / f"{_STAGING}{version}"
    staging.mkdir()
    try:
        saved.dense.save(staging / "dense.faiss")
        _fsync_file(staging / "dense.faiss")  # faiss writes through its own handle
        _write_text(staging / "passages.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages))
        _write_text(staging / "lexical.json", json.dumps(saved.lexical, ensure_ascii=False))
        if saved.chars is not None:
            _write_text(staging / "chars.json", json.dumps(saved.chars, ensure_ascii=False))
        if saved.bridge is not None:
            terms, term_vectors = saved.bridge
            np.save(staging / "bridge_vectors.npy", term_vectors)
            _fsync_file(staging / "bridge_vectors.npy")
            _write_text(staging / "bridge_terms.json", json.dumps(terms, ensure_ascii=False))
        _write_text(staging / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
        _fsync_dir(staging)  # the files' names, before the directory is renamed into place
        os.replace(staging, directory / version)
        _fsync_dir(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = directory / f"{_POINTER}{version}"
    _write_text(pointer, version + "\n")
    previous = _current_version(directory)
    os.replace(pointer, directory / "CURRENT")
    _fsync_dir(directory)
    # Keep the previous version for a reader that opened it a moment ago; drop older ones.
    for entry in directory.iterdir():
        if entry.is_dir() and entry.name.startswith("v") and entry.name not in (version, previous):
            shutil.rmtree(entry, ignore_errors=True)


def read_index(directory: Path, embedder: Embedder) -> SavedIndex:
    """Read what :func:`write_index` wrote; the embedder must be the one that built it."""
    directory = Path(directory)
    if directory.is_dir():
        try:
            with _writer_lock(directory, wait=False) as locked:
                if locked:  # else another process is writing right now, and cleans up itself
                    _clean_leftovers_locked(directory)
        except OSError:  # a read-only index directory: nothing to clean, and nothing to write
            pass
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


def write_json_atomically(path: Path, data: Any) -> None:
    """Write ``data`` as JSON beside the index: a fsynced temporary file renamed over ``path``, then
    the directory fsynced, so a reader sees the old file or the new one, and a crash leaves at most
    a temporary file that :func:`clean_leftovers` removes."""
    path = Path(path)
    tmp = path.with_name(f"{_TEMP}{path.name}-{uuid.uuid4().hex[:8]}")
    try:
        _write_text(tmp, json.dumps(data, ensure_ascii=False))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def clean_leftovers(directory: Path) -> list[str]:
    """Remove what interrupted writes left in ``directory``; returns the names removed.

    Waits for a writer in another process to finish first (it holds the lock while it writes)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    with _writer_lock(directory, wait=True):
        return _clean_leftovers_locked(directory)


_STAGING = ".staging-"  # a version being written
_POINTER = ".CURRENT-"  # the next CURRENT, before it is renamed over the old one
_TEMP = ".tmp-"  # write_json_atomically's temporary files
_LEGACY_TEMP = ("catalogue.json.tmp",)  # what earlier code wrote before its rename
_LOCK = "writer.lock"  # not hidden: it stays, and is not a leftover


def _clean_leftovers_locked(directory: Path) -> list[str]:
    current = _current_version(directory)
    versions = sorted((e.name for e in directory.iterdir() if e.is_dir() and _is_version(e.name)), key=_version_key)
    keep = {current} if current else set()
    if current in versions:  # the newest older version is the previous one, kept for a late reader
        older = versions[: versions.index(current)]
        keep.update(older[-1:])
    elif current is None:
        keep.update(versions)  # no CURRENT: nothing to tell leftovers by, so touch no version
    removed: list[str] = []
    for entry in directory.iterdir():
        name = entry.name
        leftover = name.startswith((_STAGING, _POINTER, _TEMP)) or name in _LEGACY_TEMP
        if leftover or (entry.is_dir() and _is_version(name) and name not in keep):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(name)
    if removed:
        _fsync_dir(directory)
    return sorted(removed)


def _is_version(name: str) -> bool:
    return name.startswith("v") and name[1:].partition("-")[0].isdigit()


def _version_key(name: str) -> int:
    return int(name[1:].partition("-")[0])


@contextlib.contextmanager
def _writer_lock(directory: Path, *, wait: bool) -> Iterator[bool]:
    """An exclusive ``flock`` on the index directory's lock file: released by the kernel when its
    holder dies, so a writer killed with ``kill -9`` never leaves the index locked."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / _LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """A rename or a new file is durable only once its directory is fsynced too (POSIX)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _current_version(directory: Path) -> str | None:
    try:
        return (directory / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None

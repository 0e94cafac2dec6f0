"""The saved index survives its writer dying: ``kill -9`` mid-write, then the next start cleans up
what was left and loads the last complete version. And the index never records the store's URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

from knowledge.database import store_fingerprint
from knowledge.search.persistence import clean_leftovers, read_index, write_json_atomically

ROOT = Path(__file__).resolve().parents[3]
DIMENSION = 64
# Large enough that writing one version takes a while, so the test can catch a writer mid-write.
WRITER = textwrap.dedent(
    f"""
    import sys
    from pathlib import Path
    import numpy as np
    from knowledge.search.dense import DenseIndex
    from knowledge.search.fusion import FusionConfig
    from knowledge.search.passages import Passage
    from knowledge.search.persistence import SavedIndex, write_index

    n, dim = 100_000, {DIMENSION}
    dense = DenseIndex(dim)
    dense.add(np.arange(n), np.random.default_rng(0).random((n, dim), dtype=np.float32))
    passages = [(i, Passage("doc", "title", "en", "text")) for i in range(n)]
    version = 0
    while True:
        version += 1
        saved = SavedIndex("durability-test", dim, FusionConfig(), version, passages, dense, {{}}, {{}}, None)
        write_index(Path(sys.argv[1]), saved)
        print(version, flush=True)
    """
)
EMBEDDER = SimpleNamespace(name="durability-test", dimension=DIMENSION)  # only what read_index asks of one


def _leftovers(directory: Path) -> list[str]:
    return sorted(e.name for e in directory.iterdir() if e.name.startswith((".staging-", ".CURRENT-", ".tmp-")))


def test_a_writer_killed_mid_write_leaves_the_last_good_index_and_the_next_start_cleans_up(tmp_path):
    index_dir = tmp_path / "index"
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "1"  # one complete version on disk
        deadline = time.monotonic() + 60
        while not _leftovers(index_dir) and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(writer.pid, signal.SIGKILL)  # mid-write: a staging directory exists
        writer.wait(10)
        completed = [int(line) for line in writer.stdout.read().split()] or [1]
    assert _leftovers(index_dir), "the writer was not caught mid-write"

    saved = read_index(index_dir, EMBEDDER)  # what the next start does

    assert saved.next_pid >= max(completed)  # the last version that was switched to, complete
    assert len(saved.dense) == len(saved.passages) == 100_000
    assert _leftovers(index_dir) == []
    versions = [e for e in index_dir.iterdir() if e.is_dir()]
    assert len(versions) <= 2  # the current one and at most the previous one


def test_clean_leftovers_removes_staging_pointers_temps_and_unswitched_versions(tmp_path):
    for name in ("v100-aa", "v200-bb", "v300-cc", "v400-dd", ".staging-v500-ee"):
        (tmp_path / name).mkdir()
    (tmp_path / "CURRENT").write_text("v300-cc\n")
    for name in (".CURRENT-v400-dd", ".tmp-catalogue.json-1234", "catalogue.json.tmp", "catalogue.json"):
        (tmp_path / name).write_text("{}")

    removed = clean_leftovers(tmp_path)

    assert removed == sorted(
        [".CURRENT-v400-dd", ".staging-v500-ee", ".tmp-catalogue.json-1234", "catalogue.json.tmp", "v100-aa", "v400-dd"]
    )
    left = {e.name for e in tmp_path.iterdir()} - {"writer.lock"}
    assert left == {"v200-bb", "v300-cc", "CURRENT", "catalogue.json"}  # current, previous, and real files


def test_without_current_no_version_is_removed(tmp_path):
    (tmp_path / "v100-aa").mkdir()
    assert clean_leftovers(tmp_path) == []
    assert (tmp_path / "v100-aa").is_dir()


def test_write_json_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "catalogue.json"
    write_json_atomically(target, {"revision": 1})
    write_json_atomically(target, {"revision": 2})
    assert json.loads(target.read_text()) == {"revision": 2}
    assert [e.name for e in tmp_path.iterdir()] == ["catalogue.json"]


def test_the_store_fingerprint_names_no_password_and_still_tells_stores_apart():
    one = store_fingerprint("postgresql://bot:s3cret-pw@db.example/catalogue")
    assert "s3cret" not in one
    assert one == store_fingerprint("postgresql://bot:rotated-pw@db.example/catalogue")  # same store
    assert one != store_fingerprint("postgresql://bot:s3cret-pw@other.example/catalogue")


def test_the_saved_catalogue_index_does_not_record_the_store_url(catalogue):
    url = catalogue.store.url
    for path in catalogue.index_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert url.encode() not in data, path
            assert url.removeprefix("sqlite:///").encode() not in data, path
    meta = json.loads((catalogue.index_dir / "catalogue.json").read_text())
    assert meta["store"] == store_fingerprint(url)

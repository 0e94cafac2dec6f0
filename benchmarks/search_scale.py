"""How the hybrid index scales: build time, memory, search and single-document update latency.

    PYTHAINLP_OFFLINE=1 .venv/bin/python -m benchmarks.search_scale            # 100, 1k, 10k documents
    PYTHAINLP_OFFLINE=1 .venv/bin/python -m benchmarks.search_scale --sizes 100 1000 10000 100000

Documents are synthetic services generated from word lists (Thai and English title and summary,
four passages each). The sentence encoder's throughput is measured first; when embedding a size's
passages would take longer than ``--embed-budget`` seconds, that build uses random unit vectors for
the dense side and the report says so (``"dense_vectors": "random"``). Queries, bridged words and
single-document updates always go through the real encoder, so their latencies are real.

Latencies are per-query percentiles; every figure is the median over ``--runs`` runs. Memory is the
growth of this process's resident set while the index is built (``/proc/self/statm``).

An editor's change must be searchable at once: replacing one document stays within
``UPSERT_BUDGET_MS`` however large the catalogue, and ``goals`` in the report says whether it did at
each size. (This was a wall-clock assertion in the unit tests; timing belongs here, where the
figure is a median over many updates, not in a test on a shared machine.)
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.search.index import HybridIndex  # noqa: E402
from knowledge.search.passages import Passage  # noqa: E402
from nlu.embedders import Embedder, create_embedder, normalise_rows  # noqa: E402

UPSERT_BUDGET_MS = 1000.0  # one document replaced, at any catalogue size

TH_ACTIONS = ["ต่ออายุ", "ขอ", "ยื่นคำขอ", "แจ้ง", "ลงทะเบียน", "ยกเลิก", "เปลี่ยน", "ตรวจสอบ", "ชำระ", "จดทะเบียน"]
TH_THINGS = [
    "บัตรประชาชน",
    "หนังสือเดินทาง",
    "ใบขับขี่",
    "ทะเบียนบ้าน",
    "ภาษีที่ดิน",
    "ใบอนุญาตก่อสร้าง",
    "เบี้ยยังชีพ",
    "สูติบัตร",
    "ใบมรณบัตร",
    "ทะเบียนสมรส",
    "ประกันสังคม",
    "ทะเบียนพาณิชย์",
    "ใบอนุญาตขายสุรา",
    "ภาษีรถยนต์",
    "สิทธิบัตรทอง",
    "ทุนการศึกษา",
]
TH_PLACES = [
    "สำนักงานเขต",
    "ที่ว่าการอำเภอ",
    "เทศบาล",
    "สำนักงานขนส่ง",
    "กรมการกงสุล",
    "สำนักงานที่ดิน",
    "โรงพยาบาล",
    "สำนักงานประกันสังคม",
    "ออนไลน์",
    "ศาลากลางจังหวัด",
]
TH_EXTRA = [
    "ใช้เวลา",
    "วัน",
    "ค่าธรรมเนียม",
    "บาท",
    "นำเอกสาร",
    "สำเนา",
    "ตัวจริง",
    "ผู้สูงอายุ",
    "เด็ก",
    "ชาวต่างชาติ",
    "ภายใน",
    "ทำการ",
    "นัดหมาย",
    "ล่วงหน้า",
    "ฟรี",
]
EN_ACTIONS = ["renew", "apply for", "register", "cancel", "change", "check", "pay", "replace", "report", "extend"]
EN_THINGS = [
    "ID card",
    "passport",
    "driving licence",
    "house registration",
    "land tax",
    "building permit",
    "old-age allowance",
    "birth certificate",
    "death certificate",
    "marriage registration",
    "social security",
    "business registration",
    "liquor licence",
    "vehicle tax",
    "health coverage",
    "scholarship",
]
EN_PLACES = [
    "district office",
    "municipality",
    "land transport office",
    "consular department",
    "land office",
    "hospital",
    "social security office",
    "online portal",
    "provincial hall",
    "police station",
]
EN_EXTRA = [
    "takes",
    "days",
    "fee",
    "baht",
    "bring",
    "copy",
    "original",
    "elderly",
    "children",
    "foreigners",
    "within",
    "working",
    "appointment",
    "in advance",
    "free of charge",
]
PROVINCES = [
    "กรุงเทพ",
    "เชียงใหม่",
    "ขอนแก่น",
    "ภูเก็ต",
    "สงขลา",
    "นครราชสีมา",
    "ชลบุรี",
    "อุดรธานี",
    "Bangkok",
    "Chiang Mai",
    "Khon Kaen",
    "Phuket",
    "Songkhla",
    "Korat",
    "Chonburi",
    "Udon Thani",
]


def synthetic_docs(count: int, seed: int = 7, prefix: str = "svc") -> dict[str, list[Passage]]:
    rng = random.Random(seed)
    docs = {}
    for n in range(count):
        doc_id = f"{prefix}-{n}"
        a, t, p = rng.randrange(10), rng.randrange(16), rng.randrange(10)
        province = rng.choice(PROVINCES)
        th_extra = " ".join(rng.sample(TH_EXTRA, 4))
        en_extra = " ".join(rng.sample(EN_EXTRA, 4))
        docs[doc_id] = [
            Passage(doc_id, "title", "th", f"{TH_ACTIONS[a]}{TH_THINGS[t]} {province} {n}"),
            Passage(doc_id, "title", "en", f"{EN_ACTIONS[a].capitalize()} {EN_THINGS[t]} {province} {n}"),
            Passage(doc_id, "summary", "th", f"{TH_ACTIONS[a]}{TH_THINGS[t]}ได้ที่{TH_PLACES[p]} {th_extra}"),
            Passage(doc_id, "summary", "en", f"{EN_ACTIONS[a]} your {EN_THINGS[t]} at the {EN_PLACES[p]}, {en_extra}"),
        ]
    return docs


def synthetic_queries(count: int, seed: int = 11) -> list[str]:
    """Distinct queries (the index caches query vectors, so repeats would flatter the figures)."""
    rng = random.Random(seed)
    queries: dict[str, None] = {}
    while len(queries) < count:
        a, t, p = rng.randrange(10), rng.randrange(16), rng.randrange(10)
        forms = [
            f"{TH_ACTIONS[a]}{TH_THINGS[t]}ที่ไหน {rng.choice(PROVINCES)}",
            f"อยาก{TH_ACTIONS[a]}{TH_THINGS[t]}ต้องไป{TH_PLACES[p]}ไหม {rng.randrange(1000)}",
            f"how do I {EN_ACTIONS[a]} my {EN_THINGS[t]} in {rng.choice(PROVINCES)}",
            f"{EN_THINGS[t]} {EN_ACTIONS[a]} {EN_PLACES[p]} fee {rng.randrange(1000)}",
        ]
        queries[rng.choice(forms)] = None
    return list(queries)


class BulkRandomEmbedder:
    """Real encoder for small batches (queries, words, one document); random unit vectors for bulk builds.

    Only for measuring scale when encoding every passage would take too long: the ranking quality of
    such an index means nothing, its speed and memory do.
    """

    def __init__(self, real: Embedder, bulk_threshold: int = 64) -> None:
        self.real = real
        self.name = real.name
        self.dimension = real.dimension
        self.bulk_threshold = bulk_threshold

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) <= self.bulk_threshold:
            return self.real.embed(texts)
        digest = hashlib.sha256("\n".join(texts[:4]).encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        return normalise_rows(rng.standard_normal((len(texts), self.dimension), dtype=np.float32))


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def encode_throughput(embedder: Embedder, sample: int = 400) -> float:
    """Passages per second for the synthetic passages (a warm-up batch first)."""
    texts = [p.text for ps in synthetic_docs(sample // 4, seed=99, prefix="warm").values() for p in ps]
    embedder.embed(texts[:32])
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def one_run(
    size: int, embedder: Embedder, random_dense: bool, queries: list[str], updates: int, run: int
) -> dict[str, Any]:
    docs = synthetic_docs(size)
    index_embedder: Embedder = BulkRandomEmbedder(embedder) if random_dense else embedder
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = HybridIndex(index_embedder)
    index.upsert_many(docs)
    build = time.perf_counter() - started
    gc.collect()
    memory = rss_mb() - before
    latency: dict[str, dict[str, float]] = {}
    for mode in ("hybrid", "dense", "lexical"):
        # Queries differ per run and mode so nothing profits from the index's query-vector cache.
        timings = []
        for query in (f"{q} {run}{mode[0]}" for q in queries):
            started = time.perf_counter()
            index.search(query, k=5, mode=mode)
            timings.append(1000 * (time.perf_counter() - started))
        latency[mode] = {"p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95)}
    rng = random.Random(run)
    upsert_ms = []
    fresh = synthetic_docs(updates, seed=1000 + run, prefix="upd")
    for n, passages in enumerate(fresh.values()):
        doc_id = f"svc-{rng.randrange(size)}"
        replaced = [Passage(doc_id, p.field, p.lang, f"{p.text} แก้ไขครั้งที่ {n}") for p in passages]
        started = time.perf_counter()
        index.upsert(doc_id, replaced)
        upsert_ms.append(1000 * (time.perf_counter() - started))
    remove_ms = []
    for n in range(min(updates, 10)):
        started = time.perf_counter()
        index.remove(f"svc-{n}")
        remove_ms.append(1000 * (time.perf_counter() - started))
    result = {
        "build_s": build,
        "rss_delta_mb": memory,
        "latency": latency,
        "upsert_one_doc_ms": statistics.median(upsert_ms),
        "remove_one_doc_ms": statistics.median(remove_ms),
        "passages": size * 4,
        "bridge_words": len(index._bridge) if index._bridge is not None else 0,
    }
    del index
    gc.collect()
    return result


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = median_of([run[key] for run in runs])
        elif isinstance(value, float):
            out[key] = round(statistics.median(run[key] for run in runs), 2)
        else:
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the median is reported")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument(
        "--embed-budget",
        type=float,
        default=300.0,
        help="seconds of encoding allowed per build before random vectors are used",
    )
    parser.add_argument("--backend", default="use-multilingual")
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)

    embedder = create_embedder(args.backend, args.model)
    throughput = encode_throughput(embedder)
    warm_up = HybridIndex(embedder)  # loads the tokenizer dictionary etc. before memory is measured
    warm_up.upsert_many(synthetic_docs(20, seed=5, prefix="warm"))
    warm_up.search("ต่ออายุบัตรประชาชน passport")
    del warm_up
    queries = synthetic_queries(args.queries)
    report: dict[str, Any] = {
        "embedder": embedder.name,
        "encode_passages_per_s": round(throughput, 1),
        "cpu_count": os.cpu_count(),
        "runs": args.runs,
        "queries_per_run": args.queries,
        "sizes": {},
    }
    for size in args.sizes:
        random_dense = size * 4 / throughput > args.embed_budget
        runs = []
        for run in range(args.runs):
            runs.append(one_run(size, embedder, random_dense, queries, args.updates, run))
            print(f"size {size} run {run}: build {runs[-1]['build_s']:.1f}s", file=sys.stderr, flush=True)
        summary = median_of(runs)
        summary["dense_vectors"] = "random" if random_dense else "real"
        report["sizes"][str(size)] = summary
    report["goals"] = {
        "upsert_one_doc_ms": {
            "budget_ms": UPSERT_BUDGET_MS,
            "met": {size: row["upsert_one_doc_ms"] <= UPSERT_BUDGET_MS for size, row in report["sizes"].items()},
        }
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report), file=sys.stderr)
    return 0


def table(report: dict[str, Any]) -> str:
    lines = [
        "| docs | dense vectors | build s | RSS +MB | hybrid p50/p95 ms | dense p50/p95 ms | lexical p50/p95 ms "
        "| upsert 1 doc ms | remove ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, row in report["sizes"].items():
        lat = row["latency"]
        cells = [f"{lat[m]['p50_ms']:.1f} / {lat[m]['p95_ms']:.1f}" for m in ("hybrid", "dense", "lexical")]
        lines.append(
            f"| {int(size):,} | {row['dense_vectors']} | {row['build_s']:.1f} | {row['rss_delta_mb']:.0f} | "
            + " | ".join(cells)
            + f" | {row['upsert_one_doc_ms']:.1f} | {row['remove_one_doc_ms']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

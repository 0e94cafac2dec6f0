"""XQuAD question -> paragraph retrieval, Thai and English, for dense, lexical and hybrid search.

    PYTHAINLP_OFFLINE=1 HF_HUB_OFFLINE=1 .venv/bin/python -m benchmarks.retrieval_xquad

Converts ``../shared/eval/xquad`` (240 paragraphs and 1,190 questions per language, same ids in
both) into corpus/queries JSON Lines, builds one index per paragraph language (embeddings stay in
memory), runs the four directions th->th, en->th, th->en, en->en and prints JSON: R@1, R@5, MRR@10,
success@1, success@5 and nDCG@10 per mode, 0..1 floats. Paragraph ids are ``<article>-<paragraph>``,
identical across languages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.evaluation.datasets import load_corpus, load_queries  # noqa: E402
from knowledge.evaluation.retrieval import build_index, evaluate_index  # noqa: E402
from nlu.embedders import create_embedder  # noqa: E402

DEFAULT_XQUAD = ROOT.parent / "shared" / "eval" / "xquad"
LANGS = ("th", "en")
GOALS = {"th->th": 0.94, "en->th": 0.80}


def convert(xquad_dir: Path, out_dir: Path) -> dict[str, tuple[Path, Path]]:
    """Write ``corpus.<lang>.jsonl`` and ``queries.<lang>.jsonl``; returns their paths per language."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, Path]] = {}
    layout: list[int] | None = None
    for lang in LANGS:
        data = json.loads((xquad_dir / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
        shape = [len(article["paragraphs"]) for article in data]
        if layout is None:
            layout = shape
        elif shape != layout:
            raise ValueError("XQuAD files do not have the same articles and paragraphs in both languages")
        corpus_path, queries_path = out_dir / f"corpus.{lang}.jsonl", out_dir / f"queries.{lang}.jsonl"
        with open(corpus_path, "w", encoding="utf-8") as corpus, open(queries_path, "w", encoding="utf-8") as qs:
            for a, article in enumerate(data):
                for p, paragraph in enumerate(article["paragraphs"]):
                    doc_id = f"{a}-{p}"
                    corpus.write(
                        json.dumps({"id": doc_id, "text": paragraph["context"], "lang": lang}, ensure_ascii=False)
                        + "\n"
                    )
                    for qa in paragraph["qas"]:
                        qs.write(
                            json.dumps(
                                {"id": qa["id"], "text": qa["question"], "relevant": [doc_id]}, ensure_ascii=False
                            )
                            + "\n"
                        )
        files[lang] = (corpus_path, queries_path)
    return files


def run(xquad_dir: Path, out_dir: Path, backend: str, model: str | None) -> dict[str, Any]:
    files = convert(xquad_dir, out_dir)
    embedder = create_embedder(backend, model)
    queries = {lang: load_queries(files[lang][1]) for lang in LANGS}
    report: dict[str, Any] = {"embedder": embedder.name, "metrics": "0..1", "directions": {}}
    for doc_lang in LANGS:
        corpus = load_corpus(files[doc_lang][0])
        started = time.perf_counter()
        index = build_index(corpus, embedder)
        build_seconds = time.perf_counter() - started
        for query_lang in LANGS:
            direction = f"{query_lang}->{doc_lang}"
            result: dict[str, Any] = dict(evaluate_index(index, queries[query_lang]))
            result["build_seconds"] = round(build_seconds, 1)
            report["directions"][direction] = result
            print(
                direction,
                json.dumps({m: result[m]["R@1"] for m in ("dense", "lexical", "hybrid")}),
                file=sys.stderr,
                flush=True,
            )
    directions = report["directions"]
    report["goals"] = {
        d: {"target_R@1": g, "hybrid_R@1": directions[d]["hybrid"]["R@1"], "met": directions[d]["hybrid"]["R@1"] >= g}
        for d, g in GOALS.items()
    }
    report["hybrid_beats_both_parts"] = {
        d: r["hybrid"]["R@1"] > max(r["dense"]["R@1"], r["lexical"]["R@1"]) for d, r in directions.items()
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad-dir", type=Path, default=DEFAULT_XQUAD)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="where to write the jsonl files (default: a temporary directory)"
    )
    parser.add_argument("--backend", default="use-multilingual")
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        report = run(args.xquad_dir, args.data_dir, args.backend, args.model)
    else:
        with tempfile.TemporaryDirectory(prefix="xquad-") as tmp:
            report = run(args.xquad_dir, Path(tmp), args.backend, args.model)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

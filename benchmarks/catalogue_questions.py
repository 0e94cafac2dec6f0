"""Hybrid vs dense vs lexical search on the labelled citizen questions (tests/data).

Prints JSON: R@1, R@3, MRR@10, success@1, success@3 and nDCG@10 per mode, hybrid R@1 by language
and writing style, and (with --misses) the questions the hybrid search ranks wrong.
    .venv/bin/python benchmarks/catalogue_questions.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from knowledge.catalogue_files import load_seed
from knowledge.evaluation.labelled_questions import load_labelled_questions, score_questions
from knowledge.search.index import HybridIndex
from knowledge.service_search import KeywordBoost, passages_for
from nlu.embedders import create_embedder

QUESTIONS_DIR = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list the hybrid misses")
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    services = load_seed()
    questions = load_labelled_questions(QUESTIONS_DIR)
    index = HybridIndex(create_embedder(args.embedder, args.model))
    started = time.perf_counter()
    index.upsert_many({s.id: passages_for(s) for s in services})
    build_seconds = time.perf_counter() - started
    report = score_questions(index, questions, boost=KeywordBoost({s.id: s for s in services}))
    report["services"] = len(services)
    report["index_build_seconds"] = round(build_seconds, 2)
    for mode in ("dense", "lexical", "hybrid"):
        if not (args.misses and mode == "hybrid"):
            report[mode].pop("misses")
        if mode != "hybrid":
            report[mode].pop("R@1_by_group")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

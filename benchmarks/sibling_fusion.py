"""Retrieval alone vs the per-service classifier alone vs both fused, on the development questions.

Prints JSON: R@1 (right service first) overall, by kind (persona dev split) and by style (the older
labelled set), and on the sibling questions, for each variant, all from one index built in the same
run (the catalogue changes while it is written, so only side-by-side figures compare). Searches go
through :class:`CatalogueSearch` over a SQLite copy of the seed catalogue, exactly as the bot
searches. Never reads the frozen test split.
    .venv/bin/python benchmarks/sibling_fusion.py [--weights 0.2 0.3 ...] [--misses]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from knowledge.catalogue_files import load_seed
from knowledge.evaluation.labelled_questions import load_labelled_questions
from knowledge.search.service_classifier import (
    ClassifierConfig,
    ServiceClassifier,
    TextVectors,
    fuse_with_classifier,
)
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from nlu.embedders import create_embedder

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEV = DATA / "persona_questions" / "dev.jsonl"


def load_dev() -> list[dict[str, Any]]:
    """The persona development split; in-catalogue questions only (out-of-catalogue ones have no R@1)."""
    questions = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in questions if q["relevant"]]


Ranker = Callable[[str], list[str]]


def r1_table(
    questions: Sequence[dict[str, Any]], group_key: str, ranker: Ranker
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    groups: dict[str, list[int]] = defaultdict(list)
    misses = []
    for question in questions:
        ranked = ranker(question["text"])
        hit = int(bool(ranked) and ranked[0] in question["relevant"])
        groups["all"].append(hit)
        groups[f"{group_key}:{question.get(group_key, '?')}"].append(hit)
        if not hit:
            misses.append({"text": question["text"], "relevant": question["relevant"], "got": ranked[:3]})
    return {key: round(sum(v) / len(v), 4) for key, v in sorted(groups.items())}, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.5])
    parser.add_argument("--misses", action="store_true", help="list the dev misses of each variant")
    args = parser.parse_args()

    embedder = create_embedder("use-multilingual")
    default = ClassifierConfig()
    classifiers = {
        "default": default,  # what the bot runs
        "softmax": replace(default, solver="softmax", l2=1e-4, temperature=1.0),
        "dense only": replace(default, lexical=False),
    }
    dev, old = load_dev(), load_labelled_questions(DATA)
    report: dict[str, Any] = {"dev_questions": len(dev), "old_questions": len(old), "variants": {}}
    with tempfile.TemporaryDirectory() as tmp:
        store = CatalogueStore(f"sqlite:///{Path(tmp) / 'catalogue.db'}")
        try:
            store.import_services(load_seed(), "benchmark")
            report["services"] = len(store.list_services())
            # The bot as configured (classifier fused at its default weight), and retrieval alone;
            # the other variants re-score retrieval's candidates the way the bot does.
            bot = CatalogueSearch(store, embedder, Path(tmp) / "index")
            bot.load_or_build()
            retrieval_only = CatalogueSearch(store, embedder, Path(tmp) / "index", classifier=None)
            retrieval_only.load_or_build()
            started = time.perf_counter()
            if not bot.wait_for_classifier(timeout=600):
                raise SystemExit("the service classifier did not train")
            services = {s.id: s for s in store.list_services()}
            vectors = TextVectors(embedder)
            trained, seconds = {}, {"bot (background, after load)": round(time.perf_counter() - started, 2)}
            for name, config in classifiers.items():
                started = time.perf_counter()
                trained[name] = ServiceClassifier.train(services, vectors, config)
                seconds[name] = round(time.perf_counter() - started, 2)  # the first also embeds the texts
            report["train_seconds"] = seconds

            def fused(name: str, weight: float) -> Ranker:
                def ranker(text: str) -> list[str]:
                    hits = [match.hit for match in retrieval_only.search(text, k=30)]
                    probabilities = trained[name].probabilities(text, vectors.query(text))
                    return [hit.doc_id for hit in fuse_with_classifier(hits, probabilities, weight)[:10]]

                return ranker

            def classifier_alone(name: str) -> Ranker:
                return lambda text: [sid for sid, _ in trained[name].ranked(text, vectors.query(text), k=10)]

            rankers: dict[str, Ranker] = {
                "retrieval": lambda text: [m.service.id for m in retrieval_only.search(text, k=10)],
                f"bot: fused (default) w={bot.classifier_weight}": lambda text: [
                    m.service.id for m in bot.search(text, k=10)
                ],
            }
            for name in classifiers:
                rankers[f"classifier alone ({name})"] = classifier_alone(name)
            for weight in args.weights:
                rankers[f"fused (default) w={weight}"] = fused("default", weight)
            for name in classifiers:
                if name != "default":
                    rankers[f"fused ({name}) w={bot.classifier_weight}"] = fused(name, bot.classifier_weight)
            for name, ranker in rankers.items():
                report["variants"][name] = evaluate(dev, old, ranker, args.misses)
        finally:
            store.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))


def evaluate(
    dev: Sequence[dict[str, Any]], old: Sequence[dict[str, Any]], ranker: Ranker, misses: bool
) -> dict[str, Any]:
    dev_table, dev_misses = r1_table(dev, "kind", ranker)
    old_table, _ = r1_table(old, "style", ranker)
    entry: dict[str, Any] = {
        "dev R@1": dev_table.pop("all"),
        "dev sibling R@1": dev_table.get("kind:sibling"),
        "old R@1": old_table.pop("all"),
        "dev by kind": dev_table,
        "old by style": old_table,
    }
    if misses:
        entry["dev misses"] = dev_misses
    return entry


if __name__ == "__main__":
    main()

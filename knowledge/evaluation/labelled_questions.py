"""Catalogue search scored against labelled citizen questions.

Shared by the quality-floor test and ``benchmarks/catalogue_questions.py`` so both measure the same
thing; each passes the folder of its question files, which live with the tests, not with the package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from knowledge.evaluation.datasets import read_json_lines
from knowledge.evaluation.metrics import ndcg_at, success_at
from knowledge.search.index import HybridIndex
from knowledge.service_search import KeywordBoost

__all__ = ["load_labelled_questions", "score_questions"]


def load_labelled_questions(directory: Path) -> list[dict[str, Any]]:
    """Every ``citizen_questions_*.jsonl`` line in ``directory``: ``{"text", "relevant", "lang", "style"}``."""
    questions: list[dict[str, Any]] = []
    for path in sorted(directory.glob("citizen_questions_*.jsonl")):
        for number, item in read_json_lines(path):
            if not item.get("text") or not item.get("relevant"):
                raise ValueError(f"{path.name}:{number}: needs 'text' and 'relevant'")
            questions.append(item)
    if not questions:
        raise FileNotFoundError(f"no citizen_questions_*.jsonl in {directory}")
    return questions


def score_questions(
    index: HybridIndex,
    questions: Sequence[dict[str, Any]],
    modes: Iterable[str] = ("dense", "lexical", "hybrid"),
    boost: KeywordBoost | None = None,
) -> dict[str, Any]:
    """R@1, R@3, MRR@10, success@1, success@3 and nDCG@10 per mode, and hybrid R@1 per language and
    writing style.

    With ``boost``, the hybrid mode is re-ranked exactly as the bot does (``CatalogueSearch``).
    """
    report: dict[str, Any] = {"questions": len(questions)}
    for mode in modes:
        r1 = r3 = rr = s1 = s3 = ndcg = 0.0
        groups: dict[str, list[int]] = defaultdict(list)
        misses: list[dict[str, Any]] = []
        for question in questions:
            hits = index.search(question["text"], k=30 if boost and mode == "hybrid" else 10, mode=mode)
            if boost is not None and mode == "hybrid":
                hits = boost.rerank(hits, index.spell(question["text"]))
            ranked = [hit.doc_id for hit in hits[:10]]
            relevant = set(question["relevant"])
            rank = next((i for i, doc in enumerate(ranked, start=1) if doc in relevant), None)
            hit1 = int(rank == 1)
            r1 += hit1
            r3 += int(rank is not None and rank <= 3)
            rr += 1.0 / rank if rank else 0.0
            s1 += success_at(ranked, relevant, 1)
            s3 += success_at(ranked, relevant, 3)
            ndcg += ndcg_at(ranked, relevant, 10)
            groups[f"lang:{question.get('lang', '?')}"].append(hit1)
            groups[f"style:{question.get('style', '?')}"].append(hit1)
            if not hit1:
                misses.append({"text": question["text"], "relevant": sorted(relevant), "got": ranked[:3]})
        n = max(len(questions), 1)
        report[mode] = {
            "R@1": round(r1 / n, 4),
            "R@3": round(r3 / n, 4),
            "MRR@10": round(rr / n, 4),
            "success@1": round(s1 / n, 4),
            "success@3": round(s3 / n, 4),
            "nDCG@10": round(ndcg / n, 4),
            "R@1_by_group": {key: round(sum(v) / len(v), 4) for key, v in sorted(groups.items())},
            "misses": misses,
        }
    return report

"""Misspelt Thai: each spelling aid of the catalogue search alone and together, in one run.

    PYTHAINLP_OFFLINE=1 HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/misspelling.py
    ... benchmarks/misspelling.py --variants off,default --xquad-dir /work/shared/eval/xquad

Every variant searches the same index (one catalogue, embedded once; only the spelling aids are
switched with ``HybridIndex.configure_spelling``), re-ranked by the editors' words as the bot does.
The aids (:mod:`knowledge.search.spelling`) find, for Thai the index never saw, the indexed words
that sound alike (``<engine>``: a PyThaiNLP soundex engine) or are a letter away (``edit1``, ``edit2``);
``expand:`` adds those words to the lexical channels, ``correct:`` rewrites the query with them
(spelling correction against the catalogue's own vocabulary; the dense channel sees it too).
Hybrid R@1 on:

* ``old:misspelt`` / ``old:other``: the labelled set in ``tests/data/citizen_questions_*.jsonl``,
  its misspelt group and everything else (correctly spelt questions must not get worse);
* ``dev:misspelt`` / ``dev:other``: the development split of the persona questions (in-catalogue
  ones), when ``tests/data/persona_questions/dev.jsonl`` exists; the frozen test split is never read;
* ``synth:*``: rule-made mistakes (:mod:`knowledge.evaluation.misspellings`: tone mark, final or
  initial consonant for a homophone, dropped final, vowel length, silent letter) in two words of
  each Thai service title (``titles2``), in one or two catalogue words (``old1``, ``old2``, ``dev1``,
  ``dev2``) or two words of the service's own name (``old-name``, ``dev-name``) of each correctly
  spelt Thai question; only questions the plain search answers right when spelt right are kept,
  so the figure is what the mistake costs. ``synth:all`` pools them.

With ``--xquad-dir``, also XQuAD hybrid R@1 in the four directions (several minutes): spelling aids
must not cost well-spelt Wikipedia questions anything. ``--misses NAME`` lists one variant's misses.
Prints JSON on stdout, progress and a table on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.catalogue_files import load_seed  # noqa: E402
from knowledge.evaluation.labelled_questions import load_labelled_questions, score_questions  # noqa: E402
from knowledge.evaluation.misspellings import misspell_text  # noqa: E402
from knowledge.search.analyzers import lexical_terms  # noqa: E402
from knowledge.search.index import HybridIndex  # noqa: E402
from knowledge.search.spelling import DEFAULT_SPELLING, SpellingConfig  # noqa: E402
from knowledge.service_search import KeywordBoost, editors_words, passages_for  # noqa: E402
from nlu.embedders import create_embedder  # noqa: E402
from nlu.phonetic import SOUNDEX_ENGINES  # noqa: E402

DATA = ROOT / "tests" / "data"
DEV = DATA / "persona_questions" / "dev.jsonl"


def _expand(engines: tuple[str, ...], edits: int, **options: Any) -> SpellingConfig:
    return SpellingConfig(sound_engines=engines, max_edits=edits, correct_query=False, **options)


def _correct(engines: tuple[str, ...], edits: int, **options: Any) -> SpellingConfig:
    return SpellingConfig(sound_engines=engines, max_edits=edits, correct_query=True, **options)


# "expand": the words found join the lexical channels; "correct": they replace the suspect in the query.
VARIANTS: dict[str, SpellingConfig | None] = {
    "off": None,
    "default": DEFAULT_SPELLING,
    **{f"expand:{engine}": _expand((engine,), 0) for engine in SOUNDEX_ENGINES},
    "expand:edit1": _expand((), 1),
    "expand:edit2": _expand((), 2),
    "expand:lk82+edit1": _expand(("lk82",), 1),
    "expand:lk82+edit1 words only": _expand(("lk82",), 1, chars=False),
    "expand:lk82+edit1 weight 1": _expand(("lk82",), 1, sound_weight=1.0, edit_weight=1.0),
    **{f"correct:{engine}": _correct((engine,), 0) for engine in SOUNDEX_ENGINES},
    "correct:edit1": _correct((), 1),
    "correct:edit2": _correct((), 2),
    "correct:lk82+edit1": _correct(("lk82",), 1),
    "correct:lk82+edit2": _correct(("lk82",), 2),
    "correct:udom83+edit1": _correct(("udom83",), 1),
    "correct:metasound+edit1": _correct(("metasound",), 1),
    "correct:lk82+udom83+metasound+edit1": _correct(("lk82", "udom83", "metasound"), 1),
    "correct:lk82+edit1 no dictionary guard": _correct(("lk82",), 1, spare_dictionary_words=False),
    "correct:lk82+edit1 max_join 3": _correct(("lk82",), 1, max_join=3),
}


def _persona_dev() -> list[dict[str, Any]]:
    """In-catalogue development questions, with ``kind`` as the ``style`` the scorer groups by."""
    if not DEV.exists():
        return []
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**row, "style": row["kind"]} for row in rows if row["relevant"]]


def _misspelt(
    questions: list[dict[str, Any]], rng: random.Random, vocabulary: Callable[[dict[str, Any]], set[str]], words: int
) -> list[dict[str, Any]]:
    """Correctly spelt Thai questions with ``words`` of their ``vocabulary`` misspelt by rule."""
    out = []
    for question in questions:
        if question.get("lang") == "th" and question.get("style") != "misspelt":
            made = misspell_text(question["text"], rng, vocabulary(question), words)
            if made is not None:
                out.append({**question, "text": made[0], "style": made[1], "spelt_right": question["text"]})
    return out


def question_sets(services: list[Any], seed: int) -> dict[str, list[dict[str, Any]]]:
    labelled = load_labelled_questions(DATA)
    dev = _persona_dev()
    thai_words = {s.id: {t for p in passages_for(s) if p.lang == "th" for t in lexical_terms(p.text)} for s in services}
    catalogue = set().union(*thai_words.values())
    # The words that name the service: its Thai title and the editors' words.
    names = {s.id: set(lexical_terms(" ".join([s.title.th, *editors_words(s, "th")]))) for s in services}

    def any_catalogue_word(_: dict[str, Any]) -> set[str]:
        return catalogue

    def its_name(question: dict[str, Any]) -> set[str]:
        return set().union(*(names.get(sid, set()) for sid in question["relevant"]))

    rng = random.Random(seed)
    titles = [{"text": s.title.th, "relevant": [s.id], "lang": "th", "style": "title"} for s in services]
    sets = {
        "old:misspelt": [q for q in labelled if q.get("style") == "misspelt"],
        "old:other": [q for q in labelled if q.get("style") != "misspelt"],
    }
    if dev:
        sets["dev:misspelt"] = [q for q in dev if q["style"] == "misspelt"]
        sets["dev:other"] = [q for q in dev if q["style"] != "misspelt"]
    sets["synth:titles2"] = _misspelt(titles, rng, any_catalogue_word, 2)
    for name, questions in (("old", labelled), ("dev", dev)):
        if questions:
            sets[f"synth:{name}1"] = _misspelt(questions, rng, any_catalogue_word, 1)
            sets[f"synth:{name}2"] = _misspelt(questions, rng, any_catalogue_word, 2)
            sets[f"synth:{name}-name"] = _misspelt(questions, rng, its_name, 2)
    return sets


def _answered_when_spelt_right(
    index: HybridIndex, boost: KeywordBoost, questions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rule-made questions whose correct spelling the plain search answers right.

    The rest would measure the search, not the mistake: a question missed when spelt right and
    "answered" misspelt is luck, and no spelling aid should be judged by it.
    """
    kept = []
    for question in questions:
        original = question.get("spelt_right")
        if original is None:
            kept.append(question)
            continue
        hits = boost.rerank(index.search(original, k=30), original)
        if hits and hits[0].doc_id in question["relevant"]:
            kept.append(question)
    return kept


def catalogue_figures(
    variants: dict[str, SpellingConfig | None], embedder_name: str, seed: int, misses: str | None
) -> dict[str, Any]:
    services = load_seed()
    sets = question_sets(services, seed)
    index = HybridIndex(create_embedder(embedder_name))
    index.upsert_many({s.id: passages_for(s) for s in services})
    boost = KeywordBoost({s.id: s for s in services})
    index.configure_spelling(None)
    sets = {name: _answered_when_spelt_right(index, boost, questions) for name, questions in sets.items()}
    sets["synth:all"] = [q for name, questions in sets.items() if name.startswith("synth:") for q in questions]
    report: dict[str, Any] = {"services": len(services), "questions": {name: len(qs) for name, qs in sets.items()}}
    results: dict[str, Any] = {}
    for name, config in variants.items():
        index.configure_spelling(config)
        row: dict[str, Any] = {}
        started, searched = time.perf_counter(), 0
        for set_name, questions in sets.items():
            scored = score_questions(index, questions, modes=("hybrid",), boost=boost)["hybrid"]
            row[set_name] = scored["R@1"]
            searched += len(questions)
            if name == misses:
                row[f"{set_name} misses"] = scored["misses"]
        row["ms_per_query"] = round(1000 * (time.perf_counter() - started) / max(searched, 1), 1)
        results[name] = row
        print(name, json.dumps({k: v for k, v in row.items() if "misses" not in k}), file=sys.stderr, flush=True)
    report["hybrid_R@1"] = results
    return report


def xquad_figures(variants: dict[str, SpellingConfig | None], xquad_dir: Path, embedder_name: str) -> dict[str, Any]:
    from benchmarks.retrieval_xquad import LANGS, convert
    from knowledge.evaluation.datasets import load_corpus, load_queries
    from knowledge.evaluation.retrieval import build_index, evaluate_index

    embedder = create_embedder(embedder_name)
    results: dict[str, dict[str, float]] = {name: {} for name in variants}
    with tempfile.TemporaryDirectory(prefix="xquad-") as tmp:
        files = convert(xquad_dir, Path(tmp))
        queries = {lang: load_queries(files[lang][1]) for lang in LANGS}
        for doc_lang in LANGS:
            index = build_index(load_corpus(files[doc_lang][0]), embedder)
            for name, config in variants.items():
                index.configure_spelling(config)
                for query_lang in LANGS:
                    direction = f"{query_lang}->{doc_lang}"
                    results[name][direction] = evaluate_index(index, queries[query_lang], modes=("hybrid",))["hybrid"][
                        "R@1"
                    ]
                print(name, doc_lang, json.dumps(results[name]), file=sys.stderr, flush=True)
    return results


def _table(report: dict[str, Any]) -> str:
    rows = report["catalogue"]["hybrid_R@1"]
    columns = [c for c in next(iter(rows.values())) if "misses" not in c]
    xquad = report.get("xquad", {})
    xquad_columns = list(next(iter(xquad.values()), {}))
    header = ["variant", *columns, *(f"xquad {c}" for c in xquad_columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in rows.items():
        cells = [name, *(str(row[c]) for c in columns), *(str(xquad.get(name, {}).get(c, "")) for c in xquad_columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=None, help=f"comma-separated, of: {', '.join(VARIANTS)}")
    parser.add_argument("--xquad-dir", type=Path, default=None, help="also XQuAD R@1 (several minutes)")
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--seed", type=int, default=11, help="seed of the rule-made misspellings")
    parser.add_argument("--misses", default=None, metavar="VARIANT", help="list this variant's misses")
    args = parser.parse_args(argv)
    names = args.variants.split(",") if args.variants else list(VARIANTS)
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    variants = {name: VARIANTS[name] for name in names}
    report: dict[str, Any] = {"catalogue": catalogue_figures(variants, args.embedder, args.seed, args.misses)}
    if args.xquad_dir is not None:
        report["xquad"] = xquad_figures(variants, args.xquad_dir, args.embedder)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(_table(report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The no-match threshold (``search.min_score``), chosen on the development questions with the trade-off shown.

For each threshold, on ``tests/data/persona_questions/dev.jsonl``: the in-catalogue questions answered
with the right service, with a wrong one, asked back (the right one among the choices or not) or told
"not found"; the out-of-catalogue questions (``relevant: []``) declined honestly, asked back, or
answered with an unrelated card. The search and the decision are the bot's own
(:class:`~knowledge.service_search.CatalogueSearch` over a SQLite copy of the seed catalogue, and
:func:`knowledge.routing.route`); NLU is not run, so a question is routed on its own words only.

The threshold is chosen together with the two ask-back settings (``search.ask_back_margin``: the
second best this close; ``search.ask_back_spread``: the fifth best this close) and the referral
margin (``search.referral_margin``: a topic outside the catalogue, ``knowledge/seed/referrals``, this
close to the best service, or above it, makes the answer "not covered"; ``off`` ignores the topics),
on their full grid,
for the most merit: questions handled right (the right card for a covered question, an honest "not
covered" for the others) minus wrong cards (a wrong service, or any card for a question the catalogue
does not cover). Among equals: the lowest threshold (says "not found" least), then the widest
ask-back settings (asking back that costs nothing lets the citizen choose). The tables show each
setting's sweep with the other two at their chosen values.

    PYTHAINLP_OFFLINE=1 .venv/bin/python benchmarks/no_match_threshold.py [--json]

Never run this on the frozen test split: it refuses a file named ``test.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gateway.settings import SearchSettings  # noqa: E402
from knowledge.catalogue_files import load_seed  # noqa: E402
from knowledge.referrals import load_referrals  # noqa: E402
from knowledge.routing import Answer, AskBack, RoutingPolicy, route  # noqa: E402
from knowledge.service_search import CatalogueSearch, Lookup  # noqa: E402
from knowledge.store import CatalogueStore  # noqa: E402
from nlu.embedders import create_embedder  # noqa: E402

DEV_QUESTIONS = ROOT / "tests" / "data" / "persona_questions" / "dev.jsonl"
FROZEN_NAME = "test.jsonl"
CANDIDATES = 5  # as many as the actions ask for (actions/context.py)
THRESHOLDS = [round(0.20 + 0.025 * i, 3) for i in range(21)]  # 0.20 .. 0.70
MARGINS = [0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05]
SPREADS = [0.0, 0.05, 0.075, 0.1, 0.125, 0.15]
REFERRAL_OFF = -1.0  # a topic would have to beat the best service by 1: never
REFERRAL_MARGINS = [REFERRAL_OFF, -0.1, -0.05, -0.025, 0.0, 0.025, 0.05, 0.1]

# What happened to one question at one threshold.
IN_RIGHT, IN_WRONG, IN_ASK_RIGHT, IN_ASK_WRONG, IN_NOT_FOUND = "right", "wrong", "ask+", "ask-", "not found"
OUT_DECLINED, OUT_ASKED, OUT_CARD = "declined", "asked", "card"


@dataclass(frozen=True)
class Question:
    text: str
    relevant: frozenset[str]
    kind: str


def load_questions(path: Path) -> list[Question]:
    if path.name == FROZEN_NAME:
        raise SystemExit(f"{path} is the frozen test split: thresholds are chosen on the development split only")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    return [Question(r["text"], frozenset(r["relevant"]), r.get("kind", "?")) for r in records]


def outcome(question: Question, found: Lookup, policy: RoutingPolicy) -> str:
    decision = route(found.matches, policy, found.referral)
    if not question.relevant:
        if isinstance(decision, Answer):
            return OUT_CARD
        return OUT_ASKED if isinstance(decision, AskBack) else OUT_DECLINED
    if isinstance(decision, Answer):
        return IN_RIGHT if decision.match.service.id in question.relevant else IN_WRONG
    if isinstance(decision, AskBack):
        offered = {m.service.id for m in decision.candidates}
        return IN_ASK_RIGHT if offered & question.relevant else IN_ASK_WRONG
    return IN_NOT_FOUND


Results = Sequence[Lookup]  # each question's matches, best first, and best topic outside the catalogue


def tally(questions: Sequence[Question], results: Results, policy: RoutingPolicy) -> Counter[str]:
    return Counter(outcome(q, r, policy) for q, r in zip(questions, results, strict=True))


def handled_right(counts: Counter[str]) -> int:
    """The right card for a question the catalogue covers; an honest "not covered" for one it does not."""
    return counts[IN_RIGHT] + counts[OUT_DECLINED]


def wrong_cards(counts: Counter[str]) -> int:
    """Cards a citizen should not have been shown: a wrong service, or any service for a question
    the catalogue does not cover."""
    return counts[IN_WRONG] + counts[OUT_CARD]


def merit(counts: Counter[str]) -> int:
    """Handled right minus wrong cards. Asking back and a "not found" for a covered question count
    zero: their price shows as fewer right answers, and a wrong card costs what a right one gains."""
    return handled_right(counts) - wrong_cards(counts)


Key = tuple[float, float, float, float]  # min_score, ask_margin, spread, referral_margin
Grid = dict[Key, Counter[str]]
SETTINGS = ("min_score", "ask_margin", "spread", "referral_margin")
VALUES = {"min_score": THRESHOLDS, "ask_margin": MARGINS, "spread": SPREADS, "referral_margin": REFERRAL_MARGINS}


def policy_of(key: Key) -> RoutingPolicy:
    return RoutingPolicy(min_score=key[0], ask_margin=key[1], spread=key[2], depth=CANDIDATES, referral_margin=key[3])


def sweep(questions: Sequence[Question], results: Results) -> Grid:
    keys = [(t, m, s, r) for t in THRESHOLDS for m in MARGINS for s in SPREADS for r in REFERRAL_MARGINS]
    return {key: tally(questions, results, policy_of(key)) for key in keys}


def choose(grid: Grid, ask_back: tuple[float, float] | None = None) -> Key:
    """Most merit; among equals the lowest threshold, then the widest margin, then the widest spread,
    then the referral margin that sends fewest questions to a referral (the lowest).

    ``ask_back``: keep ``(ask_margin, spread)`` as given and choose the rest. Merit counts an ask-back
    as zero, so with topics outside the catalogue taking the near misses it would choose never to ask
    (margin 0), and with half credit for a right choice it asks about one question in eight; how
    close is too close to call is a product decision (docs/adr/0007-retrieval-routing.md)."""
    keys = [k for k in grid if ask_back is None or (k[1], k[2]) == ask_back]
    best = max(merit(grid[key]) for key in keys)
    candidates = (key for key in keys if merit(grid[key]) == best)
    return min(candidates, key=lambda k: (k[0], -k[1], -k[2], k[3]))


_HEADER = (
    f"{'in: right':>9} {'wrong':>5} {'ask+':>4} {'ask-':>4} {'not found':>9} | "
    f"{'out: declined':>13} {'asked':>5} {'card':>4} | {'merit':>6}"
)


def _row(counts: Counter[str]) -> str:
    c = counts
    return (
        f"{c[IN_RIGHT]:>9} {c[IN_WRONG]:>5} {c[IN_ASK_RIGHT]:>4} {c[IN_ASK_WRONG]:>4} {c[IN_NOT_FOUND]:>9} | "
        f"{c[OUT_DECLINED]:>13} {c[OUT_ASKED]:>5} {c[OUT_CARD]:>4} | {merit(c):>6}"
    )


def table(grid: Grid, chosen: Key, setting: str) -> str:
    """One line per value of ``setting``, the other two at their chosen values."""
    at = SETTINGS.index(setting)
    header = f"{setting:>10} | {_HEADER}"
    lines = [header, "-" * len(header)]
    for value in VALUES[setting]:
        key = (*chosen[:at], value, *chosen[at + 1 :])
        mark = "  <- chosen" if key == chosen else ""
        lines.append(f"{value:>10.3f} | {_row(grid[key])}{mark}")  # type: ignore[index]
    return "\n".join(lines)


def by_kind(questions: Sequence[Question], results: Results, policy: RoutingPolicy) -> str:
    lines = ["by kind (the right card; outside the catalogue, no card):"]
    for kind in sorted({q.kind for q in questions}):
        pairs = [(q, r) for q, r in zip(questions, results, strict=True) if q.kind == kind]
        good = sum(outcome(q, r, policy) in (IN_RIGHT, OUT_DECLINED, OUT_ASKED) for q, r in pairs)
        lines.append(f"  {kind:<17} {good:>3}/{len(pairs):<3} {good / len(pairs):.0%}")
    return "\n".join(lines)


def _described(key: Key) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in zip(SETTINGS, key, strict=True))


def search_all(
    questions: Sequence[Question], embedder_name: str, model: str | None, referrals_dir: Path | None
) -> list[Lookup]:
    with tempfile.TemporaryDirectory(prefix="no-match-") as tmp:
        store = CatalogueStore(f"sqlite:///{Path(tmp) / 'catalogue.db'}")
        try:
            store.import_services(load_seed(), "benchmark")
            referrals = load_referrals(referrals_dir) if referrals_dir else []
            embedder = create_embedder(embedder_name, model)
            catalogue = CatalogueSearch(store, embedder, Path(tmp) / "index", referrals=referrals)
            catalogue.load_or_build()
            catalogue.wait_for_classifier()  # score as the running bot does once it has trained
            return [catalogue.lookup(q.text, k=CANDIDATES) for q in questions]
        finally:
            store.close()


def main() -> None:
    settings = SearchSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS, help="development questions (JSON Lines)")
    parser.add_argument("--embedder", default=settings.embedder)
    parser.add_argument("--model", default=settings.model)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of tables")
    parser.add_argument(
        "--sweep-ask-back",
        action="store_true",
        help="choose the ask-back settings too (default: keep the configured ones, see choose())",
    )
    args = parser.parse_args()

    questions = load_questions(args.questions)
    results = search_all(questions, args.embedder, args.model, settings.referrals_dir)
    grid = sweep(questions, results)
    chosen = choose(grid, None if args.sweep_ask_back else (settings.ask_back_margin, settings.ask_back_spread))
    inside = sum(1 for q in questions if q.relevant)
    current: Key = (
        settings.min_score,
        settings.ask_back_margin,
        settings.ask_back_spread,
        settings.referral_margin,
    )
    if args.json:
        report: dict[str, Any] = {
            "questions": len(questions),
            "in_catalogue": inside,
            "grid": [dict(zip(SETTINGS, key, strict=True), **counts) for key, counts in grid.items()],
            "chosen": dict(zip(SETTINGS, chosen, strict=True)),
            "settings": dict(zip(SETTINGS, current, strict=True)),
        }
        print(json.dumps(report, indent=2))
        return
    print(f"{args.questions.name}: {inside} questions in the catalogue, {len(questions) - inside} outside it")
    print("ask+ / ask-: asked back with / without the right service among the choices")
    for setting in SETTINGS:
        print()
        print(table(grid, chosen, setting))
    print()
    print(by_kind(questions, results, policy_of(chosen)))
    print()
    print(f"chosen:       {_described(chosen)}")
    print(f"settings now: {_described(current)}")
    if current in grid:
        print(f"merit chosen {merit(grid[chosen])}, settings now {merit(grid[current])}")


if __name__ == "__main__":
    main()

"""Vague first questions asked back, specific ones answered: the family ask-back's two settings swept.

A question that names only a family of siblings ("สอบถามเรื่องบัตรประชาชน", "I have a question about my
ID card") should be asked back with the family; one with the word that picks a sibling ("ต่อพาสปอร์ต")
answered. For each ``search.ask_back_family_window`` and ``search.ask_back_family_extra``
(:class:`knowledge.routing.RoutingPolicy`), with the other routing settings as configured, this counts:

* the vague questions below (written for this, one or two per sibling family, before any was run:
  self-written, so optimistic) asked back;
* the first turns of the development dialogues (``tests/data/persona_dialogues/dev.jsonl``): the
  ``open_vague`` ones asked back (and with every expected service offered), the ``open`` ones asked;
* the specific questions below (from the README and issue 11) asked back: should be none;
* the development questions (``tests/data/persona_questions/dev.jsonl``): right / wrong / asked
  back with or without the right service / not found, and the questions outside the catalogue.

The search and the decision are the bot's own over a copy of the seed catalogue; NLU is not run. The
frozen test splits are never read.

    PYTHAINLP_OFFLINE=1 .venv/bin/python benchmarks/vague_questions.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from no_match_threshold import Question, load_questions, search_all  # noqa: E402  (beside this file)

from gateway.settings import SearchSettings  # noqa: E402
from knowledge.routing import Answer, AskBack, RoutingPolicy, route  # noqa: E402
from knowledge.service_search import Lookup  # noqa: E402

VAGUE = [
    "อยากทำบัตร",
    "I need a certificate",
    "ขอถามเรื่องบัตรประชาชนหน่อยครับ",
    "บัตรประชาชน",
    "I have a question about my ID card",
    "เรื่องพาสปอร์ตค่ะ",
    "passport please",
    "เรื่องใบขับขี่ครับ",
    "driving licence question",
    "เรื่องทะเบียนบ้านครับ",
    "ย้ายทะเบียนบ้าน",
    "house registration",
    "ประกันสังคมค่ะ",
    "social security",
    "ภาษีเงินได้ครับ",
    "income tax",
    "สอบถามเรื่องใบสูติบัตร",
    "birth certificate question",
    "อยากจดทะเบียนสมรส",
    "ทะเบียนรถ",
    "car registration",
    "เรื่องเงินผู้สูงอายุ",
    "เรื่องที่ดินครับ",
    "กยศ",
    "student loan",
]
SPECIFIC = [
    "ต่อพาสปอร์ต",
    "How do I renew my passport?",
    "บัตรประชาชนหาย",
    "บัตรประชาชนหมดอายุ",
    "ต่อใบขับขี่",
    "ย้ายทะเบียนบ้านออก",
    "ทำบัตรประชาชนครั้งแรก",
    "passport lost",
    "first passport",
]
DIALOGUES = ROOT / "tests" / "data" / "persona_dialogues" / "dev.jsonl"
WINDOWS = [0.0, 0.1, 0.2, 0.3, 0.5, 1.0]
EXTRAS = [0, 1, 2, 4, 6]


def first_turns(path: Path) -> list[tuple[str, str, list[str]]]:
    """(text, type, services expected in the ask-back) of each development dialogue's first turn."""
    if path.name == "test.jsonl":
        raise SystemExit(f"{path} is the frozen test split")
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            first = json.loads(line)["turns"][0]
            if "text" in first:
                turns.append((first["text"], first["type"], first["expect"].get("ask_back_includes") or []))
    return turns


def main() -> None:
    settings = SearchSettings()
    base = settings.thresholds().policy
    questions = load_questions(ROOT / "tests" / "data" / "persona_questions" / "dev.jsonl")
    dialogue = first_turns(DIALOGUES)
    probes = [Question(text, frozenset(), "probe") for text in [*VAGUE, *SPECIFIC, *(t for t, _, _ in dialogue)]]
    found = search_all([*probes, *questions], settings.embedder, settings.model, settings.referrals_dir)
    looked = dict(zip([q.text for q in probes], found[: len(probes)], strict=True))
    dev = found[len(probes) :]

    def decide(text_or_lookup: str | Lookup, policy: RoutingPolicy) -> object:
        lookup = looked[text_or_lookup] if isinstance(text_or_lookup, str) else text_or_lookup
        return route(lookup.matches, policy, lookup.referral)

    print("window extra | vague asked | dialogue vague asked (all offered) | open asked | specific asked | dev")
    for window in WINDOWS:
        for extra in EXTRAS if window else EXTRAS[:1]:
            policy = dataclasses.replace(base, family_window=window, family_extra=extra)
            vague = sum(isinstance(decide(q, policy), AskBack) for q in VAGUE)
            specific = sum(isinstance(decide(q, policy), AskBack) for q in SPECIFIC)
            opened = [(t, want) for t, kind, want in dialogue if kind == "open_vague"]
            asked = [decide(t, policy) for t, _ in opened]
            offered = sum(
                isinstance(d, AskBack) and set(want) <= {m.service.id for m in d.candidates}
                for d, (_, want) in zip(asked, opened, strict=True)
            )
            opens = sum(isinstance(decide(t, policy), AskBack) for t, kind, _ in dialogue if kind == "open")
            counts: Counter[str] = Counter()
            for question, lookup in zip(questions, dev, strict=True):
                decision = decide(lookup, policy)
                if not question.relevant:
                    counts["out: card" if isinstance(decision, Answer) else "out: none"] += 1
                elif isinstance(decision, Answer):
                    counts["right" if decision.match.service.id in question.relevant else "wrong"] += 1
                elif isinstance(decision, AskBack):
                    right = {m.service.id for m in decision.candidates} & question.relevant
                    counts["ask+" if right else "ask-"] += 1
                else:
                    counts["not found"] += 1
            label = "off" if not window else f"{window:.1f} {extra}"
            n_open = sum(kind == "open" for _, kind, _ in dialogue)
            print(
                f"{label:>10} | {vague:>2}/{len(VAGUE)} | {sum(isinstance(d, AskBack) for d in asked)}/{len(opened)} "
                f"({offered}) | {opens}/{n_open} | {specific}/{len(SPECIFIC)} | {dict(sorted(counts.items()))}"
            )
    print(f"settings now: window {settings.ask_back_family_window}, extra {settings.ask_back_family_extra}")


if __name__ == "__main__":
    main()

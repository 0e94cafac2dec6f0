"""Precision and recall of the personal-data detector (:mod:`nlu.pii`) on labelled messages.

The corpus (``tests/data/pii_messages/*.jsonl``) was written by hand, messages first and the spans
marked afterwards, independently of the detector's rules. A found span counts only when its kind
and its exact text match a labelled one: a phone found without its last digits still leaks them.

    .venv/bin/python benchmarks/pii_masking.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.pii import PII_KINDS, find_pii  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "pii_messages"

Span = tuple[str, int, int]  # kind, start, end


@dataclass
class KindScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


@dataclass
class Report:
    messages: int = 0
    kinds: dict[str, KindScore] = field(default_factory=lambda: {kind: KindScore() for kind in PII_KINDS})
    misses: list[str] = field(default_factory=list)  # missed spans (false negatives)
    extras: list[str] = field(default_factory=list)  # spans found that are not personal data

    @property
    def precision(self) -> float:
        tp = sum(s.true_positives for s in self.kinds.values())
        fp = sum(s.false_positives for s in self.kinds.values())
        return tp / (tp + fp) if tp + fp else 1.0


def load_corpus(directory: Path = CORPUS) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(directory.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return rows


def labelled_spans(row: dict) -> set[Span]:
    """Every occurrence of every labelled value, with its kind."""
    spans: set[Span] = set()
    text = row["text"]
    for label in row["spans"]:
        value, start = label["value"], 0
        while (start := text.find(value, start)) != -1:
            spans.add((label["kind"], start, start + len(value)))
            start += len(value)
    return spans


def evaluate(rows: list[dict]) -> Report:
    report = Report(messages=len(rows))
    for row in rows:
        text = row["text"]
        gold = labelled_spans(row)
        found = {(m.kind, m.start, m.end) for m in find_pii(text)}
        for kind, _start, _end in gold & found:
            report.kinds[kind].true_positives += 1
        for kind, start, end in sorted(gold - found, key=lambda s: s[1]):
            report.kinds[kind].false_negatives += 1
            report.misses.append(f"{row['id']} missed {kind} {text[start:end]!r} in {text!r}")
        for kind, start, end in sorted(found - gold, key=lambda s: s[1]):
            report.kinds[kind].false_positives += 1
            report.extras.append(f"{row['id']} wrongly {kind} {text[start:end]!r} in {text!r}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list missed and wrongly found spans")
    args = parser.parse_args()
    report = evaluate(load_corpus())
    print(f"{report.messages} messages")
    print(f"{'kind':<12} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for kind, score in report.kinds.items():
        labelled = score.true_positives + score.false_negatives
        found = score.true_positives + score.false_positives
        print(f"{kind:<12} {labelled:>8} {found:>6} {score.precision:>9.1%} {score.recall:>7.1%}")
    print(f"overall precision {report.precision:.1%}")
    if args.misses:
        for line in report.misses + report.extras:
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The personal-data detector on the labelled corpus (benchmarks/pii_masking.py): every national ID
found, phones and e-mails nearly all, and almost nothing else taken for personal data."""

from __future__ import annotations

from benchmarks.pii_masking import evaluate, load_corpus


def test_recall_and_precision_on_the_labelled_messages():
    rows = load_corpus()
    assert len(rows) >= 120
    report = evaluate(rows)
    scores = report.kinds
    misses = "\n".join(report.misses + report.extras)
    assert scores["national_id"].recall == 1.0, misses
    assert scores["phone"].recall >= 0.95, misses
    assert scores["email"].recall >= 0.95, misses
    for kind, score in scores.items():
        assert score.precision >= 0.95, f"{kind}: {misses}"
    assert report.precision >= 0.95, misses


def test_the_corpus_has_every_kind_and_hard_negatives():
    rows = load_corpus()
    labelled = {span["kind"] for row in rows for span in row["spans"]}
    assert labelled == {"national_id", "phone", "email"}
    assert sum(1 for row in rows if not row["spans"]) >= 40
    assert {row["lang"] for row in rows} == {"th", "en"}

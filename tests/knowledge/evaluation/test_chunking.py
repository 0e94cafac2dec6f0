"""Free text as passages: the text itself plus chunk and sentence views."""

from __future__ import annotations

from knowledge.evaluation.chunking import passages_from_text
from knowledge.search.passages import Passage


def test_passages_from_text_views():
    assert passages_from_text("d", "แจ้งเกิด", "th") == [Passage("d", "body", "th", "แจ้งเกิด")]
    assert passages_from_text("d", "  ", "th") == []
    long_thai = " ".join(["แจ้งเกิดภายในสิบห้าวันที่สำนักงานเขต"] * 6)
    views = passages_from_text("d", long_thai, "th")
    fields = [p.field for p in views]
    assert fields[0] == "body" and "body#chunk" in fields and fields.count("body#sentence") == 6
    assert all(len(p.text) <= 100 for p in views if p.field == "body#chunk")
    english = passages_from_text("d", "One sentence here. " * 10, "en")
    assert sum(p.field == "body#sentence" for p in english) == 10

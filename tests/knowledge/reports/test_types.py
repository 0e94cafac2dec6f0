"""The problem types: Traffy Fondue's names, English labels beside them, old names still understood."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.reports.types import OTHER_TYPE, load_taxonomy

# The names issue 18 quotes from Traffy Fondue's public list, spelt as it spells them.
ISSUE_NAMES = [
    "น้ำท่วม", "ความสะอาด", "ไฟฟ้า", "ทางเท้า", "ถนน", "ผิดกฎจราจร", "เสียง", "หาบเร่แผงลอย", "จุดเสี่ยง",
    "อุปกรณ์ชำรุด", "ฝุ่นควัน&กลิ่น&PM2.5", "อาคารสถานที่ชำรุด", "ต้นไม้", "สัตว์", "สายสื่อสาร", "คนเร่ร่อน",
    "ประปา", "อื่นๆ",
]  # fmt: skip


def test_every_type_the_issue_names_is_there_with_an_english_label() -> None:
    taxonomy = load_taxonomy()
    for name in ISSUE_NAMES:
        problem_type = taxonomy.require(name)
        assert problem_type.th == name
        assert problem_type.en and problem_type.en.isascii()
    assert taxonomy.other.th == OTHER_TYPE
    assert len({problem_type.th for problem_type in taxonomy}) == len(taxonomy)


def test_old_names_from_traffys_open_export_map_onto_the_current_ones() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.require("แสงสว่าง").th == "ไฟฟ้า"
    assert taxonomy.require("PM2.5").th == "ฝุ่นควัน&กลิ่น&PM2.5"
    assert taxonomy.require("คนจรจัด").th == "คนเร่ร่อน"
    assert taxonomy.require("เสียงรบกวน").th == "เสียง"
    assert taxonomy.require("Flooding").th == "น้ำท่วม"  # the English label works too
    assert taxonomy.require("flooding").label("en") == "Flooding"


def test_an_unknown_name_is_an_error_that_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown problem type 'ไฟไหม้'.*น้ำท่วม"):
        load_taxonomy().require("ไฟไหม้")


def test_a_types_file_with_a_name_used_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "types.yml"
    path.write_text(
        "types:\n  - {id: a, th: ถนน, en: Road}\n  - {id: b, th: ถนน, en: Street}\n"
        "  - {id: other, th: อื่นๆ, en: Other}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="used twice"):
        load_taxonomy(path)


def test_a_types_file_without_the_catch_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "types.yml"
    path.write_text("types:\n  - {id: road, th: ถนน, en: Road}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="catch-all"):
        load_taxonomy(path)

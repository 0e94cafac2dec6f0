"""The one table of citizen texts: complete in both languages, and refused when it is not."""

from __future__ import annotations

import re
import typing

import pytest
import yaml

from actions.api.status_provider import StatusCode
from conversation.messages import TurnStatus
from knowledge.schema import VERIFIABLE_FIELDS, LifeEvent
from texts.table import GROUPS_DIR, TABLE_FILE, placeholders, problems, read_table, read_tables, table

THAI = re.compile(r"[\u0e01-\u0e4e]")


def test_every_entry_has_thai_and_english_with_the_same_placeholders():
    assert problems(yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))) == []
    assert len(table()) > 100


def test_each_language_is_written_in_its_own_script():
    for key, entry in table().items():
        assert THAI.search(entry["th"]), f"{key}: the Thai text has no Thai in it"
        assert not THAI.search(entry["en"]), f"{key}: the English text has Thai in it"


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ({"line": {"greeting": {"th": "สวัสดีครับ"}}}, "line.greeting: no en text"),
        ({"line": {"greeting": {"en": "Hello"}}}, "line.greeting: no th text"),
        ({"line": {"greeting": {"th": "สวัสดีครับ", "en": "  "}}}, "line.greeting: no en text"),
        ({"line": {"greeting": {"th": "", "en": "Hello"}}}, "line.greeting: no th text"),
        ({"line": {"greeting": {"th": "สวัสดี", "en": None}}}, "line.greeting: no en text"),
        ({"line": {"greeting": {"th": "สวัสดี ", "en": "Hi"}}}, "line.greeting: the th text starts or ends with a space"),
        (
            {"line": {"too_long": {"th": "เกิน {limit} ตัวอักษร", "en": "over {max} characters"}}},
            "line.too_long: placeholders differ: th ['limit'], en ['max']",
        ),
        (
            {"line": {"too_long": {"th": "เกิน {limit} ตัวอักษร", "en": "too long"}}},
            "line.too_long: placeholders differ: th ['limit'], en []",
        ),
        ({"line": {"km": {"th": "{value กม.", "en": "{value} km"}}}, "line.km: the th text has a stray brace"),
        ({"line": {"km": {"th": "กม.", "en": "km", "fr": "km"}}}, "line.km: unknown language 'fr'"),
        ({"line": {"km": "km"}}, "line.km: not a mapping of languages"),
        ({"line": {False: {"th": "ไม่", "en": "no"}}}, "line.False: the key is not text; quote it"),
        ({"line": {}}, "'line': not a group of entries"),
        ([], "the table is not a mapping of groups"),
    ],
)
def test_the_check_names_each_kind_of_broken_entry(broken, problem):
    found = problems(broken)
    assert len(found) == 1 and found[0].startswith(problem), found


def test_a_broken_table_file_does_not_load(tmp_path):
    path = tmp_path / "texts.yml"
    path.write_text('line:\n  greeting:\n    th: "สวัสดีครับ"\n  km:\n    th: "{value} กม."\n    en: "km"\n')
    with pytest.raises(ValueError, match="2 problem") as error:
        read_table(path)
    assert "line.greeting: no en text" in str(error.value) and "line.km: placeholders differ" in str(error.value)


def test_each_group_file_is_sound_and_a_group_lives_in_one_file_only(tmp_path):
    for path in sorted(GROUPS_DIR.glob("*.yml")):
        assert problems(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path.name
    main = tmp_path / "main.yml"
    main.write_text('line:\n  greeting:\n    th: "สวัสดีครับ"\n    en: "Hello"\n')
    groups = tmp_path / "groups"
    groups.mkdir()
    (groups / "extra.yml").write_text('extra:\n  bye:\n    th: "ลาก่อนครับ"\n    en: "Goodbye"\n')
    assert set(read_tables(main, groups)) == {"line.greeting", "extra.bye"}
    (groups / "twice.yml").write_text('line:\n  other:\n    th: "อื่น"\n    en: "Other"\n')
    with pytest.raises(ValueError, match=r"twice\.yml: the group 'line' is already defined in main\.yml"):
        read_tables(main, groups)


def test_placeholders_are_the_names_between_braces():
    assert placeholders("{n}. {name} (about {distance})") == {"n", "name", "distance"}
    assert placeholders("no placeholders") == set()


def test_every_value_the_code_looks_up_by_name_has_an_entry():
    keys = table().keys()
    assert {f"life_event.{event.value}" for event in LifeEvent} <= keys
    assert {f"status.{code}" for code in typing.get_args(StatusCode)} <= keys
    assert {f"conversation.{status.value}" for status in TurnStatus if status != TurnStatus.OK} <= keys
    assert {f"answers.{field}" for field in VERIFIABLE_FIELDS} <= keys  # named in the verify note
    assert {f"answers.id_bad_{reason}" for reason in ("length", "checksum", "first_digit")} <= keys

"""The table of citizen-facing texts: read once from ``citizen_texts.yml`` and checked as it loads.

A missing language, an empty text or placeholders that differ between Thai and English
would show a citizen a blank, a ``KeyError`` or half a sentence, so a table with any of
these does not load at all.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nlu.language import Lang

__all__ = [
    "GROUPS_DIR",
    "LANGUAGES",
    "TABLE_FILE",
    "Entry",
    "placeholders",
    "problems",
    "read_table",
    "read_tables",
    "table",
]

TABLE_FILE = Path(__file__).resolve().parent / "citizen_texts.yml"
# Further groups, one feature's texts per file (texts/groups/citizens.yml ...), read after the main file.
GROUPS_DIR = Path(__file__).resolve().parent / "groups"
LANGUAGES: tuple[Lang, ...] = ("th", "en")

Entry = Mapping[Lang, str]


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a text is filled with; ``ValueError`` for a stray brace."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _entry_problems(name: str, entry: object) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{name}: not a mapping of languages"]
    found = [f"{name}: unknown language {lang!r}" for lang in entry if lang not in LANGUAGES]
    names: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        value = entry.get(lang)
        if not isinstance(value, str) or not value.strip():
            found.append(f"{name}: no {lang} text")
        elif value != value.strip():
            found.append(f"{name}: the {lang} text starts or ends with a space")
        else:
            try:
                names[lang] = placeholders(value)
            except ValueError as error:
                found.append(f"{name}: the {lang} text has a stray brace ({error})")
    if len(names) == len(LANGUAGES) and names["th"] != names["en"]:
        found.append(f"{name}: placeholders differ: th {sorted(names['th'])}, en {sorted(names['en'])}")
    return found


def problems(raw: Any) -> list[str]:
    """Everything wrong with a table as read from YAML, one line each; empty when it is sound."""
    if not isinstance(raw, dict) or not raw:
        return ["the table is not a mapping of groups"]
    found: list[str] = []
    for group, entries in raw.items():
        if not isinstance(group, str) or not isinstance(entries, dict) or not entries:
            found.append(f"{group!r}: not a group of entries")
            continue
        for key, entry in entries.items():
            if not isinstance(key, str):  # YAML reads an unquoted yes/no/on as a boolean
                found.append(f"{group}.{key!r}: the key is not text; quote it")
                continue
            found += _entry_problems(f"{group}.{key}", entry)
    return found


def read_table(path: Path = TABLE_FILE) -> dict[str, Entry]:
    """Every entry by ``"group.key"``; ``ValueError`` naming each problem if the table is unsound."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    wrong = problems(raw)
    if wrong:
        raise ValueError(f"{path.name} has {len(wrong)} problem(s): " + "; ".join(wrong))
    return {
        f"{group}.{key}": {lang: entry[lang] for lang in LANGUAGES}
        for group, entries in raw.items()
        for key, entry in entries.items()
    }


def read_tables(main: Path = TABLE_FILE, groups_dir: Path = GROUPS_DIR) -> dict[str, Entry]:
    """The main file and every ``groups_dir/*.yml``; a group defined in two files is refused."""
    merged = read_table(main)
    seen = {name.split(".", 1)[0]: main.name for name in merged}
    for path in sorted(groups_dir.glob("*.yml")) if groups_dir.is_dir() else []:
        entries = read_table(path)
        for group in {name.split(".", 1)[0] for name in entries}:
            if group in seen:
                raise ValueError(f"{path.name}: the group {group!r} is already defined in {seen[group]}")
            seen[group] = path.name
        merged.update(entries)
    return merged


@cache
def table() -> Mapping[str, Entry]:
    """The table, read on first use and kept for the life of the process."""
    return read_tables()

"""The edit form's repeating rows (facts with their sources, offices, FAQ entries): a service's lists to
rows of form fields and back, adding and removing a row by a plain submit button, no script needed.

A row's fields are named as the diff and pydantic name them (``facts[2].source.url``), so an error or a
change lands on the exact input. A row left entirely blank is dropped, so "add another" costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backoffice.web.forms import Form
from knowledge.schema import FactKind, FactStatus, Service

__all__ = ["FACT_KINDS", "FACT_STATUSES", "ROW_KINDS", "RowKind", "blank_row", "row_data", "rows_from_form", "rows_of"]


@dataclass(frozen=True)
class RowKind:
    """One kind of row: its form prefix (``facts``, ``where_to_apply.offices``) and its fields."""

    key: str  # the name of the add/remove buttons' target: "facts", "offices", "faq"
    prefix: str
    fields: tuple[str, ...]
    required: tuple[str, ...]


FACT_FIELDS = ("field", "kind", "text.th", "text.en", "status", "source.url", "source.title", "source.date")
FACTS = RowKind("facts", "facts", (*FACT_FIELDS, "checked", "note"), ("field", "kind", "text.th", "text.en", "status"))
OFFICES = RowKind(
    "offices",
    "where_to_apply.offices",
    ("name.th", "name.en", "address.th", "address.en", "latitude", "longitude"),
    ("name.th", "name.en"),
)
_FAQ_FIELDS = ("question.th", "question.en", "answer.th", "answer.en")
FAQ = RowKind("faq", "faq", _FAQ_FIELDS, _FAQ_FIELDS)
ROW_KINDS = {kind.key: kind for kind in (FACTS, OFFICES, FAQ)}
FACT_KINDS = [kind.value for kind in FactKind]
FACT_STATUSES = [status.value for status in FactStatus]


def blank_row(kind: RowKind) -> dict[str, str]:
    return dict.fromkeys(kind.fields, "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def rows_of(service: Service) -> dict[str, list[dict[str, str]]]:
    """The rows the form shows for ``service``'s facts, offices and FAQ."""
    facts = []
    for fact in service.facts:
        source = fact.source
        facts.append(
            {
                "field": fact.field,
                "kind": fact.kind.value,
                "text.th": fact.text.th,
                "text.en": fact.text.en,
                "status": fact.status.value,
                "source.url": _text(source.url) if source else "",
                "source.title": source.title if source else "",
                "source.date": _text(source.date) if source else "",
                "checked": _text(fact.checked),
                "note": fact.note or "",
            }
        )
    offices = [
        {
            "name.th": office.name.th,
            "name.en": office.name.en,
            "address.th": office.address.th if office.address else "",
            "address.en": office.address.en if office.address else "",
            "latitude": _text(office.latitude),
            "longitude": _text(office.longitude),
        }
        for office in service.where_to_apply.offices
    ]
    faq = [
        {"question.th": e.question.th, "question.en": e.question.en, "answer.th": e.answer.th, "answer.en": e.answer.en}
        for e in service.faq
    ]
    return {"facts": facts, "offices": offices, "faq": faq}


def rows_from_form(form: Form, action: str) -> dict[str, list[dict[str, str]]]:
    """The rows as typed, renumbered from 0, with the row the pressed button removes left out and a blank
    one added by "add another"; entirely blank rows are dropped when the form is saved."""
    removing = re.fullmatch(r"remove:(\w+):(\d+)", action)
    editing_rows = action.startswith(("add:", "remove:"))  # keep blank rows on screen while arranging them
    rows: dict[str, list[dict[str, str]]] = {}
    for kind in ROW_KINDS.values():
        pattern = re.compile(re.escape(kind.prefix) + r"\[(\d+)\]\.")
        indices = sorted({int(m.group(1)) for name in form.names() if (m := pattern.match(name))})
        kept = []
        for index in indices:
            if removing and removing.group(1) == kind.key and int(removing.group(2)) == index:
                continue
            row = {name: form.raw(f"{kind.prefix}[{index}].{name}").strip() for name in kind.fields}
            if editing_rows or any(row.values()):
                kept.append(row)
        if action == f"add:{kind.key}":
            kept.append(blank_row(kind))
        rows[kind.key] = kept
    return rows


def _pair(row: dict[str, str], name: str) -> dict[str, str] | None:
    thai, english = row[f"{name}.th"], row[f"{name}.en"]
    return {"th": thai, "en": english} if thai or english else None


def row_data(rows: dict[str, list[dict[str, str]]]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """The rows as the service's data (``facts``, ``offices``, ``faq``), and each missing required field
    as an error on its input (``facts[0].text.en`` -> ``edit.required``)."""
    errors: dict[str, str] = {}
    for key, kind in ROW_KINDS.items():
        for index, row in enumerate(rows[key]):
            for name in kind.required:
                if not row[name]:
                    errors[f"{kind.prefix}[{index}].{name}"] = "edit.required"
    facts = []
    for index, row in enumerate(rows["facts"]):
        source = None
        if row["source.url"] or row["source.title"] or row["source.date"]:
            if not row["source.title"]:
                errors[f"facts[{index}].source.title"] = "edit.required"
            source = {
                "url": row["source.url"] or None,
                "title": row["source.title"],
                "date": row["source.date"] or None,
            }
        facts.append(
            {
                "field": row["field"],
                "kind": row["kind"],
                "text": _pair(row, "text"),
                "status": row["status"],
                "source": source,
                "checked": row["checked"] or None,
                "note": row["note"] or None,
            }
        )
    offices = [
        {
            "name": _pair(row, "name"),
            "address": _pair(row, "address"),
            "latitude": row["latitude"] or None,
            "longitude": row["longitude"] or None,
        }
        for row in rows["offices"]
    ]
    faq = [{"question": _pair(row, "question"), "answer": _pair(row, "answer")} for row in rows["faq"]]
    return {"facts": facts, "offices": offices, "faq": faq}, errors

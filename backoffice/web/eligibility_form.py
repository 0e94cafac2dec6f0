"""The service form's eligibility rules (knowledge/eligibility.py): fields to ``eligibility_rules`` and back.

The fields are named ``eligibility_rules.min_age`` and so on, so a schema error lands on its input. A
form with every rule field empty means the service has no rules (``None``), as older services have.
Provinces are checked against the gazetteer of Thailand's provinces and written as the catalogue
writes them (Thai), whether the editor typed "เชียงใหม่", "จังหวัดเชียงใหม่" or "Chiang Mai"; a
situation must be one the rules know. Errors carry their label key, with the names after a colon
(``rules.unknown_province:Atlantis``), for :func:`backoffice.web.edit_form_view.error_texts`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from backoffice.web.forms import Form
from knowledge.eligibility import Eligibility, Situation
from knowledge.reports.places import load_gazetteer

__all__ = [
    "NATIONALITIES",
    "RULES",
    "SITUATIONS",
    "blank_rule_values",
    "read_rule_values",
    "rule_values",
    "rules_from_values",
]

RULES = "eligibility_rules"
SITUATIONS = [situation.value for situation in Situation]
NATIONALITIES = ("any", "thai", "foreign")
_TEXTS = ("min_age", "max_age", "nationality", "provinces", "source.url", "source.title", "status", "note")
_LISTS = ("situations", "any_situation")


def _name(field: str) -> str:
    return f"{RULES}.{field}"


def rule_values(rules: Eligibility | None) -> dict[str, Any]:
    """What the form shows for a service's rules (empty fields for none)."""
    if rules is None:
        return blank_rule_values()
    return {
        _name("min_age"): "" if rules.min_age is None else str(rules.min_age),
        _name("max_age"): "" if rules.max_age is None else str(rules.max_age),
        _name("nationality"): rules.nationality,
        _name("situations"): [situation.value for situation in rules.situations],
        _name("any_situation"): [situation.value for situation in rules.any_situation],
        _name("provinces"): "\n".join(rules.provinces),
        _name("source.url"): str(rules.source.url) if rules.source else "",
        _name("source.title"): rules.source.title if rules.source else "",
        _name("status"): rules.status,
        _name("note"): rules.note or "",
    }


def blank_rule_values() -> dict[str, Any]:
    values: dict[str, Any] = {_name(field): "" for field in _TEXTS}
    values[_name("nationality")], values[_name("status")] = "any", "unverified"
    values.update({_name(field): [] for field in _LISTS})
    return values


def read_rule_values(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {_name(field): form.raw(_name(field)).strip() for field in _TEXTS}
    values.update({_name(field): [value.strip() for value in form.all(_name(field))] for field in _LISTS})
    return values


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    """Every way of writing a province (Thai, English, aliases; case-folded) -> its Thai name."""
    names: dict[str, str] = {}
    for place in load_gazetteer().places:
        if place.kind == "province":
            for name in (place.th, place.en, *place.aliases):
                names[name.casefold()] = place.th
    return names


def _province(typed: str) -> str | None:
    name = typed.strip()
    for prefix in ("จังหวัด", "จ."):
        name = name.removeprefix(prefix).strip()
    folded = name.casefold().removesuffix(" province").strip()
    return _province_names().get(folded)


def _age(text: str, field: str, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) > 130:
        errors[_name(field)] = "rules.bad_age"
        return None
    return int(text)


def rules_from_values(values: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The ``eligibility_rules`` data the fields describe (None when all are empty or any is wrong), and each
    problem on its field: an age that is no age, the youngest above the oldest, an unknown province
    or situation, a situation in both lists, checked rules without their source."""
    errors: dict[str, str] = {}
    text = {field: str(values.get(_name(field), "")).strip() for field in _TEXTS}
    lists = {field: [value for value in values.get(_name(field), []) if value] for field in _LISTS}
    provinces_typed = [line.strip() for line in text["provinces"].splitlines() if line.strip()]
    empty = (
        not any(text[field] for field in ("min_age", "max_age", "source.url", "source.title", "note"))
        and text["nationality"] in ("", "any")
        and not provinces_typed
        and not any(lists.values())
    )
    if empty:
        return None, errors
    data: dict[str, Any] = {
        "min_age": _age(text["min_age"], "min_age", errors),
        "max_age": _age(text["max_age"], "max_age", errors),
        "nationality": text["nationality"] or "any",
        "status": text["status"] or "unverified",
    }
    if data["min_age"] is not None and data["max_age"] is not None and data["min_age"] > data["max_age"]:
        errors[_name("max_age")] = "rules.min_above_max"
    if data["nationality"] not in NATIONALITIES:
        errors[_name("nationality")] = "edit.pick_one"
    if data["status"] not in ("verified", "unverified"):
        errors[_name("status")] = "edit.pick_one"
    for field in _LISTS:
        unknown = [value for value in lists[field] if value not in SITUATIONS]
        if unknown:
            errors[_name(field)] = f"rules.unknown_situation:{', '.join(unknown)}"
        data[field] = [value for value in lists[field] if value in SITUATIONS]
    if set(data["situations"]) & set(data["any_situation"]):
        errors.setdefault(_name("any_situation"), "rules.situation_twice")
    provinces = [(typed, _province(typed)) for typed in provinces_typed]
    unknown_provinces = [typed for typed, found in provinces if found is None]
    if unknown_provinces:
        errors[_name("provinces")] = f"rules.unknown_province:{', '.join(unknown_provinces)}"
    data["provinces"] = list(dict.fromkeys(found for _typed, found in provinces if found))
    url, title = text["source.url"], text["source.title"]
    if url or title:
        if not url:
            errors[_name("source.url")] = "edit.required"
        if not title:
            errors[_name("source.title")] = "edit.required"
        data["source"] = {"url": url or None, "title": title}
    elif data["status"] == "verified":
        errors[_name("source.url")] = "rules.verified_needs_source"
    data["note"] = text["note"] or None
    return (None, errors) if errors else (data, errors)  # refused rules are not checked a second time

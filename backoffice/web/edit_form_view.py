"""What the edit and new-service pages hand their shared form template: option lists in the page's
language and each field's error as a sentence, so both pages show the form the same way."""

from __future__ import annotations

from typing import Any

from backoffice.web.catalogue_view import life_event_options
from backoffice.web.eligibility_form import NATIONALITIES, SITUATIONS
from backoffice.web.pages import PageContext
from backoffice.web.service_form import VERIFIABLE, input_id
from backoffice.web.service_rows import FACT_KINDS, FACT_STATUSES

__all__ = ["error_texts", "form_options"]


def form_options(context: PageContext) -> dict[str, Any]:
    """The choices of the form's selects and check boxes, labelled in ``context``'s language."""
    return {
        "iid": input_id,
        "life_events": life_event_options(context.lang),
        "verifiable_fields": [(name, context.t(f"field.{name}")) for name in VERIFIABLE],
        "fact_kinds": [(kind, context.t(f"kind.{kind}")) for kind in FACT_KINDS],
        "fact_statuses": [(status, context.t(f"status.{status}")) for status in FACT_STATUSES],
        "rule_nationalities": [(value, context.t(f"rules.nationality_{value}")) for value in NATIONALITIES],
        "rule_situations": [(value, context.t(f"situation.{value}")) for value in SITUATIONS],
    }


def error_texts(context: PageContext, errors: dict[str, str]) -> dict[str, str]:
    """Each field's error code (``edit.required``, ``edit.lists_match:3:2``) as a sentence; a schema
    message without a label of its own is shown as written."""
    texts = {}
    for name, code in errors.items():
        if code.startswith("edit.lists_match:"):
            _, thai, english = code.split(":")
            texts[name] = context.t("edit.lists_match", th=thai, en=english)
        elif code.startswith("rules.unknown_"):  # the eligibility rules' unknown names (eligibility_form.py)
            key, _, names = code.partition(":")
            texts[name] = context.t(key, names=names)
        else:
            texts[name] = context.t(code) if code.startswith(("edit.", "rules.")) else code
    return texts

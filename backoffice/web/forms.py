"""Reading a page's plain ``<form method=post>`` (urlencoded) without python-multipart."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

__all__ = ["MAX_FORM_BYTES", "Form", "read_form"]

MAX_FORM_BYTES = 20 * 1024 * 1024  # the whole catalogue, urlencoded, in the import form (as /api/admin/import)


class Form:
    """The fields of a form: ``get`` the first value (stripped), ``all`` every value of a repeated field."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def get(self, name: str, default: str = "") -> str:
        values = self._values.get(name)
        return values[0].strip() if values else default

    def raw(self, name: str) -> str:
        values = self._values.get(name)
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def names(self) -> list[str]:
        return list(self._values)

    def int_or_none(self, name: str) -> int | None:
        value = self.get(name)
        return int(value) if value.isdigit() else None


async def read_form(request: Request) -> Form:
    """The urlencoded body as a :class:`Form`; an empty one for any other or an overlong body."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return Form({})
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return Form({})
    return Form(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))

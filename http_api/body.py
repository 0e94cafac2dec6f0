"""Reading a JSON request body by hand, so each kind of bad input gets its own clear error."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from http_api.errors import ApiError
from knowledge.schema import describe_error_location

__all__ = ["decode_body", "parse_json_body", "validation_details"]

Model = TypeVar("Model", bound=BaseModel)


def validation_details(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": describe_error_location(tuple(item["loc"])) or "body", "problem": item["msg"]}
        for item in error.errors()
    ]


async def decode_body(request: Request, max_bytes: int) -> str:
    body = await request.body()
    if not body:
        raise ApiError(400, "empty_body", "The request body is empty; send a JSON object.")
    if len(body) > max_bytes:
        raise ApiError(413, "too_large", f"The request body is larger than {max_bytes} bytes.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "invalid_encoding", "The request body must be UTF-8 encoded.") from error


def loads_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError(
            400, "malformed_json", f"The request body is not valid JSON: {error.msg} at position {error.pos}."
        ) from error


async def parse_json_body(request: Request, model: type[Model], max_bytes: int) -> Model:
    data = loads_json(await decode_body(request, max_bytes))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, "invalid_request", "The request is not valid.", validation_details(error)) from error

"""Reading and writing the whole catalogue as YAML or JSON files.

Used for the seed content shipped in ``knowledge/seed/services`` and for an
editor's import/export; errors name the file, the service and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.schema import Service, describe_error_location

__all__ = [
    "SEED_DIR",
    "CatalogueFileError",
    "dump_services",
    "load_seed",
    "load_services",
    "parse_services",
]

SEED_DIR = Path(__file__).parent / "seed" / "services"


class CatalogueFileError(ValueError):
    """A catalogue file that cannot be imported; the message says where and why."""


def parse_services(raw: Any, source: str = "<input>") -> list[Service]:
    """Validate a list of service mappings, collecting every problem at once."""
    if isinstance(raw, dict) and "services" in raw:
        raw = raw["services"]
    if not isinstance(raw, list):
        raise CatalogueFileError(f"{source}: expected a list of services, got {type(raw).__name__}")
    services: list[Service] = []
    problems: list[str] = []
    for position, item in enumerate(raw):
        label = item.get("id", f"#{position}") if isinstance(item, dict) else f"#{position}"
        try:
            services.append(Service.model_validate(item))
        except ValidationError as error:
            for detail in error.errors():
                where = describe_error_location(tuple(detail["loc"])) or "(service)"
                problems.append(f"{source}: service {label}: {where}: {detail['msg']}")
    seen: set[str] = set()
    for service in services:
        if service.id in seen:
            problems.append(f"{source}: duplicate service id {service.id!r}")
        seen.add(service.id)
    if problems:
        raise CatalogueFileError("\n".join(problems))
    return services


def load_services(path: Path) -> list[Service]:
    """Load one ``.yaml``/``.yml``/``.json`` file, or every such file in a folder."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml", ".json"})
        services: list[Service] = []
        for file in files:
            services.extend(load_services(file))
        return parse_services([s.model_dump(mode="json") for s in services], str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CatalogueFileError(f"{path}: not UTF-8 text ({error.reason})") from error
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise CatalogueFileError(f"{path}: not valid {path.suffix[1:].upper()}: {error}") from error
    return parse_services(raw or [], str(path))


def load_seed() -> list[Service]:
    """The catalogue shipped with the project."""
    return load_services(SEED_DIR)


def dump_services(services: Iterable[Service], fmt: str = "yaml") -> str:
    """Serialise services for export; the output imports back unchanged."""
    data = [service.model_dump(mode="json", exclude_none=True) for service in services]
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown export format {fmt!r}; use 'yaml' or 'json'")

"""The offices nearest to a location a citizen shared, from the catalogue's coordinates.

Only offices with both latitude and longitude count; when none has them the
citizen is told so plainly instead of being sent somewhere far or wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import texts
from knowledge.schema import Service
from texts import Lang

__all__ = [
    "NearbyOffice",
    "format_distance",
    "has_office_coordinates",
    "haversine_km",
    "nearest_offices",
    "offices_text",
]

EARTH_RADIUS_KM = 6371.0088
_MAX_SERVICES_PER_OFFICE = 2


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance: exact enough for "which office is closest" anywhere in Thailand."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class NearbyOffice:
    name: str
    address: str | None
    latitude: float
    longitude: float
    distance_km: float
    services: list[str] = field(default_factory=list)


def has_office_coordinates(services: Iterable[Service]) -> bool:
    """Whether a shared location can be answered with an office at all: the "share my location"
    button is offered only then, or every citizen who taps it hears "no office known yet"."""
    return any(
        office.latitude is not None and office.longitude is not None
        for service in services
        for office in service.where_to_apply.offices
    )


def nearest_offices(
    services: Iterable[Service], latitude: float, longitude: float, lang: Lang, limit: int = 3
) -> list[NearbyOffice]:
    """The ``limit`` closest offices; an office listed by several services appears once, naming them."""
    found: dict[tuple[str, float, float], NearbyOffice] = {}
    for service in services:
        for office in service.where_to_apply.offices:
            if office.latitude is None or office.longitude is None:
                continue
            key = (office.name.th, round(office.latitude, 5), round(office.longitude, 5))
            nearby = found.get(key)
            if nearby is None:
                nearby = NearbyOffice(
                    name=office.name.get(lang),
                    address=office.address.get(lang) if office.address else None,
                    latitude=office.latitude,
                    longitude=office.longitude,
                    distance_km=haversine_km(latitude, longitude, office.latitude, office.longitude),
                )
                found[key] = nearby
            title = service.title.get(lang)
            if title not in nearby.services:
                nearby.services.append(title)
    return sorted(found.values(), key=lambda office: office.distance_km)[:limit]


def format_distance(km: float, lang: Lang) -> str:
    if km < 1:
        return texts.text("line.metres", lang, value=max(10, round(km * 100) * 10))
    return texts.text("line.km", lang, value=f"{km:.1f}" if km < 10 else f"{km:.0f}")


def offices_text(offices: list[NearbyOffice], lang: Lang) -> str:
    """The answer in words; the caller adds a map pin per office."""
    if not offices:
        return texts.text("line.offices_none", lang)
    lines = [texts.text("line.offices_intro", lang)]
    for n, office in enumerate(offices, start=1):
        shown = office.services[:_MAX_SERVICES_PER_OFFICE]
        more = len(office.services) - len(shown)
        services = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
        lines.append(
            texts.text(
                "line.offices_line",
                lang,
                n=n,
                name=office.name,
                distance=format_distance(office.distance_km, lang),
                services=services,
            )
        )
    lines.append(texts.text("line.offices_note", lang))
    return "\n".join(lines)

"""Where a typed address is: Bangkok's districts and Thailand's provinces from a small gazetteer.

Why a data file and not a geocoder: no geocoding service is reachable from here, and a report needs
only its district or province to be routed (``ReportsStore.route_for``); the citizen who can share
their location gives the exact point. ``data/places.yml`` holds the names in Thai and English and
an approximate centre of each (marked "approximate, verify" there).

:Example:

    >>> resolve_place("ซอยข้างตลาด เขตบางรัก").district
    'บางรัก'
    >>> resolve_place("near the pier, Nonthaburi").province
    'นนทบุรี'
    >>> resolve_place("หน้าบ้าน") is None
    True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from knowledge.reports.types import DATA_DIR

__all__ = ["BANGKOK", "Gazetteer", "Place", "load_gazetteer", "nearest_place", "resolve_place"]

BANGKOK = "กรุงเทพมหานคร"
# A shared point this close to a Bangkok district's centre is taken to be in it; farther, the
# nearest province within _PROVINCE_KM. Centres are approximate, so this is for routing only.
_DISTRICT_KM = 7.0
_PROVINCE_KM = 80.0
_PROVINCE_PREFIX = re.compile(r"(จังหวัด|จ\.)\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    """A district of Bangkok or a province, with an approximate centre."""

    kind: Literal["district", "province"]
    th: str
    en: str
    latitude: float
    longitude: float
    ambiguous: bool = False
    aliases: tuple[str, ...] = ()  # other names in use: กรุงเทพ, กทม.

    @property
    def province(self) -> str:
        return BANGKOK if self.kind == "district" else self.th

    @property
    def district(self) -> str | None:
        return self.th if self.kind == "district" else None

    def label(self, lang: str) -> str:
        """The place as the citizen reads it: "เขตบางรัก กรุงเทพมหานคร" / "Bang Rak, Bangkok"."""
        if self.kind == "district":
            return f"{self.en}, Bangkok" if lang == "en" else f"เขต{self.th} {BANGKOK}"
        return self.en if lang == "en" else (self.th if self.th == BANGKOK else f"จังหวัด{self.th}")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


class Gazetteer:
    """The places, looked up by a name inside free text (longest name first) or by a point."""

    def __init__(self, places: list[Place]) -> None:
        if not places:
            raise ValueError("a gazetteer needs places")
        self.places = tuple(places)

    def resolve(self, typed: str) -> Place | None:
        """The place a typed address names; a province outside Bangkok wins over a Bangkok district
        of the same name elsewhere (จอมทอง is also in Chiang Mai); None when it names none."""
        said = " ".join(typed.split())
        if not said:
            return None
        folded = said.casefold()
        found: list[tuple[int, Place]] = []
        for place in self.places:
            if self._names(place, said, folded):
                found.append((max(len(place.th), len(place.en)), place))
        if not found:
            return None
        provinces = [place for _, place in found if place.kind == "province" and place.th != BANGKOK]
        if provinces:
            return max(provinces, key=lambda place: len(place.th))
        return max(found, key=lambda pair: (pair[1].kind == "district", pair[0]))[1]

    @staticmethod
    def _names(place: Place, said: str, folded: str) -> bool:
        for name in (place.en, *place.aliases):
            english = re.search(rf"(?<![a-z]){re.escape(name.casefold())}(?![a-z])", folded)
            if english and (not place.ambiguous or folded.strip() == name.casefold() or "province" in folded):
                return True
        for name in (place.th, *place.aliases):
            start = said.find(name)
            while start >= 0:
                if not place.ambiguous or said.strip() == name or _PROVINCE_PREFIX.search(said[:start]):
                    return True
                start = said.find(name, start + 1)
        return False

    def nearest(self, latitude: float, longitude: float) -> Place | None:
        """The Bangkok district or the province a shared point is (approximately) in, if any is close."""
        districts = [p for p in self.places if p.kind == "district"]
        provinces = [p for p in self.places if p.kind == "province"]
        for candidates, limit in ((districts, _DISTRICT_KM), (provinces, _PROVINCE_KM)):
            scored = [(_km(latitude, longitude, p.latitude, p.longitude), p) for p in candidates]
            if scored:
                distance, place = min(scored, key=lambda pair: pair[0])
                if distance <= limit:
                    return place
        return None


def _parse(raw: object, source: str) -> Gazetteer:
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: expected 'districts' and 'provinces'")
    places: list[Place] = []
    for kind, key in (("district", "districts"), ("province", "provinces")):
        for entry in raw.get(key) or []:
            if not isinstance(entry, dict) or not all(
                entry.get(name) is not None for name in ("th", "en", "lat", "lon")
            ):
                raise ValueError(f"{source}: every place needs th, en, lat and lon: {entry!r}")
            places.append(
                Place(
                    kind,  # type: ignore[arg-type]
                    str(entry["th"]),
                    str(entry["en"]),
                    float(entry["lat"]),
                    float(entry["lon"]),
                    bool(entry.get("ambiguous", False)),
                    tuple(str(alias) for alias in entry.get("aliases") or ()),
                )
            )
    return Gazetteer(places)


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The packaged ``data/places.yml`` (or ``path``), read once."""
    source = path or DATA_DIR / "places.yml"
    return _parse(yaml.safe_load(source.read_text(encoding="utf-8")), str(source))


def resolve_place(typed: str) -> Place | None:
    """The district or province a typed address names, from the packaged gazetteer."""
    return load_gazetteer().resolve(typed)


def nearest_place(latitude: float, longitude: float) -> Place | None:
    """The district or province a shared point is in (approximately), from the packaged gazetteer."""
    return load_gazetteer().nearest(latitude, longitude)

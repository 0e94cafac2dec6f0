"""Government matters the catalogue does not cover, and where a citizen should ask instead.

A question about a firearm licence or a foreign embassy's passport shares words with catalogue
services (a licence, a passport) and so scores like a real question; no score threshold tells them
apart (docs/adr/0007-retrieval-routing.md). A referral topic is the other side of that boundary,
written down: searched together with the services, it wins such questions, and the bot answers
honestly that its catalogue does not cover them and who does (Ask Jamie's agency redirections).

Topics are seed files (``knowledge/seed/referrals``), all unverified until an editor checks them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from knowledge.schema import Bilingual, BilingualList, ServiceId, describe_error_location
from nlu.language import Lang

__all__ = [
    "REFERRALS_DIR",
    "REFERRAL_PREFIX",
    "Referral",
    "ReferralError",
    "fingerprint",
    "is_referral_id",
    "load_referrals",
    "referral_texts",
]

REFERRALS_DIR = Path(__file__).parent / "seed" / "referrals"
# A search document id for a topic: ``:`` is not allowed in a service id, so the two never collide.
REFERRAL_PREFIX = "referral:"


class ReferralError(ValueError):
    """A referral file that cannot be used, with the file, entry and field to fix."""


class Referral(BaseModel):
    """One topic outside the catalogue: what it is, who handles it, how citizens ask about it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: ServiceId
    title: Bilingual
    refer_to: Bilingual = Field(description="Who handles it and how to reach them, a sentence or two.")
    agency: Bilingual
    url: HttpUrl | None = None
    hotline: str | None = Field(default=None, pattern=r"^[0-9 -]{3,15}$")
    keywords: BilingualList = Field(default_factory=BilingualList)
    example_questions: BilingualList = Field(default_factory=BilingualList)
    unverified: bool = True

    @property
    def doc_id(self) -> str:
        return REFERRAL_PREFIX + self.id

    def texts(self, lang: Lang) -> list[str]:
        return [self.title.get(lang), *self.keywords.get(lang), *self.example_questions.get(lang)]


def is_referral_id(doc_id: str) -> bool:
    return doc_id.startswith(REFERRAL_PREFIX)


def referral_texts(referral: Referral) -> list[str]:
    """What search and the classifier learn the topic from, both languages, without repeats."""
    return [text for text in dict.fromkeys([*referral.texts("th"), *referral.texts("en")]) if text]


def _parse(raw: Any, source: str) -> list[Referral]:
    if not isinstance(raw, list):
        raise ReferralError(f"{source}: expected a list of referral topics")
    topics: list[Referral] = []
    for number, entry in enumerate(raw):
        try:
            topics.append(Referral.model_validate(entry))
        except ValidationError as error:
            name = entry.get("id", f"#{number}") if isinstance(entry, dict) else f"#{number}"
            problems = "; ".join(f"{describe_error_location(e['loc'])}: {e['msg']}" for e in error.errors())
            raise ReferralError(f"{source}: topic {name}: {problems}") from error
    return topics


def load_referrals(directory: Path = REFERRALS_DIR) -> list[Referral]:
    """Every ``*.yaml`` file of ``directory``, sorted by id; a missing folder means no topics."""
    if not directory.is_dir():
        return []
    topics: dict[str, Referral] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise ReferralError(f"{path.name}: not readable YAML: {error}") from error
        for topic in _parse(raw or [], path.name):
            if topic.id in topics:
                raise ReferralError(f"{path.name}: topic id {topic.id!r} is used twice")
            topics[topic.id] = topic
    return [topics[key] for key in sorted(topics)]


def fingerprint(referrals: Sequence[Referral] | Iterable[Referral]) -> str:
    """Changes whenever a topic does: a saved search index built on other topics is stale."""
    payload = json.dumps([r.model_dump(mode="json") for r in referrals], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

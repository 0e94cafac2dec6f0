"""Which catalogue facts need an editor's attention: checked too long ago, or without a source.

A fact is only as good as its last check. This lists, service by service, every fact that was
checked more than ``max_age_days`` ago (``too_old``), that has no source at all (``no_source``)
or that nobody has checked yet (``unverified``), and the services that have no facts yet. The
command line (``citizenbot catalogue stale``), the editor API (``GET /api/admin/stale``) and a
test over the seed catalogue all read it from here, so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.schema import Fact, Service

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "REASONS",
    "FactFinding",
    "Reason",
    "ServiceFindings",
    "StaleReport",
    "format_report",
    "review_facts",
]

DEFAULT_MAX_AGE_DAYS = 365
Reason = Literal["too_old", "no_source", "unverified"]
REASONS: tuple[Reason, ...] = ("too_old", "no_source", "unverified")


@dataclass(frozen=True)
class FactFinding:
    """One fact that needs attention, and why; ``position`` is its index in the service's ``facts``."""

    position: int
    field: str
    kind: str
    text_th: str
    text_en: str
    status: str
    reasons: tuple[Reason, ...]
    checked: dt.date | None
    age_days: int | None
    source_url: str | None
    source_title: str | None
    note: str | None

    @property
    def location(self) -> str:
        """Where an editor finds it in the catalogue file: ``facts[2]``."""
        return f"facts[{self.position}]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "location": self.location,
            "field": self.field,
            "kind": self.kind,
            "text": {"th": self.text_th, "en": self.text_en},
            "status": self.status,
            "reasons": list(self.reasons),
            "checked": self.checked.isoformat() if self.checked else None,
            "age_days": self.age_days,
            "source_url": self.source_url,
            "source_title": self.source_title,
            "note": self.note,
        }


@dataclass(frozen=True)
class ServiceFindings:
    """A service with something to check: its facts that need attention, or no facts at all."""

    service_id: str
    title_th: str
    title_en: str
    last_checked: dt.date | None
    fact_count: int
    facts: tuple[FactFinding, ...]

    @property
    def has_no_facts(self) -> bool:
        return self.fact_count == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "title": {"th": self.title_th, "en": self.title_en},
            "last_checked": self.last_checked.isoformat() if self.last_checked else None,
            "fact_count": self.fact_count,
            "no_facts": self.has_no_facts,
            "facts": [finding.to_dict() for finding in self.facts],
        }


@dataclass(frozen=True)
class StaleReport:
    """The whole review, as of ``today``, for facts older than ``max_age_days``."""

    today: dt.date
    max_age_days: int
    services_checked: int
    facts_checked: int
    services: tuple[ServiceFindings, ...] = field(default_factory=tuple)

    def count(self, reason: Reason) -> int:
        return sum(reason in finding.reasons for service in self.services for finding in service.facts)

    @property
    def services_without_facts(self) -> int:
        return sum(service.has_no_facts for service in self.services)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "max_age_days": self.max_age_days,
            "services_checked": self.services_checked,
            "facts_checked": self.facts_checked,
            "counts": {
                **{reason: self.count(reason) for reason in REASONS},
                "services_without_facts": self.services_without_facts,
            },
            "services": [service.to_dict() for service in self.services],
        }


def _reasons(fact: Fact, oldest_allowed: dt.date) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    if fact.checked is not None and fact.checked < oldest_allowed:
        reasons.append("too_old")
    if fact.source is None:
        reasons.append("no_source")
    if not fact.verified:
        reasons.append("unverified")
    return tuple(reasons)


def _finding(position: int, fact: Fact, reasons: tuple[Reason, ...], today: dt.date) -> FactFinding:
    return FactFinding(
        position=position,
        field=fact.field,
        kind=fact.kind.value,
        text_th=fact.text.th,
        text_en=fact.text.en,
        status=fact.status.value,
        reasons=reasons,
        checked=fact.checked,
        age_days=(today - fact.checked).days if fact.checked else None,
        source_url=str(fact.source.url) if fact.source and fact.source.url else None,
        source_title=fact.source.title if fact.source else None,
        note=fact.note,
    )


def review_facts(
    services: Iterable[Service], max_age_days: int = DEFAULT_MAX_AGE_DAYS, today: dt.date | None = None
) -> StaleReport:
    """Every fact checked more than ``max_age_days`` before ``today``, without a source or not yet
    checked, per service (in id order); services without any fact are listed too.

    ``ValueError`` for a negative age: "older than -1 days" means nothing.
    """
    if max_age_days < 0:
        raise ValueError(f"max_age_days must be 0 or more, not {max_age_days}")
    today = today or dt.date.today()
    # An age reaching past the first day of the calendar makes nothing too old (and must not overflow).
    oldest_allowed = today - dt.timedelta(days=min(max_age_days, (today - dt.date.min).days))
    found: list[ServiceFindings] = []
    services_checked = facts_checked = 0
    for service in sorted(services, key=lambda s: s.id):
        services_checked += 1
        facts_checked += len(service.facts)
        findings = []
        for position, fact in enumerate(service.facts):
            reasons = _reasons(fact, oldest_allowed)
            if reasons:
                findings.append(_finding(position, fact, reasons, today))
        if findings or not service.facts:
            found.append(
                ServiceFindings(
                    service_id=service.id,
                    title_th=service.title.th,
                    title_en=service.title.en,
                    last_checked=service.last_checked(),
                    fact_count=len(service.facts),
                    facts=tuple(findings),
                )
            )
    return StaleReport(today, max_age_days, services_checked, facts_checked, tuple(found))


def format_report(report: StaleReport) -> str:
    """The review as an editor reads it in a terminal: one block per service, one line per fact."""
    lines = [
        f"Facts review on {report.today.isoformat()}: {report.facts_checked} facts in "
        f"{report.services_checked} services; checked more than {report.max_age_days} days ago: "
        f"{report.count('too_old')}, without a source: {report.count('no_source')}, "
        f"not yet verified: {report.count('unverified')}, services without facts: {report.services_without_facts}"
    ]
    for service in report.services:
        checked = service.last_checked.isoformat() if service.last_checked else "never"
        lines.append("")
        lines.append(f"{service.service_id} ({service.title_en}); last checked: {checked}")
        if service.has_no_facts:
            lines.append("  no facts yet: record its fees, deadlines, amounts and thresholds as facts")
        for finding in service.facts:
            when = f"checked {finding.checked.isoformat()} ({finding.age_days} days ago)" if finding.checked else ""
            source = finding.source_url or "no source"
            detail = "; ".join(part for part in (when, source, finding.note or "") if part)
            lines.append(
                f"  {finding.location} {finding.field}/{finding.kind} [{', '.join(finding.reasons)}]: "
                f"{finding.text_en} ({detail})"
            )
    return "\n".join(lines)

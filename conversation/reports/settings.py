"""The reports desk's settings group; the gateway's ``Settings`` composes it as ``reports``
(``CITIZENBOT_REPORTS__DUPLICATE_METRES=50``, ``CITIZENBOT_REPORTS__DUPLICATE_DAYS=3``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ReportsSettings"]


class ReportsSettings(BaseModel):
    """When two reports are one case, and who may update status from outside."""

    # A new report of the same type within this distance and this many days of an open one joins its
    # case, and the citizen is told the problem is already known (issue 18).
    duplicate_metres: float = Field(default=50.0, ge=0, le=5000)
    duplicate_days: float = Field(default=3.0, ge=0, le=60)
    # The organisation a report goes to when no routing rule matches.
    default_organisation: str = Field(default="สำนักงานเขต / องค์กรปกครองส่วนท้องถิ่นในพื้นที่", min_length=1)

"""Who may read the analytics and who may turn an unanswered question into an example question.

Staff accounts decide (backoffice/accounts): reading needs the role's ``analytics`` permission,
adding an example question writes to the catalogue and needs ``edit``. Either an account's API
token or a signed-in session (with its CSRF token on the POST) works, as for every back-office route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from backoffice.accounts.http_auth import require_permission
from backoffice.accounts.service import Principal

__all__ = ["AnalyticsReader", "ExampleEditor"]

AnalyticsReader = Annotated[Principal, Depends(require_permission("analytics"))]
ExampleEditor = Annotated[Principal, Depends(require_permission("edit"))]

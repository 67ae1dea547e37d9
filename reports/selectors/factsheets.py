"""The fact sheets a person may see (reports.factsheet decides who may see which scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..factsheet import institution_codes_for, scopes_for
from ..models import FactSheet

if TYPE_CHECKING:
    from accounts.models import User


def fact_sheets_for(user: User, *, codes: frozenset[str] | None = None, limit: int = 50) -> list[FactSheet]:
    """The sheets the person may see, newest first, each with its documents (two queries)."""
    codes = institution_codes_for(user) if codes is None else codes
    scopes = scopes_for(codes)
    if not scopes:
        return []
    return list(
        FactSheet.objects.filter(scope__in=scopes)
        .select_related("requested_by")
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")[:limit]
    )

"""Tenancy in one place: every tenant-owned row points at a Unit, and every read of
tenant data by a person goes through ``visible_to``. Another unit's rows are simply
not in the queryset, so a lookup by id answers 404, never 403 and never data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class TenantQuerySet(models.QuerySet):
    """QuerySet of a tenant-owned model. The model may set ``tenant_unit_path`` (the
    lookup from the model to its Unit, default ``"unit"``)."""

    def _unit_path(self) -> str:
        return getattr(self.model, "tenant_unit_path", "unit")

    def visible_to(self, user: AbstractBaseUser | AnonymousUser, perm: str = "view") -> TenantQuerySet:
        from . import permissions

        unit_ids = permissions.unit_ids_for(user, perm)
        if not unit_ids:
            return self.none()
        return self.filter(**{f"{self._unit_path()}__in": unit_ids})


def get_visible_or_404(
    queryset: TenantQuerySet, user: AbstractBaseUser | AnonymousUser, perm: str = "view", **lookup: Any
) -> Any:
    """The one way a view fetches a tenant-owned object by its URL."""
    return get_object_or_404(queryset.visible_to(user, perm), **lookup)

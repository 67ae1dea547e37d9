from django.contrib.auth.mixins import AccessMixin
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import permissions


class UnitScopedMixin(AccessMixin):
    """Resolves ``self.unit`` from the URL once. Anonymous visitors go to sign-in; a unit
    the person may not see (with ``unit_perm``) answers 404 — the same as a unit that
    does not exist."""

    unit_perm = permissions.VIEW
    unit_url_kwarg = "unit_slug"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_object_or_404(
            permissions.units_for(request.user, self.unit_perm).select_related("institution", "parent"),
            slug=kwargs[self.unit_url_kwarg],
        )
        return super().dispatch(request, *args, **kwargs)


class CoordinatorManagerMixin(AccessMixin):
    """Central coordinators (and superusers) only; anyone else signed in gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.roles_for(request.user).is_central:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def require_staff_role(request) -> None:
    """For function views: only people with a role in some unit; anyone else gets 404."""
    if not permissions.roles_for(request.user).is_staff_role:
        raise Http404

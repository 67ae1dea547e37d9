from django.utils.functional import SimpleLazyObject

from . import permissions


def roles(request):
    """``roles`` in every template: what the navigation may offer this person."""
    return {"roles": SimpleLazyObject(lambda: permissions.roles_for(getattr(request, "user", None)))}

from django.utils.functional import SimpleLazyObject

from . import permissions


def _collection_terms(request):
    from agreements import terms

    return terms.for_user(getattr(request, "user", None))


def roles(request):
    """``roles`` in every template: what the navigation may offer this person; and
    ``collection_terms``: the word for the agreements they see (agreements.terms)."""
    return {
        "roles": SimpleLazyObject(lambda: permissions.roles_for(getattr(request, "user", None))),
        "collection_terms": SimpleLazyObject(lambda: _collection_terms(request)),
    }

"""``{% menu "includes/navbar.html" %}``: the navigation bar rendered once per process for each
combination of what it shows, then reused.

The menus were most of the layout's cost (about a millisecond of ``{% url %}`` and
translations on every page). What a menu part shows depends only on the inputs in
``_key`` — the person's roles (a frozen value), name and admin flag, whether they are a
volunteer, the language, the word for agreements and which page is current — so a rendered
bar is reused only for exactly the same inputs: nothing to invalidate. What varies per
request is rendered as a slot and filled in on every use: the CSRF token(s) and
``menu_next``, the page's own address (for the language switch). Off under DEBUG, so that
edited templates show at once."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_urlconf
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MAX_ENTRIES = 2048
_parts: OrderedDict[tuple, SafeString] = OrderedDict()
_lock = threading.Lock()
# Placeholders rendered into a memoised bar and replaced per request.
_CSRF_SLOT = "tilts-menu-slot-csrf"
_NEXT_SLOT = "tilts-menu-slot-next"


def forget() -> None:
    """Drop every memoised part (tests; a process reloading its templates)."""
    with _lock:
        _parts.clear()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    forget()


def _key(context: template.Context, template_name: str) -> tuple:
    from institutions import permissions

    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    page = (match.app_name, match.url_name) if match is not None else ("", "")
    base = (template_name, translation.get_language(), get_urlconf() or settings.ROOT_URLCONF, page)
    if user is None or not user.is_authenticated:
        return (*base, None)
    roles = permissions.roles_for(user)
    # The template asks for ``user.volunteer`` only when the person has no staff role.
    volunteer = None if roles.is_staff_role else getattr(user, "volunteer", None) is not None
    terms = context.get("collection_terms")
    return (
        *base,
        user.pk,
        str(user),
        user.is_staff,
        roles,
        volunteer,
        getattr(terms, "context", None),
    )


def _fill(html: str, context: template.Context) -> SafeString:
    request = context.get("request")
    token = CsrfTokenNode().render(context)
    with context.push(csrf_token=_CSRF_SLOT):
        slot = CsrfTokenNode().render(context)
    address = escape(request.get_full_path()) if request is not None else ""
    return mark_safe(html.replace(slot, token).replace(_NEXT_SLOT, address))


@register.simple_tag(takes_context=True)
def menu(context: template.Context, template_name: str) -> SafeString:
    part = context.template.engine.get_template(template_name)
    if settings.DEBUG:
        request = context.get("request")
        with context.push(menu_next=request.get_full_path() if request is not None else ""):
            return part.render(context)
    key = _key(context, template_name)
    with _lock:
        html = _parts.get(key)
        if html is not None:
            _parts.move_to_end(key)
    if html is None:
        with context.push(csrf_token=_CSRF_SLOT, menu_next=_NEXT_SLOT):
            html = part.render(context)
        with _lock:
            _parts[key] = html
            while len(_parts) > MAX_ENTRIES:
                _parts.popitem(last=False)
    return _fill(html, context)

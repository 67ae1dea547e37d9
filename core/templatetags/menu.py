"""``{% menu "includes/navbar.html" %}``: the navigation bar rendered once per process for each
combination of what it shows, then reused; and ``{% keep %}…{% endkeep %}``: a part of the layout
that shows nothing of the page or the person (the stylesheets, the footer, the scripts),
rendered once per language.

The menus were most of the layout's cost (about a millisecond of ``{% url %}`` and
translations on every page). What a menu part shows depends only on the inputs in
``_key`` — the person's roles (a frozen value), name and admin flag, whether they are a
volunteer, the language, the word for agreements and which page is current — so a rendered
bar is reused only for exactly the same inputs: nothing to invalidate. What varies per
request is rendered as a slot and filled in on every use: the CSRF token(s) and
``menu_next``, the page's own address (for the language switch). Off under DEBUG, so that
edited templates show at once."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
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
    # The token the page's own forms get too (the csrf context processor's, masked once).
    token = context.get("csrf_token")
    token = "" if token is None or token == "NOTPROVIDED" else escape(str(token))
    request = context.get("request")
    address = escape(request.get_full_path()) if request is not None else ""
    return mark_safe(html.replace(_CSRF_SLOT, token).replace(_NEXT_SLOT, address))


def _remembered(key: tuple) -> SafeString | None:
    with _lock:
        html = _parts.get(key)
        if html is not None:
            _parts.move_to_end(key)
    return html


def _remember(key: tuple, html: SafeString) -> None:
    with _lock:
        _parts[key] = html
        while len(_parts) > MAX_ENTRIES:
            _parts.popitem(last=False)


@register.simple_tag(takes_context=True)
def menu(context: template.Context, template_name: str) -> SafeString:
    part = context.template.engine.get_template(template_name)
    if settings.DEBUG:
        request = context.get("request")
        with context.push(menu_next=request.get_full_path() if request is not None else ""):
            return part.render(context)
    key = _key(context, template_name)
    html = _remembered(key)
    if html is None:
        with context.push(csrf_token=_CSRF_SLOT, menu_next=_NEXT_SLOT):
            html = part.render(context)
        _remember(key, html)
    return _fill(html, context)


_keep_ids = itertools.count()


class KeepNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        # Unique per parsed block (a template parsed again gets new ones; the old entries age out).
        self.keep_id = next(_keep_ids)

    def render(self, context: template.Context) -> SafeString:
        if settings.DEBUG:
            return self.nodelist.render(context.new())
        key = (
            "keep",
            self.keep_id,
            translation.get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
        )
        html = _remembered(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context.new()))
            _remember(key, html)
        return html


@register.tag
def keep(parser: template.base.Parser, token: template.base.Token) -> KeepNode:
    """``{% keep %}…{% endkeep %}``: see the module's docstring."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("'keep' takes no arguments")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist)

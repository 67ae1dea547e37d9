"""The URLconf of `make bench` (bench.settings): the project's URLs and two views the pages
are measured against — the bare view (what every request pays: middleware, session, the
signed-in user; a one-line answer) and the layout alone (a page extending ``base.html`` with
nothing in it: the roles, menus and context processors every page pays)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

_LAYOUT = engines["django"].from_string('{% extends "base.html" %}')


def bare(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def layout(request):
    return HttpResponse(_LAYOUT.render({}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/layout/", layout, name="bench_layout"),
    path("", include("config.urls")),
]

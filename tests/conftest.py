"""Shared fixtures: the two prisons and one probation department of the demo, and a
person in each role. Units are created with get_or_create so that the fixtures also
work after a transactional test has flushed the migration's data."""

import pytest

from institutions.models import Unit

from .factories import (
    InstitutionFactory,
    UnitFactory,
    UserFactory,
    central_coordinator,
    ministry_viewer,
    unit_coordinator,
)


@pytest.fixture
def ievp(db):
    return InstitutionFactory(code="IEVP", name="Ieslodzījuma vietu pārvalde", short_name="IeVP")


@pytest.fixture
def vpd(db):
    return InstitutionFactory(code="VPD", name="Valsts probācijas dienests", short_name="VPD")


@pytest.fixture
def olaine(ievp):
    return UnitFactory(
        institution=ievp, slug="olaines-cietums", name="Olaines cietums", kind=Unit.Kind.PRISON
    )


@pytest.fixture
def jelgava(ievp):
    return UnitFactory(
        institution=ievp, slug="jelgavas-cietums", name="Jelgavas cietums", kind=Unit.Kind.PRISON
    )


@pytest.fixture
def vpd_department(vpd):
    return UnitFactory(
        institution=vpd,
        slug="vpd-jelgavas-1-nodala",
        name="Jelgavas 1. nodaļa",
        kind=Unit.Kind.PROBATION_DEPARTMENT,
    )


@pytest.fixture
def olaine_coordinator(olaine):
    return unit_coordinator(olaine, email="liga.ozolina@example.lv", first_name="Līga", last_name="Ozoliņa")


@pytest.fixture
def jelgava_coordinator(jelgava):
    return unit_coordinator(
        jelgava, email="andris.krumins@example.lv", first_name="Andris", last_name="Krūmiņš"
    )


@pytest.fixture
def vpd_coordinator(vpd_department):
    return unit_coordinator(
        vpd_department, email="girts.kenins@example.lv", first_name="Ģirts", last_name="Ķēniņš"
    )


@pytest.fixture
def ievp_central(ievp, olaine, jelgava):
    return central_coordinator(ievp, email="ilze.kalnina@example.lv", first_name="Ilze", last_name="Kalniņa")


@pytest.fixture
def vpd_central(vpd, vpd_department):
    return central_coordinator(vpd, email="janis.berzins@example.lv", first_name="Jānis", last_name="Bērziņš")


@pytest.fixture
def ministry(ievp, vpd):
    return ministry_viewer(email="dace.sumane@example.lv", first_name="Dace", last_name="Šūmane")


@pytest.fixture
def superuser(db):
    user = UserFactory(email="admin@example.lv", first_name="Sistēmas", last_name="Administrators")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.fixture
def volunteer(db):
    return UserFactory(email="volunteer@example.lv", first_name="Zane", last_name="Liepiņa")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the public pages' per-address rate limits
    (application form, document verification) count in it; and the memoised menus
    (core/templatetags/menu.py) start empty too."""
    from django.core.cache import cache

    from core.templatetags import menu

    cache.clear()
    menu.forget()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request in a test leaves its language active in the thread; the next test starts
    in the default language again, whatever ran before it."""
    from django.utils import translation

    yield
    translation.deactivate()

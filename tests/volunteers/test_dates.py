"""Application references carry the local (Riga) year, not the UTC one."""

from datetime import date

from volunteers import services
from volunteers.models import Role

from ..core.test_dates import LEAP_DAY_RIGA, NEW_YEAR_RIGA, pinned


def _submit(ievp, olaine):
    role = Role.objects.get(institution=ievp, code="sports")
    person = services.PersonDetails(
        first_name="Jānis",
        last_name="Bērziņš",
        email="janis.berzins@example.lv",
        date_of_birth=date(1985, 3, 14),
        phone="+371 20000000",
        address="Brīvības iela 1",
        municipality="Rīga",
        personal_code="140385-10000",
    )
    details = services.ApplicationDetails(
        motivation="Gribu palīdzēt.",
        record_declaration="none",
        consent_record_check=True,
        consent_data_processing=True,
        roles=[role],
        preferred_units=[olaine],
    )
    [application] = services.applications_submit(
        person=person, details=details, institutions=[ievp], password="garš-un-drošs-9"
    )
    return application


def test_reference_has_the_new_year_when_submitted_at_00_30_on_1_january_in_riga(ievp, olaine):
    with pinned(NEW_YEAR_RIGA):
        application = _submit(ievp, olaine)
    assert application.submitted_at.year == 2026  # 22:30 UTC on 31 December
    assert application.reference == f"T2027-{application.pk:05d}"


def test_reference_has_the_year_when_submitted_on_29_february(ievp, olaine):
    with pinned(LEAP_DAY_RIGA):
        application = _submit(ievp, olaine)
    assert application.reference == f"T2028-{application.pk:05d}"

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from institutions import permissions
from institutions.models import AuditEvent, CoordinatorInvitation


@pytest.mark.django_db
def test_seed_demo_gives_each_account_exactly_its_role_when_run_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    users, events = get_user_model().objects.count(), AuditEvent.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert get_user_model().objects.count() == users
    assert AuditEvent.objects.count() == events
    assert CoordinatorInvitation.objects.pending().filter(email="valmiera@tilts.demo").count() == 1

    User = get_user_model()
    superusers = set(User.objects.filter(is_superuser=True).values_list("email", flat=True))
    assert superusers == {"admin@tilts.demo"}
    ievp = User.objects.get(email="ievp.centrs@tilts.demo")
    assert {u.institution.code for u in permissions.units_for(ievp).select_related("institution")} == {"IEVP"}
    assert ievp.is_staff
    olaine = User.objects.get(email="olaine@tilts.demo")
    assert [u.slug for u in permissions.units_for(olaine)] == ["olaines-cietums"]
    assert not olaine.is_staff
    ministry = User.objects.get(email="ministrija@tilts.demo")
    assert permissions.roles_for(ministry).is_read_only
    assert olaine.check_password("Tilts-demo-2026")


@pytest.mark.django_db
def test_seed_demo_loads_a_years_worth_of_applications_when_run(django_capture_on_commit_callbacks):
    from volunteers.models import Application, Status, VettingRecord

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    count = Application.objects.count()
    # About 250 from the applications demo, plus the active volunteers that the agreements
    # demo adds to reach its 176 agreements in force.
    assert 320 <= count <= 345
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Application.objects.values_list("institution__code", flat=True)) == {"IEVP", "VPD"}
    assert not Application.objects.filter(reference="").exists()
    assert VettingRecord.objects.filter(result="cleared").exists()
    # Every active volunteer went through a cleared check first.
    active = Application.objects.filter(status=Status.ACTIVE)
    assert not active.exclude(vetting_records__result="cleared").exists()
    volunteer = get_user_model().objects.get(email="brivpratigais@tilts.demo")
    assert volunteer.check_password("Tilts-demo-2026")
    assert volunteer.volunteer.applications.count() == 2
    call_command("seed_demo", stdout=StringIO())
    assert Application.objects.count() == count

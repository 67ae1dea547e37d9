"""The trainings demo: IeVP's two 2024 cohorts (80 trained), every application at the
agreement step or later qualified for its roles, sessions open for the demo volunteer,
and certificates running out for the reminders. Seeding takes seconds: it runs once for
the module (rolled back at the end) and each test reads it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from documents.models import Document
from trainings import demo, selectors, services
from trainings.models import (
    Attendance,
    Completion,
    Course,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)
from trainings.reminders import EXPIRING_DAYS, EXPIRING_SOON_DAYS
from volunteers.models import Application, Status, Volunteer

AT_AGREEMENT_OR_LATER = [Status.AGREEMENT, Status.ACTIVE, Status.PAUSED, Status.ENDED]
MODELS = [Course, Session, SessionDay, Registration, Attendance, Completion, Document, Application]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; its output. Rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "history": Completion.history.count() + Session.history.count() + Registration.history.count()
    }


def test_seeding_again_changes_nothing(seeded, db):
    assert "Demo trainings: 4 courses" in seeded
    before = _counts()

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "Demo trainings are already loaded." in out.getvalue()
    assert _counts() == before


def test_the_courses_are_the_institutions_own_with_the_roles_they_need(seeded, db):
    courses = {c.title: c for c in Course.objects.filter(is_active=True).prefetch_related("roles")}
    assert set(courses) == {spec.title for spec in demo.COURSES.values()}  # the migration's one renamed
    ievp = courses[demo.COURSES[demo.IEVP_INDUCTION].title]
    assert ievp.hours == 16 and ievp.kind == Course.Kind.INDUCTION
    assert {r.code for r in ievp.roles.all()} == {
        "education",
        "leisure",
        "sports",
        "addiction",
        "family",
        "social",
        "mentor",
    }
    child = courses[demo.COURSES[demo.CHILD_RIGHTS].title]
    assert child.kind == Course.Kind.RECURRING and child.validity_months == 24 and child.hours == 8
    assert {r.code for r in child.roles.all()} == {"mediator", "mentor", "circles"}
    mediation = courses[demo.COURSES[demo.MEDIATION].title]
    assert mediation.hours == 40 and {r.code for r in mediation.roles.all()} == {"mediator"}
    induction = courses[demo.COURSES[demo.VPD_INDUCTION].title]
    assert {r.code for r in induction.roles.all()} == {"mentor", "circles"}
    assert all(c.title_en for c in courses.values())


def test_ievp_trained_80_volunteers_in_two_sessions_in_2024(seeded, db):
    rows = {(r["institution"], r["year"]): r for r in selectors.counts_by_institution_year()}
    assert rows["IEVP", 2024]["sessions"] == 2
    assert rows["IEVP", 2024]["participants"] == 80
    cohorts = Session.objects.filter(course__institution__code="IEVP", first_day__year=2024)
    assert {s.state for s in cohorts} == {SessionState.HELD}
    assert [s.days.count() for s in cohorts] == [2, 2]
    # A few registered, missed a day and did not complete.
    registered = Registration.objects.filter(session__in=cohorts).count()
    completed = Completion.objects.filter(session__in=cohorts).count()
    assert registered > completed == 80
    assert Attendance.objects.filter(registration__session__in=cohorts, present=False).exists()
    assert not Completion.objects.filter(
        session__in=cohorts, volunteer__training_registrations__attendance__present=False
    ).exists()


def test_every_application_at_the_agreement_step_or_later_is_trained_and_none_in_training_is(seeded, db):
    later = Application.objects.filter(status__in=AT_AGREEMENT_OR_LATER).select_related("volunteer")
    assert later.count() > 200
    for application in later.prefetch_related("roles"):
        assert (
            selectors.missing_courses(volunteer=application.volunteer, roles=application.roles.all()) == []
        ), application.reference
    in_training = Application.objects.filter(status=Status.TRAINING).prefetch_related("roles")
    assert in_training.exists()
    for application in in_training:
        assert selectors.missing_courses(volunteer=application.volunteer, roles=application.roles.all())
    # Some of them are registered for the coming sessions.
    assert Registration.objects.filter(
        application__status=Status.TRAINING,
        state=RegistrationState.REGISTERED,
        session__first_day__gt=timezone.localdate(),
    ).exists()


def test_the_demo_volunteer_can_register_for_an_open_session(seeded, db):
    volunteer = Volunteer.objects.get(user__email="brivpratigais@tilts.demo")
    today = timezone.localdate()
    sessions = selectors.sessions_open_to(volunteer)
    assert sessions
    assert {s.course.institution.code for s in sessions} == {"IEVP", "VPD"}
    for session in sessions:
        assert session.registration_open_on(today)
        assert not Registration.objects.filter(session=session, volunteer=volunteer).exists()
    assert any(s.unit.slug == "olaines-cietums" for s in sessions)
    registration = services.registration_create(
        actor=volunteer.user, session=sessions[0], volunteer=volunteer
    )
    assert registration.state == RegistrationState.REGISTERED
    # Their own certificate (the one rendered PDF of the demo).
    assert Document.objects.filter(
        kind="training_certificate",
        training_completion__volunteer=volunteer,
        state=Document.State.DONE,
    ).exists()


def test_some_certificates_run_out_soon_and_one_has_run_out(seeded, db):
    today = timezone.localdate()
    valid = Completion.objects.filter(revoked_at__isnull=True, course__kind=Course.Kind.RECURRING)
    soon = valid.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRING_DAYS))
    assert soon.filter(valid_until__lte=today + timedelta(days=EXPIRING_SOON_DAYS)).exists()
    assert soon.filter(valid_until__gt=today + timedelta(days=EXPIRING_SOON_DAYS)).exists()
    pairs = set(Application.objects.values_list("volunteer_id", "institution_id"))
    expired = selectors.expired_trainings(pairs)
    assert expired
    later = set(
        Application.objects.filter(status__in=AT_AGREEMENT_OR_LATER).values_list(
            "volunteer_id", "institution_id"
        )
    )
    assert not expired & later
    # Open sessions to come at IeVP prisons and at VPD.
    upcoming = Session.objects.filter(state=SessionState.OPEN, first_day__gt=today)
    assert upcoming.filter(course__institution__code="IEVP", unit__kind="prison").exists()
    assert upcoming.filter(course__institution__code="VPD").exists()
    assert Session.objects.filter(
        course__title=demo.COURSES[demo.MEDIATION].title, state=SessionState.HELD
    ).exists()

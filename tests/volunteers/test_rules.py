"""The rules of an application hold in the service and the database, whoever calls them:
minimum age, the legal representative's consent, the consents, one open application per
person and institution, one volunteer per personal code; every status change goes through
the state machine in ``volunteers.transitions``."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.dates import add_years, local_today
from institutions.models import AuditEvent
from volunteers import services, transitions
from volunteers.models import Application, ApplicationEvent, Status, Volunteer

from ..factories import ApplicationFactory, UserFactory, VolunteerFactory
from .test_personal_code import valid_code

User = get_user_model()


def _born(years: int, days: int = 0) -> date:
    return add_years(local_today(), -years) - timedelta(days=days)


def _person(born: date | None = None, **overrides) -> services.PersonDetails:
    born = born or date(1985, 3, 14)
    data = {
        "first_name": "Laura",
        "last_name": "Liepiņa",
        "email": "laura.liepina@example.lv",
        "date_of_birth": born,
        "phone": "+371 20000000",
        "address": "Brīvības iela 1",
        "municipality": "Rīga",
        "personal_code": valid_code(born),
    }
    return services.PersonDetails(**{**data, **overrides})


def _details(**overrides) -> services.ApplicationDetails:
    data = {
        "motivation": "Gribu palīdzēt.",
        "record_declaration": "none",
        "consent_record_check": True,
        "consent_data_processing": True,
    }
    return services.ApplicationDetails(**{**data, **overrides})


def _submit(institutions, *, person=None, details=None, user=None):
    return services.applications_submit(
        person=person or _person(),
        details=details or _details(),
        institutions=institutions,
        user=user,
        password=None if user else "garš-un-drošs-9",
    )


def _nothing_created():
    assert not Application.objects.exists()
    assert not Volunteer.objects.exists()
    assert not User.objects.filter(email="laura.liepina@example.lv").exists()


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted in English (the Latvian ones are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def open_to_13(ievp):
    ievp.min_volunteer_age = 13
    ievp.save()
    return ievp


# --- Minimum age and the legal representative's consent, in the service


def test_submit_is_refused_on_the_birth_date_when_the_person_is_younger_than_the_minimum(ievp, olaine):
    assert ievp.min_volunteer_age == 18
    with pytest.raises(ValidationError) as excinfo:
        _submit([ievp], person=_person(_born(18, days=-1)))  # 18 tomorrow
    [message] = excinfo.value.message_dict["date_of_birth"]
    assert "at least 18 years old" in message and "IeVP" in message
    _nothing_created()


def test_submit_is_accepted_when_the_person_reaches_the_minimum_age_today(ievp, olaine):
    [application] = _submit([ievp], person=_person(_born(18)))
    assert application.status == Status.SUBMITTED


def test_submit_follows_each_institutions_minimum_when_both_are_chosen(ievp, vpd, olaine, vpd_department):
    vpd.min_volunteer_age = 21
    vpd.save()
    with pytest.raises(ValidationError) as excinfo:
        _submit([ievp, vpd], person=_person(_born(19)))
    [message] = excinfo.value.message_dict["date_of_birth"]
    assert "at least 21 years old" in message and "VPD" in message
    _nothing_created()


def test_submit_is_refused_on_the_guardian_fields_when_under_16_without_consent(open_to_13, olaine):
    with pytest.raises(ValidationError) as excinfo:
        _submit([open_to_13], person=_person(_born(14)))
    errors = excinfo.value.message_dict
    assert errors["guardian_name"] == ["Needed for applicants under 16."]
    assert errors["guardian_contact"] == ["Needed for applicants under 16."]
    assert "written consent" in errors["guardian_consent"][0]
    assert "date_of_birth" not in errors
    _nothing_created()


def test_submit_is_refused_when_under_16_with_the_guardian_named_but_no_written_consent(open_to_13, olaine):
    details = _details(guardian_name="Inese Liepiņa", guardian_contact="+371 29000000")
    with pytest.raises(ValidationError) as excinfo:
        _submit([open_to_13], person=_person(_born(15)), details=details)
    assert list(excinfo.value.message_dict) == ["guardian_consent"]
    _nothing_created()


def test_submit_keeps_the_guardian_when_under_16_with_written_consent(open_to_13, olaine):
    details = _details(guardian_name="Inese Liepiņa", guardian_contact="+371 29000000", guardian_consent=True)
    [application] = _submit([open_to_13], person=_person(_born(13)), details=details)
    assert (application.guardian_name, application.guardian_consent) == ("Inese Liepiņa", True)


def test_submit_keeps_no_guardian_data_when_the_person_is_16_or_older(open_to_13, olaine):
    details = _details(guardian_name="Kāds", guardian_contact="kads@example.lv", guardian_consent=True)
    [application] = _submit([open_to_13], person=_person(_born(16)), details=details)
    application.refresh_from_db()
    assert (application.guardian_name, application.guardian_contact, application.guardian_consent) == (
        "",
        "",
        False,
    )
    assert details.guardian_name == "Kāds"  # the caller's object is left alone


def test_submit_counts_the_recorded_birth_date_when_a_signed_in_volunteer_applies(ievp, vpd, olaine):
    volunteer = VolunteerFactory(date_of_birth=_born(17))
    person = _person(date(1980, 1, 1), email=volunteer.user.email, personal_code="")
    with pytest.raises(ValidationError) as excinfo:
        _submit([ievp], person=person, user=volunteer.user)
    assert "date_of_birth" in excinfo.value.message_dict
    assert not Application.objects.exists()


@pytest.mark.parametrize("consent", ["consent_record_check", "consent_data_processing"])
def test_submit_is_refused_on_the_consent_when_it_is_not_given(ievp, olaine, consent):
    with pytest.raises(ValidationError) as excinfo:
        _submit([ievp], details=_details(**{consent: False}))
    assert list(excinfo.value.message_dict) == [consent]
    _nothing_created()


# --- One volunteer per personal code, one open application per institution


def test_submit_is_refused_on_the_personal_code_when_another_volunteer_has_it(ievp, vpd, olaine):
    other = VolunteerFactory(personal_code=valid_code(date(1985, 3, 14)))
    ApplicationFactory(volunteer=other, unit=olaine, status=Status.REJECTED)  # nothing open
    with pytest.raises(ValidationError) as excinfo:
        _submit([ievp], person=_person(date(1985, 3, 14), email="cits.epasts@example.lv"))
    assert "belongs to another account" in excinfo.value.message_dict["personal_code"][0]
    assert Volunteer.objects.get() == other
    assert Application.objects.count() == 1


def test_database_refuses_a_second_volunteer_with_the_personal_code_when_inserted_directly(db):
    VolunteerFactory(personal_code="140385-10000")
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerFactory(personal_code="140385-10000")


def test_database_allows_many_volunteers_without_a_personal_code_when_erased(db):
    VolunteerFactory(personal_code="")
    VolunteerFactory(personal_code="")
    assert Volunteer.objects.filter(personal_code="").count() == 2


def test_database_refuses_a_second_open_application_when_inserted_directly(olaine, jelgava):
    first = ApplicationFactory(unit=olaine)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(volunteer=first.volunteer, unit=jelgava)  # same institution, another unit


def test_database_allows_closed_applications_and_other_institutions_when_one_is_open(
    olaine, jelgava, vpd_department
):
    first = ApplicationFactory(unit=olaine)
    for status in (Status.REJECTED, Status.WITHDRAWN, Status.ENDED, Status.ACTIVE):
        ApplicationFactory(volunteer=first.volunteer, unit=jelgava, status=status)
    ApplicationFactory(volunteer=first.volunteer, unit=vpd_department)
    assert Application.objects.filter(volunteer=first.volunteer).count() == 6


def test_database_refuses_reopening_when_another_application_is_open_at_the_institution(olaine, jelgava):
    first = ApplicationFactory(unit=olaine)
    closed = ApplicationFactory(volunteer=first.volunteer, unit=jelgava, status=Status.REJECTED)
    closed.status = Status.SUBMITTED
    with pytest.raises(IntegrityError), transaction.atomic():
        closed.save()


def test_submit_answers_duplicate_when_a_parallel_submission_won_the_race_past_the_check(
    ievp, olaine, jelgava
):
    """The check runs before the other submission commits (simulated: it sees nothing the
    first time); the constraint refuses the insert and the person gets the usual answer."""
    volunteer = VolunteerFactory(user=UserFactory(email="laura.liepina@example.lv"), personal_code="")
    winner = ApplicationFactory(volunteer=volunteer, unit=olaine)
    real_check = services._refuse_duplicates
    calls = []

    def check_too_early(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:
            real_check(**kwargs)

    person = _person(email=volunteer.user.email, personal_code="")
    with (
        mock.patch.object(services, "_refuse_duplicates", check_too_early),
        pytest.raises(ValidationError) as excinfo,
    ):
        _submit([ievp], person=person, details=_details(preferred_units=[jelgava]), user=volunteer.user)
    assert excinfo.value.code == "duplicate"
    assert winner.reference in excinfo.value.messages[0]
    assert len(calls) == 2
    assert list(Application.objects.all()) == [winner]
    assert not ApplicationEvent.objects.filter(kind=ApplicationEvent.Kind.SUBMITTED).exists()
    assert not AuditEvent.objects.filter(action="application.submit").exists()


def test_submit_answers_on_the_personal_code_when_a_parallel_person_took_it_past_the_check(ievp, olaine):
    VolunteerFactory(personal_code=valid_code(date(1985, 3, 14)))
    real_check = services._refuse_duplicates
    calls = []

    def check_too_early(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:
            real_check(**kwargs)

    with (
        mock.patch.object(services, "_refuse_duplicates", check_too_early),
        pytest.raises(ValidationError) as excinfo,
    ):
        _submit([ievp], person=_person(date(1985, 3, 14)))
    assert "personal_code" in excinfo.value.message_dict
    assert Volunteer.objects.count() == 1
    assert not User.objects.filter(email="laura.liepina@example.lv").exists()


# --- The state machine in its own module


def test_transition_table_is_read_from_its_own_module_when_services_and_forms_use_it():
    from volunteers.forms import pipeline as pipeline_forms

    assert services.TransitionError is transitions.TransitionError
    assert pipeline_forms.transitions.REASON_REQUIRED is transitions.REASON_REQUIRED
    assert not hasattr(services, "ALLOWED")
    assert transitions.allowed_from(Status.AGREEMENT) == [Status.ACTIVE, Status.REJECTED, Status.WITHDRAWN]


def test_system_transition_writes_history_and_audit_when_the_move_is_allowed(olaine):
    application = ApplicationFactory(unit=olaine, status=Status.AGREEMENT)
    moved = services.application_transition_system(
        application_id=application.pk, to=Status.ACTIVE, only_from=[Status.AGREEMENT], reason="Vienošanās"
    )
    assert moved.status == Status.ACTIVE
    event = application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        Status.AGREEMENT,
        Status.ACTIVE,
        None,
        "Vienošanās",
    )
    audit = AuditEvent.objects.get(action="application.transition")
    assert audit.actor_label == "system" and audit.data["to"] == Status.ACTIVE


def test_system_transition_changes_nothing_when_the_application_is_not_in_the_expected_status(olaine):
    application = ApplicationFactory(unit=olaine, status=Status.PAUSED)
    assert (
        services.application_transition_system(
            application_id=application.pk, to=Status.ACTIVE, only_from=[Status.AGREEMENT], reason="x"
        )
        is None
    )
    application.refresh_from_db()
    assert application.status == Status.PAUSED and not application.events.exists()


def test_system_transition_is_refused_when_the_table_forbids_the_move(olaine):
    application = ApplicationFactory(unit=olaine, status=Status.ENDED)
    with pytest.raises(transitions.TransitionError):
        services.application_transition_system(
            application_id=application.pk, to=Status.ACTIVE, only_from=[Status.ENDED], reason="x"
        )
    application.refresh_from_db()
    assert application.status == Status.ENDED and not application.events.exists()

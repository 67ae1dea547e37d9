"""Volunteer self-service: my applications, withdraw, profile and identity corrections, the
data download and erasure; and the coordinators' decisions on the requests."""

import json
from datetime import date

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from institutions.models import AuditEvent
from privacy import services as privacy_services
from trainings.models import Completion, Course, Registration, RegistrationState, SessionState
from volunteers import personal_code, selectors, services
from volunteers.models import (
    Application,
    ApplicationEvent,
    Assessment,
    ErasureRequest,
    ProfileChangeRequest,
    Role,
    Status,
    Volunteer,
    private_storage,
)

from ..factories import PASSWORD, ApplicationFactory, UserFactory, VolunteerFactory
from ..trainings import builders as training

MY_APPLICATIONS = reverse("volunteers:my_applications")
PROFILE = reverse("volunteers:profile")
ERASURE = reverse("volunteers:erasure_request")
REQUESTS = reverse("volunteers:change_requests")


def _code(day: str, century: str = "1") -> str:
    """A valid old-format personal code for DDMMYY (the first serial whose check digit exists)."""
    for serial in range(100, 1000):
        digits = [int(c) for c in f"{day}{century}{serial}"]
        check = personal_code.check_digit(digits)
        if check < 10:
            return f"{day}-{century}{serial}{check}"
    raise AssertionError("no valid code")


CODE = _code("120590")


def _submitted(application: Application) -> Application:
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.SUBMITTED,
        to_status=Status.SUBMITTED,
        visible_to_volunteer=True,
        actor=application.volunteer.user,
    )
    return application


@pytest.fixture
def person(db):
    user = UserFactory(email="zanete.kirsone@example.lv", first_name="Žanete", last_name="Ķirsone")
    return VolunteerFactory(
        user=user,
        personal_code=CODE,
        date_of_birth=date(1990, 5, 12),
        phone="+371 26111222",
        address="Ģertrūdes iela 5-12",
        municipality="Rīga",
        occupation="Skolotāja",
        availability="Sestdienās",
    )


@pytest.fixture
def olaine_application(person, ievp, olaine):
    application = ApplicationFactory(
        volunteer=person,
        unit=olaine,
        reference="T2026-00101",
        motivation="Vēlos vadīt šaha pulciņu.",
        roles=[Role.objects.get(institution=ievp, code="sports")],
    )
    return _submitted(application)


@pytest.fixture
def vpd_application(person, vpd_department):
    return _submitted(ApplicationFactory(volunteer=person, unit=vpd_department, reference="T2026-00102"))


@pytest.fixture
def person_trainings(person, olaine_application, olaine, olaine_coordinator):
    """Žanete attended a held session and holds its certificate, registered for a future
    one that was cancelled, and had an earlier completion withdrawn; someone else's
    registration and completion must not show."""
    held = training.session_row(
        olaine,
        olaine_coordinator,
        course_=training.course(olaine.institution, title="Ievadapmācība brīvprātīgajiem"),
        first=date(2026, 3, 9),
        state=SessionState.HELD,
    )
    Registration.objects.create(session=held, volunteer=person, application=olaine_application)
    training.completion(
        person,
        held.course,
        olaine,
        completed_on=date(2026, 3, 10),
        session=held,
        source=Completion.Source.ATTENDANCE,
        number="IEVP-M-2026-00042",
    )
    child_rights = training.course(
        olaine.institution, title="Bērnu tiesību aizsardzība", kind=Course.Kind.RECURRING, validity_months=24
    )
    training.completion(
        person,
        child_rights,
        olaine,
        completed_on=date(2025, 6, 2),
        valid_until=date(2027, 6, 2),
        revoked_at=timezone.now(),
        revoke_reason="Ierakstīts kļūdaini",
    )
    cancelled = training.session_row(
        olaine,
        olaine_coordinator,
        course_=child_rights,
        first=date(2027, 2, 15),
        days=1,
        state=SessionState.CANCELLED,
    )
    Registration.objects.create(
        session=cancelled,
        volunteer=person,
        state=RegistrationState.CANCELLED,
        cancelled_at=timezone.now(),
    )
    stranger = VolunteerFactory(user=UserFactory(email="svesais@example.lv"))
    Registration.objects.create(session=held, volunteer=stranger)
    training.completion(stranger, held.course, olaine, number="IEVP-M-2026-00999")
    return held


@pytest.fixture
def other_application(jelgava):
    other = VolunteerFactory(
        user=UserFactory(email="cits@example.lv", first_name="Cits", last_name="Cilvēks")
    )
    return _submitted(ApplicationFactory(volunteer=other, unit=jelgava, reference="T2026-00999"))


# --- My applications


def test_timeline_shows_only_own_applications_when_volunteer_opens_it(
    client, person, olaine_application, vpd_application, other_application
):
    client.force_login(person.user)
    body = client.get(MY_APPLICATIONS).content.decode()
    assert "T2026-00101" in body and "T2026-00102" in body
    assert "Olaines cietums" in body and "Jelgavas 1. nodaļa" in body
    assert "T2026-00999" not in body
    # One section per institution.
    assert "Ieslodzījuma vietu pārvalde" in body and "Valsts probācijas dienests" in body


def test_timeline_hides_coordinator_events_when_application_has_interview_notes(
    client, person, olaine_application, olaine_coordinator
):
    services.application_transition(
        application_id=olaine_application.pk, to=Status.SCREENING, actor=olaine_coordinator
    )
    services.assessment_add(
        application=olaine_application,
        actor=olaine_coordinator,
        notes="Slepena piezīme: runā pārāk daudz.",
        motivation_score=4,
    )
    services.vetting_record(
        application=olaine_application, actor=olaine_coordinator, requested_on=date.today()
    )
    client.force_login(person.user)
    response = client.get(MY_APPLICATIONS)
    body = response.content.decode()
    assert "Slepena piezīme" not in body
    assert str(ApplicationEvent.Kind.NOTE.label) not in body
    assert str(ApplicationEvent.Kind.VETTING.label) not in body
    [application] = response.context["page"].object_list
    assert [e.kind for e in application.visible_events] == ["submitted", "transition"]
    # The stepper marks screening as the current step; submitted is done.
    steps = {s.status: s.state for s in application.steps}
    assert steps[Status.SUBMITTED] == "done" and steps[Status.SCREENING] == "current"
    assert body.count('aria-current="step"') == 1
    assert str(selectors.NEXT_STEPS[Status.SCREENING]) in body


def test_timeline_shows_where_it_stopped_when_application_was_rejected(
    olaine_application, olaine_coordinator
):
    for to in (Status.SCREENING, Status.VETTING):
        services.application_transition(application_id=olaine_application.pk, to=to, actor=olaine_coordinator)
    services.application_transition(
        application_id=olaine_application.pk, to=Status.REJECTED, actor=olaine_coordinator, reason="Nav vietu"
    )
    application = selectors.my_applications(olaine_application.volunteer.user).get()
    steps = selectors.timeline(application)
    assert [(s.status, s.state) for s in steps] == [
        (Status.SUBMITTED, "done"),
        (Status.SCREENING, "done"),
        (Status.VETTING, "done"),
        (Status.REJECTED, "stopped"),
    ]


def test_page_shows_empty_state_with_apply_link_when_user_has_no_volunteer_profile(client, volunteer):
    client.force_login(volunteer)
    response = client.get(MY_APPLICATIONS)
    assert response.status_code == 200
    assert response.context["volunteer"] is None
    assert "volunteers/me/_no_profile.html" in [t.name for t in response.templates]
    try:
        apply_url = reverse("volunteers:apply")
    except NoReverseMatch:  # the public form is built alongside
        apply_url = None
    if apply_url:
        assert f'href="{apply_url}"' in response.content.decode()


# The same for one application and for 41, on SQLite and PostgreSQL alike.
MY_APPLICATIONS_QUERIES = 7


def test_query_count_is_flat_when_volunteer_has_many_applications(
    client, person, olaine, jelgava, django_assert_num_queries
):
    _submitted(ApplicationFactory(volunteer=person, unit=olaine))
    client.force_login(person.user)
    client.get(MY_APPLICATIONS)  # warm the session and content-type caches

    def queries() -> None:
        with django_assert_num_queries(MY_APPLICATIONS_QUERIES):
            response = client.get(MY_APPLICATIONS)
        assert response.status_code == 200

    queries()
    closed = [Status.REJECTED, Status.WITHDRAWN, Status.ENDED]  # one open application per institution
    for i in range(40):
        application = _submitted(
            ApplicationFactory(volunteer=person, unit=olaine if i % 2 else jelgava, status=closed[i % 3])
        )
        application.roles.set(Role.objects.filter(code__in=["sports", "education"]))
    queries()
    assert len(client.get(MY_APPLICATIONS).context["page"].object_list) == 25


# --- Withdraw


def test_withdraw_moves_own_open_application_to_withdrawn_when_owner_posts(
    client, person, olaine_application
):
    client.force_login(person.user)
    url = reverse("volunteers:application_withdraw", args=[olaine_application.pk])
    assert client.get(url).status_code == 200  # the confirmation page without JavaScript
    response = client.post(url, {"reason": "Pārcēlos uz Liepāju"})
    assert response.status_code == 302 and response["Location"] == MY_APPLICATIONS
    olaine_application.refresh_from_db()
    assert olaine_application.status == Status.WITHDRAWN
    event = olaine_application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert (event.actor, event.reason, event.visible_to_volunteer) == (
        person.user,
        "Pārcēlos uz Liepāju",
        True,
    )


def test_withdraw_answers_404_when_application_belongs_to_someone_else(client, person, other_application):
    client.force_login(person.user)
    url = reverse("volunteers:application_withdraw", args=[other_application.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404
    other_application.refresh_from_db()
    assert other_application.status == Status.SUBMITTED


def test_withdraw_is_refused_with_a_message_when_application_is_not_open(client, person, olaine):
    application = ApplicationFactory(volunteer=person, unit=olaine, status=Status.ACTIVE)
    client.force_login(person.user)
    response = client.post(reverse("volunteers:application_withdraw", args=[application.pk]))
    assert response.status_code == 302
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]
    application.refresh_from_db()
    assert application.status == Status.ACTIVE


# --- Profile


def _profile_data(**overrides):
    data = {
        "action": "profile",
        "phone": "+371 29876543",
        "address": "Lāčplēša iela 7",
        "municipality": "Jelgava",
        "languages": "latviešu, krievu",
        "education": "higher",
        "occupation": "Jurists",
        "availability": "Darbdienu vakaros",
    }
    return {**data, **overrides}


def test_profile_update_keeps_history_and_audits_when_volunteer_saves(client, person, olaine_application):
    client.force_login(person.user)
    before = person.history.count()
    response = client.post(PROFILE, _profile_data())
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.municipality) == ("+371 29876543", "Jelgava")
    assert person.history.count() == before + 1
    assert person.history.earliest().phone == "+371 26111222"
    assert person.history.latest().history_user == person.user
    audit = AuditEvent.objects.get(action="volunteer.profile.update")
    assert audit.actor == person.user and "phone" in audit.data["fields"]
    assert "+371 29876543" not in json.dumps(audit.data)


def test_profile_rejects_bad_input_keeping_what_was_typed_when_phone_is_invalid(client, person):
    client.force_login(person.user)
    response = client.post(
        PROFILE, _profile_data(phone="zvani man", address="Jaunā adrese 3", municipality="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"phone", "municipality"}
    body = response.content.decode()
    assert 'value="zvani man"' in body and 'value="Jaunā adrese 3"' in body
    person.refresh_from_db()
    assert person.phone == "+371 26111222" and person.address == "Ģertrūdes iela 5-12"


# --- Identity corrections


def test_change_request_is_approved_by_the_olaine_coordinator_when_volunteer_asks(
    client, person, olaine_application, olaine_coordinator, jelgava_coordinator
):
    client.force_login(person.user)
    response = client.post(
        PROFILE,
        {
            "action": "change_request",
            "change-field": "last_name",
            "change-new_value": "Ozola",
            "change-comment": "Mainīju uzvārdu laulībā",
        },
    )
    assert response.status_code == 302
    request = ProfileChangeRequest.objects.get(volunteer=person)
    assert (request.state, request.new_value) == ("pending", "Ozola")
    assert "Ozola" in client.get(PROFILE).content.decode()

    # Another prison's coordinator neither sees nor decides it.
    client.force_login(jelgava_coordinator)
    assert "Ozola" not in client.get(REQUESTS).content.decode()
    url = reverse("volunteers:change_request_decide", args=[request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    request.refresh_from_db()
    assert request.state == "pending"

    client.force_login(olaine_coordinator)
    assert "Ozola" in client.get(REQUESTS).content.decode()
    assert client.post(url, {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    person.user.refresh_from_db()
    assert request.state == "approved" and request.decided_by == olaine_coordinator
    assert person.user.last_name == "Ozola"
    assert person.user.history.latest().history_user == olaine_coordinator
    assert AuditEvent.objects.filter(
        action="volunteer.change_request.decide", unit=olaine_application.unit
    ).exists()


def test_change_request_keeps_typed_value_when_personal_code_is_invalid(client, person, olaine_application):
    client.force_login(person.user)
    response = client.post(
        PROFILE,
        {"action": "change_request", "change-field": "personal_code", "change-new_value": "120590-12340"},
    )
    assert response.status_code == 200
    form = response.context["change_form"]
    assert "new_value" in form.errors
    assert 'value="120590-12340"' in response.content.decode()
    assert not ProfileChangeRequest.objects.exists()


def test_personal_code_change_updates_code_and_birth_date_when_approved(
    person, olaine_application, olaine_coordinator
):
    new_code = _code("230491")
    request = services.change_request_create(volunteer=person, field="personal_code", new_value=new_code)
    services.change_request_decide(request=request, actor=olaine_coordinator, approve=True)
    person.refresh_from_db()
    assert person.personal_code == new_code
    assert person.date_of_birth == date(1991, 4, 23)


def test_change_request_is_refused_when_value_is_unchanged_or_already_pending(person, olaine_application):
    with pytest.raises(ValidationError):
        services.change_request_create(volunteer=person, field="first_name", new_value=" Žanete ")
    services.change_request_create(volunteer=person, field="date_of_birth", new_value="13.05.1990")
    with pytest.raises(ValidationError):
        services.change_request_create(volunteer=person, field="date_of_birth", new_value="1990-05-14")
    assert ProfileChangeRequest.objects.get().new_value == "1990-05-13"


def test_volunteer_cannot_decide_own_change_request_when_also_coordinator(person, olaine_application, olaine):
    from institutions import services as institution_services

    institution_services.unit_coordinator_grant(actor=None, user=person.user, unit=olaine)
    request = services.change_request_create(volunteer=person, field="last_name", new_value="Ozola")
    with pytest.raises(PermissionDenied):
        services.change_request_decide(request=request, actor=person.user, approve=True)


# --- Data download


def test_json_export_contains_full_code_and_applications_and_is_audited_when_downloaded(
    client, person, olaine_application, vpd_application, olaine_coordinator
):
    services.assessment_add(application=olaine_application, actor=olaine_coordinator, notes="Iekšēja piezīme")
    services.vetting_record(
        application=olaine_application, actor=olaine_coordinator, requested_on=date.today()
    )
    client.force_login(person.user)
    response = client.get(reverse("volunteers:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["personal_code"] == CODE
    assert data["account"]["last_name"] == "Ķirsone"
    assert {a["reference"] for a in data["applications"]} == {"T2026-00101", "T2026-00102"}
    olaine_data = next(a for a in data["applications"] if a["reference"] == "T2026-00101")
    assert len(olaine_data["roles"]) == 1 and olaine_data["unit"] == "Olaines cietums"
    assert olaine_data["consents"]["data_processing"] is True
    assert [v["result"] for v in olaine_data["vetting"]] == ["pending"]
    assert "training_completed_on" not in olaine_data
    assert data["trainings"]["registrations"] == []
    assert data["trainings"]["completions"] == []
    text = response.content.decode()
    assert "Iekšēja piezīme" not in text
    assert olaine_coordinator.email not in text and "checked_by" not in text
    audit = AuditEvent.objects.get(action="volunteer.data_export")
    assert audit.actor == person.user and audit.data == {"format": "json"}


def test_json_export_contains_the_training_registrations_and_completions_when_there_are_some(
    client, person, person_trainings
):
    client.force_login(person.user)
    data = json.loads(client.get(reverse("volunteers:my_data_json")).content)

    held, cancelled = data["trainings"]["registrations"]
    assert held["course"] == "Ievadapmācība brīvprātīgajiem"
    assert held["unit"] == "Olaines cietums" and held["place"] == "Mācību klase"
    assert [day["date"] for day in held["days"]] == ["2026-03-09", "2026-03-10"]
    assert held["days"][0]["starts_at"] == "10:00:00" and held["days"][0]["ends_at"] == "16:00:00"
    assert held["state"] == "registered" and held["session_state"] == "held"
    assert cancelled["course"] == "Bērnu tiesību aizsardzība"
    assert cancelled["state"] == "cancelled" and cancelled["session_state"] == "cancelled"
    assert cancelled["cancelled_at"] is not None

    withdrawn, certificate = data["trainings"]["completions"]
    assert certificate == {
        "course": "Ievadapmācība brīvprātīgajiem",
        "unit": "Olaines cietums",
        "completed_on": "2026-03-10",
        "valid_until": None,
        "hours": "16.0",
        "certificate_number": "IEVP-M-2026-00042",
        "source": "attendance",
        "source_label": certificate["source_label"],
        "note": "",
        "withdrawn_at": None,
        "withdrawal_reason": "",
    }
    assert withdrawn["course"] == "Bērnu tiesību aizsardzība"
    assert withdrawn["completed_on"] == "2025-06-02" and withdrawn["valid_until"] == "2027-06-02"
    assert withdrawn["withdrawn_at"] is not None and withdrawn["withdrawal_reason"] == "Ierakstīts kļūdaini"
    assert "IEVP-M-2026-00999" not in json.dumps(data)


# The same with two trainings and with ten, on SQLite and PostgreSQL alike (the events add
# their events, hours and certificates, and the documents of their two kinds; casework its
# pairs, circles, cases, meetings and mediator certificates; the award its nominations, their
# audit entries and the diplomas).
DATA_EXPORT_QUERIES = 49


def test_data_export_query_count_is_flat_when_the_volunteer_has_many_trainings(
    client, person, person_trainings, olaine, olaine_coordinator, django_assert_num_queries
):
    client.force_login(person.user)
    url = reverse("volunteers:my_data_json")
    client.get(url)  # warm the session and content-type caches

    def queries() -> None:
        with django_assert_num_queries(DATA_EXPORT_QUERIES):
            assert client.get(url).status_code == 200

    queries()
    for index in range(8):
        session = training.session_row(olaine, olaine_coordinator, first=date(2026, 4, 1 + 2 * index))
        Registration.objects.create(session=session, volunteer=person)
        training.completion(
            person, session.course, olaine, session=session, number=f"IEVP-M-2026-{index:05d}"
        )
    queries()


def test_printable_page_renders_everything_with_diacritics_when_opened(client, person, olaine_application):
    client.force_login(person.user)
    response = client.get(reverse("volunteers:my_data_html"))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Žanete",
        "Ķirsone",
        "Ģertrūdes iela 5-12",
        CODE,
        "T2026-00101",
        "Vēlos vadīt šaha pulciņu.",
    ):
        assert text in body
    assert "<script>" not in body  # CSP: no inline script
    assert AuditEvent.objects.filter(action="volunteer.data_export", data__format="html").exists()


def test_printable_page_lists_the_trainings_when_the_volunteer_has_some(client, person, person_trainings):
    client.force_login(person.user)
    client.cookies["tilts_language"] = "en"
    body = client.get(reverse("volunteers:my_data_html")).content.decode()
    trainings = body[body.index("Trainings</h2>") : body.index("Requests</h2>")]
    for text in (
        "Ievadapmācība brīvprātīgajiem",
        "9.03.2026 10:00–16:00",
        "10.03.2026 10:00–16:00",
        "Olaines cietums, Mācību klase",
        "Registered",
        "Bērnu tiesību aizsardzība",
        "15.02.2027",
        "the session was cancelled",
        "IEVP-M-2026-00042",
        "2.06.2027",
        "withdrawn on",
        "Ierakstīts kļūdaini",
        "no expiry",
    ):
        assert text in trainings, text
    assert "IEVP-M-2026-00999" not in body


def test_printable_page_says_there_are_no_trainings_when_there_are_none(client, person, olaine_application):
    client.force_login(person.user)
    client.cookies["tilts_language"] = "en"
    body = client.get(reverse("volunteers:my_data_html")).content.decode()
    assert "No training registrations." in body and "No completed trainings." in body


def test_download_answers_404_when_user_has_no_volunteer_profile(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("volunteers:my_data_json")).status_code == 404
    assert client.get(reverse("volunteers:my_data")).status_code == 200


# --- Erasure


@pytest.fixture
def with_cv(olaine_application):
    olaine_application.cv.save("cv.pdf", ContentFile("%PDF-1.4 Žanete Ķirsone CV".encode()), save=True)
    return olaine_application


def test_erasure_anonymises_the_person_when_the_olaine_coordinator_confirms(
    client,
    person,
    with_cv,
    vpd_application,
    olaine_coordinator,
    django_capture_on_commit_callbacks,
):
    application = with_cv
    services.assessment_add(application=application, actor=olaine_coordinator, notes="Laba saskarsme")
    services.change_request_create(volunteer=person, field="last_name", new_value="Ozola")
    services.profile_update(
        volunteer=person, actor=person.user, phone="+371 20000001", address="Cita iela 1", municipality="Rīga"
    )
    # An earlier application at the same institution (one may be open at a time), ended.
    ended = _submitted(ApplicationFactory(volunteer=person, unit=application.unit, status=Status.ACTIVE))
    services.application_transition(
        application_id=ended.pk, to=Status.ENDED, actor=olaine_coordinator, reason="Slimība ģimenē"
    )
    cv_name = application.cv.name
    assert private_storage.exists(cv_name)
    submitted_at, unit_id = application.submitted_at, application.unit_id

    client.force_login(person.user)
    assert client.post(ERASURE, {"reason": "Vairs nevēlos", "confirm": "on"}).status_code == 302
    request = ErasureRequest.objects.get(volunteer=person)
    assert "Vairs nevēlos" in client.get(ERASURE).content.decode()

    client.force_login(olaine_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:erasure_decide", args=[request.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302

    person.refresh_from_db()
    user = person.user
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Anonimizēts", "Anonimizēts")
    assert user.email == f"anonymised-{user.pk}@tilts.invalid"
    assert not user.is_active and not user.has_usable_password()
    assert not user.emailaddress_set.exists()
    assert (person.personal_code, person.phone, person.address, person.occupation, person.availability) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert person.date_of_birth == date(1990, 1, 1)
    assert person.anonymised_at is not None
    assert not private_storage.exists(cv_name)
    assert person.history.count() == 0 and user.history.count() == 0
    assert not ProfileChangeRequest.objects.filter(volunteer=person).exists()
    assert Assessment.objects.get(application=application).notes == ""

    # The application stays for statistics: unit, status, dates.
    application.refresh_from_db()
    assert application.unit_id == unit_id and application.submitted_at == submitted_at
    assert application.status == Status.WITHDRAWN and not application.cv and application.motivation == ""
    assert application.events.filter(kind="transition", reason="erasure").exists()
    assert not Application.history.filter(id=application.pk).exclude(motivation="").exists()
    vpd_application.refresh_from_db()
    assert vpd_application.status == Status.WITHDRAWN
    request.refresh_from_db()
    assert request.state == "done" and request.reason == ""

    # Free texts are gone from the events and their audit entries.
    assert not ApplicationEvent.objects.filter(reason="Slimība ģimenē").exists()
    assert not AuditEvent.objects.filter(data__reason="Slimība ģimenē").exists()
    assert AuditEvent.objects.filter(action="application.transition", data__reason="erasure").count() == 2

    # Nothing with the person's name or email is left in the audit trail.
    for field in ("actor_label", "target_label"):
        assert not AuditEvent.objects.filter(**{f"{field}__icontains": "Ķirsone"}).exists()
        assert not AuditEvent.objects.filter(**{f"{field}__icontains": "zanete.kirsone"}).exists()
    assert AuditEvent.objects.filter(action="volunteer.erasure.decide", data__approved=True).exists()

    # The person can no longer sign in.
    client.logout()
    assert not client.login(email="zanete.kirsone@example.lv", password=PASSWORD)
    assert not client.login(email=user.email, password=PASSWORD)


def test_erasure_cannot_be_decided_when_coordinator_is_of_another_unit(
    client, person, olaine_application, jelgava_coordinator
):
    request = services.erasure_request_create(volunteer=person, reason="")
    client.force_login(jelgava_coordinator)
    assert "Ķirsone" not in client.get(REQUESTS).content.decode()
    response = client.post(reverse("volunteers:erasure_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 404
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.state == "pending" and person.anonymised_at is None
    with pytest.raises(PermissionDenied):
        services.erasure_decide(request=request, actor=jelgava_coordinator, approve=True)


def test_erasure_refusal_needs_a_note_when_coordinator_refuses(
    client, person, olaine_application, olaine_coordinator
):
    request = services.erasure_request_create(volunteer=person, reason="")
    client.force_login(olaine_coordinator)
    url = reverse("volunteers:erasure_decide", args=[request.pk])
    response = client.post(url, {"decision": "refuse", "note": "  "})
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]
    request.refresh_from_db()
    assert request.state == "pending"
    client.post(url, {"decision": "refuse", "note": "Glabāšanas termiņš vēl nav beidzies"})
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.state == "refused" and request.decision_note.startswith("Glabāšanas")
    assert person.anonymised_at is None and person.phone == "+371 26111222"


def test_erasure_request_form_requires_confirmation_when_box_is_not_ticked(client, person):
    client.force_login(person.user)
    response = client.post(ERASURE, {"reason": "Tāpat vien"})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert "Tāpat vien" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_second_erasure_request_is_refused_when_one_is_pending(person):
    services.erasure_request_create(volunteer=person, reason="")
    with pytest.raises(ValidationError):
        services.erasure_request_create(volunteer=person, reason="")


def test_anonymise_is_refused_when_person_has_a_staff_role(person, olaine_application, olaine, ievp_central):
    from institutions import services as institution_services

    institution_services.unit_coordinator_grant(actor=None, user=person.user, unit=olaine)
    request = services.erasure_request_create(volunteer=person, reason="")
    with pytest.raises(ValidationError):
        services.erasure_decide(request=request, actor=ievp_central, approve=True)
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_active_volunteer_work_is_ended_when_person_is_anonymised(person, olaine, olaine_coordinator):
    application = ApplicationFactory(volunteer=person, unit=olaine, status=Status.ACTIVE)
    privacy_services.volunteer_anonymise(volunteer=person, actor=olaine_coordinator)
    application.refresh_from_db()
    assert application.status == Status.ENDED


# --- The coordinators' list


def _waiting(unit, number: int) -> None:
    volunteer = VolunteerFactory()
    ApplicationFactory(volunteer=volunteer, unit=unit)
    ProfileChangeRequest.objects.create(
        volunteer=volunteer, field="last_name", new_value=f"Jaunais{number:02d}"
    )
    ErasureRequest.objects.create(volunteer=volunteer)


# The same with one request waiting and with 61 (half of them another unit's).
REQUESTS_QUERIES = 8


def test_request_list_is_scoped_and_flat_when_many_requests_wait(
    client, olaine, jelgava, olaine_coordinator, django_assert_num_queries
):
    _waiting(olaine, 99)
    client.force_login(olaine_coordinator)
    client.get(REQUESTS)  # warm the caches

    def queries() -> None:
        with django_assert_num_queries(REQUESTS_QUERIES):
            assert client.get(REQUESTS).status_code == 200

    queries()
    for i in range(60):
        _waiting(olaine if i % 2 else jelgava, i)
    queries()
    response = client.get(REQUESTS)
    assert response.context["changes"].paginator.count == 31
    assert response.context["erasures"].paginator.count == 31
    assert len(response.context["changes"].object_list) == 25
    body = response.content.decode()
    assert "Jaunais01" in body and "Jaunais00" not in body


def test_request_list_answers_404_when_person_coordinates_no_unit(client, ministry, volunteer):
    for user in (ministry, volunteer):
        client.force_login(user)
        assert client.get(REQUESTS).status_code == 404


def test_vpd_volunteer_sees_next_step_when_status_is_vetting(person, vpd_department, vpd_coordinator):
    application = _submitted(ApplicationFactory(volunteer=person, unit=vpd_department))
    for to in (Status.SCREENING, Status.VETTING):
        services.application_transition(application_id=application.pk, to=to, actor=vpd_coordinator)
    application = selectors.my_applications(person.user).get()
    assert selectors.next_step(application) == str(selectors.NEXT_STEPS[Status.VETTING])
    assert [s.state for s in selectors.timeline(application)][:3] == ["done", "done", "current"]


def test_volunteer_sees_the_coordinators_note_when_a_change_request_is_rejected(
    client, olaine, olaine_coordinator
):
    from volunteers.models import ProfileChangeRequest

    from ..factories import ApplicationFactory

    application = ApplicationFactory(unit=olaine)
    volunteer = application.volunteer
    request = services.change_request_create(
        volunteer=volunteer, field=ProfileChangeRequest.Field.LAST_NAME, new_value="Jaunā", comment=""
    )
    services.change_request_decide(
        request=request,
        actor=olaine_coordinator,
        approve=False,
        note="Lūdzu, iesniedziet pases kopiju klātienē.",
    )
    client.force_login(volunteer.user)
    body = client.get("/me/profile/").content.decode()
    assert "Lūdzu, iesniedziet pases kopiju klātienē." in body


def test_code_change_is_refused_cleanly_when_a_parallel_change_took_the_code_past_the_check(
    person, olaine_application, olaine_coordinator, monkeypatch
):
    """The check passed, the insert lost: the database's unique code answers, and the
    coordinator gets the same message as the check gives."""
    new_code = _code("230491")
    request = services.change_request_create(volunteer=person, field="personal_code", new_value=new_code)
    VolunteerFactory(personal_code=new_code)
    real_filter = Volunteer.objects.filter

    def blind_filter(*args, **kwargs):  # the check does not see the other person
        if "personal_code" in kwargs:
            return Volunteer.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Volunteer.objects, "filter", blind_filter)
    with pytest.raises(ValidationError, match="cits brīvprātīgais"):
        services.change_request_decide(request=request, actor=olaine_coordinator, approve=True)
    monkeypatch.undo()
    person.refresh_from_db()
    assert person.personal_code != new_code

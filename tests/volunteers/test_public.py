"""The public application form (/apply/), its receipt and the privacy notice."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from institutions.models import Unit
from volunteers.models import Application, Role, Status, Volunteer
from volunteers.views.public import RECEIPTS_SESSION_KEY

from ..factories import ApplicationFactory, UnitFactory, UserFactory, VolunteerFactory
from .test_personal_code import valid_code

User = get_user_model()
APPLY = reverse("volunteers:apply")
NEW_PASSWORD = "Zilais-tilts-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The rate limit lives in the cache; every test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are compared in their English source form (the switcher's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born - timezone.timedelta(days=days)


@pytest.fixture
def sports(ievp):
    return Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS)[0]


@pytest.fixture
def family(ievp):
    return Role.objects.get_or_create(institution=ievp, code=Role.Code.FAMILY)[0]


@pytest.fixture
def vpd_mentor(vpd):
    return Role.objects.get_or_create(institution=vpd, code=Role.Code.MENTOR)[0]


@pytest.fixture
def data(ievp, vpd, olaine, jelgava, vpd_department, sports):
    """A complete, valid application to IeVP from a 35-year-old."""
    return {
        "first_name": "Anna",
        "last_name": "Kalniņa",
        "personal_code": valid_code(years_ago(35)),
        "date_of_birth": "",
        "email": "Anna.Kalnina@Example.lv",
        "phone": "+371 29123456",
        "address": "Brīvības iela 10-5",
        "municipality": "Rīga",
        "languages": "latviešu, angļu",
        "education": "higher",
        "occupation": "Skolotāja",
        "institution": "IEVP",
        "preferred_units": [str(olaine.pk), str(jelgava.pk)],
        "roles": [str(sports.pk)],
        "availability": "Sestdienās",
        "motivation": "Gribu palīdzēt ieslodzītajiem sagatavoties dzīvei brīvībā.",
        "experience": "Basketbola trenere jauniešiem.",
        "heard_from": "friend",
        "record_declaration": "none",
        "consent_record_check": "on",
        "consent_data_processing": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "website": "",
    }


def assert_nothing_created():
    assert not Application.objects.filter(volunteer__user__first_name="Anna").exists()
    assert not User.objects.filter(email__iexact="anna.kalnina@example.lv").exists()


def assert_input_kept(response, data):
    """The form came back with what was typed — but never the password."""
    assert response.status_code in (200, 429)
    body = response.content.decode()
    assert f'value="{data["first_name"]}"' in body
    assert f'value="{data["phone"]}"' in body
    assert data["motivation"] in body
    assert response.context["form"]["roles"].value() == data["roles"]
    for pk in data["roles"]:
        assert f'value="{pk}"' in body
    assert data["password1"] not in body


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- A successful application


def test_valid_application_creates_account_volunteer_and_application_when_ievp_is_chosen(
    client, data, olaine, jelgava, sports, jelgava_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, data)

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:apply_done", args=[application.reference])
    user = application.volunteer.user
    assert user.email == "anna.kalnina@example.lv"
    assert (user.first_name, user.last_name) == ("Anna", "Kalniņa")
    assert user.check_password(NEW_PASSWORD)
    assert user.language == "en"  # the language the form was filled in
    assert not EmailAddress.objects.get(user=user).verified
    volunteer = application.volunteer
    assert volunteer.personal_code == data["personal_code"]
    assert volunteer.date_of_birth == years_ago(35)  # derived from the personal code
    assert (volunteer.phone, volunteer.municipality, volunteer.education) == (
        "+371 29123456",
        "Rīga",
        "higher",
    )
    assert application.reference.startswith(f"T{timezone.localdate().year}-")
    assert application.status == Status.SUBMITTED
    assert application.institution.code == "IEVP"
    assert set(application.preferred_units.all()) == {olaine, jelgava}
    assert application.unit == jelgava  # the first preferred unit, in the order the form lists them
    assert list(application.roles.all()) == [sports]
    assert application.consent_record_check and application.consent_data_processing
    assert application.guardian_name == ""
    assert not application.cv
    # The confirmation (allauth verification) to the applicant; the notice to the unit's coordinator.
    to_applicant = [m for m in mail.outbox if m.to == ["anna.kalnina@example.lv"]]
    to_coordinator = [m for m in mail.outbox if m.to == [jelgava_coordinator.email]]
    assert len(to_applicant) == 1
    assert "/accounts/confirm-email/" in to_applicant[0].body
    assert len(to_coordinator) == 1
    assert application.reference in to_coordinator[0].body


def test_receipt_shows_reference_when_the_same_browser_submitted(
    client, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, data, follow=True)
    application = Application.objects.get()
    assert response.status_code == 200
    body = response.content.decode()
    assert application.reference in body
    assert "anna.kalnina@example.lv" in body
    assert application.volunteer.masked_personal_code in body
    assert data["personal_code"] not in body


def test_either_creates_one_application_per_institution_when_both_are_chosen(
    client, data, vpd_department, vpd_mentor, django_capture_on_commit_callbacks
):
    data |= {
        "institution": "either",
        "preferred_units": [*data["preferred_units"], str(vpd_department.pk)],
        "roles": [*data["roles"], str(vpd_mentor.pk)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, data, follow=True)

    applications = {a.institution.code: a for a in Application.objects.all()}
    assert set(applications) == {"IEVP", "VPD"}
    assert applications["VPD"].volunteer == applications["IEVP"].volunteer
    assert applications["VPD"].unit == vpd_department
    assert list(applications["VPD"].preferred_units.all()) == [vpd_department]
    assert list(applications["VPD"].roles.all()) == [vpd_mentor]
    assert vpd_department not in applications["IEVP"].preferred_units.all()
    assert Volunteer.objects.count() == 1
    body = response.content.decode()
    assert applications["VPD"].reference in body and applications["IEVP"].reference in body


def test_valid_pdf_cv_is_stored_privately_when_it_is_a_real_pdf(client, data, settings):
    cv = SimpleUploadedFile("mans cv.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
    response = client.post(APPLY, {**data, "cv": cv})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.cv.name.startswith("cv/") and application.cv.name.endswith(".pdf")
    assert application.reference in application.cv.name  # never the uploaded name
    try:
        assert application.cv.path.startswith(settings.PRIVATE_MEDIA_ROOT)
        with application.cv.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"
    finally:
        application.cv.delete(save=False)


def test_new_format_personal_code_is_accepted_when_date_of_birth_is_given(client, data):
    born = years_ago(30)
    data |= {"personal_code": "32123456789", "date_of_birth": born.isoformat()}
    response = client.post(APPLY, data)
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.personal_code == "321234-56789"
    assert volunteer.date_of_birth == born


def test_date_of_birth_given_with_old_code_is_accepted_when_dates_agree(client, data):
    data["date_of_birth"] = years_ago(35).strftime("%d.%m.%Y")
    assert client.post(APPLY, data).status_code == 302
    assert Volunteer.objects.get().date_of_birth == years_ago(35)


def test_guardian_details_are_stored_when_applicant_under_16_gives_them(client, data, ievp):
    ievp.min_volunteer_age = 13
    ievp.save()
    data |= {
        "personal_code": valid_code(years_ago(14)),
        "guardian_name": "Inese Kalniņa",
        "guardian_contact": "+371 29000000",
        "guardian_consent": "on",
    }
    assert client.post(APPLY, data).status_code == 302
    application = Application.objects.get()
    assert (application.guardian_name, application.guardian_contact) == ("Inese Kalniņa", "+371 29000000")
    assert application.guardian_consent


def test_guardian_details_are_dropped_when_applicant_is_16_or_older(client, data):
    data |= {"guardian_name": "Kāds", "guardian_contact": "kads@example.lv", "guardian_consent": "on"}
    assert client.post(APPLY, data).status_code == 302
    application = Application.objects.get()
    assert (application.guardian_name, application.guardian_contact, application.guardian_consent) == (
        "",
        "",
        False,
    )


# --- Validation errors: nothing created, everything typed kept


def test_personal_code_is_refused_when_check_digit_is_wrong(client, data):
    code = data["personal_code"]
    data["personal_code"] = code[:-1] + str((int(code[-1]) + 1) % 10)
    response = client.post(APPLY, data)
    assert errors_of(response, "personal_code") == [
        "This personal code is not valid: its last digit does not match. Check it for typos."
    ]
    assert f'value="{data["personal_code"]}"' in response.content.decode()
    assert_input_kept(response, data)
    assert_nothing_created()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("310290-12345", "not a real date of birth"),
        ("12345", "11 digits"),
    ],
)
def test_personal_code_is_refused_when_date_or_format_is_wrong(client, data, code, message):
    data["personal_code"] = code
    response = client.post(APPLY, data)
    assert message in errors_of(response, "personal_code")[0]
    assert_input_kept(response, data)
    assert_nothing_created()


def test_date_of_birth_is_required_when_code_is_new_format(client, data):
    data["personal_code"] = "321234-56789"
    response = client.post(APPLY, data)
    assert "starts with 32" in errors_of(response, "date_of_birth")[0]
    assert_input_kept(response, data)
    assert_nothing_created()


def test_date_of_birth_is_refused_when_it_differs_from_the_personal_code(client, data):
    data["date_of_birth"] = years_ago(36).isoformat()
    response = client.post(APPLY, data)
    assert "differs from the date in your personal code" in errors_of(response, "date_of_birth")[0]
    assert f'value="{data["date_of_birth"]}"' in response.content.decode()
    assert_input_kept(response, data)
    assert_nothing_created()


def test_applicant_is_refused_when_younger_than_the_institution_minimum(client, data):
    data["personal_code"] = valid_code(years_ago(18, days=-1))  # 18 tomorrow
    response = client.post(APPLY, data)
    [error] = errors_of(response, "date_of_birth")
    assert "at least 18 years old" in error
    assert "IeVP" in error
    assert_input_kept(response, data)
    assert_nothing_created()


def test_applicant_is_accepted_when_exactly_the_minimum_age_today(client, data):
    data["personal_code"] = valid_code(years_ago(18))
    assert client.post(APPLY, data).status_code == 302


def test_guardian_is_required_when_applicant_is_under_16_and_minimum_is_lowered(client, data, ievp):
    ievp.min_volunteer_age = 13
    ievp.save()
    data["personal_code"] = valid_code(years_ago(14))
    response = client.post(APPLY, data)
    assert errors_of(response, "guardian_name") == ["Needed for applicants under 16."]
    assert errors_of(response, "guardian_contact") == ["Needed for applicants under 16."]
    assert "written consent" in errors_of(response, "guardian_consent")[0]
    assert not errors_of(response, "date_of_birth")
    assert_input_kept(response, data)
    assert_nothing_created()


def test_unit_is_refused_when_it_belongs_to_an_institution_not_chosen(client, data, vpd_department):
    data["preferred_units"] = [str(vpd_department.pk)]
    response = client.post(APPLY, data)
    [error] = errors_of(response, "preferred_units")
    assert vpd_department.name in error and "VPD" in error
    assert_input_kept(response, data)
    assert_nothing_created()


def test_closed_unit_is_not_offered_when_its_validity_has_ended(client, data, ievp):
    closed = UnitFactory(
        institution=ievp, slug="slegts", name="Slēgtais cietums", valid_to=date(2019, 12, 31)
    )
    assert "Slēgtais cietums" not in client.get(APPLY).content.decode()
    data["preferred_units"] = [str(closed.pk)]
    response = client.post(APPLY, data)
    assert errors_of(response, "preferred_units")
    assert_nothing_created()


def test_role_is_refused_when_it_belongs_to_an_institution_not_chosen(client, data, vpd_mentor):
    data["roles"] = [*data["roles"], str(vpd_mentor.pk)]
    response = client.post(APPLY, data)
    [error] = errors_of(response, "roles")
    assert "VPD" in error
    assert_input_kept(response, data)
    assert_nothing_created()


def test_roles_are_required_for_each_institution_when_either_is_chosen(client, data, vpd_department):
    data["institution"] = "either"
    response = client.post(APPLY, data)
    assert errors_of(response, "roles") == ["Choose at least one role or field of VPD."]
    assert_nothing_created()


def test_cv_is_refused_when_it_is_not_a_pdf_despite_its_name(client, data):
    fake = SimpleUploadedFile("cv.pdf", b"PK\x03\x04 this is a zip file", "application/pdf")
    response = client.post(APPLY, {**data, "cv": fake})
    assert "not a PDF document" in errors_of(response, "cv")[0]
    assert_input_kept(response, data)
    assert_nothing_created()


def test_cv_is_refused_when_it_is_larger_than_the_limit(client, data, settings):
    settings.TILTS_CV_MAX_BYTES = 1024
    big = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")
    response = client.post(APPLY, {**data, "cv": big})
    [error] = errors_of(response, "cv")
    assert "too large" in error and "1.0\xa0KB" in error
    assert_input_kept(response, data)
    assert_nothing_created()


def test_consents_are_required_when_missing(client, data):
    del data["consent_record_check"], data["consent_data_processing"]
    response = client.post(APPLY, data)
    assert errors_of(response, "consent_record_check") == [
        "The criminal record check is required for volunteer work."
    ]
    assert errors_of(response, "consent_data_processing") == [
        "We cannot handle your application without this consent."
    ]
    assert_input_kept(response, data)
    assert_nothing_created()


def test_nothing_is_created_when_honeypot_is_filled(client, data):
    data["website"] = "http://spam.example"
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "http://spam.example" not in response.content.decode()
    assert_input_kept(response, data)
    assert_nothing_created()
    assert mail.outbox == []


def test_password_is_refused_when_the_two_differ(client, data):
    data["password2"] = "Cits-parole-2026"
    response = client.post(APPLY, data)
    assert errors_of(response, "password2") == ["The two passwords differ."]
    assert "Cits-parole-2026" not in response.content.decode()
    assert_input_kept(response, data)
    assert_nothing_created()


def test_password_is_refused_when_django_validators_reject_it(client, data):
    data["password1"] = data["password2"] = "12345678"
    response = client.post(APPLY, data)
    assert errors_of(response, "password1")
    assert_nothing_created()


# --- Duplicates, existing accounts, abuse


def test_duplicate_is_refused_without_naming_it_when_an_open_application_has_the_same_code(
    client, data, olaine
):
    other = ApplicationFactory(
        unit=olaine, volunteer=VolunteerFactory(personal_code=data["personal_code"]), status=Status.SCREENING
    )
    data["email"] = "cits.epasts@example.lv"
    response = client.post(APPLY, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "already exists at IeVP" in body
    assert other.reference not in body  # not the applicant's to see: they are not signed in
    assert reverse("account_login") in body
    assert_input_kept(response, data)
    assert Application.objects.count() == 1
    assert not User.objects.filter(email="cits.epasts@example.lv").exists()


def test_account_holder_is_told_to_sign_in_when_email_already_has_an_account(client, data):
    UserFactory(email="anna.kalnina@example.lv")
    response = client.post(APPLY, data)
    body = response.content.decode()
    assert "An account with this email address already exists" in body
    assert reverse("account_login") in body
    assert_input_kept(response, data)
    assert not Application.objects.exists()
    assert not Volunteer.objects.exists()


def test_rate_limit_answers_429_and_keeps_input_when_too_many_submissions(client, data, settings):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_apply": "1/1h/ip"}
    assert client.post(APPLY, data).status_code == 302
    second = {**data, "email": "otra@example.lv", "personal_code": valid_code(years_ago(40))}
    response = client.post(APPLY, second)
    assert response.status_code == 429
    assert "Too many applications" in response.content.decode()
    assert_input_kept(response, second)
    assert Application.objects.count() == 1


def test_rate_limit_does_not_count_when_form_is_invalid(client, data, settings):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_apply": "1/1h/ip"}
    for _ in range(3):
        assert client.post(APPLY, {**data, "motivation": ""}).status_code == 200
    assert client.post(APPLY, data).status_code == 302


def test_csrf_token_is_required_when_posting(data):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(APPLY, data)
    assert response.status_code == 403
    assert_nothing_created()


# --- A signed-in volunteer


@pytest.fixture
def signed_in_volunteer(client, olaine):
    user = UserFactory(email="maris@example.lv", first_name="Māris", last_name="Ozols")
    volunteer = VolunteerFactory(
        user=user,
        personal_code=valid_code(date(1980, 5, 17)),
        date_of_birth=date(1980, 5, 17),
        phone="+371 26000001",
        municipality="Olaine",
    )
    application = ApplicationFactory(unit=olaine, volunteer=volunteer)
    client.force_login(user)
    return application


def test_form_has_no_account_fields_and_is_prefilled_when_volunteer_is_signed_in(client, signed_in_volunteer):
    response = client.get(APPLY)
    form = response.context["form"]
    assert not {"first_name", "last_name", "email", "password1", "password2", "personal_code"} & set(
        form.fields
    )
    body = response.content.decode()
    assert 'value="+371 26000001"' in body
    assert signed_in_volunteer.volunteer.masked_personal_code in body
    assert signed_in_volunteer.volunteer.personal_code not in body


def test_signed_in_volunteer_applies_to_second_institution_when_already_at_the_first(
    client, data, signed_in_volunteer, vpd_department, vpd_mentor, django_capture_on_commit_callbacks
):
    for name in ("first_name", "last_name", "email", "password1", "password2", "personal_code"):
        del data[name]
    data |= {
        "institution": "VPD",
        "preferred_units": [str(vpd_department.pk)],
        "roles": [str(vpd_mentor.pk)],
        "phone": "+371 26000002",
    }
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, data)
    assert response.status_code == 302
    volunteer = signed_in_volunteer.volunteer
    new = Application.objects.get(institution__code="VPD")
    assert new.volunteer == volunteer
    assert new.unit == vpd_department
    assert User.objects.count() == users_before
    volunteer.refresh_from_db()
    assert volunteer.phone == "+371 26000002"  # contact details updated from the form
    assert not [m for m in mail.outbox if m.to == ["maris@example.lv"]]  # no verification email
    assert client.get(response["Location"]).status_code == 200


def test_signed_in_volunteer_sees_own_reference_when_applying_again_to_the_same_institution(
    client, data, signed_in_volunteer
):
    for name in ("first_name", "last_name", "email", "password1", "password2", "personal_code"):
        del data[name]
    response = client.post(APPLY, data)
    body = response.content.decode()
    assert f"Your application {signed_in_volunteer.reference} to IeVP is still open" in body
    assert reverse("volunteers:my_applications") in body
    assert Application.objects.count() == 1


def test_signed_in_volunteer_under_minimum_age_gets_a_non_field_error(
    client, data, signed_in_volunteer, ievp
):
    ievp.min_volunteer_age = 60
    ievp.save()
    for name in ("first_name", "last_name", "email", "password1", "password2", "personal_code"):
        del data[name]
    data["institution"] = "IEVP"
    response = client.post(APPLY, data)
    assert "at least 60 years old" in " ".join(response.context["form"].non_field_errors())


# --- Receipt, privacy, queries


def test_receipt_answers_404_when_reference_is_not_in_the_session(client, olaine):
    someone_else = ApplicationFactory(unit=olaine)
    assert client.get(reverse("volunteers:apply_done", args=[someone_else.reference])).status_code == 404
    session = client.session
    session[RECEIPTS_SESSION_KEY] = [["T2026-00001"]]
    session.save()
    assert client.get(reverse("volunteers:apply_done", args=[someone_else.reference])).status_code == 404


def test_privacy_notice_names_controller_and_record_check_rules_when_opened(client):
    response = client.get(reverse("volunteers:privacy"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ministry of Justice" in body
    assert "never store the certificate" in body
    assert "Data State Inspectorate" in body


def test_form_page_links_the_privacy_notice_and_hides_the_honeypot_when_opened(client, data):
    body = client.get(APPLY).content.decode()
    assert reverse("volunteers:privacy") in body
    assert '<div class="visually-hidden" aria-hidden="true">' in body
    assert 'name="website"' in body


# The institutions, their units and their roles (3); an anonymous visitor has no session.
APPLY_QUERIES = 3


@pytest.mark.parametrize("extra_units", [0, 30])
def test_form_page_query_count_is_exact_whatever_the_number_of_units(
    client, data, ievp, extra_units, django_assert_num_queries
):
    for n in range(extra_units):
        UnitFactory(institution=ievp, slug=f"papildu-{n}", name=f"Papildu cietums {n}", kind=Unit.Kind.PRISON)
    with django_assert_num_queries(APPLY_QUERIES):
        response = client.get(APPLY)
    assert response.status_code == 200
    assert ("Papildu cietums 29" in response.content.decode()) is bool(extra_units)


def test_form_page_query_count_is_exact_when_volunteer_is_signed_in(
    client, signed_in_volunteer, django_assert_num_queries
):
    # The user and, on the session's first page, the navigation's roles (2; the session comes
    # from the cache), plus the form's own four (profile, institutions, units, roles), the
    # menu's volunteer profile, and the word of its "My agreements" (agreements.terms.for_user,
    # then cached for a few minutes).
    with django_assert_num_queries(9):
        assert client.get(APPLY).status_code == 200


# --- Input limits


def test_application_is_refused_with_a_form_error_when_availability_is_one_mebibyte(client, data):
    data["availability"] = "x" * 1024 * 1024
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert errors_of(response, "availability") == [
        "Ensure this value has at most 2000 characters (it has 1048576)."
    ]
    assert_nothing_created()
    assert not Volunteer.objects.exists()
    assert 'maxlength="2000"' in response.content.decode()


def test_application_is_refused_when_phone_has_digits_of_another_script(client, data):
    data["phone"] = "+371 ٢٩١٢٣٤٥٦"
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert errors_of(response, "phone") == ["Enter a phone number, for example +371 20000000."]
    assert_nothing_created()


# --- The broker down


def test_application_is_received_and_the_coordinator_notified_once_later_when_the_broker_is_down(
    client, data, jelgava_coordinator, django_capture_on_commit_callbacks
):
    from datetime import timedelta
    from unittest import mock

    from kombu.exceptions import OperationalError

    from volunteers import services, tasks

    task = tasks.notify_coordinators_of_submission
    with (
        mock.patch.object(task, "apply_async", side_effect=OperationalError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(APPLY, data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:apply_done", args=[application.reference])
    assert not [m for m in mail.outbox if m.to == [jelgava_coordinator.email]]
    for _run in range(2):  # the sweeper, once the broker is back; a second run sends nothing
        with django_capture_on_commit_callbacks(execute=True):
            services.emails_requeue_unsent(now=timezone.now() + timedelta(minutes=11))
    notices = [m for m in mail.outbox if m.to == [jelgava_coordinator.email]]
    assert len(notices) == 1 and application.reference in notices[0].body


# --- The rules are the service's; the form shows them


@pytest.fixture
def form_checks_no_age(monkeypatch):
    """A form that checks nothing about age (as a future form or a stale page might): the
    service still refuses."""
    monkeypatch.setattr("volunteers.forms.public.eligibility_errors", lambda **kwargs: {})


def test_service_refusal_is_shown_on_the_guardian_fields_when_the_form_let_an_under_16_through(
    client, data, ievp, form_checks_no_age
):
    ievp.min_volunteer_age = 13
    ievp.save()
    data["personal_code"] = valid_code(years_ago(14))
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert errors_of(response, "guardian_name") == ["Needed for applicants under 16."]
    assert errors_of(response, "guardian_contact") == ["Needed for applicants under 16."]
    assert "written consent" in errors_of(response, "guardian_consent")[0]
    assert_input_kept(response, data)
    assert_nothing_created()


def test_service_age_refusal_is_shown_above_the_form_when_a_signed_in_volunteer_has_no_birth_date_field(
    client, data, signed_in_volunteer, ievp, vpd, vpd_department, vpd_mentor, form_checks_no_age
):
    vpd.min_volunteer_age = 60
    vpd.save()
    for name in ("first_name", "last_name", "email", "password1", "password2", "personal_code"):
        del data[name]
    data |= {"institution": "VPD", "preferred_units": [str(vpd_department.pk)], "roles": [str(vpd_mentor.pk)]}
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert "at least 60 years old" in " ".join(response.context["form"].non_field_errors())
    assert not Application.objects.filter(institution=vpd).exists()


def test_personal_code_of_another_account_is_refused_on_its_field_when_a_new_person_applies(
    client, data, olaine
):
    other = VolunteerFactory(personal_code=data["personal_code"], date_of_birth=years_ago(35))
    ApplicationFactory(volunteer=other, unit=olaine, status=Status.REJECTED)
    response = client.post(APPLY, {**data, "email": "cits.epasts@example.lv"})
    assert response.status_code == 200
    assert "belongs to another account" in errors_of(response, "personal_code")[0]
    assert Volunteer.objects.get() == other
    assert not User.objects.filter(email="cits.epasts@example.lv").exists()


def test_rate_limit_lets_one_through_when_two_submissions_are_checked_before_either_is_counted(
    client, data, settings, monkeypatch
):
    """A second request arrives while the first is being validated. The old check, then
    count, let both through; allauth's limiter takes the last place atomically."""
    from django.test import Client

    from volunteers.forms.public import ApplicationForm

    settings.ACCOUNT_RATE_LIMITS = {"tilts_apply": "1/1h/ip"}
    second = {**data, "email": "otra@example.lv", "personal_code": valid_code(years_ago(40))}
    real_is_valid = ApplicationForm.is_valid
    responses = []
    arrived = []

    def is_valid_while_another_arrives(form):
        if not arrived:
            arrived.append(True)
            other = Client()
            other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            responses.append(other.post(APPLY, second))
        return real_is_valid(form)

    monkeypatch.setattr(ApplicationForm, "is_valid", is_valid_while_another_arrives)
    first = client.post(APPLY, data)

    assert sorted([first.status_code, responses[0].status_code]) == [302, 429]
    assert Application.objects.count() == 1


def test_rate_limit_counts_each_client_behind_the_trusted_proxy_when_one_is_configured(
    client, data, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_apply": "1/1h/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client.post(APPLY, data, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 302
    second = {**data, "email": "otra@example.lv", "personal_code": valid_code(years_ago(40))}
    assert client.post(APPLY, second, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    third = {**data, "email": "tresa@example.lv", "personal_code": valid_code(years_ago(45))}
    assert client.post(APPLY, third, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302

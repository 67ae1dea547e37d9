"""Agreement pages: drafting (kept input, training and minor rules), generating with a
rendered PDF, the polling documents panel, retry, sending, signing (scan checked by
content), terminating, downloads (logged and scoped), the volunteer's own agreements,
the list and the central coordinators' texts."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import reverse
from django.utils import dateformat, timezone

from agreements import services
from agreements.models import Agreement, AgreementTemplate, Status
from documents import services as document_services
from documents.models import Document
from institutions.models import AuditEvent
from trainings.models import Completion, Course
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

from ..factories import ApplicationFactory, UserFactory, VolunteerFactory, document_row
from ..trainings import builders as training

TODAY = timezone.localdate
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english_pages(client):
    """These tests read the English source texts of messages; the Latvian catalogue is
    checked by tests/core/test_translations.py and the browser journeys."""
    client.cookies["tilts_language"] = "en"


def _url(name, *args, **kwargs):
    return reverse(f"agreements:{name}", args=args, kwargs=kwargs or None)


SPORTS_COURSE = "Sporta nodarbību vadītāju apmācība"


@pytest.fixture
def sports(ievp):
    """IeVP's sports role, which needs a completed course (SPORTS_COURSE) before an agreement."""
    role, _ = Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS, defaults={"order": 3})
    training.course(ievp, roles=[role], title=SPORTS_COURSE)
    return role


def _trained(application, role, completed_on=date(2026, 1, 20)):
    """The applicant completed every course the role needs, at the application's unit."""
    for course in role.required_courses.all():
        training.completion(application.volunteer, course, application.unit, completed_on=completed_on)
    return application


@pytest.fixture
def ievp_text(ievp):
    """IeVP's text for every role (the migration's, or one like it after a flush)."""
    template = AgreementTemplate.objects.filter(institution=ievp, role=None).order_by("-version").first()
    return template or AgreementTemplate.objects.create(
        institution=ievp,
        role=None,
        version=1,
        title="Līgums par brīvprātīgā darba veikšanu ieslodzījuma vietā",
        body="{{ institution }} un {{ volunteer_name }} vienojas.\n\nDarbs: {{ role }}, {{ place }}.",
    )


def _person(email, first_name, last_name, born=date(1990, 5, 17)):
    user = UserFactory(email=email, first_name=first_name, last_name=last_name)
    return VolunteerFactory(user=user, date_of_birth=born)


@pytest.fixture
def application(olaine, sports, ievp_text):
    application = ApplicationFactory(
        unit=olaine,
        volunteer=_person("peteris.olainietis@example.lv", "Pēteris", "Olainietis"),
        status=ApplicationStatus.AGREEMENT,
        roles=[sports],
        reference="T2026-00111",
    )
    return _trained(application, sports)


@pytest.fixture
def jelgava_application(jelgava, sports, ievp_text):
    application = ApplicationFactory(
        unit=jelgava,
        volunteer=_person("juris.jelgavnieks@example.lv", "Juris", "Jelgavnieks"),
        status=ApplicationStatus.AGREEMENT,
        roles=[sports],
        reference="T2026-00222",
    )
    return _trained(application, sports)


def _terms(role, **overrides):
    today = TODAY()
    data = {
        "role": role.pk,
        "place": "Olaines cietums, sporta zāle",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=364)).isoformat(),
        "hours_per_week": "4",
        "duties": "Vada volejbola nodarbības divreiz nedēļā",
        "notice_days": "3",
        "requested_in_writing": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _draft(application, actor, role, **overrides):
    today = TODAY()
    terms = {
        "role": role,
        "place": "Olaines cietums, sporta zāle",
        "start_date": today,
        "end_date": today + timedelta(days=364),
        "hours_per_week": 4,
        "duties": "Vada volejbola nodarbības",
        **overrides,
    }
    return services.agreement_create(actor=actor, application=application, **terms)


def _generated(application, actor, role, capture, **overrides):
    agreement = _draft(application, actor, role, **overrides)
    with capture(execute=True):
        services.agreement_generate(actor=actor, agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def _signed(agreement, actor, kind=PDF_BYTES, name="skenets.pdf"):
    return services.agreement_sign(
        actor=actor, agreement=agreement, scan=SimpleUploadedFile(name, kind), signed_on=TODAY()
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Drafting


def test_draft_is_saved_when_coordinator_submits_valid_terms(client, application, olaine_coordinator, sports):
    client.force_login(olaine_coordinator)
    response = client.post(_url("create", application_pk=application.pk), _terms(sports))
    agreement = Agreement.objects.get(application=application)
    assert response.status_code == 302
    assert response["Location"] == _url("detail", pk=agreement.pk)
    assert agreement.status == Status.DRAFT
    assert agreement.number is None
    assert agreement.unit == application.unit
    assert agreement.duties == "Vada volejbola nodarbības divreiz nedēļā"
    assert agreement.requested_in_writing is True
    page = client.get(response["Location"]).content.decode()
    assert "Olaines cietums, sporta zāle" in page
    assert _url("generate", pk=agreement.pk) in page


def test_drafting_form_is_prefilled_when_first_opened(client, application, olaine_coordinator, sports):
    client.force_login(olaine_coordinator)
    response = client.get(_url("create", application_pk=application.pk))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["role"] == sports  # the application's only role
    assert form.initial["place"] == "Olaines cietums"
    assert form.initial["start_date"] == TODAY()
    assert form.initial["notice_days"] == 3
    assert "Pēteris Olainietis" in response.content.decode()


def test_form_keeps_everything_typed_when_the_service_refuses_the_terms(
    client, application, olaine_coordinator, sports
):
    client.force_login(olaine_coordinator)
    data = _terms(
        sports,
        start_date="2026-09-01",
        end_date="2026-08-01",
        expenses_reimbursed="on",
        expenses_terms="",
        insurance_required="on",
        notice_days="2",
        place="Olaines cietums, bibliotēka",
        duties="Grāmatu klubs ceturtdienās",
    )
    response = client.post(_url("create", application_pk=application.pk), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"end_date", "expenses_terms", "insurance_policy", "notice_days"}
    assert "cannot end before it starts" in str(form.errors["end_date"])
    page = response.content.decode()
    assert 'value="Olaines cietums, bibliotēka"' in page
    assert "Grāmatu klubs ceturtdienās" in page
    assert 'value="2026-09-01"' in page
    assert re.search(r'<input(?=[^>]*name="expenses_reimbursed")(?=[^>]*checked)[^>]*>', page)
    assert not Agreement.objects.exists()


def test_role_field_says_training_is_missing_when_no_completion_is_recorded(
    client, application, olaine_coordinator, sports
):
    Completion.objects.filter(volunteer=application.volunteer).delete()
    client.force_login(olaine_coordinator)
    page = client.get(_url("create", application_pk=application.pk)).content.decode()
    assert "Sports (needs a completed training)" in page
    response = client.post(_url("create", application_pk=application.pk), _terms(sports))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["role"])
    assert "needs a valid completion of" in errors and SPORTS_COURSE in errors
    assert not Agreement.objects.exists()


def test_drafting_page_shows_the_completions_and_no_warning_when_the_volunteer_is_trained(
    client, application, olaine_coordinator, sports, ievp
):
    recurring = training.course(
        ievp, title="Bērnu tiesību aizsardzība", kind=Course.Kind.RECURRING, validity_months=24
    )
    training.completion(
        application.volunteer,
        recurring,
        application.unit,
        completed_on=date(2026, 3, 5),
        valid_until=date(2028, 3, 5),
    )
    client.force_login(olaine_coordinator)
    response = client.get(_url("create", application_pk=application.pk))
    assert response.status_code == 200
    assert response.context["missing_courses"] == []
    page = response.content.decode()
    training_panel = page[page.index('id="training-heading"') :]
    assert SPORTS_COURSE in training_panel and "Bērnu tiesību aizsardzība" in training_panel
    assert "20.01.2026" in training_panel  # completed on, j.m.Y
    assert "5.03.2026" in training_panel and "5.03.2028" in training_panel
    assert "No training is missing" in training_panel
    assert "Training missing for" not in page
    assert "needs a completed training" not in page


def test_drafting_page_warns_of_a_missing_course_when_the_recurring_completion_has_expired(
    client, application, olaine_coordinator, sports, ievp
):
    refresher = training.course(
        ievp,
        roles=[sports],
        title="Drošības instruktāža (atkārtota)",
        kind=Course.Kind.RECURRING,
        validity_months=12,
    )
    today = TODAY()
    training.completion(
        application.volunteer,
        refresher,
        application.unit,
        completed_on=today - timedelta(days=400),
        valid_until=today - timedelta(days=35),
    )
    client.force_login(olaine_coordinator)
    response = client.get(_url("create", application_pk=application.pk))
    assert response.context["missing_courses"] == [refresher]
    assert response.context["untrained_roles"] == [sports]
    page = response.content.decode()
    warning = page[page.index("Training missing for") :]
    warning = warning[: warning.index("</ul>")]
    assert "Sports" in warning and "Drošības instruktāža (atkārtota)" in warning
    assert SPORTS_COURSE not in warning  # completed and valid
    assert "expired" in page
    assert dateformat.format(today - timedelta(days=35), "j.m.Y") in page  # valid until

    response = client.post(_url("create", application_pk=application.pk), _terms(sports))
    assert response.status_code == 400
    assert "Drošības instruktāža (atkārtota)" in " ".join(response.context["form"].errors["role"])
    assert not Agreement.objects.exists()


def test_drafting_page_lists_only_the_completions_of_the_applications_institution(
    client, application, olaine_coordinator, vpd_department
):
    vpd_course = training.course(vpd_department.institution, title="VPD ievadapmācība")
    training.completion(application.volunteer, vpd_course, vpd_department)
    client.force_login(olaine_coordinator)
    page = client.get(_url("create", application_pk=application.pk)).content.decode()
    assert SPORTS_COURSE in page
    assert "VPD ievadapmācība" not in page


# The same with one completion or thirteen (on SQLite and PostgreSQL alike).
DRAFTING_QUERIES = 12


@pytest.mark.parametrize("courses", [0, 12])
def test_drafting_page_query_count_is_flat_when_the_volunteer_has_many_completions(
    client, application, olaine_coordinator, sports, ievp, courses, django_assert_num_queries
):
    for index in range(courses):
        course = training.course(ievp, roles=[sports], title=f"Kurss {index:02d}")
        training.completion(application.volunteer, course, application.unit)
    client.force_login(olaine_coordinator)
    url = _url("create", application_pk=application.pk)
    client.get(url)  # warm the session and content-type caches
    with django_assert_num_queries(DRAFTING_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["completions"]) == 1 + courses


def test_guardian_consent_is_required_when_the_volunteer_is_a_minor_on_the_start_date(
    client, olaine, olaine_coordinator, sports, ievp_text
):
    today = TODAY()
    seventeen = today.replace(year=today.year - 17) - timedelta(days=10)
    application = ApplicationFactory(
        unit=olaine,
        volunteer=_person("liene.jauna@example.lv", "Liene", "Jaunā", born=seventeen),
        status=ApplicationStatus.AGREEMENT,
        roles=[sports],
    )
    _trained(application, sports, completed_on=today)
    client.force_login(olaine_coordinator)
    page = client.get(_url("create", application_pk=application.pk))
    assert page.context["minor"] is True
    assert "required for a minor" in page.content.decode()

    response = client.post(_url("create", application_pk=application.pk), _terms(sports))
    assert response.status_code == 400
    assert "legal representative" in " ".join(response.context["form"].errors["guardian_consent"])

    response = client.post(
        _url("create", application_pk=application.pk),
        _terms(sports, guardian_name="Ilze Jaunā", guardian_consent="on"),
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(application=application)
    assert agreement.is_minor and agreement.guardian_consent and agreement.guardian_name == "Ilze Jaunā"


def test_guardian_is_not_needed_when_the_volunteer_comes_of_age_before_the_start(
    client, olaine, olaine_coordinator, sports, ievp_text
):
    today = TODAY()
    application = ApplicationFactory(
        unit=olaine,
        volunteer=_person(
            "karlis.drizpilngadigs@example.lv", "Kārlis", "Drīz", born=date(today.year - 18, 1, 1)
        ),
        status=ApplicationStatus.AGREEMENT,
        roles=[sports],
    )
    _trained(application, sports, completed_on=today)
    start = date(today.year + 1, 1, 2)
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("create", application_pk=application.pk),
        _terms(sports, start_date=start.isoformat(), end_date=(start + timedelta(days=200)).isoformat()),
    )
    assert response.status_code == 302
    assert Agreement.objects.get(application=application).is_minor is False


@pytest.mark.parametrize("who", ["jelgava_coordinator", "ministry", "vpd_central"])
def test_drafting_page_is_404_when_the_person_does_not_coordinate_the_unit(client, application, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("create", application_pk=application.pk)).status_code == 404
    assert client.post(_url("create", application_pk=application.pk), {}).status_code == 404


def test_renewal_is_prefilled_from_the_old_agreement_when_renew_is_given(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    old = _generated(
        application,
        olaine_coordinator,
        sports,
        django_capture_on_commit_callbacks,
        start_date=TODAY() - timedelta(days=300),
        end_date=TODAY() + timedelta(days=20),
        place="Olaines cietums, slimnīca",
        expenses_reimbursed=True,
        expenses_terms="Ceļa izdevumi līdz 30 EUR mēnesī",
    )
    _signed(old, olaine_coordinator)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACTIVE
    client.force_login(olaine_coordinator)

    detail = client.get(_url("detail", pk=old.pk)).content.decode()
    renew_url = _url("create", application_pk=application.pk) + f"?renew={old.pk}"
    assert renew_url in detail

    page = client.get(renew_url)
    initial = page.context["form"].initial
    assert initial["place"] == "Olaines cietums, slimnīca"
    assert initial["expenses_terms"] == "Ceļa izdevumi līdz 30 EUR mēnesī"
    assert initial["start_date"] == old.end_date + timedelta(days=1)

    start = old.end_date + timedelta(days=1)
    response = client.post(
        renew_url,
        _terms(
            sports,
            place="Olaines cietums, slimnīca",
            start_date=start.isoformat(),
            end_date=(start + timedelta(days=365)).isoformat(),
        ),
    )
    assert response.status_code == 302
    renewal = Agreement.objects.exclude(pk=old.pk).get()
    assert renewal.renewal_of == old
    assert renewal.status == Status.DRAFT


def test_renewal_of_another_applications_agreement_is_404_when_forged(
    client, application, jelgava_application, olaine_coordinator, ievp_central, sports
):
    other = _draft(jelgava_application, ievp_central, sports)
    client.force_login(olaine_coordinator)
    assert client.get(_url("create", application_pk=application.pk) + f"?renew={other.pk}").status_code == 404


def test_application_detail_offers_drafting_when_the_application_is_in_the_agreement_step(
    client, application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("volunteers:application_detail", args=[application.pk])).content.decode()
    assert _url("create", application_pk=application.pk) in page
    application.status = ApplicationStatus.VETTING
    application.save()
    page = client.get(reverse("volunteers:application_detail", args=[application.pk])).content.decode()
    assert _url("create", application_pk=application.pk) not in page


def test_edit_changes_the_draft_when_it_is_still_a_draft(client, application, olaine_coordinator, sports):
    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(olaine_coordinator)
    assert client.get(_url("edit", pk=agreement.pk)).context["form"].initial["place"] == agreement.place
    response = client.post(_url("edit", pk=agreement.pk), _terms(sports, hours_per_week="6.5"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert str(agreement.hours_per_week) == "6.5"


def test_edit_sends_back_to_the_detail_when_the_agreement_was_generated(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    response = client.post(_url("edit", pk=agreement.pk), _terms(sports, hours_per_week="9"))
    assert response.status_code == 302
    assert response["Location"] == _url("detail", pk=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.hours_per_week == 4


# --- Generating and the documents panel


def test_generate_numbers_the_agreement_and_renders_its_pdf_when_the_transaction_commits(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(olaine_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("generate", pk=agreement.pk))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.number == f"IEVP-{TODAY().year}-0001"
    assert agreement.status == Status.GENERATED
    document = agreement.documents.get()
    assert document.state == Document.State.DONE
    assert document.file.read(5) == b"%PDF-"
    page = client.get(_url("detail", pk=agreement.pk)).content.decode()
    assert agreement.number in page
    assert reverse("documents:download", args=[document.pk]) in page
    assert 'hx-trigger="every 2s"' not in page


def test_documents_panel_polls_while_the_pdf_is_queued_and_stops_when_it_is_done(
    client, application, olaine_coordinator, sports
):
    from documents.tasks import document_render

    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(olaine_coordinator)
    client.post(_url("generate", pk=agreement.pk))  # on_commit not run: the document stays queued
    document = Document.objects.get(agreement=agreement)
    assert document.state == Document.State.QUEUED

    page = client.get(_url("detail", pk=agreement.pk)).content.decode()
    status_url = reverse("documents:fragment", args=[document.pk])
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page

    partial = client.get(status_url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'hx-trigger="every 2s"' in partial.content.decode()
    assert 'aria-busy="true"' in partial.content.decode()
    assert "<html" not in partial.content.decode()

    document_render.delay(document.pk)
    partial = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
    assert reverse("documents:download", args=[document.pk]) in partial
    assert document.code_display in partial


def test_failed_document_shows_its_error_and_renders_again_when_retried(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(olaine_coordinator)
    client.post(_url("generate", pk=agreement.pk))
    document = Document.objects.get(agreement=agreement)
    document_services.document_failed(document_id=document.pk, error="OSError: cannot load font", final=True)

    page = client.get(_url("detail", pk=agreement.pk)).content.decode()
    retry_url = reverse("documents:retry", args=[document.pk])
    assert "OSError: cannot load font" in page
    assert retry_url in page
    assert 'hx-trigger="every 2s"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == Document.State.DONE
    assert document.error == ""
    assert AuditEvent.objects.filter(action="document.retry", target_id=str(agreement.pk)).exists()


def test_retry_is_refused_with_a_message_when_the_document_did_not_fail(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    document = agreement.documents.get()
    response = client.post(reverse("documents:retry", args=[document.pk]), follow=True)
    assert "Only a failed document can be retried." in response.content.decode()


# --- Sending, signing, terminating


def test_mark_sent_moves_a_generated_agreement_on_when_clicked(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    response = client.post(_url("send", pk=agreement.pk))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Status.SENT and agreement.sent_at is not None
    again = client.post(_url("send", pk=agreement.pk), follow=True)
    assert "Only a generated agreement can be sent." in again.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "suffix"),
    [
        (PDF_BYTES, "skenets.pdf", "pdf"),
        (JPEG_BYTES, "foto.jpeg", "jpg"),
        (PNG_BYTES, "bez-paplasinajuma", "png"),
    ],
)
def test_signed_scan_is_accepted_when_its_content_is_pdf_jpeg_or_png(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks, content, name, suffix
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("sign", pk=agreement.pk),
        {"scan": SimpleUploadedFile(name, content), "signed_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE  # the start date is today
    assert agreement.signed_on == TODAY()
    assert agreement.signed_scan.name.endswith(f".{suffix}")


def test_signed_scan_is_refused_when_a_pdf_is_really_text(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("sign", pk=agreement.pk),
        {"scan": SimpleUploadedFile("ligums.pdf", b"Parakstits, ticiet man."), "signed_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "PDF, JPEG or PNG" in " ".join(response.context["sign_form"].errors["scan"])
    assert 'value="2026-01-01"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Status.GENERATED and not agreement.signed_scan


def test_signed_scan_is_refused_when_it_is_too_large(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    big = SimpleUploadedFile("liels.pdf", b"%PDF-1.4\n" + b"0" * services.SCAN_MAX_BYTES)
    response = client.post(_url("sign", pk=agreement.pk), {"scan": big, "signed_on": TODAY().isoformat()})
    assert response.status_code == 400
    assert "larger than" in " ".join(response.context["sign_form"].errors["scan"])
    agreement.refresh_from_db()
    assert agreement.status == Status.GENERATED


def test_signing_date_error_lands_on_its_field_when_it_is_in_the_future(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    response = client.post(
        _url("sign", pk=agreement.pk), {"scan": SimpleUploadedFile("s.pdf", PDF_BYTES), "signed_on": tomorrow}
    )
    assert response.status_code == 400
    assert "future" in " ".join(response.context["sign_form"].errors["signed_on"])


def test_termination_with_short_notice_is_refused_unless_both_parties_agreed(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    _signed(agreement, olaine_coordinator)
    client.force_login(olaine_coordinator)
    today = TODAY()
    data = {
        "terminated_by": "volunteer",
        "notice_date": today.isoformat(),
        "ended_on": (today + timedelta(days=1)).isoformat(),
        "reason": "Pārceļas uz Liepāju",
    }
    response = client.post(_url("terminate", pk=agreement.pk), data)
    assert response.status_code == 400
    assert "notice period is 3 days" in " ".join(response.context["terminate_form"].errors["ended_on"])
    assert "Pārceļas uz Liepāju" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE

    response = client.post(_url("terminate", pk=agreement.pk), {**data, "short_notice_agreed": "on"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED
    assert agreement.end_kind == Agreement.EndKind.TERMINATED
    assert agreement.short_notice_agreed is True
    assert agreement.terminated_by == "volunteer"
    page = client.get(_url("detail", pk=agreement.pk)).content.decode()
    assert "Pārceļas uz Liepāju" in page


def test_termination_with_enough_notice_ends_the_agreement_when_submitted(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    _signed(agreement, olaine_coordinator)
    client.force_login(olaine_coordinator)
    today = TODAY()
    response = client.post(
        _url("terminate", pk=agreement.pk),
        {
            "terminated_by": "organisation",
            "notice_date": today.isoformat(),
            "ended_on": (today + timedelta(days=3)).isoformat(),
            "reason": "Nodarbības pārtrauktas",
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED and agreement.short_notice_agreed is False


# --- Downloads, scoping and roles


def test_downloads_are_logged_when_a_coordinator_takes_the_pdf_and_the_scan(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    _signed(agreement, olaine_coordinator, kind=PNG_BYTES, name="scan.png")
    client.force_login(olaine_coordinator)

    pdf = client.get(_url("document_download", pk=agreement.pk, version=1))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"] and agreement.number in pdf["Content-Disposition"]
    assert _body(pdf).startswith(b"%PDF-")

    scan = client.get(_url("scan_download", pk=agreement.pk))
    assert scan.status_code == 200
    assert scan["Content-Type"] == "image/png"
    assert _body(scan) == PNG_BYTES

    logged = AuditEvent.objects.filter(action="agreement.download", target_id=str(agreement.pk))
    assert sorted(event.data["file"] for event in logged) == ["pdf:v1", "signed"]
    assert {event.actor for event in logged} == {olaine_coordinator}


def test_downloads_are_404_when_the_file_is_missing(
    client, application, olaine_coordinator, sports, django_capture_on_commit_callbacks
):
    agreement = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    client.force_login(olaine_coordinator)
    assert client.get(_url("document_download", pk=agreement.pk, version=2)).status_code == 404
    assert client.get(_url("scan_download", pk=agreement.pk)).status_code == 404
    agreement.documents.get().file.delete(save=False)
    assert client.get(_url("document_download", pk=agreement.pk, version=1)).status_code == 404
    assert not AuditEvent.objects.filter(action="agreement.download").exists()


def test_olaine_coordinator_never_gets_a_jelgava_agreement_or_its_files(
    client,
    jelgava_application,
    olaine_coordinator,
    jelgava_coordinator,
    sports,
    django_capture_on_commit_callbacks,
):
    agreement = _generated(
        jelgava_application, jelgava_coordinator, sports, django_capture_on_commit_callbacks
    )
    _signed(agreement, jelgava_coordinator)
    client.force_login(olaine_coordinator)
    for url in [
        _url("detail", pk=agreement.pk),
        reverse("documents:fragment", args=[agreement.documents.get().pk]),
        reverse("documents:download", args=[agreement.documents.get().pk]),
        _url("document_download", pk=agreement.pk, version=1),
        _url("scan_download", pk=agreement.pk),
        _url("edit", pk=agreement.pk),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        _url("send", pk=agreement.pk),
        _url("terminate", pk=agreement.pk),
        reverse("documents:retry", args=[agreement.documents.get().pk]),
    ]:
        assert client.post(url).status_code == 404, url
    listing = client.get(_url("list")).content.decode()
    assert agreement.number not in listing and "Jelgavnieks" not in listing
    assert client.get(_url("list"), {"q": agreement.number}).context["page"].paginator.count == 0
    assert not AuditEvent.objects.filter(action="agreement.download").exists()


def test_ministry_reads_an_agreement_without_buttons_and_its_posts_are_404(
    client, application, olaine_coordinator, ministry, sports
):
    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(ministry)
    page = client.get(_url("detail", pk=agreement.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert _url("generate", pk=agreement.pk) not in body
    assert _url("edit", pk=agreement.pk) not in body
    assert client.post(_url("generate", pk=agreement.pk)).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == Status.DRAFT


def test_volunteer_downloads_only_their_own_agreement(
    client,
    application,
    jelgava_application,
    olaine_coordinator,
    jelgava_coordinator,
    sports,
    django_capture_on_commit_callbacks,
):
    own = _generated(application, olaine_coordinator, sports, django_capture_on_commit_callbacks)
    _signed(own, olaine_coordinator)
    other = _generated(jelgava_application, jelgava_coordinator, sports, django_capture_on_commit_callbacks)
    _signed(other, jelgava_coordinator)
    person = application.volunteer.user
    client.force_login(person)

    page = client.get(_url("my_agreements")).content.decode()
    assert own.number in page and other.number not in page
    assert _url("my_agreement_pdf", pk=own.pk) in page
    assert _url("my_agreement_signed", pk=own.pk) in page

    pdf = client.get(_url("my_agreement_pdf", pk=own.pk))
    assert pdf.status_code == 200 and _body(pdf).startswith(b"%PDF-")
    signed = client.get(_url("my_agreement_signed", pk=own.pk))
    assert signed.status_code == 200 and _body(signed) == PDF_BYTES
    assert client.get(_url("my_agreement_pdf", pk=other.pk)).status_code == 404
    assert client.get(_url("my_agreement_signed", pk=other.pk)).status_code == 404
    assert client.get(_url("detail", pk=own.pk)).status_code == 404
    logged = AuditEvent.objects.filter(action="agreement.download", actor=person)
    assert logged.count() == 2 and {event.target_id for event in logged} == {str(own.pk)}


def test_volunteer_does_not_see_drafts_when_the_coordinator_is_still_drafting(
    client, application, olaine_coordinator, sports
):
    draft = _draft(application, olaine_coordinator, sports)
    client.force_login(application.volunteer.user)
    response = client.get(_url("my_agreements"))
    assert response.status_code == 200
    assert "No agreements yet" in response.content.decode()
    assert client.get(_url("my_agreement_pdf", pk=draft.pk)).status_code == 404


def test_my_agreements_shows_an_empty_state_when_the_person_has_no_volunteer_profile(
    client, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    response = client.get(_url("my_agreements"))
    assert response.status_code == 200
    assert response.context["volunteer"] is None


# --- The list


def _bulk(application, actor, role, count, **fields):
    template = AgreementTemplate.objects.filter(institution=application.institution).first()
    start = fields.pop("start_date", TODAY() - timedelta(days=10))
    last = Agreement.objects.aggregate(last=Max("pk"))["last"] or 0
    agreements = [
        Agreement(
            institution=application.institution,
            unit=application.unit,
            application=application,
            volunteer=application.volunteer,
            role=role,
            template=template,
            number=f"IEVP-2026-{last + index + 1:04d}",
            status=fields.get("status", Status.ACTIVE),
            place="Olaines cietums",
            start_date=start,
            end_date=fields.get("end_date", TODAY() + timedelta(days=200)),
            hours_per_week=4,
            duties="Sports",
            created_by=actor,
        )
        for index in range(count)
    ]
    created = Agreement.objects.bulk_create(agreements)
    for agreement in created:
        document = document_row(agreement, save=False, state=Document.State.DONE, size=10)
        document.file.save(f"{agreement.number}.pdf", ContentFile(PDF_BYTES), save=False)
        document.save()
    return created


# The same for 6 agreements and for 66 (a page of 25), on SQLite and PostgreSQL alike.
# The page's count comes from the tab counts (one aggregate query), not a COUNT of its own.
LIST_QUERIES = 6


@pytest.mark.parametrize("per_unit", [3, 33])
def test_list_query_count_is_flat_when_there_are_many_agreements(
    client, application, jelgava_application, ievp_central, sports, per_unit, django_assert_num_queries
):
    client.force_login(ievp_central)
    url = _url("list")
    client.get(url)  # the session's first request records it
    _bulk(application, ievp_central, sports, per_unit)
    _bulk(jelgava_application, ievp_central, sports, per_unit)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert response.context["page"].paginator.count == 2 * per_unit
    assert len(response.context["page"].object_list) == min(2 * per_unit, 25)


def test_list_filters_by_status_search_unit_and_ending_soon(
    client, application, jelgava_application, ievp_central, sports
):
    soon = _bulk(application, ievp_central, sports, 2, end_date=TODAY() + timedelta(days=12))
    later = _bulk(jelgava_application, ievp_central, sports, 3)
    draft = _bulk(application, ievp_central, sports, 1, status=Status.DRAFT)[0]
    client.force_login(ievp_central)

    response = client.get(_url("list"))
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs[""] == 6 and tabs["active"] == 5 and tabs["draft"] == 1

    ending = client.get(_url("list"), {"ending": "on"}).context["page"].object_list
    assert {a.pk for a in ending} == {a.pk for a in soon}
    assert "ends in 12 days" in client.get(_url("list"), {"ending": "on"}).content.decode()

    by_status = client.get(_url("list"), {"status": "draft"}).context["page"].object_list
    assert [a.pk for a in by_status] == [draft.pk]

    by_unit = client.get(_url("list"), {"unit": "jelgavas-cietums"}).context["page"].object_list
    assert {a.pk for a in by_unit} == {a.pk for a in later}

    by_name = client.get(_url("list"), {"q": "Jelgavnieks"}).context["page"].paginator.count
    by_number = client.get(_url("list"), {"q": soon[0].number}).context["page"].object_list
    assert by_name == 3
    assert [a.pk for a in by_number] == [soon[0].pk]


def test_list_is_404_when_the_person_has_no_staff_role(client, application):
    client.force_login(application.volunteer.user)
    assert client.get(_url("list")).status_code == 404


# --- Agreement texts


def test_central_coordinator_saves_a_new_version_and_older_agreements_keep_theirs(
    client, application, olaine_coordinator, ievp_central, ievp, sports, ievp_text
):
    agreement = _draft(application, olaine_coordinator, sports)
    client.force_login(ievp_central)
    page = client.get(_url("template_new"))
    assert page.status_code == 200
    assert page.context["form"].initial["body"] == ievp_text.body
    assert "{{ volunteer_name }}" in page.content.decode()  # the list of placeholders

    response = client.post(
        _url("template_new"),
        {
            "institution": ievp.pk,
            "role": sports.pk,
            "title": "Sporta brīvprātīgā līgums",
            "body": "{{ volunteer_name }} vada sporta nodarbības ({{ place }}).",
        },
    )
    new = AgreementTemplate.objects.get(title="Sporta brīvprātīgā līgums")
    assert response.status_code == 302
    assert response["Location"] == _url("template_detail", pk=new.pk)
    assert new.version == 1 and new.role == sports
    agreement.refresh_from_db()
    assert agreement.template == ievp_text

    listing = client.get(_url("templates")).content.decode()
    assert "Sporta brīvprātīgā līgums" in listing and ievp_text.title in listing
    old = client.get(_url("template_detail", pk=ievp_text.pk))
    assert old.status_code == 200 and old.context["is_current"] is True
    assert b'method="post"' not in old.content.split(b"<main", 1)[1].split(b"</main>")[0]


def test_template_form_keeps_the_text_when_it_has_a_template_error_or_unknown_placeholder(
    client, ievp_central, ievp, ievp_text
):
    client.force_login(ievp_central)
    data = {"institution": ievp.pk, "title": "Kļūdains", "body": "Sveiki, {{ volunter_name }} {% if %}"}
    response = client.post(_url("template_new"), data)
    assert response.status_code == 400
    assert "template error" in " ".join(response.context["form"].errors["body"])
    response = client.post(_url("template_new"), {**data, "body": "Sveiki, {{ volunter_name }}!"})
    assert response.status_code == 400
    assert "{{ volunter_name }}" in " ".join(response.context["form"].errors["body"])
    assert "Sveiki, {{ volunter_name }}!" in response.content.decode()
    assert not AgreementTemplate.objects.filter(title="Kļūdains").exists()


def test_template_preview_renders_example_values_without_saving(client, ievp_central, ievp, ievp_text):
    client.force_login(ievp_central)
    versions = AgreementTemplate.objects.count()
    response = client.post(
        _url("template_new"),
        {
            "institution": ievp.pk,
            "title": "Priekšskatījums",
            "body": "{{ volunteer_name }} strādā: {{ place }}.\n\nOtrā rindkopa.",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert response.context["preview"] == [
        "Anna Paraugs strādā: Olaines cietums, sporta zāle.",
        "Otrā rindkopa.",
    ]
    assert AgreementTemplate.objects.count() == versions


def test_vpd_central_coordinator_cannot_see_or_write_ieVP_texts(client, vpd_central, ievp, ievp_text, vpd):
    client.force_login(vpd_central)
    assert client.get(_url("template_detail", pk=ievp_text.pk)).status_code == 404
    assert ievp_text.title not in client.get(_url("templates")).content.decode()
    response = client.post(_url("template_new"), {"institution": ievp.pk, "title": "X", "body": "Y"})
    assert response.status_code == 400
    assert "institution" in response.context["form"].errors
    assert not AgreementTemplate.objects.filter(title="X").exists()


@pytest.mark.parametrize("who", ["olaine_coordinator", "ministry"])
def test_template_pages_are_404_when_the_person_is_not_a_central_coordinator(client, who, request, ievp_text):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("templates")).status_code == 404
    assert client.get(_url("template_new")).status_code == 404
    assert client.get(_url("template_detail", pk=ievp_text.pk)).status_code == 404

"""The coordinators' pipeline: inbox, detail, transitions, notes, vetting, reassignment,
CV, export — and that nobody sees another unit's applications by any road."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from institutions.models import AuditEvent
from volunteers import services, transitions
from volunteers.models import (
    ApplicationEvent,
    Assessment,
    Role,
    Status,
    VettingRecord,
)

from ..factories import ApplicationFactory, UserFactory, VolunteerFactory


def _url(name, application, **kwargs):
    return reverse(f"volunteers:{name}", kwargs={"pk": application.pk, **kwargs})


def _person(email, first_name="Anna", last_name="Bērziņa", language="lv", **volunteer):
    user = UserFactory(email=email, first_name=first_name, last_name=last_name, language=language)
    return VolunteerFactory(user=user, **volunteer)


def _cleared(application, by, valid_until=None):
    return VettingRecord.objects.create(
        application=application,
        requested_on=date.today() - timedelta(days=20),
        result_on=date.today() - timedelta(days=5),
        result=VettingRecord.Result.CLEARED,
        valid_until=valid_until,
        checked_by=by,
    )


def _transition(client, application, to, reason="", notify=False):
    data = {"transition-to": to, "transition-reason": reason}
    if notify:
        data["transition-notify"] = "on"
    return client.post(_url("application_transition", application), data)


@pytest.fixture
def olaine_application(olaine):
    return ApplicationFactory(
        unit=olaine,
        volunteer=_person("marta.kalna@example.lv", "Marta", "Kalna", phone="+371 26111222"),
        reference="T2026-00101",
    )


@pytest.fixture
def jelgava_application(jelgava):
    return ApplicationFactory(
        unit=jelgava,
        volunteer=_person("juris.jelgavnieks@example.lv", "Juris", "Jelgavnieks", phone="+371 26333444"),
        reference="T2026-00202",
    )


@pytest.fixture
def vpd_application(vpd_department):
    return ApplicationFactory(
        unit=vpd_department,
        volunteer=_person("vita.probacija@example.lv", "Vita", "Probācija"),
        reference="T2026-00303",
    )


# --- Transitions


@pytest.mark.parametrize("start", Status.values)
def test_service_allows_exactly_the_table_when_moving_from_each_status(start, olaine, olaine_coordinator):
    for target in Status.values:
        application = ApplicationFactory(unit=olaine, status=start)
        _cleared(application, olaine_coordinator)
        if target in transitions.ALLOWED[start]:
            services.application_transition(
                application_id=application.pk, to=target, actor=olaine_coordinator, reason="Pamatojums"
            )
            application.refresh_from_db()
            assert application.status == target
        else:
            with pytest.raises(transitions.TransitionError):
                services.application_transition(
                    application_id=application.pk, to=target, actor=olaine_coordinator, reason="Pamatojums"
                )
            application.refresh_from_db()
            assert application.status == start


def test_coordinator_moves_an_application_through_the_whole_pipeline_when_each_step_is_valid(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    steps = [
        (Status.SCREENING, ""),
        (Status.VETTING, ""),
        (Status.TRAINING, ""),
        (Status.AGREEMENT, ""),
        (Status.ACTIVE, ""),
        (Status.PAUSED, "Studiju dēļ līdz rudenim"),
        (Status.ACTIVE, ""),
        (Status.ENDED, "Pārcēlās uz citu pilsētu"),
    ]
    for to, reason in steps:
        if to == Status.TRAINING:
            _cleared(olaine_application, olaine_coordinator)
        response = _transition(client, olaine_application, to, reason)
        assert response.status_code == 302, (to, response.content.decode()[:500])
        olaine_application.refresh_from_db()
        assert olaine_application.status == to
    events = list(olaine_application.events.filter(kind=ApplicationEvent.Kind.TRANSITION).order_by("pk"))
    assert [(e.from_status, e.to_status) for e in events][:2] == [
        ("submitted", "screening"),
        ("screening", "vetting"),
    ]
    assert all(e.actor == olaine_coordinator for e in events)
    assert events[5].reason == "Studiju dēļ līdz rudenim"
    assert (
        AuditEvent.objects.filter(
            action="application.transition", target_id=str(olaine_application.pk)
        ).count()
        == 8
    )
    client.cookies["tilts_language"] = "en"  # the assertions below read the English source texts
    body = client.get(_url("application_detail", olaine_application)).content.decode()
    assert "Pārcēlās uz citu pilsētu" in body  # who, when and why are on the page
    assert "This application is closed" in body or "no further steps" in body


def test_invalid_transition_is_refused_with_a_message_when_skipping_steps(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = _transition(client, olaine_application, Status.ACTIVE, reason="Mans ieraksts paliek")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Cannot move from" in body
    assert "Mans ieraksts paliek" in body  # nothing typed is lost
    olaine_application.refresh_from_db()
    assert olaine_application.status == Status.SUBMITTED
    assert not olaine_application.events.filter(kind=ApplicationEvent.Kind.TRANSITION).exists()


def test_reject_needs_a_reason_when_the_reason_is_empty(client, olaine_application, olaine_coordinator):
    client.force_login(olaine_coordinator)
    response = _transition(client, olaine_application, Status.REJECTED)
    assert response.status_code == 400
    assert response.context["transition_form"].errors["reason"]
    olaine_application.refresh_from_db()
    assert olaine_application.status == Status.SUBMITTED
    response = _transition(client, olaine_application, Status.REJECTED, reason="Nepietiekama motivācija")
    assert response.status_code == 302
    event = olaine_application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert (event.to_status, event.reason) == (Status.REJECTED, "Nepietiekama motivācija")


def test_reject_needs_a_reason_when_called_as_a_service(olaine_application, olaine_coordinator):
    with pytest.raises(transitions.TransitionError):
        services.application_transition(
            application_id=olaine_application.pk, to=Status.REJECTED, actor=olaine_coordinator, reason="  "
        )


@pytest.mark.parametrize(
    ("record", "refusal"),
    [
        (None, "No criminal-record check recorded."),
        ({"result": "pending", "result_on": None}, "Criminal-record check result not recorded yet."),
        (
            {"result": "not_cleared", "result_on": date(2026, 1, 10)},
            "The criminal-record check did not clear the applicant.",
        ),
        (
            {"result": "cleared", "result_on": date(2024, 1, 10), "valid_until": date(2025, 1, 10)},
            "The criminal-record check expired on 10.01.2025.",
        ),
        ({"result": "cleared", "result_on": date(2026, 1, 10), "valid_until": None}, None),
    ],
)
def test_training_needs_a_valid_cleared_check_when_leaving_vetting(
    client, olaine, olaine_coordinator, record, refusal
):
    allowed = refusal is None
    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    if record is not None:
        VettingRecord.objects.create(
            application=application, requested_on=date(2024, 1, 1), checked_by=olaine_coordinator, **record
        )
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = _transition(client, application, Status.TRAINING)
    application.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert application.status == Status.TRAINING
    else:
        assert response.status_code == 400
        assert refusal in response.content.decode()
        assert application.status == Status.VETTING


def test_applicant_is_emailed_in_their_language_when_notify_is_on(
    client, olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        unit=olaine, volunteer=_person("emily.smith@example.com", "Emily", "Smith", language="en")
    )
    client.force_login(olaine_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(client, application, Status.SCREENING, notify=True)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["emily.smith@example.com"]
    assert message.subject == f"Your application {application.reference}: Screening"
    assert "interview" in message.body
    event = application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert event.emailed_at is not None


def test_applicant_gets_no_email_when_notify_is_off(
    client, olaine_application, olaine_coordinator, django_capture_on_commit_callbacks
):
    client.force_login(olaine_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(client, olaine_application, Status.SCREENING, notify=False)
    assert response.status_code == 302
    assert mail.outbox == []


def test_transition_form_offers_only_allowed_steps_when_the_detail_is_shown(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    form = client.get(_url("application_detail", olaine_application)).context["transition_form"]
    offered = [value for value, _label in form.fields["to"].widget.choices if value]
    assert offered == [Status.SCREENING, Status.REJECTED, Status.WITHDRAWN]
    assert form.fields["notify"].initial is True


# --- Detail page


def test_detail_shows_the_person_with_a_masked_personal_code_when_a_coordinator_opens_it(
    client, olaine, olaine_coordinator
):
    application = ApplicationFactory(
        unit=olaine,
        volunteer=_person("karlis.ozols@example.lv", "Kārlis", "Ozols", personal_code="010190-10004"),
        motivation="Gribu vadīt šaha pulciņu.",
    )
    sports = Role.objects.get(institution=olaine.institution, code="sports")
    application.roles.set([sports])
    application.preferred_units.set([olaine])
    client.force_login(olaine_coordinator)
    response = client.get(_url("application_detail", application))
    body = response.content.decode()
    assert "Kārlis Ozols" in body
    assert "01****-*****" in body
    assert "010190-10004" not in body
    assert "Gribu vadīt šaha pulciņu." in body
    assert response.context["detail"].roles == [sports]
    assert response.context["detail"].preferred_units == [olaine]


def test_ministry_reads_the_detail_without_forms_notes_or_vetting_when_signed_in(
    client, olaine_application, olaine_coordinator, ministry
):
    services.assessment_add(application=olaine_application, actor=olaine_coordinator, notes="Slepena piezīme")
    _cleared(olaine_application, olaine_coordinator)
    client.force_login(ministry)
    response = client.get(_url("application_detail", olaine_application))
    body = response.content.decode()
    assert response.status_code == 200
    assert "+371 26111222" in body
    assert "Slepena piezīme" not in body
    for name in ("application_transition", "application_note", "application_reassign", "application_vetting"):
        assert _url(name, olaine_application) not in body, name
    assert "transition_form" not in response.context
    assert _transition(client, olaine_application, Status.SCREENING).status_code == 404


# --- Interview notes


def test_notes_are_visible_only_to_the_units_coordinators_when_added(
    client, olaine_application, olaine_coordinator, ievp_central, jelgava_coordinator, ministry
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_note", olaine_application),
        {
            "note-interviewed_on": "2026-03-04",
            "note-notes": "Pieredze darbā ar jauniešiem.",
            "note-motivation_score": "5",
            "note-communication_score": "4",
            "note-reliability_score": "4",
            "note-recommendation": "recommend",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(application=olaine_application)
    assert assessment.author == olaine_coordinator
    assert (assessment.motivation_score, assessment.average_score) == (5, 4.3)
    assert AuditEvent.objects.filter(action="application.note", unit=olaine_application.unit).exists()
    for reader in (olaine_coordinator, ievp_central):
        client.force_login(reader)
        assert (
            "Pieredze darbā ar jauniešiem."
            in client.get(_url("application_detail", olaine_application)).content.decode()
        )
    client.force_login(ministry)
    assert (
        "Pieredze darbā ar jauniešiem."
        not in client.get(_url("application_detail", olaine_application)).content.decode()
    )
    client.force_login(jelgava_coordinator)
    assert client.get(_url("application_detail", olaine_application)).status_code == 404
    assert client.post(_url("application_note", olaine_application), {"note-notes": "x"}).status_code == 404


def test_note_form_keeps_the_text_when_a_score_is_out_of_range(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_note", olaine_application),
        {"note-notes": "Teksts, kas nepazūd", "note-motivation_score": "7"},
    )
    assert response.status_code == 400
    assert response.context["note_form"].errors["motivation_score"]
    assert "Teksts, kas nepazūd" in response.content.decode()
    assert not Assessment.objects.exists()


# --- Vetting


def test_viewing_the_vetting_result_writes_an_audit_entry_when_the_page_is_opened(
    client, olaine_application, olaine_coordinator
):
    _cleared(olaine_application, olaine_coordinator)
    client.force_login(olaine_coordinator)
    detail = client.get(_url("application_detail", olaine_application)).content.decode()
    with translation.override("lv"):
        cleared_lv = str(VettingRecord.Result.CLEARED.label)
    assert "Cleared" not in detail and cleared_lv not in detail  # the detail shows no result
    assert not AuditEvent.objects.filter(action="vetting.view").exists()
    for expected in (1, 2):
        response = client.get(_url("application_vetting", olaine_application))
        assert response.status_code == 200
        assert (
            AuditEvent.objects.filter(
                action="vetting.view", actor=olaine_coordinator, target_id=str(olaine_application.pk)
            ).count()
            == expected
        )
    body = response.content.decode()
    assert 'type="file"' not in body and "enctype" not in body  # never an upload


def test_coordinator_records_and_updates_a_check_when_the_form_is_valid(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    url = _url("application_vetting", olaine_application)
    response = client.post(url, {"requested_on": "2026-02-01", "result": "pending"})
    assert response.status_code == 302
    record = VettingRecord.objects.get(application=olaine_application)
    assert (record.result, record.checked_by) == ("pending", olaine_coordinator)
    response = client.post(
        url,
        {
            "record": record.pk,
            "requested_on": "2026-02-01",
            "result": "cleared",
            "result_on": "2026-02-20",
            "valid_until": "2027-02-20",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.result, record.valid_until) == ("cleared", date(2027, 2, 20))
    assert VettingRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="vetting.record").count() == 2


def test_vetting_form_refuses_a_result_without_its_date_when_cleared(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_vetting", olaine_application), {"requested_on": "2026-02-01", "result": "cleared"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["result_on"]
    assert not VettingRecord.objects.exists()


def test_vetting_page_is_closed_to_readers_when_they_only_oversee(client, olaine_application, ministry):
    client.force_login(ministry)
    assert client.get(_url("application_vetting", olaine_application)).status_code == 404
    assert (
        client.post(
            _url("application_vetting", olaine_application),
            {"requested_on": "2026-02-01", "result": "pending"},
        ).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="vetting.view").exists()


# --- Reassignment


def test_coordinator_hands_an_application_to_another_unit_when_it_is_the_same_institution(
    client, olaine_application, olaine_coordinator, jelgava, jelgava_coordinator
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_reassign", olaine_application),
        {"reassign-unit": jelgava.pk, "reassign-reason": "Dzīvo Jelgavā"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:inbox")  # Olaine no longer sees it
    olaine_application.refresh_from_db()
    assert olaine_application.unit == jelgava
    event = olaine_application.events.get(kind=ApplicationEvent.Kind.REASSIGNED)
    assert event.data == {"from": "Olaines cietums", "to": "Jelgavas cietums"}
    assert client.get(_url("application_detail", olaine_application)).status_code == 404
    client.force_login(jelgava_coordinator)
    assert client.get(_url("application_detail", olaine_application)).status_code == 200


def test_central_coordinator_stays_on_the_application_when_reassigning(
    client, olaine_application, ievp_central, jelgava
):
    client.force_login(ievp_central)
    response = client.post(_url("application_reassign", olaine_application), {"reassign-unit": jelgava.pk})
    assert response["Location"] == _url("application_detail", olaine_application)


def test_reassign_is_refused_when_the_unit_belongs_to_another_institution(
    client, olaine_application, olaine_coordinator, vpd_department, superuser
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_reassign", olaine_application),
        {"reassign-unit": vpd_department.pk, "reassign-reason": "Kļūda"},
    )
    assert response.status_code == 400
    assert response.context["reassign_form"].errors["unit"]
    assert "Kļūda" in response.content.decode()
    olaine_application.refresh_from_db()
    assert olaine_application.unit.slug == "olaines-cietums"
    with pytest.raises(ValidationError):  # the service refuses too, even for a superuser
        services.application_reassign(application=olaine_application, unit=vpd_department, actor=superuser)


# --- Who sees what


def test_central_coordinator_sees_every_ievp_application_but_no_vpd_one_when_listing(
    client, ievp_central, olaine_application, jelgava_application, vpd_application
):
    client.force_login(ievp_central)
    response = client.get(reverse("volunteers:inbox"))
    shown = {a.reference for a in response.context["page"].object_list}
    assert shown == {"T2026-00101", "T2026-00202"}
    assert client.get(_url("application_detail", jelgava_application)).status_code == 200
    assert client.get(_url("application_detail", vpd_application)).status_code == 404


def test_olaine_coordinator_never_sees_a_jelgava_application_when_trying_every_road(
    client, olaine_coordinator, olaine_application, jelgava_application, jelgava
):
    jelgava_application.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 jelgava"), save=True)
    client.force_login(olaine_coordinator)
    inbox = reverse("volunteers:inbox")
    searches = (
        {},
        {"q": "Jelgavnieks"},
        {"q": "juris.jelgavnieks@"},
        {"q": "T2026-00202"},
        {"unit": jelgava.slug},
    )
    for params in searches:
        response = client.get(inbox, params)
        assert response.status_code == 200
        assert "T2026-00202" not in {a.reference for a in response.context["page"].object_list}
        assert "juris.jelgavnieks@example.lv" not in response.content.decode(), params
    # a unit of someone else is not a filter choice: it is ignored, never widened
    assert [a.reference for a in client.get(inbox, {"unit": jelgava.slug}).context["page"].object_list] == [
        "T2026-00101"
    ]
    export = client.get(reverse("volunteers:inbox_export"), {"format": "csv", "q": "Jelgavnieks"})
    assert "Jelgavnieks" not in export.getvalue().decode("utf-8-sig")  # streamed
    for name in ("application_detail", "application_cv", "application_vetting"):
        assert client.get(_url(name, jelgava_application)).status_code == 404, name
    assert _transition(client, jelgava_application, Status.SCREENING).status_code == 404
    assert client.post(_url("application_note", jelgava_application), {"note-notes": "x"}).status_code == 404
    jelgava_application.refresh_from_db()
    assert jelgava_application.status == Status.SUBMITTED


def test_volunteer_has_no_inbox_when_signed_in(client, olaine_application):
    client.force_login(olaine_application.volunteer.user)
    assert client.get(reverse("volunteers:inbox")).status_code == 404
    assert client.get(_url("application_detail", olaine_application)).status_code == 404


# --- Inbox filters and counts


def test_inbox_filters_by_status_role_date_and_search_when_asked(client, olaine, olaine_coordinator):
    sports = Role.objects.get(institution=olaine.institution, code="sports")
    family = Role.objects.get(institution=olaine.institution, code="family")
    now = timezone.now()
    old = ApplicationFactory(
        unit=olaine,
        volunteer=_person("ilze.vecaa@example.lv", "Ilze", "Vecā"),
        submitted_at=now - timedelta(days=40),
        status=Status.SCREENING,
        roles=[sports],
    )
    new = ApplicationFactory(
        unit=olaine,
        volunteer=_person("aivars.jauns@example.lv", "Aivars", "Jaunais"),
        submitted_at=now - timedelta(days=1),
        roles=[family],
    )
    newest = ApplicationFactory(
        unit=olaine, volunteer=_person("rita.cita@example.lv", "Rita", "Cita"), status=Status.REJECTED
    )
    client.force_login(olaine_coordinator)

    def refs(**params):
        response = client.get(reverse("volunteers:inbox"), params)
        assert response.status_code == 200
        return [a.reference for a in response.context["page"].object_list]

    assert refs() == [newest.reference, new.reference, old.reference]  # newest first
    assert refs(status="screening") == [old.reference]
    assert refs(status="open") == [new.reference, old.reference]
    assert refs(role=sports.pk) == [old.reference]
    since = (now - timedelta(days=10)).date().isoformat()
    assert refs(submitted_from=since) == [newest.reference, new.reference]
    assert refs(submitted_to=(now - timedelta(days=30)).date().isoformat()) == [old.reference]
    assert refs(q="aivars.jauns") == [new.reference]
    assert refs(q="vecā ilze") == [old.reference]
    assert refs(q=old.reference) == [old.reference]
    assert refs(submitted_from="not a date") == [newest.reference, new.reference, old.reference]


def test_status_counts_follow_the_other_filters_when_one_is_set(client, olaine, olaine_coordinator):
    sports = Role.objects.get(institution=olaine.institution, code="sports")
    for status in (Status.SUBMITTED, Status.SUBMITTED, Status.SCREENING, Status.ACTIVE):
        ApplicationFactory(unit=olaine, status=status, roles=[sports])
    ApplicationFactory(unit=olaine, status=Status.SUBMITTED)
    client.force_login(olaine_coordinator)
    tabs = {
        t["value"]: t["count"]
        for t in client.get(reverse("volunteers:inbox"), {"role": sports.pk, "status": "active"}).context[
            "tabs"
        ]
    }
    assert tabs[""] == 4
    assert tabs["submitted"] == 2
    assert tabs["screening"] == 1
    assert tabs["active"] == 1
    assert tabs["open"] == 3
    assert tabs["rejected"] == 0


def test_inbox_paginates_by_25_when_there_are_more(client, olaine, olaine_coordinator):
    ApplicationFactory.create_batch(30, unit=olaine)
    client.force_login(olaine_coordinator)
    first = client.get(reverse("volunteers:inbox"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("volunteers:inbox"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


# The same for 20 applications and for 200 (a page of 25), on SQLite and PostgreSQL alike.
# The page's count comes from the tab counts (one aggregate query), not a COUNT of its own.
INBOX_QUERIES = 7


@pytest.mark.parametrize("count", [20, 200])
def test_inbox_query_count_is_exact_whether_there_are_20_or_200_applications(
    client, ievp_central, olaine, jelgava, count, django_assert_num_queries
):
    roles = list(Role.objects.filter(institution=olaine.institution)[:3])
    for index in range(count):
        ApplicationFactory(unit=olaine if index % 2 else jelgava, roles=roles)
    client.force_login(ievp_central)
    url = reverse("volunteers:inbox")
    client.get(url)  # the session's first request records it
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(url, {"status": "submitted"})
    assert response.context["page"].paginator.count == count


# --- Export


def test_export_writes_the_filtered_list_as_csv_with_formulas_neutralised(
    client, olaine, olaine_coordinator, olaine_application
):
    sports = Role.objects.get(institution=olaine.institution, code="sports")
    evil = ApplicationFactory(
        unit=olaine,
        volunteer=_person("evil@example.lv", '=HYPERLINK("http://x")', "@SUM(A1)", municipality="-Rīga"),
        roles=[sports],
        reference="T2026-00999",
    )
    client.force_login(olaine_coordinator)
    response = client.get(reverse("volunteers:inbox_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    content = response.getvalue()  # a streamed response
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert len(rows[0]) == 10
    by_reference = {row[0]: row for row in rows[1:]}
    row = by_reference[evil.reference]
    assert row[5] == '\'=HYPERLINK("http://x") @SUM(A1)'
    assert row[6] == "evil@example.lv"
    assert row[7].startswith("'+371")  # a phone number starting with + is neutralised too
    assert row[9] == "'-Rīga"
    assert row[4] == "Olaines cietums"
    assert by_reference["T2026-00101"][7] == "'+371 26111222"
    event = AuditEvent.objects.get(action="application.export")
    assert event.data["count"] == 2 and event.unit == olaine and event.actor == olaine_coordinator
    filtered = client.get(reverse("volunteers:inbox_export"), {"format": "csv", "q": "Kalna"})
    assert len(list(csv.reader(io.StringIO(filtered.getvalue().decode("utf-8-sig"))))) == 2


def test_export_writes_xlsx_with_text_cells_only_when_asked_for_xlsx(client, olaine, olaine_coordinator):
    ApplicationFactory(
        unit=olaine, volunteer=_person("formula@example.lv", "=1+1", "Ozola"), reference="T2026-00777"
    )
    client.force_login(olaine_coordinator)
    response = client.get(reverse("volunteers:inbox_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "T2026-00777"
    assert rows[1][5] == "'=1+1 Ozola"
    assert sheet.cell(row=2, column=6).data_type == "s"
    assert isinstance(rows[1][1], type(timezone.now().replace(tzinfo=None)))  # a real date cell
    assert AuditEvent.objects.get(action="application.export").data["format"] == "xlsx"


def test_export_refuses_an_unknown_format_when_asked(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    assert client.get(reverse("volunteers:inbox_export"), {"format": "exe"}).status_code == 400


# --- CV


def test_cv_download_is_logged_and_served_as_an_attachment_when_there_is_a_cv(
    client, olaine_application, olaine_coordinator
):
    olaine_application.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 Marta Kalna CV"), save=True)
    client.force_login(olaine_coordinator)
    response = client.get(_url("application_cv", olaine_application))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Marta Kalna CV"
    audit = AuditEvent.objects.get(action="application.cv.download")
    assert (audit.actor, audit.target_id) == (olaine_coordinator, str(olaine_application.pk))


def test_cv_download_answers_404_when_there_is_no_cv(client, olaine_application, olaine_coordinator):
    client.force_login(olaine_coordinator)
    assert client.get(_url("application_cv", olaine_application)).status_code == 404
    assert not AuditEvent.objects.filter(action="application.cv.download").exists()


# --- The application page: steps, what the next step needs, the vetting round trip


def test_detail_marks_the_current_step_when_a_coordinator_opens_an_application_in_vetting(
    client, olaine, olaine_coordinator
):
    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    client.force_login(olaine_coordinator)
    with translation.override("en"):
        response = client.get(_url("application_detail", application))
    steps = response.context["detail"].steps
    assert [(step.status, step.state) for step in steps] == [
        (Status.SUBMITTED, "done"),
        (Status.SCREENING, "done"),
        (Status.VETTING, "current"),
        (Status.TRAINING, "todo"),
        (Status.AGREEMENT, "todo"),
        (Status.ACTIVE, "todo"),
    ]
    body = response.content.decode()
    stepper = body[body.index('<ol class="tilts-stepper"') :]
    stepper = stepper[: stepper.index("</ol>")]
    assert stepper.count('aria-current="step"') == 1
    current = stepper[stepper.index('class="current"') :]
    assert current.index('aria-current="step"') < current.index(str(Status.VETTING.label)) < 200


def test_detail_shows_where_a_rejected_application_stopped_when_a_reader_opens_it(
    client, olaine_application, olaine_coordinator, ministry
):
    client.force_login(olaine_coordinator)
    _transition(client, olaine_application, Status.SCREENING)
    _transition(client, olaine_application, Status.REJECTED, reason="Nepietiekama motivācija")
    client.force_login(ministry)
    response = client.get(_url("application_detail", olaine_application))
    assert response.status_code == 200
    steps = response.context["detail"].steps
    assert [(step.status, step.state) for step in steps] == [
        (Status.SUBMITTED, "done"),
        (Status.SCREENING, "done"),
        (Status.REJECTED, "stopped"),
    ]
    assert response.content.decode().count('aria-current="step"') == 1


def test_detail_lists_what_training_needs_before_submitting_when_the_check_is_pending(
    client, olaine, olaine_coordinator
):
    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    VettingRecord.objects.create(
        application=application, requested_on=date.today(), checked_by=olaine_coordinator
    )
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = client.get(_url("application_detail", application))
    assert response.status_code == 200
    assert response.context["requirements"] == [
        (Status.TRAINING, ["Criminal-record check result not recorded yet."]),
    ]
    body = response.content.decode()
    listing = body[body.index('id="transition-requirements"') :]
    assert "Criminal-record check result not recorded yet." in listing[: listing.index("</ul>")]
    assert 'aria-describedby="transition-requirements"' in body
    choices = dict(response.context["transition_form"].fields["to"].widget.choices)
    assert choices[Status.TRAINING] == "Training — not ready yet"
    assert choices[Status.REJECTED] == "Rejected"  # a reason is all it needs


def test_detail_shows_nothing_missing_when_the_check_is_cleared(client, olaine, olaine_coordinator):
    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    _cleared(application, olaine_coordinator)
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = client.get(_url("application_detail", application))
    assert response.context["requirements"] == [(Status.TRAINING, [])]
    choices = dict(response.context["transition_form"].fields["to"].widget.choices)
    assert choices[Status.TRAINING] == "Training"
    assert "nothing missing" in response.content.decode()


def test_service_refuses_with_the_text_the_page_showed_when_training_is_not_completed(
    client, olaine, olaine_coordinator
):
    from tests.trainings import builders

    sports = Role.objects.get(institution=olaine.institution, code="sports")
    builders.course(olaine.institution, roles=[sports], title="Ievadapmācība")
    application = ApplicationFactory(unit=olaine, status=Status.TRAINING)
    application.roles.set([sports])
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    shown = client.get(_url("application_detail", application)).context["requirements"]
    assert shown == [(Status.AGREEMENT, ["Training not completed: Ievadapmācība."])]
    with translation.override("en"), pytest.raises(transitions.TransitionError) as refusal:
        services.application_transition(
            application_id=application.pk, to=Status.AGREEMENT, actor=olaine_coordinator
        )
    assert refusal.value.messages == shown[0][1]
    response = _transition(client, application, Status.AGREEMENT)
    assert response.status_code == 400
    assert "Training not completed: Ievadapmācība." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.TRAINING


@pytest.mark.parametrize("record", [None, "pending", "not_cleared", "expired"])
def test_service_refuses_with_the_selectors_text_when_the_check_is_not_valid(
    olaine, olaine_coordinator, record
):
    from volunteers import selectors

    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    if record == "expired":
        _cleared(application, olaine_coordinator, valid_until=date.today() - timedelta(days=1))
    elif record is not None:
        VettingRecord.objects.create(
            application=application,
            requested_on=date.today() - timedelta(days=20),
            result=record,
            result_on=None if record == "pending" else date.today(),
            checked_by=olaine_coordinator,
        )
    with translation.override("en"):
        needs = selectors.transition_requirements(application)[Status.TRAINING]
        assert len(needs) == 1
        with pytest.raises(transitions.TransitionError) as refusal:
            services.application_transition(
                application_id=application.pk, to=Status.TRAINING, actor=olaine_coordinator
            )
    assert refusal.value.messages == needs


def test_saving_a_check_returns_to_the_application_with_a_message_when_the_form_is_valid(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = client.post(
        _url("application_vetting", olaine_application), {"requested_on": "2026-02-01", "result": "pending"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("application_detail", olaine_application) + "#vetting"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Criminal-record check saved."]
    assert "Criminal-record check saved." in page.content.decode()


def test_vetting_form_is_shown_again_with_the_input_when_the_dates_are_wrong(
    client, olaine_application, olaine_coordinator
):
    client.force_login(olaine_coordinator)
    response = client.post(
        _url("application_vetting", olaine_application),
        {"requested_on": "2026-02-10", "result": "cleared", "result_on": "2026-02-01"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["result_on"]
    assert form["result"].value() == "cleared"  # not a blank form preset to "pending"
    assert not VettingRecord.objects.exists()


def test_inbox_search_has_a_visible_label_and_a_short_placeholder_when_listed(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    client.cookies["tilts_language"] = "en"
    response = client.get(reverse("volunteers:inbox"))
    body = response.content.decode()
    field = response.context["form"]["q"]
    assert field.label == "Search by name, email or reference"
    label = rf'<label class="form-label[^"]*"\s+for="{field.id_for_label}">{field.label}</label>'
    assert re.search(label, body)
    placeholder = field.field.widget.attrs["placeholder"]
    assert placeholder.startswith("e.g. T") and len(placeholder) <= 20
    assert "Name, email or reference" not in body  # the old, cut-off placeholder

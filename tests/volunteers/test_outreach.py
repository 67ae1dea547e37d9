"""Bulk email to a unit's applicants (once per address, logged, idempotent) and the
export helpers."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from institutions.models import AuditEvent
from volunteers import outreach
from volunteers.models import BulkEmail, BulkEmailRecipient, Status

from ..factories import ApplicationFactory, UserFactory, VolunteerFactory


def _volunteer(email, **kwargs):
    return VolunteerFactory(user=UserFactory(email=email, **kwargs))


@pytest.fixture
def olaine_people(olaine, jelgava):
    """Two applications of one person (one address), two other people, one in another
    status, one anonymised, and one Jelgava applicant in the same status."""
    twice = _volunteer("divreiz@example.lv")
    ApplicationFactory(unit=olaine, volunteer=twice, status=Status.ACTIVE)
    ApplicationFactory(unit=olaine, volunteer=twice, status=Status.PAUSED)
    ApplicationFactory(unit=olaine, volunteer=_volunteer("aktivs@example.lv"), status=Status.ACTIVE)
    ApplicationFactory(unit=olaine, volunteer=_volunteer("pauze@example.lv"), status=Status.PAUSED)
    ApplicationFactory(unit=olaine, volunteer=_volunteer("jauns@example.lv"), status=Status.SUBMITTED)
    gone = _volunteer("dzests@example.lv")
    gone.anonymised_at = gone.created_at
    gone.save()
    ApplicationFactory(unit=olaine, volunteer=gone, status=Status.ACTIVE)
    ApplicationFactory(unit=jelgava, volunteer=_volunteer("jelgava@example.lv"), status=Status.ACTIVE)


EXPECTED = ["aktivs@example.lv", "divreiz@example.lv", "pauze@example.lv"]


def test_bulk_email_goes_once_to_each_address_when_sent(
    olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulk_email = outreach.bulk_email_create(
            unit=olaine,
            actor=olaine_coordinator,
            subject="Sporta diena 12. jūnijā",
            body="Aicinām pieteikties.",
            statuses=[Status.ACTIVE, Status.PAUSED],
        )
    assert sorted(m.to[0] for m in mail.outbox) == EXPECTED
    message = mail.outbox[0]
    assert message.subject == "Sporta diena 12. jūnijā"
    assert message.reply_to == [olaine_coordinator.email]
    assert "Aicinām pieteikties." in message.body and "Olaines cietums" in message.body
    recipients = BulkEmailRecipient.objects.filter(bulk_email=bulk_email)
    assert sorted(recipients.values_list("email", flat=True)) == EXPECTED
    assert all(r.sent_at is not None and r.error == "" for r in recipients)
    bulk_email.refresh_from_db()
    assert bulk_email.finished_at is not None
    audit = AuditEvent.objects.get(action="bulk_email.send")
    assert (audit.unit, audit.data["recipients"]) == (olaine, 3)


def test_bulk_email_sends_nobody_twice_when_the_task_runs_again(
    olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulk_email = outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.ACTIVE]
        )
    assert len(mail.outbox) == 2
    run = outreach.bulk_email_send(bulk_email_id=bulk_email.pk)
    assert (run.sent, run.failed) == (0, 0)
    assert len(mail.outbox) == 2


def test_bulk_email_records_a_failure_and_retries_it_when_the_next_run_comes(
    olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    real_send = outreach.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["pauze@example.lv"]:
            raise OSError("Connection refused")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(outreach.EmailMessage, "send", flaky),
        django_capture_on_commit_callbacks(execute=True),
    ):
        bulk_email = outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.PAUSED]
        )
    failed = BulkEmailRecipient.objects.get(bulk_email=bulk_email, email="pauze@example.lv")
    assert failed.sent_at is None and "Connection refused" in failed.error
    bulk_email.refresh_from_db()
    assert bulk_email.finished_at is None
    assert [m.to for m in mail.outbox] == [["divreiz@example.lv"]]
    run = outreach.bulk_email_send(bulk_email_id=bulk_email.pk)
    assert (run.sent, run.failed) == (1, 0)
    assert [m.to for m in mail.outbox] == [["divreiz@example.lv"], ["pauze@example.lv"]]
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.error == ""
    bulk_email.refresh_from_db()
    assert bulk_email.finished_at is not None


def test_bulk_email_is_refused_when_nobody_is_in_the_statuses(olaine, olaine_coordinator, olaine_people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.TRAINING]
        )
    assert not BulkEmail.objects.exists()


def test_bulk_email_is_refused_when_the_person_does_not_coordinate_the_unit(
    olaine, jelgava_coordinator, ministry, olaine_people
):
    from django.core.exceptions import PermissionDenied

    for person in (jelgava_coordinator, ministry):
        with pytest.raises(PermissionDenied):
            outreach.bulk_email_create(
                unit=olaine, actor=person, subject="S", body="B", statuses=[Status.ACTIVE]
            )


def test_bulk_email_page_previews_then_sends_when_the_coordinator_confirms(
    client, olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    client.force_login(olaine_coordinator)
    url = reverse("volunteers:bulk_email", kwargs={"unit_slug": olaine.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert dict(page.context["form"].fields["statuses"].choices)["active"].endswith("(3)")
    data = {"statuses": ["active", "paused"], "subject": "Tikšanās", "body": "Sveiki!"}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["preview"] == 3
    assert not BulkEmail.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {**data, "action": "send"})
    bulk_email = BulkEmail.objects.get()
    assert sent["Location"] == reverse(
        "volunteers:bulk_email_log", kwargs={"unit_slug": olaine.slug, "pk": bulk_email.pk}
    )
    assert len(mail.outbox) == 3
    log = client.get(sent["Location"])
    assert log.status_code == 200
    body = log.content.decode()
    assert all(address in body for address in EXPECTED)
    assert log.context["bulk_email"].sent_count == 3


def test_bulk_email_form_keeps_the_text_when_no_status_is_chosen(client, olaine, olaine_coordinator):
    client.force_login(olaine_coordinator)
    url = reverse("volunteers:bulk_email", kwargs={"unit_slug": olaine.slug})
    response = client.post(url, {"subject": "Temats paliek", "body": "Teksts paliek", "action": "send"})
    assert response.status_code == 400
    assert response.context["form"].errors["statuses"]
    assert "Temats paliek" in response.content.decode()
    assert not BulkEmail.objects.exists()


def test_bulk_email_page_is_closed_to_readers_and_other_units_when_they_ask(
    client, olaine, olaine_coordinator, jelgava_coordinator, ministry
):
    bulk_email = BulkEmail.objects.create(unit=olaine, author=olaine_coordinator, subject="S", body="B")
    url = reverse("volunteers:bulk_email", kwargs={"unit_slug": olaine.slug})
    log_url = reverse("volunteers:bulk_email_log", kwargs={"unit_slug": olaine.slug, "pk": bulk_email.pk})
    client.force_login(ministry)
    assert client.get(url).status_code == 404
    assert client.get(log_url).status_code == 200  # the ministry may read the log
    client.force_login(jelgava_coordinator)
    assert client.get(url).status_code == 404
    assert client.get(log_url).status_code == 404


# --- Export helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+37120000000", "'+37120000000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Anna", "Anna"),
        ("", ""),
        (None, None),
        (12, 12),
    ],
)
def test_neutralise_prefixes_an_apostrophe_when_a_cell_could_be_a_formula(value, expected):
    assert outreach.neutralise(value) == expected


# --- Bulk email: nothing lost when the broker or the mail server misbehaves


def _bulk(outbox):
    """The bulk emails sent (the sweep also sends the factory applications' notices)."""
    return [m for m in outbox if m.subject == "S"]


def _sweep(capture):
    from datetime import timedelta

    from django.utils import timezone

    from volunteers import services

    with capture(execute=True):
        return services.emails_requeue_unsent(now=timezone.now() + timedelta(minutes=11))["bulk_emails"]


def test_bulk_email_is_recorded_and_swept_once_when_the_broker_is_down(
    olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from volunteers import tasks

    with (
        mock.patch.object(tasks.send_bulk_email, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        bulk_email = outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.ACTIVE]
        )
    assert mail.outbox == []
    assert _sweep(django_capture_on_commit_callbacks) == 1
    assert sorted(m.to[0] for m in _bulk(mail.outbox)) == ["aktivs@example.lv", "divreiz@example.lv"]
    assert _sweep(django_capture_on_commit_callbacks) == 0
    assert len(_bulk(mail.outbox)) == 2
    bulk_email.refresh_from_db()
    assert bulk_email.finished_at is not None


def test_bulk_email_sweep_retries_only_the_failed_recipient_when_the_mail_server_refused_one(
    olaine, olaine_coordinator, olaine_people, django_capture_on_commit_callbacks
):
    real_send = outreach.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["pauze@example.lv"]:
            raise OSError("Connection refused")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(outreach.EmailMessage, "send", flaky),
        django_capture_on_commit_callbacks(execute=True),
    ):
        bulk_email = outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.PAUSED]
        )
    failed = BulkEmailRecipient.objects.get(bulk_email=bulk_email, email="pauze@example.lv")
    assert (failed.sent_at, failed.claimed_at, failed.attempts) == (None, None, 1)
    assert _sweep(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in _bulk(mail.outbox)] == [["divreiz@example.lv"], ["pauze@example.lv"]]
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.attempts == 2
    assert _sweep(django_capture_on_commit_callbacks) == 0


def test_bulk_email_skips_a_recipient_another_sender_holds_when_run_again(
    olaine, olaine_coordinator, olaine_people
):
    from django.utils import timezone

    with mock.patch.object(outreach, "enqueue_on_commit"):  # no task: the rows only
        bulk_email = outreach.bulk_email_create(
            unit=olaine, actor=olaine_coordinator, subject="S", body="B", statuses=[Status.ACTIVE]
        )
    bulk_email.recipients.filter(email="aktivs@example.lv").update(claimed_at=timezone.now())
    run = outreach.bulk_email_send(bulk_email_id=bulk_email.pk)
    assert (run.sent, run.failed) == (1, 0)
    assert [m.to for m in mail.outbox] == [["divreiz@example.lv"]]
    bulk_email.refresh_from_db()
    assert bulk_email.finished_at is None

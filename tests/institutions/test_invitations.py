import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from institutions import permissions, services
from institutions.models import AuditEvent, CoordinatorInvitation

from ..factories import PASSWORD, UserFactory


def _link(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_invitation_is_emailed_in_its_language_when_created(
    ievp_central, olaine, jelgava, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=ievp_central, email="Jauna.Koordinatore@Example.lv ", units=[olaine, jelgava], language="en"
        )
    assert mail.outbox[0].subject == "Invitation to coordinate volunteers (IeVP)"
    assert invitation.email == "jauna.koordinatore@example.lv"
    assert set(invitation.units.all()) == {olaine, jelgava}
    assert invitation.is_pending
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jauna.koordinatore@example.lv"]
    assert "Olaines cietums" in message.body and "Jelgavas cietums" in message.body
    assert "/invitations/" in _link(message)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert AuditEvent.objects.filter(action="invitation.create", target_id=str(invitation.pk)).exists()


def test_invitation_email_is_not_sent_twice_when_the_task_runs_again(
    ievp_central, olaine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=ievp_central, email="a@example.lv", units=[olaine])
    assert services.invitation_send_email(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1


def test_invitation_is_refused_when_the_actor_does_not_manage_the_institution(
    vpd_central, olaine_coordinator, olaine
):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=vpd_central, email="x@example.lv", units=[olaine])
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=olaine_coordinator, email="x@example.lv", units=[olaine])
    assert not CoordinatorInvitation.objects.exists()


def test_invitation_is_refused_when_units_span_two_institutions(superuser, olaine, vpd_department):
    with pytest.raises(ValidationError):
        services.invitation_create(actor=superuser, email="x@example.lv", units=[olaine, vpd_department])


def test_invitation_is_refused_when_the_person_already_coordinates_every_unit(
    ievp_central, olaine_coordinator, olaine
):
    with pytest.raises(ValidationError):
        services.invitation_create(actor=ievp_central, email=olaine_coordinator.email, units=[olaine])


def test_new_invitation_replaces_the_pending_one_when_sent_to_the_same_person(ievp_central, olaine, jelgava):
    first = services.invitation_create(actor=ievp_central, email="p@example.lv", units=[olaine])
    old_token = services.invitation_token(first)
    second = services.invitation_create(actor=ievp_central, email="p@example.lv", units=[jelgava])
    first.refresh_from_db()
    assert first.status == CoordinatorInvitation.Status.REVOKED
    assert services.invitation_from_token(old_token) is None
    assert list(CoordinatorInvitation.objects.pending()) == [second]


def test_new_person_creates_account_and_becomes_coordinator_when_following_the_link(
    client, ievp_central, olaine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=ievp_central, email="jauns@example.lv", units=[olaine])
    url = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + url)
    assert response.status_code == 200
    assert "Olaines cietums" in response.content.decode()

    # A mistake first: everything typed but the passwords comes back, with the error.
    response = client.post(
        "/" + url, {"first_name": "Māra", "last_name": "Zīle", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Māra"' in body and 'value="Zīle"' in body
    assert response.context["form"].errors

    response = client.post(
        "/" + url, {"first_name": "Māra", "last_name": "Zīle", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    user = permissions.get_user_model().objects.get(email="jauns@example.lv")
    assert user.get_full_name() == "Māra Zīle"
    assert user.emailaddress_set.get().verified
    assert permissions.has_unit_perm(user, permissions.COORDINATE, olaine)
    assert client.get(reverse("home")).context["user"] == user


def test_existing_account_signs_in_and_accepts_when_following_the_link(
    client, ievp_central, olaine, volunteer
):
    invitation = services.invitation_create(actor=ievp_central, email=volunteer.email, units=[olaine])
    url = reverse("institutions:invitation_accept", kwargs={"token": services.invitation_token(invitation)})
    response = client.get(url)
    assert response.context["state"] == "sign_in"
    client.force_login(volunteer)
    assert client.get(url).context["state"] == "confirm"
    response = client.post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == CoordinatorInvitation.Status.ACCEPTED
    assert invitation.accepted_by == volunteer
    assert permissions.has_unit_perm(volunteer, permissions.COORDINATE, olaine)


def test_invitation_cannot_be_accepted_by_another_account_when_signed_in(
    client, ievp_central, olaine, volunteer
):
    invitation = services.invitation_create(actor=ievp_central, email="kads.cits@example.lv", units=[olaine])
    url = reverse("institutions:invitation_accept", kwargs={"token": services.invitation_token(invitation)})
    client.force_login(volunteer)
    assert client.get(url).context["state"] == "other_user"
    client.post(url)
    assert not permissions.has_unit_perm(volunteer, permissions.VIEW, olaine)
    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=invitation, user=volunteer)


@pytest.mark.parametrize("change", ["expired", "revoked", "tampered"])
def test_link_does_not_work_when_the_invitation_is_not_open(client, ievp_central, olaine, change):
    invitation = services.invitation_create(actor=ievp_central, email="n@example.lv", units=[olaine])
    token = services.invitation_token(invitation)
    if change == "expired":
        CoordinatorInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif change == "revoked":
        services.invitation_revoke(actor=ievp_central, invitation=invitation)
    else:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("institutions:invitation_accept", kwargs={"token": token}))
    assert response.status_code in (200, 404)
    assert response.context["state"] in {"expired", "revoked", "invalid"}
    response = client.post(
        reverse("institutions:invitation_accept", kwargs={"token": token}),
        {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not permissions.get_user_model().objects.filter(email="n@example.lv").exists()


def test_resend_invalidates_the_old_link_and_extends_expiry_when_requested(
    ievp_central, olaine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=ievp_central, email="r@example.lv", units=[olaine])
    old_token = services.invitation_token(invitation)
    old_expiry = invitation.expires_at
    CoordinatorInvitation.objects.filter(pk=invitation.pk).update(expires_at=old_expiry - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(actor=ievp_central, invitation=invitation)
    invitation.refresh_from_db()
    assert services.invitation_from_token(old_token) is None
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation
    assert invitation.expires_at > old_expiry - timedelta(days=3)
    assert len(mail.outbox) == 2


def test_central_coordinator_invites_through_the_form_when_input_is_valid(
    client, ievp_central, olaine, jelgava
):
    client.force_login(ievp_central)
    url = reverse("institutions:invite")
    response = client.get(url + f"?unit={olaine.slug}")
    assert response.status_code == 200
    assert response.context["form"].initial["units"] == [olaine]
    # Bad input: a broken email; the chosen units and language are kept.
    response = client.post(url, {"email": "nav-epasts", "units": [olaine.pk, jelgava.pk], "language": "en"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert form.data.getlist("units") == [str(olaine.pk), str(jelgava.pk)]
    assert 'value="nav-epasts"' in response.content.decode()
    response = client.post(url, {"email": "laba@example.lv", "units": [olaine.pk], "language": "en"})
    assert response.status_code == 302
    assert CoordinatorInvitation.objects.get().email == "laba@example.lv"


def test_invite_form_offers_only_managed_units_when_rendered(client, ievp_central, vpd_department, olaine):
    client.force_login(ievp_central)
    response = client.post(
        reverse("institutions:invite"),
        {"email": "x@example.lv", "units": [vpd_department.pk], "language": "lv"},
    )
    assert response.status_code == 200
    assert "units" in response.context["form"].errors
    assert not CoordinatorInvitation.objects.exists()


def test_revoking_a_coordinator_removes_access_and_is_audited_when_done_by_central(
    client, ievp_central, olaine_coordinator, olaine
):
    client.force_login(ievp_central)
    url = reverse(
        "institutions:coordinator_revoke", kwargs={"unit_slug": olaine.slug, "user_id": olaine_coordinator.pk}
    )
    response = client.post(url)
    assert response.status_code == 302
    fresh = UserFactory._meta.model.objects.get(pk=olaine_coordinator.pk)
    assert not permissions.has_unit_perm(fresh, permissions.VIEW, olaine)
    event = AuditEvent.objects.get(action="role.unit_coordinator.revoke")
    assert (
        event.actor == ievp_central and event.unit == olaine and event.target_label == str(olaine_coordinator)
    )
    # Once revoked, the former coordinator's unit page answers 404.
    client.force_login(fresh)
    assert (
        client.get(reverse("institutions:unit_detail", kwargs={"unit_slug": olaine.slug})).status_code == 404
    )


# --- Nothing lost when the broker or the mail server misbehaves

LATER = timedelta(minutes=11)  # past the sweeper's RETRY_AFTER


def _sweep(capture, now=None) -> list[int]:
    with capture(execute=True):
        return services.invitations_requeue_unsent(now=now or timezone.now() + LATER)


def test_invitation_is_created_and_swept_once_when_the_broker_is_down(
    ievp_central, olaine, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from institutions import tasks

    with (
        mock.patch.object(tasks.invitation_send, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = services.invitation_create(actor=ievp_central, email="b@example.lv", units=[olaine])
    assert mail.outbox == []
    assert _sweep(django_capture_on_commit_callbacks, now=timezone.now()) == []  # not stale yet
    assert _sweep(django_capture_on_commit_callbacks) == [invitation.pk]
    assert [m.to for m in mail.outbox] == [["b@example.lv"]]
    assert _sweep(django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 1


def test_invitation_stays_unsent_and_the_sweeper_retries_when_the_mail_server_fails(
    ievp_central, olaine, django_capture_on_commit_callbacks
):
    import smtplib
    from unittest import mock

    refused = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with (
        mock.patch.object(services.EmailMessage, "send", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = services.invitation_create(actor=ievp_central, email="c@example.lv", units=[olaine])
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.send_claimed_at is None
    assert invitation.send_attempts >= 1 and "Connection unexpectedly closed" in invitation.send_error
    assert mail.outbox == []
    assert _sweep(django_capture_on_commit_callbacks) == [invitation.pk]
    assert [m.to for m in mail.outbox] == [["c@example.lv"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and invitation.send_error == ""
    assert _sweep(django_capture_on_commit_callbacks) == []


def test_invitation_sweeper_skips_sent_held_closed_and_given_up_invitations_when_it_runs(
    ievp_central, olaine
):
    from unittest import mock

    from core import outbox

    now = timezone.now()
    with mock.patch.object(services, "enqueue_on_commit"):  # the rows only, no email
        made = {
            name: services.invitation_create(actor=ievp_central, email=f"{name}@example.lv", units=[olaine])
            for name in ("due", "sent", "held", "revoked", "expired", "tried", "old", "fresh")
        }
    CoordinatorInvitation.objects.exclude(pk=made["fresh"].pk).update(created_at=now - timedelta(hours=1))
    CoordinatorInvitation.objects.filter(pk=made["sent"].pk).update(sent_at=now)
    CoordinatorInvitation.objects.filter(pk=made["held"].pk).update(send_claimed_at=now)
    CoordinatorInvitation.objects.filter(pk=made["revoked"].pk).update(revoked_at=now)
    CoordinatorInvitation.objects.filter(pk=made["expired"].pk).update(expires_at=now)
    CoordinatorInvitation.objects.filter(pk=made["tried"].pk).update(send_attempts=outbox.MAX_ATTEMPTS)
    CoordinatorInvitation.objects.filter(pk=made["old"].pk).update(created_at=now - timedelta(days=8))
    assert services.INVITATION_EMAIL.due(now=now) == [made["due"].pk]
    assert services.invitation_send_email(invitation_id=made["held"].pk) is False
    assert services.invitation_send_email(invitation_id=made["revoked"].pk) is False
    assert mail.outbox == []


def test_invitation_sent_with_an_old_link_is_not_marked_sent_when_it_was_resent_meanwhile(
    ievp_central, olaine, django_capture_on_commit_callbacks
):
    from unittest import mock

    with mock.patch.object(services, "enqueue_on_commit"):
        invitation = services.invitation_create(actor=ievp_central, email="d@example.lv", units=[olaine])
    real_send = services.EmailMessage.send

    def resent_while_sending(message, *args, **kwargs):
        with mock.patch.object(services, "enqueue_on_commit"):
            services.invitation_resend(actor=ievp_central, invitation=invitation)
        return real_send(message, *args, **kwargs)

    with mock.patch.object(services.EmailMessage, "send", resent_while_sending):
        assert services.invitation_send_email(invitation_id=invitation.pk) is True
    invitation.refresh_from_db()
    assert invitation.sent_at is None  # the new link still has to go out
    assert services.invitation_send_email(invitation_id=invitation.pk) is True
    assert len(mail.outbox) == 2
    assert services.invitation_token(invitation) in mail.outbox[1].body
    assert services.invitation_send_email(invitation_id=invitation.pk) is False


def test_invitation_sweeper_runs_from_a_beat_row_every_ten_minutes_when_migrated(db):
    from django_celery_beat.models import PeriodicTask

    from config.celery_app import app
    from institutions import tasks

    job = PeriodicTask.objects.select_related("interval").get(task="institutions.tasks.invitations_sweep")
    assert (job.interval.every, job.interval.period, job.enabled) == (10, "minutes", True)
    assert "institutions.tasks.invitations_sweep" in app.tasks
    assert tasks.invitations_sweep() == 0

"""Registration emails (the ``Notice`` outbox on ``core.outbox``): written with the change,
claimed and sent once in the volunteer's language, marked sent; the sweeper queues again
only the old unsent ones; a mail server that fails leaves the notice unsent with the error
recorded and the claim released."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.template import loader
from django.utils import timezone, translation

from core import outbox
from trainings import services, tasks
from trainings.models import Notice, SessionState

from . import builders

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def _registered(unit, coordinator, *, language="lv", capacity=20, session=None, **user):
    session = session or builders.session(
        unit,
        coordinator,
        capacity=capacity,
        course_=builders.course(unit.institution, title="Darbs ar notiesātajiem"),
        place="Olaines cietums, mācību klase",
    )
    app = builders.applicant(unit, language=language, **user)
    return services.registration_create(actor=app.volunteer.user, session=session, volunteer=app.volunteer)


def _languages_while_rendering():
    """A spy on the template loader: the active language for each template rendered."""
    seen: list[tuple[str, str]] = []
    real = loader.render_to_string

    def spy(name, context=None, *args, **kwargs):
        seen.append((name, translation.get_language()))
        return real(name, context, *args, **kwargs)

    return seen, mock.patch.object(loader, "render_to_string", spy)


def test_notice_is_sent_once_when_sent_twice(olaine, olaine_coordinator):
    registration = _registered(olaine, olaine_coordinator, email="zane.liepina@example.lv")
    notice = registration.notices.get()

    assert services.notice_send(notice_id=notice.pk) is True
    assert services.notice_send(notice_id=notice.pk) is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zane.liepina@example.lv"]
    assert "Darbs ar notiesātajiem" in message.subject
    assert "\n" not in message.subject
    assert "Olaines cietums, mācību klase" in message.body
    assert registration.session.first_day.strftime("%-d.%m.%Y") in message.body
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert notice.attempts == 1
    assert notice.error == ""


def test_notice_is_not_sent_when_it_does_not_exist(db):
    assert services.notice_send(notice_id=987654) is False
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["lv", "en"])
def test_notice_is_rendered_in_the_volunteers_language_when_sent(olaine, olaine_coordinator, language):
    registration = _registered(olaine, olaine_coordinator, language=language)
    seen, spy = _languages_while_rendering()
    before = translation.get_language()

    with spy:
        services.notice_send(notice_id=registration.notices.get().pk)

    assert seen == [
        ("trainings/email/registered_subject.txt", language),
        ("trainings/email/registered_body.txt", language),
    ]
    assert translation.get_language() == before  # the caller's language is left as it was
    if language == "en":
        assert mail.outbox[0].subject == "You are registered for the training “Darbs ar notiesātajiem”"
        assert "your place in this training is confirmed" in mail.outbox[0].body


def test_notice_follows_the_application_language_when_the_account_has_none(olaine, olaine_coordinator):
    registration = _registered(olaine, olaine_coordinator, language="en")
    type(registration.volunteer.user).objects.filter(pk=registration.volunteer.user_id).update(language="")
    seen, spy = _languages_while_rendering()

    with spy:
        services.notice_send(notice_id=registration.notices.get().pk)

    assert {language for _name, language in seen} == {"en"}


def test_every_kind_of_notice_is_sent_with_the_course_when_the_session_changes_hands(
    olaine, olaine_coordinator
):
    session = builders.session(
        olaine,
        olaine_coordinator,
        capacity=1,
        course_=builders.course(olaine.institution, title="Bērnu tiesības"),
    )
    first = _registered(olaine, olaine_coordinator, session=session, language="en")
    second = _registered(olaine, olaine_coordinator, session=session)
    services.registration_cancel(actor=first.volunteer.user, registration=first)  # promotes the second
    days = [services.DaySpec(d.date + timedelta(days=1), d.starts_at, d.ends_at) for d in session.days.all()]
    services.session_update(actor=olaine_coordinator, session=session, days=days)
    services.session_set_state(actor=olaine_coordinator, session=session, to=SessionState.CLOSED)
    services.session_cancel(actor=olaine_coordinator, session=session, reason="Pasniedzējs saslima")
    kinds = list(Notice.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["registered", "waitlisted", "promoted", "changed", "cancelled"]

    for notice in Notice.objects.order_by("pk"):
        assert services.notice_send(notice_id=notice.pk) is True

    assert len(mail.outbox) == 5
    assert all("Bērnu tiesības" in m.subject for m in mail.outbox)
    assert [m.to[0] for m in mail.outbox] == [first.volunteer.user.email] + [second.volunteer.user.email] * 4
    assert "Pasniedzējs saslima" in mail.outbox[-1].body
    assert not Notice.objects.filter(sent_at__isnull=True).exists()


def test_notice_is_closed_without_an_email_when_the_person_is_erased(olaine, olaine_coordinator):
    registration = _registered(olaine, olaine_coordinator)
    notice = registration.notices.get()
    registration.volunteer.anonymised_at = timezone.now()
    registration.volunteer.save()

    assert services.notice_send(notice_id=notice.pk) is False

    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert notice.error == "no recipient"


def test_mail_server_failure_leaves_the_notice_unsent_with_the_error_when_sending(olaine, olaine_coordinator):
    registration = _registered(olaine, olaine_coordinator)
    notice = registration.notices.get()

    with (
        mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed")),
        pytest.raises(smtplib.SMTPException),
    ):
        services.notice_send(notice_id=notice.pk)

    notice.refresh_from_db()
    assert notice.sent_at is None
    assert notice.claimed_at is None  # released for the retry
    assert notice.attempts == 1
    assert notice.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []

    # The mail server is back: the next attempt sends it and clears the error.
    assert services.notice_send(notice_id=notice.pk) is True
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert notice.attempts == 2
    assert notice.error == ""
    assert len(mail.outbox) == 1


def _aged(notice: Notice, minutes: int, **fields) -> Notice:
    Notice.objects.filter(pk=notice.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes), **fields
    )
    return notice


def test_unsent_are_only_the_old_ones_not_sent_when_swept(olaine, olaine_coordinator):
    def notice():
        return _registered(olaine, olaine_coordinator).notices.get()

    oldest = _aged(notice(), 60)
    old = _aged(notice(), 11)
    _aged(notice(), 5)  # young: its own task may still be on the way
    _aged(notice(), 60, sent_at=timezone.now())  # sent
    _aged(notice(), 60, attempts=outbox.MAX_ATTEMPTS)  # given up
    _aged(notice(), 60, claimed_at=timezone.now())  # being sent right now
    _aged(notice(), 8 * 24 * 60)  # a week old: noise by now

    assert services.NOTICE.due() == [oldest.pk, old.pk]
    assert services.NOTICE.due(now=timezone.now() - timedelta(minutes=30)) == [oldest.pk]


def test_sweep_sends_the_old_unsent_notices_when_run(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    lost = _aged(_registered(olaine, olaine_coordinator, email="lost@example.lv").notices.get(), 30)
    _aged(_registered(olaine, olaine_coordinator, email="young@example.lv").notices.get(), 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notices_sweep() == 1

    assert [m.to for m in mail.outbox] == [["lost@example.lv"]]
    lost.refresh_from_db()
    assert lost.sent_at is not None
    assert services.NOTICE.due() == []


def test_notice_is_sent_after_commit_when_a_registration_is_made(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    session = builders.session(olaine, olaine_coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        registration = _registered(olaine, olaine_coordinator, session=session, email="now@example.lv")

    assert [m.to for m in mail.outbox] == [["now@example.lv"]]
    assert registration.notices.get().sent_at is not None


def test_sweeper_gives_up_on_a_notice_when_the_mail_server_failed_every_attempt(olaine, olaine_coordinator):
    notice = _aged(_registered(olaine, olaine_coordinator).notices.get(), 60)

    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPException("451 try again later")):
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            assert services.NOTICE.due() == [notice.pk]
            with pytest.raises(smtplib.SMTPException):
                services.notice_send(notice_id=notice.pk)
            notice.refresh_from_db()
            assert notice.attempts == attempt

    assert services.NOTICE.due() == []
    assert notice.sent_at is None
    assert notice.error == "SMTPException: 451 try again later"


def test_notice_is_not_sent_when_another_sender_holds_a_fresh_claim(olaine, olaine_coordinator):
    notice = _registered(olaine, olaine_coordinator).notices.get()
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - timedelta(minutes=1))

    assert services.notice_send(notice_id=notice.pk) is False
    assert mail.outbox == []

    # A claim older than a send can take belongs to a sender that died: it is taken over.
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - outbox.CLAIM_STALE_AFTER * 2)
    assert services.notice_send(notice_id=notice.pk) is True
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.sent_at is not None, notice.claimed_at) == (True, None)


def test_notice_is_claimed_and_counted_before_the_email_goes_out_when_sent(olaine, olaine_coordinator):
    notice = _registered(olaine, olaine_coordinator).notices.get()
    seen = []
    real = mail.backends.locmem.EmailBackend.send_messages

    def spy(backend, messages):
        seen.append(Notice.objects.values_list("claimed_at", "attempts", "sent_at").get(pk=notice.pk))
        return real(backend, messages)

    with mock.patch(LOCMEM_SEND, spy):
        assert services.notice_send(notice_id=notice.pk) is True

    [(claimed_at, attempts, sent_at)] = seen
    assert (claimed_at is not None, attempts, sent_at) == (True, 1, None)

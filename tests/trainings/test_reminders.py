"""The "trainings.expiring" reminders: a completion of a recurring course expiring in 60
and again in 30 days is told to the volunteer and to the coordinators of the unit that
recorded it — once per (kind, target, due date, recipient), in each recipient's language,
and not at all once renewed, withdrawn, or when the course does not recur. The run itself
(claims, races, failures) is tested in tests/notifications."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone, translation

from notifications import registry, reminders
from notifications.models import Reminder
from tests.factories import unit_coordinator
from trainings.models import Course
from trainings.reminders import EXPIRING_30, EXPIRING_60
from volunteers.models import Status

from . import builders

VOLUNTEER = "zane.liepina@example.lv"


@pytest.fixture
def today():
    return timezone.localdate()


def _recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def _expiring(unit, today, *, in_days, course=None, language="lv", email=VOLUNTEER, **fields):
    """A completion of a recurring course valid until ``in_days`` from today."""
    course = course or builders.course(unit.institution, kind=Course.Kind.RECURRING, title="Bērnu tiesības")
    app = builders.applicant(
        unit, status=Status.ACTIVE, language=language, email=email, first_name="Zane", last_name="Liepiņa"
    )
    valid_until = today + timedelta(days=in_days)
    return builders.completion(
        app.volunteer,
        course,
        unit,
        completed_on=valid_until - timedelta(days=730),
        valid_until=valid_until,
        **fields,
    )


def test_source_is_registered_when_the_app_is_loaded():
    assert "trainings.expiring" in {source.name for source in registry.sources()}
    assert {EXPIRING_60, EXPIRING_30} <= set(registry.kinds())


def test_volunteer_and_coordinators_are_reminded_once_each_when_60_then_30_days_remain(
    olaine, olaine_coordinator, today
):
    completion = _expiring(olaine, today, in_days=60)
    due = completion.valid_until

    assert reminders.reminders_send(today=today) == 2
    assert _recipients() == ["liga.ozolina@example.lv", VOLUNTEER]
    rows = Reminder.objects.order_by("recipient")
    assert [(r.kind, r.target, r.due_date) for r in rows] == [
        (EXPIRING_60, f"completion:{completion.pk}", due)
    ] * 2
    assert all(r.sent_at for r in rows)
    assert all("Bērnu tiesības" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    assert reminders.reminders_send(today=today) == 0
    assert reminders.reminders_send(today=due - timedelta(days=45)) == 0
    assert reminders.reminders_send(today=due - timedelta(days=31)) == 0
    assert mail.outbox == []

    assert reminders.reminders_send(today=due - timedelta(days=30)) == 2
    assert reminders.reminders_send(today=due - timedelta(days=30)) == 0
    assert reminders.reminders_send(today=due - timedelta(days=10)) == 0
    assert reminders.reminders_send(today=due) == 0

    kinds = sorted(Reminder.objects.values_list("kind", "recipient"))
    assert kinds == [
        (EXPIRING_30, "liga.ozolina@example.lv"),
        (EXPIRING_30, VOLUNTEER),
        (EXPIRING_60, "liga.ozolina@example.lv"),
        (EXPIRING_60, VOLUNTEER),
    ]


def test_expiring_within_30_days_sends_only_the_30_day_reminder_when_first_seen(
    olaine, olaine_coordinator, today
):
    _expiring(olaine, today, in_days=12)

    assert reminders.reminders_send(today=today) == 2

    assert set(Reminder.objects.values_list("kind", flat=True)) == {EXPIRING_30}


@pytest.mark.parametrize("in_days", [61, 90, -1])
def test_nothing_is_sent_when_outside_the_60_days_or_already_expired(
    olaine, olaine_coordinator, today, in_days
):
    _expiring(olaine, today, in_days=in_days)

    assert reminders.reminders_send(today=today) == 0
    assert not Reminder.objects.exists()


def test_nothing_is_sent_when_the_training_was_renewed(olaine, olaine_coordinator, today):
    expiring = _expiring(olaine, today, in_days=40)
    builders.completion(expiring.volunteer, expiring.course, olaine, completed_on=today - timedelta(days=3))

    assert reminders.reminders_send(today=today) == 0
    assert mail.outbox == []


def test_reminder_is_sent_when_the_renewal_was_withdrawn(olaine, olaine_coordinator, today):
    expiring = _expiring(olaine, today, in_days=40)
    builders.completion(
        expiring.volunteer,
        expiring.course,
        olaine,
        completed_on=today - timedelta(days=3),
        revoked_at=timezone.now(),
    )

    assert reminders.reminders_send(today=today) == 2


@pytest.mark.parametrize("case", ["revoked", "not_recurring", "inactive_course", "erased"])
def test_nothing_is_sent_when_the_completion_does_not_need_renewing(olaine, olaine_coordinator, today, case):
    course = None
    if case == "not_recurring":
        course = builders.course(olaine.institution, kind=Course.Kind.ROLE)
    elif case == "inactive_course":
        course = builders.course(olaine.institution, kind=Course.Kind.RECURRING, is_active=False)
    completion = _expiring(
        olaine, today, in_days=20, course=course, revoked_at=timezone.now() if case == "revoked" else None
    )
    if case == "erased":
        completion.volunteer.anonymised_at = timezone.now()
        completion.volunteer.save()

    assert reminders.reminders_send(today=today) == 0
    assert not Reminder.objects.exists()


def test_coordinators_of_the_unit_that_recorded_it_are_reminded_when_it_expires(
    olaine, jelgava, olaine_coordinator, jelgava_coordinator, today
):
    _expiring(jelgava, today, in_days=25)

    assert reminders.reminders_send(today=today) == 2

    assert _recipients() == ["andris.krumins@example.lv", VOLUNTEER]


def test_central_coordinators_are_reminded_when_the_unit_has_no_coordinator(olaine, ievp_central, today):
    _expiring(olaine, today, in_days=25)

    assert reminders.reminders_send(today=today) == 2

    assert _recipients() == ["ilze.kalnina@example.lv", VOLUNTEER]


def test_each_recipient_is_reminded_in_their_own_language_when_it_expires(olaine, olaine_coordinator, today):
    english = unit_coordinator(
        olaine, email="john@example.lv", first_name="John", last_name="Smith", language="en"
    )
    completion = _expiring(olaine, today, in_days=45, language="en")
    languages: dict[str, set[str]] = {}
    real = reminders.render_to_string

    def spy(name, context):
        languages.setdefault(context["person"].email, set()).add(translation.get_language())
        return real(name, context)

    before = translation.get_language()
    with mock.patch.object(reminders, "render_to_string", spy):
        assert reminders.reminders_send(today=today) == 3

    assert languages == {"liga.ozolina@example.lv": {"lv"}, english.email: {"en"}, VOLUNTEER: {"en"}}
    assert translation.get_language() == before  # the run leaves the caller's language as it was
    messages = {m.to[0]: m for m in mail.outbox}
    date = completion.valid_until.strftime("%-d.%m.%Y")
    volunteer = messages[VOLUNTEER]
    assert volunteer.subject == f"Your training “Bērnu tiesības” is valid until {date}"
    assert "Hello Zane," in volunteer.body
    assert f"is valid until {date}, 45 more days." in volunteer.body
    coordinator = messages[english.email]
    assert coordinator.subject == f"A volunteer's training “Bērnu tiesības” expires on {date}"
    assert "by Zane Liepiņa (Olaines cietums)" in coordinator.body
    assert "Bērnu tiesības" in messages["liga.ozolina@example.lv"].subject
    assert date in messages["liga.ozolina@example.lv"].body

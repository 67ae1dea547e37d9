"""Casework reminders (sent once per kind, object, due date and person by the notifications
app): a mentoring pair's or a circle's review every three months (to the supervising
officer and the unit's coordinators); a mediator certificate expiring in 60 and 30 days
(to the mediator and the coordinators); a circle running past 18 months (coordinators)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from notifications.registry import Message, ReminderSource, absolute_url, register

from .models import (
    CIRCLE_WARN_MONTHS,
    REVIEW_MONTHS,
    Circle,
    CirclePhase,
    MediatorCertificate,
    MentoringPair,
    PairState,
    Review,
)

if TYPE_CHECKING:
    from accounts.models import User

REVIEW_PAIR = "casework_review_pair"
REVIEW_CIRCLE = "casework_review_circle"
CIRCLE_LONG = "casework_circle_18_months"
CERT_60 = "mediator_cert_60"
CERT_30 = "mediator_cert_30"
REVIEW_AHEAD_DAYS = 7  # the reminder goes a week before the review is due


def _last_review(field: str):
    return Subquery(
        Review.objects.filter(**{field: OuterRef("pk")})
        .values(field)
        .annotate(last=Max("reviewed_on"))
        .values("last")[:1]
    )


def review_due_on(start: date, last_review: date | None) -> date:
    return (last_review or start) + relativedelta(months=REVIEW_MONTHS)


def _pairs_due(today: date):
    return (
        MentoringPair.objects.filter(state=PairState.ACTIVE, starts_on__lte=today - timedelta(days=80))
        .annotate(last_review=_last_review("pair"))
        .select_related("unit__institution", "client__officer", "mentor__user")
    )


def _review_messages(
    subject, coordinators: Sequence[User], today: date, *, kind: str, name: str, since: date
):
    due = review_due_on(since, subject.last_review)
    if due - today > timedelta(days=REVIEW_AHEAD_DAYS):
        return
    target = f"{subject._meta.model_name}:{subject.pk}"
    url = absolute_url((name, [subject.pk]))
    people = {person.pk: person for person in [*coordinators, subject.client.officer] if person.is_active}
    for person in people.values():
        yield Message(
            kind, target, due, person, "casework/email/reminder_review", {"subject": subject, "url": url}
        )


def _pair_messages(pair, coordinators, today) -> Iterator[Message]:
    yield from _review_messages(
        pair, coordinators, today, kind=REVIEW_PAIR, name="casework:pair", since=pair.starts_on
    )


def _circles_due(today: date):
    return (
        Circle.objects.filter(phase=CirclePhase.ACTIVE, active_from__lte=today - timedelta(days=80))
        .annotate(last_review=_last_review("circle"))
        .select_related("unit__institution", "client__officer")
    )


def _circle_messages(circle, coordinators, today) -> Iterator[Message]:
    yield from _review_messages(
        circle, coordinators, today, kind=REVIEW_CIRCLE, name="casework:circle", since=circle.active_from
    )
    long_on = circle.active_from + relativedelta(months=CIRCLE_WARN_MONTHS)
    if today >= long_on:
        for person in coordinators:
            yield Message(
                CIRCLE_LONG,
                f"circle:{circle.pk}",
                long_on,
                person,
                "casework/email/reminder_circle_long",
                {"subject": circle, "url": absolute_url(("casework:circle", [circle.pk]))},
            )


def _certificates_due(today: date):
    return MediatorCertificate.objects.filter(
        annulled_on__isnull=True, valid_until__gte=today, valid_until__lte=today + timedelta(days=60)
    ).select_related("unit__institution", "volunteer__user")


def _certificate_messages(certificate, coordinators, today) -> Iterator[Message]:
    kind = CERT_30 if (certificate.valid_until - today).days <= 30 else CERT_60
    target = f"mediator_certificate:{certificate.pk}"
    url = absolute_url(("casework:certificates", []))
    for person in coordinators:
        yield Message(
            kind,
            target,
            certificate.valid_until,
            person,
            "casework/email/reminder_certificate",
            {"certificate": certificate, "url": url},
        )
    if certificate.volunteer.anonymised_at is None and certificate.volunteer.user.is_active:
        yield Message(
            kind,
            target,
            certificate.valid_until,
            certificate.volunteer.user,
            "casework/email/reminder_certificate",
            {"certificate": certificate, "url": absolute_url(("casework:my_casework", []))},
        )


register(
    ReminderSource(
        name="casework.pair_review",
        kinds={REVIEW_PAIR: _("Mentoring pair review due")},
        templates=("casework/email/reminder_review",),
        due=_pairs_due,
        unit=lambda pair: pair.unit,
        messages=_pair_messages,
    )
)
register(
    ReminderSource(
        name="casework.circle_review",
        kinds={REVIEW_CIRCLE: _("Circle review due"), CIRCLE_LONG: _("Circle active for 18 months")},
        templates=("casework/email/reminder_review", "casework/email/reminder_circle_long"),
        due=_circles_due,
        unit=lambda circle: circle.unit,
        messages=_circle_messages,
    )
)
register(
    ReminderSource(
        name="casework.mediator_certificate",
        kinds={
            CERT_60: _("Mediator certificate expires in 60 days"),
            CERT_30: _("Mediator certificate expires in 30 days"),
        },
        templates=("casework/email/reminder_certificate",),
        due=_certificates_due,
        unit=lambda certificate: certificate.unit,
        messages=_certificate_messages,
    )
)

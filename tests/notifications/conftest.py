"""A reminder source registered by a test only: units are the objects ("unit:<pk>"), due in
three days, told to their coordinators and to anyone the test adds; its email templates
come from memory. Registered for the test, unregistered after."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from institutions.models import Unit
from notifications.registry import Message, ReminderSource, register, unregister

FAKE_KIND = "test_unit_check"
FAKE_TEMPLATE = "tests/notifications/reminder_unit"
FAKE_TEMPLATES = {
    f"{FAKE_TEMPLATE}_subject.txt": "{% load i18n %}Unit check: {{ unit.name }}\n",
    # An existing msgid, so that the Latvian catalogue translates it.
    f"{FAKE_TEMPLATE}_body.txt": '{% load i18n %}{% translate "Open it in Tilts:" %} {{ days }} {{ kind }}\n',
}


@dataclass
class FakeSource:
    """What the test changes: which units are due, who else is told."""

    due: list[int] = field(default_factory=list)
    also: list = field(default_factory=list)
    source: ReminderSource | None = None

    def messages(self, unit, coordinators, today):
        for person in [*coordinators, *self.also]:
            yield Message(
                FAKE_KIND, f"unit:{unit.pk}", today + timedelta(days=3), person, FAKE_TEMPLATE, {"unit": unit}
            )


@pytest.fixture
def fake_templates(settings):
    """A second template engine that holds the fake source's templates in memory."""
    settings.TEMPLATES = [
        *settings.TEMPLATES,
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "NAME": "tests_notifications",
            "APP_DIRS": False,
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", FAKE_TEMPLATES)]},
        },
    ]


@pytest.fixture
def fake_source(fake_templates):
    fake = FakeSource()
    fake.source = register(
        ReminderSource(
            name="tests.units",
            kinds={FAKE_KIND: "Unit check due"},
            templates=(FAKE_TEMPLATE,),
            due=lambda today: Unit.objects.filter(pk__in=fake.due),
            unit=lambda unit: unit,
            messages=fake.messages,
        )
    )
    yield fake
    unregister("tests.units")

"""The agreements demo: the fact sheet's figures in force, gapless numbers, a few PDFs,
and something for every kind of reminder. (Seeding takes seconds: two tests only.)"""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement, NumberSequence, Status
from documents.models import Document
from notifications import registry, reminders
from notifications.models import Reminder
from volunteers.models import Status as ApplicationStatus


@pytest.fixture
def seeded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())


def test_demo_has_the_fact_sheets_agreements_in_force_with_gapless_numbers_and_a_few_pdfs(seeded):
    in_force = Agreement.objects.filter(status__in=IN_FORCE)
    assert in_force.filter(institution__code="VPD").count() == 122
    assert in_force.filter(institution__code="IEVP").count() == 54
    for code in ("VPD", "IEVP"):
        mine = in_force.filter(institution__code=code)
        assert mine.values("unit").distinct().count() >= 5
        assert mine.values("role").distinct().count() >= 3
    # Each belongs to an active application (or one about to start, at the agreement step).
    statuses = set(in_force.values_list("application__status", flat=True))
    assert statuses <= {ApplicationStatus.ACTIVE, ApplicationStatus.AGREEMENT}
    assert not in_force.filter(start_date__gt=timezone.localdate(), status=Status.ACTIVE).exists()

    serials = defaultdict(list)
    for number in Agreement.objects.exclude(number=None).values_list("number", flat=True):
        code, year, serial = number.split("-")
        serials[code, int(year)].append(int(serial))
    assert len({year for _, year in serials}) >= 2  # last year's agreements keep last year's numbers
    for (code, year), numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert NumberSequence.objects.get(institution__code=code, year=year).last == len(numbers)
    assert not Agreement.objects.filter(number=None).exclude(status=Status.DRAFT).exists()

    documents = Document.objects.filter(kind="agreement")  # the events add gate passes and an izziņa
    assert 4 <= documents.count() <= 13
    assert all(d.state == Document.State.DONE and d.file and d.size for d in documents)
    assert documents.filter(version=2).count() == 1  # one superseded version to verify
    assert documents.filter(agreement__volunteer__user__email="brivpratigais@tilts.demo").exists()


def test_demo_gives_every_reminder_something_to_send_and_changes_nothing_when_seeded_again(seeded):
    agreements, documents = Agreement.objects.count(), Document.objects.count()

    call_command("seed_demo", stdout=StringIO())

    assert Agreement.objects.count() == agreements
    assert Document.objects.count() == documents
    assert reminders.reminders_send() > 0
    assert set(Reminder.objects.values_list("kind", flat=True)) == set(registry.kinds())

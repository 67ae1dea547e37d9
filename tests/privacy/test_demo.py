"""The demo's data protection: both institutions' periods, and records past them so the
retention report has something to show — without running the job."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from privacy import selectors
from privacy.models import RetentionPolicy, RetentionRun


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_has_both_policies_and_a_report_to_read_when_loaded(seeded, db):
    assert set(RetentionPolicy.objects.values_list("institution__code", flat=True)) == {"IEVP", "VPD"}
    plan = selectors.retention_plan()
    names = {p.name for p in plan.people}
    assert {"Edgars Siliņš", "Ināra Krūmiņa", "Valdis Ābeltiņš"} <= names
    assert [a.number[:9] for a in plan.agreements] == ["IEVP-2017"]
    assert not RetentionRun.objects.exists()


def test_seeding_again_changes_nothing_when_the_policies_exist(seeded, db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo retention periods are already loaded." in out.getvalue()
    assert RetentionPolicy.objects.count() == 2

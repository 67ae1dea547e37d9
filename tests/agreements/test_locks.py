"""Row locks (PostgreSQL): the agreement and application services lock only the rows they
mean — ``FOR UPDATE OF`` the agreement or application when they read related rows with it,
not the volunteer, unit, institution or account joined in — and template versions are
numbered one at a time."""

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import services
from agreements.models import AgreementTemplate
from volunteers import services as volunteer_services
from volunteers.models import Status as ApplicationStatus

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has no row locks (it writes no "
        "FOR UPDATE at all) and never runs two transactions in parallel",
    ),
]


def _locking_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if " FOR UPDATE" in q["sql"]]


@pytest.mark.django_db
def test_locks_name_their_table_when_a_query_joins_others_through_the_lifecycle(
    olaine, jelgava, olaine_coordinator
):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as context:
        agreement = builders.draft(olaine, olaine_coordinator, start_date=today)
        services.agreement_update(actor=olaine_coordinator, agreement=agreement, duties="Citi pienākumi.")
        services.agreement_generate(actor=olaine_coordinator, agreement=agreement)
        services.agreement_sign(
            actor=olaine_coordinator, agreement=agreement, scan=builders.scan(), signed_on=today
        )
        volunteer_services.application_transition(
            application_id=agreement.application_id,
            to=ApplicationStatus.PAUSED,
            actor=olaine_coordinator,
            reason="Atvaļinājums",
        )
        volunteer_services.application_reassign(
            application=agreement.application, unit=jelgava, actor=olaine_coordinator
        )
    locking = _locking_queries(context)
    assert len(locking) >= 6
    joined = [sql for sql in locking if " JOIN " in sql]
    assert joined, "the services read related rows with the locked one"
    for sql in joined:
        assert re.search(r'FOR UPDATE OF "(agreements_agreement|volunteers_application)"$', sql), sql


@pytest.mark.django_db
def test_daily_jobs_lock_only_the_agreement_when_they_read_its_unit(olaine, olaine_coordinator):
    agreement = builders.signed(olaine, olaine_coordinator)
    row = builders.agreement_row(olaine)
    with CaptureQueriesContext(connection) as context:
        services.agreements_activate_due(today=agreement.start_date)
        services.agreements_expire_due(today=row.end_date + timedelta(days=1))
    locking = _locking_queries(context)
    assert locking
    for sql in locking:
        assert (
            " JOIN " not in sql
            or sql.endswith('FOR UPDATE OF "agreements_agreement"')
            or sql.endswith('FOR UPDATE OF "volunteers_application"')
        ), sql


@pytest.mark.django_db(transaction=True)
def test_template_versions_are_numbered_one_at_a_time_when_published_together(ievp, olaine, ievp_central):
    count = 6
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def publish(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.template_new_version(
                actor=ievp_central, institution=ievp, role=None, title=f"Teksts {index}", body="{{ number }}"
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    before = set(
        AgreementTemplate.objects.filter(institution=ievp, role=None).values_list("version", flat=True)
    )
    threads = [threading.Thread(target=publish, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    versions = set(
        AgreementTemplate.objects.filter(institution=ievp, role=None).values_list("version", flat=True)
    )
    top = max(before, default=0)
    assert versions - before == set(range(top + 1, top + count + 1))

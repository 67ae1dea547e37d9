"""The shared document machinery: issuing versions of any registered kind (tenant unit,
number, initials, code), revocation, the audited download, the broker never failing a
request, the registry's rules, and the fragment and retry views every page reuses."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from documents import registry, services
from documents.models import Document
from documents.registry import DocumentKind
from institutions.models import AuditEvent
from tests.agreements import builders
from tests.factories import document_row


@pytest.fixture
def agreement(olaine):
    return builders.agreement_row(olaine, status="generated", email="anna.berzina@example.lv")


def test_issue_numbers_versions_and_copies_unit_number_and_initials_when_called_twice(agreement):
    with mock.patch.object(services, "_enqueue_render") as enqueue:
        first = services.document_issue(subject=agreement, kind="agreement")
        second = services.document_issue(subject=agreement, kind="agreement")

    assert [first.version, second.version] == [1, 2]
    assert first.unit == agreement.unit
    assert first.number == agreement.number
    user = agreement.volunteer.user
    assert first.holder_initials == f"{user.first_name[0]}. {user.last_name[0]}."
    assert first.verification_code != second.verification_code
    assert first.state == Document.State.QUEUED
    assert [call.args for call in enqueue.call_args_list] == [(first.pk,), (second.pk,)]
    assert list(Document.objects.filter(agreement=agreement).order_by("version")) == [first, second]


def test_issue_is_refused_when_the_kind_is_not_registered(agreement):
    with pytest.raises(LookupError):
        services.document_issue(subject=agreement, kind="diploma")


def test_render_is_queued_after_commit_and_a_broker_that_is_down_fails_nothing(
    agreement, django_capture_on_commit_callbacks, caplog
):
    from documents import tasks

    with (
        mock.patch.object(tasks.document_render, "apply_async", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        document = services.document_issue(subject=agreement, kind="agreement")

    assert len(callbacks) == 1
    document.refresh_from_db()
    assert document.state == Document.State.QUEUED  # the sweeper queues it again later
    assert "its sweeper will queue it again" in caplog.text


def test_revoke_marks_every_version_and_is_audited_once_when_called(agreement, olaine_coordinator):
    document_row(agreement, version=1, state=Document.State.DONE)
    document_row(agreement, version=2, state=Document.State.DONE)

    assert services.documents_revoke(subject=agreement, reason="Izbeigta", actor=olaine_coordinator) == 2
    assert services.documents_revoke(subject=agreement, reason="Izbeigta", actor=olaine_coordinator) == 0

    assert not Document.objects.filter(agreement=agreement, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="document.revoke")
    assert event.data["versions"] == [1, 2] and event.unit == agreement.unit


def test_sweeper_requeues_only_what_is_stuck_when_documents_of_many_states_exist(agreement):
    long_ago = timezone.now() - services.RENDER_STALE_AFTER * 2
    stuck = document_row(agreement, version=1, state=Document.State.QUEUED, created_at=long_ago)
    document_row(agreement, version=2, state=Document.State.QUEUED)  # just queued
    document_row(agreement, version=3, state=Document.State.DONE, created_at=long_ago)
    document_row(agreement, version=4, state=Document.State.FAILED, created_at=long_ago)

    with mock.patch("documents.tasks.document_render.delay") as delay:
        assert services.documents_requeue_stuck() == [stuck.pk]
    delay.assert_called_once_with(stuck.pk)


def test_registering_another_kind_under_a_taken_key_is_refused_when_apps_load():
    existing = registry.get("agreement")
    other = DocumentKind(**{**existing.__dict__, "template": "pdf/other.html"})

    with pytest.raises(ValueError, match="already registered"):
        registry.register(other)
    assert registry.register(existing) is existing  # the same kind again is harmless


def test_every_registered_kind_has_its_print_template_and_page_when_apps_load():
    from django.template.loader import get_template

    kinds = list(registry.kinds())
    assert [kind.key for kind in kinds] >= ["agreement"]
    for kind in kinds:
        assert "pdf/base.html" in get_template(kind.template).template.source or kind.template.startswith(
            "pdf/"
        )
        assert kind.model_class() is not None


def test_retry_service_is_refused_when_the_person_may_only_read(agreement, ministry):
    document = document_row(agreement, state=Document.State.FAILED, error="OSError")

    with pytest.raises(ValidationError):
        services.document_retry(actor=ministry, document=document)


# --- The views every page reuses


def test_fragment_shows_the_volunteer_their_own_document_but_no_retry_when_it_failed(client, agreement):
    document = document_row(agreement, state=Document.State.FAILED, error="OSError: fonts")
    client.force_login(agreement.volunteer.user)

    response = client.get(reverse("documents:fragment", args=[document.pk]))

    assert response.status_code == 200
    assert reverse("documents:retry", args=[document.pk]) not in response.content.decode()


def test_fragment_is_404_for_the_volunteer_when_the_agreement_is_a_draft(client, olaine):
    draft = builders.agreement_row(olaine, status="draft")
    document = document_row(draft, state=Document.State.DONE)
    client.force_login(draft.volunteer.user)

    assert client.get(reverse("documents:fragment", args=[document.pk])).status_code == 404


def test_htmx_retry_answers_with_the_fragment_when_a_coordinator_retries(
    client, agreement, olaine_coordinator, django_capture_on_commit_callbacks
):
    document = document_row(agreement, state=Document.State.FAILED, error="OSError: fonts")
    client.force_login(olaine_coordinator)

    with mock.patch.object(services, "_enqueue_render"):
        response = client.post(reverse("documents:retry", args=[document.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="document-{document.pk}"' in body and 'hx-trigger="every 2s"' in body
    assert "<html" not in body
    document.refresh_from_db()
    assert document.state == Document.State.QUEUED


def test_download_is_audited_under_the_kind_when_a_coordinator_downloads(
    client, agreement, olaine_coordinator
):
    from django.core.files.base import ContentFile

    document = document_row(agreement, state=Document.State.DONE, size=9)
    document.file.save("a.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    client.force_login(olaine_coordinator)

    response = client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert f'filename="{agreement.number}-v1.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="agreement.download", target_id=str(agreement.pk)).count() == 1


def test_download_is_404_when_the_pdf_is_not_made_yet(client, agreement, olaine_coordinator):
    document = document_row(agreement, state=Document.State.QUEUED)
    client.force_login(olaine_coordinator)

    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_fragment_query_count_is_fixed_when_a_coordinator_polls(
    client, agreement, olaine_coordinator, django_assert_num_queries
):
    document = document_row(agreement, state=Document.State.RENDERING, started_at=timezone.now())
    client.force_login(olaine_coordinator)
    url = reverse("documents:fragment", args=[document.pk])
    client.get(url)

    # The user (the session and the person's roles come from the cache); the document with
    # its unit and institution; the agreement with what the kind reads.
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200

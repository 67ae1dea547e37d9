"""List exports (documents.exports), on the coordinators' inbox: small ones stream from the
request in the old format; above TILTS_EXPORT_STREAM_MAX_ROWS a background job makes the
file (as the person who asked, through the inbox's own scoped selector), with progress, an
audited download for its owner only, expiry and a sweeper."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.http import Http404, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import tabular
from documents import exports, selectors, services, tasks
from documents.models import ExportFile
from institutions.models import AuditEvent
from volunteers import outreach
from volunteers.models import Role, Status

from ..factories import ApplicationFactory, UserFactory, VolunteerFactory

EXPORT = reverse("volunteers:inbox_export")
# The export's own reads and writes, whatever the number of rows (up to one chunk), once
# the person's roles are known: the inbox's visible units, its tab counts, the rows per unit,
# the role labels, the audit entry (its content type is cached), the rows, their roles.
PREPARE_RECORD_ROWS_QUERIES = 7


def _person(email, first_name="Anna", last_name="Bērziņa", **volunteer):
    return VolunteerFactory(
        user=UserFactory(email=email, first_name=first_name, last_name=last_name), **volunteer
    )


@pytest.fixture
def rows(olaine):
    """Three Olaine applications: Latvian letters, a formula, two roles in the inbox's order."""
    sports, leisure = (
        Role.objects.get(institution=olaine.institution, code=code) for code in ("sports", "leisure")
    )
    ApplicationFactory(
        unit=olaine,
        volunteer=_person("girts@example.lv", "Ģirts", "Bērziņš", phone="+371 26111222"),
        roles=[sports, leisure],
        reference="T2026-00101",
    )
    ApplicationFactory(
        unit=olaine,
        volunteer=_person("evil@example.lv", '=HYPERLINK("http://x")', "Ļauna", municipality="-Rīga"),
        reference="T2026-00102",
    )
    ApplicationFactory(
        unit=olaine, volunteer=_person("zane@example.lv", "Žanete", "Čakste"), reference="T2026-00103"
    )


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _job(owner, *, params=None, fmt="csv", **fields) -> ExportFile:
    now = timezone.now()
    return ExportFile.objects.create(
        owner=owner,
        kind="applications",
        params=params or {},
        format=fmt,
        expires_at=now + timedelta(hours=24),
        **fields,
    )


# --- Small exports stream


def test_small_export_streams_the_old_format_when_under_the_threshold(client, olaine_coordinator, rows):
    client.force_login(olaine_coordinator)
    response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tilts-applications-')
    assert response["Cache-Control"] == "no-store"
    table = _csv(response.getvalue())
    assert table[0] == [str(title) for title in outreach.export_header()]
    by_reference = {row[0]: row for row in table[1:]}
    assert len(by_reference) == 3
    girts = by_reference["T2026-00101"]
    assert girts[2] == str(Status.SUBMITTED.label)
    assert girts[3:8] == ["IeVP", "Olaines cietums", "Ģirts Bērziņš", "girts@example.lv", "'+371 26111222"]
    evil = by_reference["T2026-00102"]
    assert evil[5] == '\'=HYPERLINK("http://x") Ļauna'
    assert evil[9] == "'-Rīga"
    assert evil[8] == ""
    assert ExportFile.objects.count() == 0
    event = AuditEvent.objects.get(action="application.export")
    assert event.data == {"count": 3, "total": 3, "format": "csv"}


def test_export_rows_list_roles_in_the_inbox_order_when_an_application_has_several(olaine_coordinator, rows):
    prepared = outreach.applications_export_prepare(actor=olaine_coordinator, params={})
    roles = {row[0]: row[8] for row in prepared.table.rows}
    ordered = Role.objects.filter(code__in=["sports", "leisure"], institution__code="IEVP").order_by(
        "order", "pk"
    )
    assert roles["T2026-00101"] == ", ".join(str(role) for role in ordered)


def test_small_xlsx_export_comes_from_a_spooled_file_when_asked_for_xlsx(client, olaine_coordinator, rows):
    client.force_login(olaine_coordinator)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == tabular.CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 4
    assert {row[5] for row in values[1:]} == {
        "Ģirts Bērziņš",
        '\'=HYPERLINK("http://x") Ļauna',
        "Žanete Čakste",
    }


def test_export_query_count_is_flat_in_the_number_of_rows_when_prepared_recorded_and_written(
    olaine, olaine_coordinator, rows, django_assert_num_queries
):
    def run():
        prepared = outreach.applications_export_prepare(actor=olaine_coordinator, params={})
        prepared.record("csv", {})
        return b"".join(tabular.csv_stream(prepared.table.header, prepared.table.rows))

    run()  # the person's roles and the audit's content type are read once, then cached
    with django_assert_num_queries(PREPARE_RECORD_ROWS_QUERIES):
        assert len(_csv(run())) == 4
    for n in range(9):
        ApplicationFactory(unit=olaine, volunteer=_person(f"cits{n}@example.lv"), reference=f"T2026-0030{n}")
    with django_assert_num_queries(PREPARE_RECORD_ROWS_QUERIES):
        assert len(_csv(run())) == 13


def test_export_reads_one_more_query_per_chunk_not_per_row_when_the_list_is_long(
    olaine, olaine_coordinator, rows, monkeypatch
):
    monkeypatch.setattr(outreach, "EXPORT_CHUNK", 2)
    prepared = outreach.applications_export_prepare(actor=olaine_coordinator, params={})
    with CaptureQueriesContext(connection) as queries:
        assert len(list(prepared.table.rows)) == 3
    # The rows (one query: a server-side cursor on PostgreSQL), then the roles of each chunk.
    assert len(queries) == 1 + 2


def test_streaming_export_view_answers_in_the_same_number_of_queries_when_rows_are_added(
    client, olaine, olaine_coordinator, rows
):
    client.force_login(olaine_coordinator)
    client.get(EXPORT, {"format": "csv"}).getvalue()  # the session's first request records it

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(EXPORT, {"format": "csv"}).getvalue()
        return len(queries)

    before = count()
    for n in range(7):
        ApplicationFactory(unit=olaine, volunteer=_person(f"vel{n}@example.lv"), reference=f"T2026-0040{n}")
    assert count() == before


# --- Large exports: a background job


@pytest.fixture
def threshold(settings):
    settings.TILTS_EXPORT_STREAM_MAX_ROWS = 2
    return settings


def test_large_export_becomes_a_job_and_redirects_to_its_status_page_when_over_the_threshold(
    client, olaine_coordinator, rows, threshold, django_capture_on_commit_callbacks
):
    client.force_login(olaine_coordinator)
    with (
        mock.patch.object(tasks.export_build, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get(EXPORT, {"format": "csv", "q": "", "status": "submitted", "page": "3"})
    export = ExportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:export", args=[export.pk])
    assert enqueue.call_args.kwargs["args"] == (export.pk,)  # queued after commit, never waited on
    assert export.owner == olaine_coordinator
    assert export.params == {"q": [""], "status": ["submitted"]}  # the page number is not a filter
    assert (export.kind, export.format, export.state) == ("applications", "csv", ExportFile.State.QUEUED)
    assert export.rows_total == 3 and export.rows_done == 0
    assert timedelta(hours=23) < export.expires_at - export.created_at <= timedelta(hours=24)
    assert not AuditEvent.objects.filter(action="application.export").exists()  # nothing has left yet


def test_large_export_is_still_recorded_when_the_broker_is_down(
    client, olaine_coordinator, rows, threshold, django_capture_on_commit_callbacks, caplog
):
    client.force_login(olaine_coordinator)
    with (
        mock.patch.object(tasks.export_build, "apply_async", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 302  # the request never waits on (or fails with) the broker
    assert ExportFile.objects.get().state == ExportFile.State.QUEUED  # the sweeper queues it again
    assert "its sweeper will queue it again" in caplog.text


def test_same_export_requested_twice_is_one_job_when_the_first_is_still_queued(
    client, olaine_coordinator, rows, threshold
):
    client.force_login(olaine_coordinator)
    with mock.patch.object(tasks.export_build, "apply_async"):
        first = client.get(EXPORT, {"format": "csv", "status": "submitted"})
        second = client.get(EXPORT, {"format": "csv", "status": "submitted"})
        other = client.get(EXPORT, {"format": "xlsx", "status": "submitted"})
    assert first["Location"] == second["Location"] != other["Location"]
    assert ExportFile.objects.count() == 2


def test_job_writes_the_same_file_as_the_stream_when_it_runs(
    client, olaine_coordinator, rows, threshold, django_capture_on_commit_callbacks
):
    client.force_login(olaine_coordinator)
    threshold.TILTS_EXPORT_STREAM_MAX_ROWS = 100
    streamed = client.get(EXPORT, {"format": "csv"}).getvalue()
    threshold.TILTS_EXPORT_STREAM_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT, {"format": "csv"})  # tasks run in-process in tests
    export = ExportFile.objects.get()
    assert export.state == ExportFile.State.DONE
    assert (export.rows_total, export.rows_done, export.percent) == (3, 3, 100)
    assert export.attempts == 1 and export.finished_at is not None
    assert export.filename.startswith("tilts-applications-") and export.filename.endswith(".csv")
    with export.file.open("rb") as handle:
        stored = handle.read()
    assert stored == streamed
    assert export.size == len(stored)
    event = AuditEvent.objects.filter(action="application.export").latest("pk")
    assert event.data == {"count": 3, "total": 3, "format": "csv", "export": export.pk}
    assert event.actor == olaine_coordinator

    response = client.get(reverse("documents:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response.getvalue() == stored
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    download = AuditEvent.objects.get(action="export.download")
    assert download.actor == olaine_coordinator and download.target_id == str(export.pk)
    assert download.data == {"kind": "applications", "format": "csv", "rows": 3}


def test_job_writes_an_xlsx_workbook_when_asked_for_xlsx(olaine_coordinator, rows):
    export = _job(olaine_coordinator, fmt="xlsx", params={"q": ["Bērziņš"]})
    assert tasks.export_build.apply(args=(export.pk,)).result == "done"
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[5] for row in values[1:]] == ["Ģirts Bērziņš"]  # the stored filters applied


def test_job_reruns_the_inbox_selector_as_its_owner_when_the_filters_name_another_unit(
    jelgava, olaine, jelgava_coordinator, rows
):
    ApplicationFactory(unit=jelgava, volunteer=_person("jelgava@example.lv", "Juris", "Jelgavnieks"))
    export = _job(jelgava_coordinator, params={"unit": [olaine.slug]})
    tasks.export_build.apply(args=(export.pk,))
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        table = _csv(handle.read())
    assert [row[5] for row in table[1:]] == ["Juris Jelgavnieks"]  # Olaine's rows never reach Jelgava


def test_job_reports_progress_while_it_writes_when_rows_are_many(olaine_coordinator, monkeypatch):
    seen = []

    def prepare(user, params):
        def rows():
            for n in range(5):
                seen.append(ExportFile.objects.values_list("state", "rows_done", "rows_total").get())
                yield [f"Rinda {n}"]

        return exports.Prepared(
            total=5,
            table=tabular.Table(header=["Nr."], rows=rows()),
            filename="tilts-test",
            record=lambda fmt, extra: None,
        )

    exports.register(exports.ExportKind(key="test-progress", label="Test", prepare=prepare, page_url=str))
    monkeypatch.setattr(services, "EXPORT_PROGRESS_EVERY", 2)
    try:
        export = ExportFile.objects.create(
            owner=olaine_coordinator,
            kind="test-progress",
            format="csv",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        tasks.export_build.apply(args=(export.pk,))
    finally:
        exports.unregister("test-progress")
    assert seen == [
        ("running", 0, 5),
        ("running", 0, 5),
        ("running", 2, 5),
        ("running", 2, 5),
        ("running", 4, 5),
    ]
    export.refresh_from_db()
    assert (export.state, export.rows_done, export.percent) == ("done", 5, 100)


def test_job_is_skipped_when_it_is_done_or_running_elsewhere(olaine_coordinator, rows):
    export = _job(olaine_coordinator)
    assert tasks.export_build.apply(args=(export.pk,)).result == "done"
    assert tasks.export_build.apply(args=(export.pk,)).result == "skipped"  # a duplicate message
    running = _job(olaine_coordinator, state=ExportFile.State.RUNNING, started_at=timezone.now())
    assert tasks.export_build.apply(args=(running.pk,)).result == "skipped"
    assert services.export_claim(export_id=running.pk, now=timezone.now() + timedelta(minutes=16))  # lost
    assert AuditEvent.objects.filter(action="application.export").count() == 1


def test_job_is_marked_failed_with_the_error_when_it_fails_every_time(olaine_coordinator, rows):
    export = _job(olaine_coordinator)
    with mock.patch.object(outreach, "export_rows", side_effect=OSError("disk full")):
        assert tasks.export_build.apply(args=(export.pk,)).result == "failed"
    export.refresh_from_db()
    assert export.state == ExportFile.State.FAILED
    assert export.error == "OSError: disk full"
    assert not export.file


# --- The status page and the download


def test_status_page_polls_every_two_seconds_while_the_job_runs_when_opened_by_its_owner(
    client, olaine_coordinator
):
    export = _job(olaine_coordinator, state=ExportFile.State.RUNNING, rows_total=8000, rows_done=2000)
    client.force_login(olaine_coordinator)
    page = client.get(reverse("documents:export", args=[export.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="25"' in body
    fragment = client.get(reverse("documents:export", args=[export.pk]), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    ExportFile.objects.filter(pk=export.pk).update(state=ExportFile.State.DONE, rows_done=8000, size=10)
    done = client.get(
        reverse("documents:export", args=[export.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in done
    assert reverse("documents:export_download", args=[export.pk]) in done


def test_another_persons_export_answers_404_when_anybody_else_asks(
    client, olaine_coordinator, ievp_central, superuser
):
    export = _job(olaine_coordinator, state=ExportFile.State.DONE)
    for user in (ievp_central, superuser):
        client.force_login(user)
        assert client.get(reverse("documents:export", args=[export.pk])).status_code == 404
        assert client.get(reverse("documents:export_download", args=[export.pk])).status_code == 404
    with pytest.raises(Http404):
        selectors.export_for(ievp_central, export.pk)


def test_expired_export_cannot_be_downloaded_when_its_time_is_over(client, olaine_coordinator, rows):
    export = _job(olaine_coordinator)
    tasks.export_build.apply(args=(export.pk,))
    ExportFile.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(olaine_coordinator)
    assert client.get(reverse("documents:export_download", args=[export.pk])).status_code == 404
    page = client.get(reverse("documents:export", args=[export.pk])).content.decode()
    assert "derīguma termiņš ir beidzies" in page  # "This file has expired …", in Latvian
    assert reverse("documents:export_download", args=[export.pk]) not in page
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_unfinished_export_cannot_be_downloaded_when_it_is_still_running(client, olaine_coordinator):
    export = _job(olaine_coordinator, state=ExportFile.State.RUNNING)
    client.force_login(olaine_coordinator)
    assert client.get(reverse("documents:export_download", args=[export.pk])).status_code == 404


# --- The sweeper


def test_sweeper_deletes_expired_files_and_requeues_stuck_jobs_when_it_runs(olaine_coordinator, rows):
    expired = _job(olaine_coordinator)
    tasks.export_build.apply(args=(expired.pk,))
    expired.refresh_from_db()
    storage, name = expired.file.storage, expired.file.name
    assert storage.exists(name)
    kept = _job(olaine_coordinator)
    tasks.export_build.apply(args=(kept.pk,))
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = _job(olaine_coordinator, created_at=long_ago)
    exhausted = _job(olaine_coordinator, state=ExportFile.State.RUNNING, started_at=long_ago, attempts=3)
    fresh = _job(olaine_coordinator)
    ExportFile.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with mock.patch.object(tasks.export_build, "apply_async") as enqueue:
        result = tasks.exports_sweep.apply().result

    assert result == {"deleted": 1, "requeued": 1, "failed": 1}
    assert not storage.exists(name)
    assert not ExportFile.objects.filter(pk=expired.pk).exists()
    kept.refresh_from_db()
    assert kept.state == ExportFile.State.DONE and kept.file.storage.exists(kept.file.name)
    assert [call.kwargs["args"] for call in enqueue.call_args_list] == [(stuck.pk,)]
    assert ExportFile.objects.get(pk=exhausted.pk).state == ExportFile.State.FAILED
    assert ExportFile.objects.get(pk=fresh.pk).state == ExportFile.State.QUEUED


def test_sweeper_is_scheduled_in_beat_when_migrated(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="documents.tasks.exports_sweep")
    assert task.enabled and task.interval.every == 10

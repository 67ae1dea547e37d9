"""The documents part of `make bench` (see bench.run): for every registered document kind,
N documents rendered through the shared render task (claim → WeasyPrint PDF/A → store),
with the per-document time (cold, mean, median, p95, max), the PDF size and memory
(resident before/after and peak, Python-heap peak of one render); then the stuck-document
sweeper over M document rows. Figures only: nothing here asserts a time."""

from __future__ import annotations

import statistics
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

from .measure import QueryCounter, Timer, line, ms, peak_rss_mib, percentile, rss_mib


def _builders() -> dict[str, Callable[[int], list]]:
    """Per document kind, a function that makes ``count`` subjects with a queued document
    each. A kind registered without a builder here is reported, never skipped silently."""
    from .agreements import issue_agreement_documents
    from .events import issue_gate_pass_documents, issue_work_certificate_documents
    from .trainings import issue_certificate_documents

    return {
        "agreement": issue_agreement_documents,
        "training_certificate": issue_certificate_documents,
        "event_gate_pass": issue_gate_pass_documents,
        "volunteer_work_certificate": issue_work_certificate_documents,
        "award_diploma": issue_award_diplomas,
    }


def issue_award_diplomas(count: int) -> list:
    """``count`` laureates of a decided award cycle (bulk rows, long Latvian names and
    citations), each with its queued diploma (rendered later)."""
    from datetime import date

    from django.db.models import Max
    from django.utils import timezone

    from awards.models import AwardCycle, Nomination
    from awards.services import DIPLOMA
    from documents import services as document_services
    from institutions.models import Unit

    unit = Unit.objects.select_related("institution").filter(institution__code="IEVP").order_by("pk").first()
    year = max(2000, (AwardCycle.objects.aggregate(last=Max("year"))["last"] or 2025) + 1)
    cycle = AwardCycle.objects.create(
        year=year,
        nominations_open=date(year, 3, 1),
        nominations_close=date(year, 4, 30),
        conference_date=date(year, 11, 19),
        conference_place="Rīga, Latvijas Nacionālā bibliotēka",
        signatory_name="Inese Lībiņa-Egnere",
        signatory_title="Tieslietu ministre",
        status=AwardCycle.Status.DECIDED,
        decided_at=timezone.now(),
    )
    nominations = Nomination.objects.bulk_create(
        [
            Nomination(
                cycle=cycle,
                number=n,
                source=Nomination.Source.PUBLIC,
                status=Nomination.Status.ELIGIBLE,
                institution=unit.institution,
                unit=unit,
                nominee_name=f"Ērika Ķirša-Žūriņa {n:04d}",
                nominator_name="Jānis Bērziņš",
                nominator_email="janis.berzins@bench.example.lv",
                justification="Septiņus gadus vada šaha pulciņu un grāmatu klubu cietumā. " * 3,
                is_laureate=True,
                citation="Par septiņiem gadiem nesavtīga darba: šaha pulciņš, grāmatu klubs un "
                "ģimeņu dienas, kas ieslodzītajiem ļāva atgūt saikni ar saviem bērniem.",
                language="lv" if n % 5 else "en",
            )
            for n in range(1, count + 1)
        ],
        batch_size=1000,
    )
    with mock.patch.object(document_services, "_enqueue_render", lambda document_id: None):
        return [
            document_services.document_issue(subject=nomination, kind=DIPLOMA) for nomination in nominations
        ]


def bench_kind(kind, count: int) -> None:
    from documents import rendering, tasks
    from documents.models import Document

    builder = _builders().get(kind.key)
    print(
        f"\n1. Documents of kind “{kind.key}”: {count} PDFs"
        f" (claim → WeasyPrint {rendering.PDF_VARIANT} → store)"
    )
    if builder is None:
        line("no builder in bench/documents.py", "add one to measure this kind")
        return
    documents = builder(count)

    render_seconds: list[float] = []
    real_render = rendering.render_pdf

    def timed_render(*args):
        with Timer() as timer:
            pdf = real_render(*args)
        render_seconds.append(timer.seconds)
        return pdf

    task_seconds: list[float] = []
    rss_before = rss_mib()
    with mock.patch.object(rendering, "render_pdf", timed_render):
        for document in documents:
            with Timer() as timer:
                tasks.document_render.apply(args=(document.pk,)).get()
            task_seconds.append(timer.seconds)
    rss_after = rss_mib()
    done = Document.objects.filter(pk__in=[d.pk for d in documents], state=Document.State.DONE)
    sizes = list(done.values_list("size", flat=True))

    # The Python-heap peak of single renders (tracemalloc slows Python down: measured apart).
    heap_peaks = []
    for document in documents[: min(5, len(documents))]:
        document = Document.objects.select_related("unit__institution").get(pk=document.pk)
        subject = kind.subject_of(document)
        tracemalloc.start()
        real_render(kind, document, subject)
        heap_peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()

    warm = task_seconds[1:] or task_seconds
    line("documents done", f"{len(sizes)} of {count}")
    line("first document (cold: fonts, CSS)", ms(task_seconds[0]))
    line("per document, warm: mean", ms(statistics.mean(warm)))
    line("per document, warm: median", ms(statistics.median(warm)))
    line("per document, warm: p95", ms(percentile(warm, 0.95)))
    line("per document, warm: max", ms(max(warm)))
    line(
        "of which WeasyPrint (mean / p95)",
        f"{ms(statistics.mean(render_seconds[1:] or render_seconds))} / "
        f"{ms(percentile(render_seconds[1:] or render_seconds, 0.95)).strip()}",
    )
    line("all documents", f"{sum(task_seconds):8.2f} s")
    line("PDF size (mean)", f"{statistics.mean(sizes) / 1024:8.1f} KiB" if sizes else "-")
    if rss_before is not None and rss_after is not None:
        line(
            "resident memory before → after",
            f"{rss_before:8.1f} → {rss_after:.1f} MiB "
            f"(+{(rss_after - rss_before) / max(1, count) * 1024:.0f} KiB per document)",
        )
    line("peak resident memory (ru_maxrss)", f"{peak_rss_mib():8.1f} MiB")
    line("Python heap peak of one render (tracemalloc)", f"{max(heap_peaks) / (1024 * 1024):8.1f} MiB")


def bench_documents(count: int) -> None:
    from documents import registry

    for kind in registry.kinds():
        bench_kind(kind, count)


def bench_sweeper(count: int) -> None:
    """The stuck-document sweeper over ``count`` rows, of which 1 % are stuck."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from documents import services
    from documents.models import Document
    from institutions.models import Unit

    print(f"\n3. Stuck-document sweeper over {count} documents")
    unit = Unit.objects.order_by("pk").first()
    content_type = ContentType.objects.get_for_model(Unit)
    old = timezone.now() - timedelta(hours=1)
    with Timer() as timer:
        Document.objects.bulk_create(
            [
                Document(
                    kind="bench",
                    unit=unit,
                    content_type=content_type,
                    object_id=index,
                    version=1,
                    state=Document.State.QUEUED if index % 100 == 0 else Document.State.DONE,
                    created_at=old,
                )
                for index in range(count)
            ],
            batch_size=1000,
        )
    line("seeding (bulk_create)", f"{timer.seconds:8.2f} s")
    queued = []
    with mock.patch("documents.tasks.document_render.delay", queued.append):
        queries = QueryCounter()
        with connection.execute_wrapper(queries), Timer() as timer:
            stuck = services.documents_requeue_stuck()
    line(
        "sweep (documents_requeue_stuck)",
        f"{timer.seconds:8.2f} s, {len(stuck)} queued, {queries.count} queries",
    )

"""The pages part of `make bench` (see bench.run): the coordinators' pages at national scale.

bench.scale seeds ×N (default ×100: 25,000 volunteers, 27,000 applications over 17 units —
about 3,000 at Olaines cietums —, 12,400 agreements, 115,000 history events); then every
coordinator list, detail, search and export page is fetched with a signed-in Django test
client, as the Olaine coordinator and as IeVP's central coordinator (casework: as VPD's
Rīgas reģions coordinator and VPD's central coordinator), against the bare view of
bench.urls in alternating pairs (R rounds after a warm-up, median): the median, its ratio
to the bare view's, the SQL queries of one more fetch, and ✓/✗ against the issue's goals:

* the layout alone (``base.html`` with nothing in it): ≤ 1.5× bare and ≤ 4 queries;
* every list, detail and search page: ≤ 3× bare;
* the inbox's CSV export: its first byte in < 1 s (a streaming response is consumed chunk by
  chunk: first byte and end are timed apart; a large export that answers with a redirect to
  its job is timed to that answer — the bench runs tasks in-process, so the job is included).

A page whose URL name does not exist (yet) is skipped with a note. The reports' dashboards
are timed apart, cold and warm (bench.dashboards). Figures only: nothing here asserts a time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from .measure import Timer, line

LAYOUT_RATIO, LAYOUT_QUERIES = 1.5, 4
PAGE_RATIO = 3.0
EXPORT_FIRST_BYTE = 1.0  # seconds

COLUMNS = {  # column: (title, person for most pages, person for casework pages)
    "unit": ("Olaine coordinator", "unit", "vpd_unit"),
    "central": ("IeVP central coordinator", "central", "vpd_central"),
}


@dataclass
class Page:
    label: str
    name: str  # URL name
    kind: str  # layout, list, detail, search, export
    query: str = ""
    arg: Callable | None = None  # seeded -> the URL's pk (detail pages)
    casework: bool = False  # fetched as VPD's coordinators


PAGES = [
    Page("the layout alone (base.html)", "bench_layout", "layout"),
    Page("start page", "home", "list"),
    Page("inbox, first page", "volunteers:inbox", "list"),
    Page("inbox search q=Bērziņ", "volunteers:inbox", "search", "?q=B%C4%93rzi%C5%86"),
    Page("inbox search q=Berzin", "volunteers:inbox", "search", "?q=Berzin"),
    Page("inbox tab: open", "volunteers:inbox", "list", "?status=open"),
    Page("inbox tab: vetting", "volunteers:inbox", "list", "?status=vetting"),
    Page("inbox tab: active, page 3", "volunteers:inbox", "list", "?status=active&page=3"),
    Page("application detail", "volunteers:application_detail", "detail", arg=lambda s: s.application_pk),
    Page("agreements list", "agreements:list", "list"),
    Page("agreements list: in force", "agreements:list", "list", "?status=active"),
    Page("agreements list: ending in 30 days", "agreements:list", "list", "?ending=on"),
    Page("agreements search q=Bērziņ", "agreements:list", "search", "?q=B%C4%93rzi%C5%86"),
    Page("agreement detail", "agreements:detail", "detail", arg=lambda s: s.agreement_pk),
    Page("training sessions", "trainings:sessions", "list"),
    Page("events: approval queue", "events:queue", "list"),
    Page("events: list", "events:list", "list"),
    Page("events: calendar", "events:calendar", "list"),
    Page("casework home (VPD)", "casework:home", "list", casework=True),
    Page("inbox CSV export", "volunteers:inbox_export", "export", "?format=csv"),
]


@dataclass
class Result:
    status: int
    median: float = 0.0  # seconds (an export: to the end)
    bare: float = 0.0
    queries: int = 0
    first_byte: float | None = None  # exports
    rows: int | None = None  # exports

    @property
    def ratio(self) -> float:
        return self.median / self.bare if self.bare else 0.0


def _fetch(client, url: str) -> tuple[object, float, float]:
    """One GET, its body read to the end: (response, seconds to the first byte, to the end)."""
    start = time.perf_counter()
    response = client.get(url)
    if getattr(response, "streaming", False):
        first = None
        for _chunk in response.streaming_content:  # the test client closes it when exhausted
            if first is None:
                first = time.perf_counter() - start
        end = time.perf_counter() - start
        return response, end if first is None else first, end
    response.content  # noqa: B018 — a non-streaming body is built before the answer
    seconds = time.perf_counter() - start
    return response, seconds, seconds


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def measure(client, url: str, bare_url: str, rounds: int, *, export: bool = False) -> Result:
    """``url`` against ``bare_url`` in alternating pairs (which goes first alternates too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: templates, translations, connections
        _fetch(client, bare_url)
        response, _first, _end = _fetch(client, url)
    if response.status_code != 200 and not (export and response.status_code == 302):
        return Result(status=response.status_code)  # a large export may answer with its job's page
    bare, page, first_bytes = [], [], []
    for n in range(rounds):
        for is_page in (False, True) if n % 2 == 0 else (True, False):
            _response, first, end = _fetch(client, url if is_page else bare_url)
            if is_page:
                page.append(end)
                first_bytes.append(first)
            else:
                bare.append(end)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = _body(response)
    result = Result(
        status=response.status_code,
        median=statistics.median(page),
        bare=statistics.median(bare),
        queries=len(queries),
    )
    if export:
        result.first_byte = statistics.median(first_bytes)
        if result.status == 200:
            result.rows = max(0, body.count(b"\n") - 1)  # CSV lines after the header
    return result


def verdict(page: Page, result: Result) -> bool:
    if page.kind == "layout":
        return result.ratio <= LAYOUT_RATIO and result.queries <= LAYOUT_QUERIES
    if page.kind == "export":
        return result.first_byte is not None and result.first_byte < EXPORT_FIRST_BYTE
    return result.ratio <= PAGE_RATIO


def cell(page: Page, result: Result | None) -> str:
    if result is None:
        return "—"
    if page.kind == "export" and result.status == 302:  # handed to a job (run in-process here)
        answer = f"{result.median * 1000:.0f} ms ({result.ratio:.0f}×)"
        return f"302 to a job in {answer}, {result.queries} q {'✓' if verdict(page, result) else '✗'}"
    if result.status != 200:
        return f"HTTP {result.status}"
    mark = "✓" if verdict(page, result) else "✗"
    if page.kind == "export":
        first, end = result.first_byte * 1000, result.median * 1000
        ratio = f"{result.ratio:.0f}×"
        timing = f"1st byte {first:.0f} ms, end {end:.0f} ms ({ratio})"
        return f"{result.rows} rows: {timing}, {result.queries} q {mark}"
    return f"{result.median * 1000:7.1f} ms {result.ratio:5.1f}× {result.queries:3d} q {mark}"


def pages_run(seeded, rounds: int = 30, pages: list[Page] | None = None) -> dict:
    """Every page of ``pages`` (default PAGES) for both columns: {(label, column): Result}.
    Prints the table as it goes."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    pages = PAGES if pages is None else pages
    results: dict = {}
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        clients = {}
        for key in {person for _title, *people in COLUMNS.values() for person in people}:
            clients[key] = Client()
            clients[key].force_login(seeded.people[key])
        bare_url = reverse("bench_bare")
        titles = [title for title, *_people in COLUMNS.values()]
        print(f"\n  {'page':<38} | {titles[0]:<34} | {titles[1]}")
        for column, (_title, person, _casework) in COLUMNS.items():
            results[("bare view", column)] = measure(clients[person], bare_url, bare_url, rounds)
        bare = [results[("bare view", column)] for column in COLUMNS]
        row = [f"{r.median * 1000:7.1f} ms        {r.queries:3d} q" for r in bare]
        print(f"  {'bare view (median, queries)':<38} | {row[0]:<34} | {row[1]}")
        for page in pages:
            try:
                args = [page.arg(seeded)] if page.arg else []
                if page.arg and args[0] is None:
                    raise NoReverseMatch
                url = reverse(page.name, args=args) + page.query
            except NoReverseMatch:
                print(f"  {page.label:<38} | no view named {page.name}: skipped")
                continue
            row = []
            for column, (_title, person, casework) in COLUMNS.items():
                who = casework if page.casework else person
                result = measure(
                    clients[who],
                    url,
                    bare_url,
                    rounds if page.kind != "export" else max(3, rounds // 6),
                    export=page.kind == "export",
                )
                results[(page.label, column)] = result
                row.append(cell(page, result))
            print(f"  {page.label:<38} | {row[0]:<34} | {row[1]}", flush=True)
    return results


def bench_pages_at_scale(scale: int = 100, rounds: int = 30, dashboards: str = "on") -> None:
    """Seeds ×``scale`` and times the pages; ``dashboards``: "on" also seeds the dashboards'
    scale (bench.scale.seed_dashboards, before the pages are timed: they see it too) and times
    the reports (bench.dashboards), "only" times the reports alone, "off" neither."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from . import scale as scaling

    if dashboards == "only":
        print(f"\n6. National ×{scale} scale, seeded for the reports (the pages are not timed)")
    else:
        print(
            f"\n6. Coordinators' pages at national ×{scale} scale"
            f" ({rounds} pairs against a bare view, median)"
        )
    with Timer() as total:
        with Timer() as timer:
            seeded = scaling.seed(scale)
        line("seeding (bulk inserts)", f"{timer.seconds:8.1f} s")
        for label, count in seeded.counts.items():
            line(f"  {label}", f"{count:8d}")
        _analyze(connection)
        small = None
        if dashboards != "off":
            from .dashboards import small_counts

            small = small_counts(seeded, timezone.localdate().year)
            seeded.counts.clear()
            with Timer() as timer:
                scaling.seed_dashboards(seeded, scale)
            line("seeding the dashboards' scale (bulk inserts)", f"{timer.seconds:8.1f} s")
            for label, count in seeded.counts.items():
                line(f"  {label}", f"{count:8d}")
            _analyze(connection)
    line("seeding in all (with ANALYZE)", f"{total.seconds:8.1f} s")
    from volunteers.models import Application

    per_status = Application.objects.values("status").annotate(n=Count("pk")).order_by("status")
    line("applications by status", ", ".join(f"{row['status']} {row['n']}" for row in per_status))
    if dashboards != "only":
        print(
            f"  goals: layout ≤ {LAYOUT_RATIO}× bare and ≤ {LAYOUT_QUERIES} queries; lists, details and"
            f" searches ≤ {PAGE_RATIO:.0f}× bare; export's first byte < {EXPORT_FIRST_BYTE:.0f} s"
        )
        print("  (cells: median ms, × bare, queries of one fetch, ✓/✗ against the goal)")
        with Timer() as timer:
            results = pages_run(seeded, rounds)
        met = [
            verdict(page, results[(page.label, column)])
            for page in PAGES
            for column in COLUMNS
            if (page.label, column) in results and results[(page.label, column)].status == 200
        ]
        line("pages timed", f"{timer.seconds:8.1f} s; goals met {sum(met)} of {len(met)}")
    if dashboards != "off":
        from .dashboards import bench_dashboards

        bench_dashboards(seeded, rounds, small)


def _analyze(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with Timer() as timer, connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    line("ANALYZE", f"{timer.seconds:8.1f} s")

"""The dashboards part of `make bench --pages` (issue 16): the reports' dashboard
(``reports:dashboard``, ``?year=<this year>``) and the fact sheet's page
(``reports:fact_sheet``, GET) at the dashboards' scale (bench.scale.seed_dashboards: 100
units, 300,000 events at ×100), fetched as the Olaine coordinator, IeVP's central coordinator
and the ministry viewer against the bare view of bench.urls:

* **cold**: the figures' cache emptied before each fetch (``reports.cache``'s generation
  bumped — a write anywhere does that —, else the whole cache cleared), median of a few
  fetches, each paired with a bare one;
* **warm**: alternating pairs after a warm-up, median (as bench.pages);

each with its ratio to the bare view, the SQL queries of one more fetch, and ✓/✗ against
the issue's goal (≤ 3× bare). The queries must not grow with the data: they are counted
once more before the dashboards' scale is seeded (×N of bench.scale: 17 units, 3,000 events
at ×100) and each count at full scale is flagged when it differs (``≠ N q small``), and
the dashboard's are compared with the counts tests/reports/test_dashboard_views.py asserts
(``≠ N q tests``), when that module can be imported.

A page whose URL name does not exist (yet) is skipped with a note. Figures only."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .measure import Timer, line
from .pages import PAGE_RATIO, Result, _fetch

ROLES = {  # column: (title, person of bench.scale.Seeded.people)
    "unit": ("Olaine coordinator", "unit"),
    "central": ("IeVP central coordinator", "central"),
    "ministry": ("ministry viewer", "ministry"),
}
COLD_ROUNDS = 7  # cold fetches per page and role (each one recomputes every figure)
# The dashboard's query counts tests/reports asserts, by role: (cold, cached) constant names.
ASSERTED = {
    "unit": ("PAGE_ONE_UNIT", "PAGE_CACHED"),
    "central": ("PAGE_ONE_UNIT", "PAGE_CACHED"),
    "ministry": ("PAGE_BOTH", "PAGE_CACHED"),
}


@dataclass(frozen=True)
class Report:
    label: str
    name: str  # URL name
    year_query: bool = True  # ?year=<this year>
    roles: tuple[str, ...] = tuple(ROLES)  # who it is for (anybody else gets 404)


REPORTS = [
    Report("dashboard", "reports:dashboard"),
    # the central offices and the Ministry make the fact sheet; a unit coordinator gets 404
    Report("fact sheet (form)", "reports:fact_sheet", year_query=False, roles=("central", "ministry")),
]
FOR = {report.label: report.roles for report in REPORTS}


@dataclass
class Timing:
    cold: Result
    warm: Result
    small_queries: tuple[int, int] | None = None  # (cold, warm) before the dashboards' scale
    asserted_queries: tuple[int, int] | None = None  # (cold, warm) that tests/reports asserts

    def steady(self) -> bool:
        """The same number of queries as at the small scale and as the tests assert (True
        for what was not counted)."""
        counts = (self.cold.queries, self.warm.queries)
        return all(other in (None, counts) for other in (self.small_queries, self.asserted_queries))

    def met(self) -> bool:
        return self.warm.ratio <= PAGE_RATIO and self.cold.ratio <= PAGE_RATIO and self.steady()


def report_urls(year: int, reports: list[Report] | None = None) -> dict[str, str]:
    """{label: URL} of the reports that exist (the others are left out)."""
    from django.urls import NoReverseMatch, reverse

    urls = {}
    for report in REPORTS if reports is None else reports:
        try:
            url = reverse(report.name)
        except NoReverseMatch:
            continue
        urls[report.label] = url + (f"?year={year}" if report.year_query else "")
    return urls


def invalidate() -> str:
    """Empties the reports' figures: a new generation of ``reports.cache`` (what a committed
    write does), else — no such module, or inside a transaction (a test), where the bump
    waits for the commit — the whole cache (sessions are in the database too, so nobody is
    signed out). Returns how."""
    from django.core.cache import cache

    try:
        from reports import cache as figures
    except ImportError:
        figures = None
    if figures is not None and hasattr(figures, "bump") and hasattr(figures, "generation"):
        before = figures.generation()
        figures.bump()
        if figures.generation() != before:
            return "reports.cache.bump() (a new generation)"
    cache.clear()
    return "cache.clear()"


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        response.content  # noqa: B018
    return len(queries)


def measure_cold(client, url: str, bare_url: str, rounds: int = COLD_ROUNDS) -> Result:
    """Each fetch after :func:`invalidate`, paired with a bare fetch (which goes first
    alternates); the queries of one more cold fetch."""
    _fetch(client, bare_url)  # warm-up of the code paths (templates, translations), then cold
    invalidate()
    response, _first, _end = _fetch(client, url)
    if response.status_code != 200:
        return Result(status=response.status_code)
    page, bare = [], []
    for n in range(rounds):
        for is_page in (False, True) if n % 2 == 0 else (True, False):
            if is_page:
                invalidate()
                _response, _first, end = _fetch(client, url)
                page.append(end)
            else:
                bare.append(_fetch(client, bare_url)[2])
    invalidate()
    queries = count_queries(client, url)
    return Result(status=200, median=statistics.median(page), bare=statistics.median(bare), queries=queries)


def small_counts(seeded, year: int) -> dict:
    """{(label, role): (cold queries, warm queries)} — counted before the dashboards' scale."""
    from django.test import Client
    from django.test.utils import override_settings

    counts = {}
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        urls = report_urls(year)
        for role, (_title, person) in ROLES.items():
            client = Client()
            client.force_login(seeded.people[person])
            for label, url in urls.items():
                if role not in FOR[label]:
                    continue
                try:
                    client.get(url)  # the code paths once
                    invalidate()
                    cold = count_queries(client, url)
                    warm = count_queries(client, url)
                except Exception as error:  # a view still being built: the timing says so
                    print(f"  {label}, {role}: {type(error).__name__} when counted at the small scale")
                    continue
                counts[(label, role)] = (cold, warm)
    invalidate()
    return counts


def asserted_counts() -> dict:
    """{role: (cold, cached)} — the dashboard's query counts tests/reports asserts ({} when
    that test module cannot be imported: a checkout without the tests)."""
    try:
        from tests.reports import test_dashboard_views as asserted
    except Exception:
        return {}
    try:
        return {role: tuple(getattr(asserted, name) for name in names) for role, names in ASSERTED.items()}
    except AttributeError:
        return {}


def cell(result: Result, small: int | None = None, asserted: int | None = None) -> str:
    """Median, ratio, queries — "=small/tests" when they match those counts, "(≠ N q …)" and
    ✗ when not — and ✓/✗."""
    if result.status != 200:
        return f"HTTP {result.status}"
    same, flags = [], []
    for name, count in (("small", small), ("tests", asserted)):
        if count is None:
            continue
        if count == result.queries:
            same.append(name)
        else:
            flags.append(f"≠ {count} q {name}")
    mark = "✓" if result.ratio <= PAGE_RATIO and not flags else "✗"
    notes = f" ({', '.join(flags)})" if flags else f" ={'/'.join(same)}" if same else ""
    return f"{result.median * 1000:7.1f} ms {result.ratio:5.1f}× {result.queries:3d} q{notes} {mark}"


def dashboards_run(seeded, rounds: int = 30, *, year: int | None = None, small: dict | None = None) -> dict:
    """Every report of REPORTS for every role of ROLES: {(label, role): Timing}. Prints the
    table as it goes (one row per report and role: cold, warm)."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    year = year or timezone.localdate().year
    small = small or {}
    asserted = asserted_counts()
    results = {}
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        urls = report_urls(year)
        for report in REPORTS:
            if report.label not in urls:
                print(f"  {report.label:<38} | no view named {report.name}: skipped")
        if not urls:
            return results
        bare_url = reverse("bench_bare")
        print(f"  cache emptied before each cold fetch with {invalidate()}")
        print(f"\n  {'report, role':<38} | {'cold (figures computed)':<48} | warm (figures cached)")
        for label, url in urls.items():
            for role, (title, person) in ROLES.items():
                if role not in FOR[label]:
                    continue
                client = Client()
                client.force_login(seeded.people[person])
                try:
                    cold = measure_cold(client, url, bare_url, max(3, min(COLD_ROUNDS, rounds)))
                    warm = _measure_warm(client, url, bare_url, rounds)
                except Exception as error:  # a view still being built: noted, the others go on
                    print(f"  {label + ', ' + title:<38} | {type(error).__name__}: {error}"[:200])
                    continue
                counted = small.get((label, role))
                tested = asserted.get(role) if label == "dashboard" else None
                timing = Timing(cold=cold, warm=warm, small_queries=counted, asserted_queries=tested)
                results[(label, role)] = timing
                small_cold, small_warm = counted or (None, None)
                tested_cold, tested_warm = tested or (None, None)
                cold_cell = cell(cold, small_cold, tested_cold)
                warm_cell = cell(warm, small_warm, tested_warm)
                print(f"  {label + ', ' + title:<38} | {cold_cell:<48} | {warm_cell}", flush=True)
                if cold.status == 200:
                    print(
                        f"  {'':<38} |   bare {cold.bare * 1000:5.1f} ms (cold pairs),"
                        f" {warm.bare * 1000:5.1f} ms (warm pairs)"
                    )
    return results


def _measure_warm(client, url: str, bare_url: str, rounds: int) -> Result:
    from .pages import measure

    client.get(url)  # fills the cache
    return measure(client, url, bare_url, rounds)


def bench_dashboards(seeded, rounds: int, small: dict | None) -> dict:
    print("\n7. Dashboards at the dashboards' scale (cold: cache emptied first; warm: alternating pairs)")
    print(f"  goal: ≤ {PAGE_RATIO:.0f}× bare, the same queries as before the dashboards' scale was seeded")
    with Timer() as timer:
        results = dashboards_run(seeded, rounds, small=small)
    met = sum(1 for timing in results.values() if timing.met())
    line("dashboards timed", f"{timer.seconds:8.1f} s; goals met {met} of {len(results)}")
    return results

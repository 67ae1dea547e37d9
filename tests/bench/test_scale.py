"""The pages part of `make bench` at a tiny scale, so that it cannot rot: bench.scale seeds
×1 (a hundredth of the nation) and bench.pages fetches every page once. No time is asserted:
the figures are the bench's, run by hand (`make bench BENCH_ARGS=--pages`)."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import override_settings

from accounts.models import User
from agreements.models import Agreement
from bench import pages, scale
from institutions.models import AuditEvent, Unit
from volunteers.models import Application, ApplicationEvent, Volunteer


@pytest.fixture
def units(db):
    """The real units (the migration's list), also after a transactional test flushed them."""
    import_module("institutions.migrations.0002_load_units").load(apps, None)
    return Unit.objects.all()


@pytest.fixture
def seeded(units):
    return scale.seed(1)


def test_seed_makes_a_hundredth_of_the_nation_when_scale_is_one(seeded):
    assert Volunteer.objects.count() == seeded.counts["volunteers"] == scale.VOLUNTEERS
    assert Application.objects.count() == seeded.counts["applications"] == scale.APPLICATIONS
    assert Application.objects.values("unit").distinct().count() == 17
    assert Application.objects.filter(unit__slug=scale.OLAINE).count() == pytest.approx(
        scale.OLAINE_APPLICATIONS, abs=2
    )
    assert Agreement.objects.count() == seeded.counts["agreements"] == scale.AGREEMENTS
    timeline = AuditEvent.objects.filter(action__startswith="agreement.")
    history = ApplicationEvent.objects.count() + timeline.count()
    assert history == seeded.counts["history events"] == pytest.approx(scale.HISTORY_EVENTS, rel=0.05)
    assert User.objects.filter(email__endswith="@bench.example.lv", volunteer__isnull=False).count() == 250
    assert Application.history.count() == scale.APPLICATIONS


def test_seed_gives_the_detail_pages_an_olaine_application_and_agreement_when_seeded(seeded):
    agreement = Agreement.objects.get(pk=seeded.agreement_pk)
    assert agreement.unit.slug == scale.OLAINE
    assert agreement.application_id == seeded.application_pk
    assert ApplicationEvent.objects.filter(application_id=seeded.application_pk).count() >= 2


def test_page_timer_fetches_every_page_for_both_coordinators_when_rounds_is_one(seeded, capsys):
    results = pages.pages_run(seeded, rounds=1)

    measured = {label for label, _column in results}
    expected = {page.label for page in pages.PAGES}
    assert expected <= measured
    for (label, _column), result in results.items():
        assert result.status == 200, label
        assert result.queries > 0, label
    olaine = Application.objects.filter(unit__slug=scale.OLAINE).count()
    assert results[("inbox CSV export", "unit")].rows == olaine
    assert (
        results[("inbox CSV export", "central")].rows
        == Application.objects.filter(institution__code="IEVP").count()
    )
    assert "the layout alone (base.html)" in capsys.readouterr().out


@pytest.fixture
def dashboards_seeded(seeded):
    return scale.seed_dashboards(seeded, 1)


def test_seed_dashboards_makes_a_hundred_units_and_the_events_when_scale_is_one(dashboards_seeded):
    from events.models import Event, EventState, EventVolunteer, HoursRecord, HoursState
    from trainings.models import Completion, Registration, Session

    assert len(scale._units()) == scale.UNITS_IN_ALL == dashboards_seeded.counts["units"]
    added = Unit.objects.filter(slug__endswith="-nodala", valid_to__isnull=True).exclude(
        slug__in=["vpd-jelgavas-1-nodala", "vpd-liepajas-nodala"]
    )
    assert added.count() == dashboards_seeded.counts["units added"] == scale.UNITS_IN_ALL - 17
    assert not added.filter(parent__isnull=True).exists()
    assert not added.exclude(institution=models.F("parent__institution")).exists()
    assert added.filter(institution__code="VPD", kind=Unit.Kind.PROBATION_DEPARTMENT).count() > 0
    assert added.filter(institution__code="IEVP", kind=Unit.Kind.PRISON).count() > 0
    assert Event.objects.count() == scale.EVENTS_IN_ALL == dashboards_seeded.counts["events in all"]
    assert Event.objects.values("unit").distinct().count() == scale.UNITS_IN_ALL
    assert not Event.objects.exclude(field__institution=models.F("unit__institution")).exists()
    held = Event.objects.filter(state__in=[EventState.HELD, EventState.REPORTED])
    assert held.count() > Event.objects.count() // 2
    assert not held.filter(actual_participants__isnull=True).exists()
    years = {day.year for day in Event.objects.dates("starts_at", "year")}
    assert years == {date.today().year - 1, date.today().year}
    assert EventVolunteer.objects.filter(is_lead=True).count() == Event.objects.count()
    approved = HoursRecord.objects.filter(state=HoursState.APPROVED)
    assert approved.count() == dashboards_seeded.counts["  of them approved"] > 0
    assert Session.objects.count() == scale.SESSIONS + scale.DASHBOARD_SESSIONS
    assert Registration.objects.count() > 0
    assert Completion.objects.count() == dashboards_seeded.counts["completions (dashboards)"] > 0


def test_seed_dashboards_adds_the_ministry_viewer_and_a_few_coordinators_when_seeded(dashboards_seeded):
    from institutions import permissions

    roles = permissions.roles_for(dashboards_seeded.people["ministry"])
    assert roles.viewer_of and roles.is_read_only
    added = Unit.objects.filter(pk__in=dashboards_seeded.coordinators).filter(slug__endswith="-nodala")
    assert 0 < added.count() < scale.UNITS_IN_ALL - 17


def test_dashboard_timer_builds_its_urls_when_the_reports_exist(settings):
    from django.urls import NoReverseMatch, reverse

    from bench import dashboards

    settings.ROOT_URLCONF = "bench.urls"
    urls = dashboards.report_urls(2026)
    for report in dashboards.REPORTS:
        try:
            expected = reverse(report.name)
        except NoReverseMatch:
            assert report.label not in urls
            continue
        query = "?year=2026" if report.year_query else ""
        assert urls[report.label] == expected + query
    assert set(dashboards.ROLES) == {"unit", "central", "ministry"}


def test_dashboard_timer_times_every_report_for_every_role_when_rounds_is_one(dashboards_seeded, capsys):
    from bench import dashboards

    small = dashboards.small_counts(dashboards_seeded, date.today().year)
    results = dashboards.dashboards_run(dashboards_seeded, rounds=1, small=small)

    with override_settings(ROOT_URLCONF="bench.urls"):
        urls = dashboards.report_urls(date.today().year)
    assert {(label, role) for label, role in results} == {
        (label, role) for label in urls for role in dashboards.FOR[label]
    }
    for (label, role), timing in results.items():
        assert timing.cold.status == timing.warm.status == 200, (label, role)
        assert timing.cold.queries >= timing.warm.queries > 0, (label, role)
    output = capsys.readouterr().out
    if not urls:
        assert "skipped" in output

"""The pages part of `make bench` at a tiny scale, so that it cannot rot: bench.scale seeds
×1 (a hundredth of the nation) and bench.pages fetches every page once. No time is asserted:
the figures are the bench's, run by hand (`make bench BENCH_ARGS=--pages`)."""

from importlib import import_module

import pytest
from django.apps import apps

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
    expected = {page.label for page in pages.PAGES if page.label != "dashboard"}
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

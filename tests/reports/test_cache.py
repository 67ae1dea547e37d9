"""The figures' cache (``reports.cache``): a hit makes no query and keeps numbers only; a
committed write — a model save, a many-to-many change, a bulk service — makes the next
dashboard show the new figure; the day is part of the key."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from django.core.cache import cache as django_cache

from agreements import services as agreement_services
from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from reports import cache, selectors
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

from .conftest import TODAY, YEAR, agreement, application


def _ievp(board):
    return next(column for column in board.columns if column.institution.code == "IEVP").figures


def _board(known, **kwargs):
    return selectors.dashboard(
        unit_ids=known.ievp_ids, year=YEAR, field=kwargs.get("field"), today=kwargs.get("today", TODAY)
    )


def test_cache_hit_makes_no_query_when_nothing_changed(known, django_assert_num_queries):
    first = _board(known)
    with django_assert_num_queries(0):
        again = _board(known)
    assert again == first


def test_cached_value_holds_no_label_when_kept(known):
    _board(known)
    kept = django_cache.get(cache.key(("dashboard", sorted(known.ievp_ids), YEAR, None, TODAY.isoformat())))
    assert kept is not None
    assert all(step.label == "" for column in kept.columns for step in column.figures.funnel)
    pickle.loads(pickle.dumps(kept))  # plain values only
    assert all(str(step.label) for step in _ievp(_board(known)).funnel)  # added when read


def test_dashboard_shows_a_new_agreement_when_a_save_is_committed(known, django_capture_on_commit_callbacks):
    assert _ievp(_board(known)).agreements_in_force == 4
    with django_capture_on_commit_callbacks(execute=True):
        agreement(known.jelgava, signed_on=date(2025, 5, 1), start=date(2025, 5, 1), end=date(2026, 4, 30))
    assert _ievp(_board(known)).agreements_in_force == 5


def test_dashboard_is_unchanged_when_the_write_is_not_committed(known, django_capture_on_commit_callbacks):
    assert _ievp(_board(known)).agreements_in_force == 4
    with django_capture_on_commit_callbacks(execute=False):  # rolled back: never committed
        agreement(known.jelgava, signed_on=date(2025, 5, 1), start=date(2025, 5, 1), end=date(2026, 4, 30))
    assert _ievp(_board(known)).agreements_in_force == 4


def test_dashboard_shows_a_new_field_when_roles_change(known, django_capture_on_commit_callbacks):
    assert _ievp(_board(known, field=Role.Code.SPORTS)).funnel[0].reached == 2
    made = application(known.olaine, submitted=date(2025, 4, 1), status=ApplicationStatus.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        made.roles.add(Role.objects.get(institution=known.olaine.institution, code=Role.Code.SPORTS))
    assert _ievp(_board(known, field=Role.Code.SPORTS)).funnel[0].reached == 3


def test_dashboard_shows_the_bulk_activation_when_the_daily_job_ran(
    known, django_capture_on_commit_callbacks
):
    """``agreements_activate_due`` writes with ``update()`` (no signal): the cache is dropped —
    the application moves from the signing step to active."""
    today = date.today()
    made = agreement(
        known.jelgava,
        status=AgreementStatus.SIGNED,
        signed_on=today - timedelta(days=3),
        start=today,
        end=today + timedelta(days=300),
    )
    type(made.application).objects.filter(pk=made.application_id).update(status=ApplicationStatus.AGREEMENT)
    board = selectors.dashboard(unit_ids=known.ievp_ids, year=YEAR, field=None, today=today)
    assert _ievp(board).applications_by_step["agreement"] == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert agreement_services.agreements_activate_due(today=today) == 2  # and a2 of the known data
    assert callbacks
    assert Agreement.objects.get(pk=made.pk).status == AgreementStatus.ACTIVE
    board = selectors.dashboard(unit_ids=known.ievp_ids, year=YEAR, field=None, today=today)
    assert _ievp(board).applications_by_step["agreement"] == 0


@pytest.mark.parametrize("job", ["activate", "expire"])
def test_daily_agreement_jobs_drop_the_cached_figures_when_no_application_changes(
    known, job, django_capture_on_commit_callbacks
):
    """The agreements' own bump (``_activate_many``, ``_expire_many``): a renewal coming into
    force (its application already active) or an agreement expiring moves no application, so
    nothing else drops the cache. (Neither changes a figure of today — signed, in force and
    ended by date count alike — so the test watches the generation the figures are kept under.)"""
    day = date(2020, 1, 1)  # before the known data: only this agreement is due
    if job == "activate":
        made = agreement(
            known.jelgava,
            status=AgreementStatus.SIGNED,
            signed_on=date(2019, 11, 1),
            start=date(2019, 12, 1),
            end=date(2020, 11, 30),
        )
        run = agreement_services.agreements_activate_due
    else:
        made = agreement(
            known.jelgava, signed_on=date(2018, 7, 1), start=date(2018, 7, 1), end=date(2019, 6, 30)
        )
        run = agreement_services.agreements_expire_due
    assert made.application.status == ApplicationStatus.ACTIVE
    selectors.dashboard(unit_ids=known.ievp_ids, year=YEAR, field=None, today=day)
    before = cache.generation()
    key = cache.key(("dashboard", sorted(known.ievp_ids), YEAR, None, day.isoformat()))
    assert django_cache.get(key) is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert run(today=day) >= 1
    made.refresh_from_db()
    assert made.status == (AgreementStatus.ACTIVE if job == "activate" else AgreementStatus.ENDED)
    assert made.application.status == ApplicationStatus.ACTIVE  # no application moved
    assert cache.generation() > before
    assert cache.key(("dashboard", sorted(known.ievp_ids), YEAR, None, day.isoformat())) != key


def test_bump_is_deferred_when_inside_a_transaction(known, django_capture_on_commit_callbacks):
    before = cache.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cache.bump()
    assert cache.generation() == before and len(callbacks) == 1
    callbacks[0]()
    assert cache.generation() == before + 1


def test_dashboard_is_computed_again_when_the_day_changes(known):
    assert _ievp(_board(known)).agreements_ending == 1
    # Two days after a3's end (01.07.2025): no longer in force.
    later = _ievp(_board(known, today=date(2025, 7, 3)))
    assert (later.agreements_in_force, later.agreements_ending) == (3, 0)


def test_generation_restarts_from_the_clock_when_lost(known):
    before = cache.generation()
    django_cache.delete(cache.GENERATION_KEY)
    assert cache.generation() > before

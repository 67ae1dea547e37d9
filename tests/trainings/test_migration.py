"""The data migration that replaced a role's "requires a completed training" flag and an
application's training date (trainings 0002, then volunteers 0005 drops the fields): an
institution in use gets an induction course required for those roles, each recorded date
becomes a completion of it; a new installation gets nothing; going back restores both
fields and removes what the migration made."""

import importlib
import re
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ApplicationFactory, VolunteerFactory
from trainings import selectors
from volunteers.models import Role

MIGRATION = importlib.import_module("trainings.migrations.0002_training_records")
BEFORE = [("volunteers", "0004_private_storage_from_settings"), ("trainings", "0001_initial")]
AFTER = [("volunteers", "0005_remove_training_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _role_flags(apps, codes):
    OldRole = apps.get_model("volunteers", "Role")
    return {
        (r.institution.code, r.code): r.requires_training
        for r in OldRole.objects.filter(code__in=codes).select_related("institution")
    }


@pytest.mark.django_db(transaction=True)
def test_training_flags_and_dates_become_courses_and_completions_and_back_when_migrated(
    olaine, jelgava, vpd_department
):
    ievp, vpd = olaine.institution, vpd_department.institution
    mentor, _ = Role.objects.get_or_create(institution=ievp, code="mentor")
    family, _ = Role.objects.get_or_create(institution=ievp, code="family")
    mediator, _ = Role.objects.get_or_create(institution=vpd, code="mediator")
    Role.objects.get_or_create(institution=ievp, code="sports")
    Role.objects.get_or_create(institution=vpd, code="mentor")
    trained = ApplicationFactory(unit=olaine, reference="T2025-00042", roles=[mentor])
    untrained = ApplicationFactory(unit=jelgava, roles=[mentor])
    # The same person applied to both institutions; only the probation service trained them.
    elsewhere = ApplicationFactory(volunteer=untrained.volunteer, unit=vpd_department, reference="")
    ApplicationFactory(volunteer=VolunteerFactory(), unit=vpd_department, roles=[mediator])
    leaves = _leaves()
    try:
        old = _migrate(BEFORE)
        OldRole = old.get_model("volunteers", "Role")
        OldApplication = old.get_model("volunteers", "Application")
        OldRole.objects.update(requires_training=False)
        OldRole.objects.filter(pk__in=[mentor.pk, family.pk, mediator.pk]).update(requires_training=True)
        OldApplication.objects.filter(pk=trained.pk).update(training_completed_on=date(2025, 3, 14))
        OldApplication.objects.filter(pk=elsewhere.pk).update(training_completed_on=date(2024, 11, 2))

        new = _migrate(AFTER)
        Course = new.get_model("trainings", "Course")
        Completion = new.get_model("trainings", "Completion")
        courses = {c.institution.code: c for c in Course.objects.select_related("institution")}
        assert set(courses) == {"IEVP", "VPD"}  # the ministry had nothing to carry over
        for course in courses.values():
            assert (course.title, course.title_en, course.kind) == (
                MIGRATION.TITLE,
                MIGRATION.TITLE_EN,
                "induction",
            )
            assert course.hours == 8
            assert course.is_active
        assert {r.pk for r in courses["IEVP"].roles.all()} == {mentor.pk, family.pk}
        assert {r.pk for r in courses["VPD"].roles.all()} == {mediator.pk}

        ievp_done = Completion.objects.get(course=courses["IEVP"])
        assert ievp_done.volunteer_id == trained.volunteer_id
        assert ievp_done.unit_id == olaine.pk
        assert ievp_done.source == "external"
        assert ievp_done.completed_on == date(2025, 3, 14)
        assert ievp_done.valid_until is None
        assert ievp_done.hours == 8
        assert "T2025-00042" in ievp_done.note
        assert ievp_done.number == f"IEVP-M-2025-{ievp_done.pk:05d}"
        vpd_done = Completion.objects.get(course=courses["VPD"])
        assert vpd_done.volunteer_id == untrained.volunteer_id
        assert vpd_done.unit_id == vpd_department.pk
        assert str(elsewhere.pk) in vpd_done.note  # no reference: the application's number
        assert re.fullmatch(r"VPD-M-2024-\d{5}", vpd_done.number)
        assert Completion.objects.count() == 2

        # The models of the code now agree with the migrated tables: qualification follows.
        assert selectors.missing_courses(volunteer=trained.volunteer, roles=[mentor]) == []
        assert [c.pk for c in selectors.missing_courses(volunteer=untrained.volunteer, roles=[mentor])] == [
            courses["IEVP"].pk
        ]

        back = _migrate(BEFORE)
        flags = _role_flags(back, ["mentor", "family", "mediator", "sports"])
        assert flags == {
            ("IEVP", "mentor"): True,
            ("IEVP", "family"): True,
            ("IEVP", "sports"): False,
            ("VPD", "mentor"): False,
            ("VPD", "mediator"): True,
        }
        dates = dict(
            back.get_model("volunteers", "Application").objects.values_list("pk", "training_completed_on")
        )
        assert dates[trained.pk] == date(2025, 3, 14)
        assert dates[elsewhere.pk] == date(2024, 11, 2)
        assert dates[untrained.pk] is None
        assert not back.get_model("trainings", "Course").objects.exists()
        assert not back.get_model("trainings", "Completion").objects.exists()
    finally:
        _migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_new_installation_gets_no_course_when_it_has_no_applications_yet(olaine, vpd_department):
    for unit in (olaine, vpd_department):
        Role.objects.get_or_create(institution=unit.institution, code="mentor")
    leaves = _leaves()
    try:
        old = _migrate(BEFORE)
        assert old.get_model("volunteers", "Role").objects.update(requires_training=True) >= 2
        assert not old.get_model("volunteers", "Application").objects.exists()

        new = _migrate(AFTER)

        assert not new.get_model("trainings", "Course").objects.exists()
        assert not new.get_model("trainings", "Completion").objects.exists()
    finally:
        _migrate(leaves)

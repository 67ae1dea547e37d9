"""Export and erasure are complete by construction: every model that points at a person —
a User, a Volunteer or an Application, or a record that is itself the person's data (an
agreement, a registration, …: whatever a section covers) — is covered by a registered
personal-data section (exported and erased), or declared staff-only with the reason. A new
app's model that points at a person fails here until its app registers its part."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from core import personal_data
from volunteers.models import Application, Volunteer


def _people() -> set:
    """The person's own models: the account, the profile, applications, and every model a
    section says holds the person's data."""
    people = {get_user_model(), Volunteer, Application}
    for section in personal_data.sections():
        people.update(apps.get_model(label) for label in section.models)
    return people


def _points_at_a_person(model, people=None) -> list[str]:
    people = people if people is not None else {get_user_model(), Volunteer, Application}
    found = []
    for field in model._meta.get_fields():
        if not field.is_relation or field.auto_created or (not field.concrete and not field.many_to_many):
            continue
        if field.related_model in people:
            found.append(field.name)
    return found


def _base_model(model):
    """simple-history's historical models are covered with the model they record."""
    return getattr(model, "instance_type", None) or model


def test_every_model_pointing_at_a_person_is_covered_when_apps_are_loaded():
    covered = personal_data.covered_models()
    people = _people()
    missing = []
    for model in apps.get_models(include_auto_created=False):
        fields = _points_at_a_person(model, people)
        if not fields:
            continue
        label = _base_model(model)._meta.label_lower
        if label not in covered:
            missing.append(f"{model._meta.label} ({', '.join(fields)})")
    assert not missing, (
        "Register these models in the app's personal_data.py (Section.models, or staff_only with "
        f"the reason): {missing}"
    )


def test_every_section_names_real_models_when_registered():
    for section in personal_data.sections():
        for label in [*section.models, *section.staff_only]:
            assert apps.get_model(label), label


def test_sections_of_every_project_app_are_registered_when_django_starts():
    keys = {section.key for section in personal_data.sections()}
    assert {
        "account",
        "profile",
        "applications",
        "emails",
        "requests",
        "agreements",
        "trainings",
        "documents",
        "reminders",
        "audit",
    } <= keys


def test_coverage_test_fails_when_a_model_is_not_registered(monkeypatch):
    """The test above can fail: without the agreements section, Agreement is reported."""
    import pytest

    kept = {key: s for key, s in personal_data._sections.items() if key != "agreements"}
    monkeypatch.setattr(personal_data, "_sections", kept)
    with pytest.raises(AssertionError, match=r"agreements\.Agreement \(.*volunteer"):
        test_every_model_pointing_at_a_person_is_covered_when_apps_are_loaded()

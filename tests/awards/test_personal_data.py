"""The award's part of a person's data: the download lists the nominations about the volunteer
(the decision only once made, the citation once announced); erasure unlinks and blanks them —
in their history and audit labels too — deletes the supporting files and destroys the
diploma, while the jury's scores and the cycle's count stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agreements.models import Status as AgreementStatus
from awards import services
from awards.models import Nomination, NominationFile, Score
from documents.models import Document
from institutions.models import AuditEvent
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services

from . import builders


@pytest.fixture
def admin(db):
    return builders.award_admin()


@pytest.fixture
def person(olaine):
    """A volunteer whose agreement has ended (nothing holds the erasure back)."""
    today = timezone.localdate()
    return builders.volunteer_at(
        olaine,
        status=AgreementStatus.ENDED,
        start=today - timedelta(days=400),
        end=today - timedelta(days=35),
        first_name="Jānis",
        last_name="Ozols",
    )


def _export(volunteer) -> list[dict]:
    return privacy_selectors.volunteer_data(volunteer)["awards"]["nominations"]


def test_data_download_lists_the_nominations_about_the_volunteer_when_nominated(
    admin, olaine, olaine_coordinator, ievp, ievp_central, person
):
    earlier = builders.open_cycle(admin, 2025)
    linked = builders.public(earlier, ievp, None, nominee_name="J. Ozols")
    services.nomination_link(actor=ievp_central, nomination=linked, volunteer=person)
    builders.public(earlier, ievp, olaine, nominee_name="Cits Cilvēks")  # not about the person
    type(earlier).objects.filter(pk=earlier.pk).update(status="scoring")
    cycle = builders.open_cycle(admin, 2026)
    nomination = builders.by_coordinator(cycle, olaine_coordinator, olaine, person)

    rows = _export(person)

    assert [(r["year"], r["reference"]) for r in rows] == [
        (2025, linked.reference),
        (2026, nomination.reference),
    ]
    assert rows[1]["nominated_by"] == olaine_coordinator.get_full_name()
    assert rows[1]["justification"] == builders.JUSTIFICATION
    assert not any(r["laureate"] or r["citation"] for r in rows)


def test_data_download_shows_the_decision_and_citation_only_when_the_cycle_is_announced(
    admin, olaine, olaine_coordinator, ievp_central, person
):
    cycle, _nominations, _members = builders.decided(
        admin, ievp_central, [lambda c: builders.by_coordinator(c, olaine_coordinator, olaine, person)]
    )
    row = _export(person)[0]
    assert not row["laureate"] and row["citation"] == ""  # decided, not yet told at the ceremony

    services.cycle_announce(actor=admin, cycle=cycle)

    row = _export(person)[0]
    assert row["laureate"] and row["citation"] == builders.CITATION


def test_erasure_unlinks_and_blanks_the_nomination_and_deletes_its_files_when_the_person_is_anonymised(
    admin, olaine, olaine_coordinator, ievp_central, person, django_capture_on_commit_callbacks
):
    cycle, nominations, _members = builders.decided(
        admin,
        ievp_central,
        [lambda c: builders.by_coordinator(c, olaine_coordinator, olaine, person, files=[builders.pdf()])],
    )
    nomination = nominations[0]
    services.diplomas_issue(actor=admin, cycle=cycle)
    stored = nomination.files.get()
    storage, name = stored.file.storage, stored.file.name
    assert storage.exists(name)
    scores = Score.objects.filter(sheet__nomination=nomination).count()

    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.volunteer_anonymise(volunteer=person, actor=olaine_coordinator)

    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.volunteer is None
    assert "Ozols" not in nomination.nominee_name and nomination.nominee_email == ""
    assert nomination.justification == "" and nomination.summary == {} and nomination.nominee_place == ""
    assert nomination.is_laureate and nomination.citation == "" and not nomination.public_consent
    assert not NominationFile.objects.exists() and not storage.exists(name)
    # The diploma (found through the volunteer) is destroyed, not left with the name on it.
    diploma = Document.objects.get(kind=services.DIPLOMA, object_id=nomination.pk)
    assert diploma.destroyed_at is not None and diploma.holder_initials == ""
    # Nothing brings the name back: the nomination's history and the audit labels.
    for version in nomination.history.all():
        assert "Ozols" not in version.nominee_name and version.justification == ""
        assert version.volunteer_id is None and version.nominee_email == ""
    labels = AuditEvent.objects.filter(target_id=str(nomination.pk), action__startswith="awards.")
    assert labels.exists() and not any(
        "Ozols" in label for label in labels.values_list("target_label", flat=True)
    )
    # The jury's scores and the cycle's count stay.
    assert Score.objects.filter(sheet__nomination=nomination).count() == scores
    assert cycle.nominations.count() == 1
    assert _export(person) == []

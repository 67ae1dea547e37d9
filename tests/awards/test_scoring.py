"""The jury's scoring: only members, only while the cycle is in scoring, every score within its
criterion's range, a submitted sheet final, a conflict of interest instead of scores; the
others' scores hidden until one's own sheet is in; the ranking (conflicts left out, ties share
a place) only once every sheet is in — and never for the central office."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from awards import selectors, services
from awards.models import Nomination, Score, ScoreSheet

from . import builders


@pytest.fixture
def admin(db):
    return builders.award_admin()


def _public(ievp, olaine, name):
    return lambda cycle: builders.public(cycle, ievp, olaine, nominee_name=name)


@pytest.fixture
def scoring(admin, ievp, olaine, ievp_central):
    """Scoring: two eligible nominations, a chair and two members."""
    return builders.scoring(
        admin,
        ievp_central,
        [_public(ievp, olaine, "Pēteris Zariņš"), _public(ievp, olaine, "Laura Vītola")],
        members=3,
    )


def _nothing_saved():
    assert not ScoreSheet.objects.exists() and not Score.objects.exists()


# --- Who scores, and when


def test_member_cannot_score_when_scoring_has_not_started(admin, ievp, olaine, ievp_central):
    cycle = builders.open_cycle(admin)
    nomination = builders.eligible(builders.public(cycle, ievp, olaine), ievp_central)
    member = builders.jury(cycle, admin)[1]

    with pytest.raises(ValidationError):
        builders.submit(member, nomination)
    with pytest.raises(ValidationError):
        services.conflict_declare(actor=member.user, nomination=nomination, note="Mans kaimiņš.")
    _nothing_saved()


def test_non_member_gets_404_when_scoring(scoring, admin, ievp_central, olaine_coordinator):
    cycle, nominations, _members = scoring
    outsider_juror = builders.jury(builders.draft(admin), admin, members=1)[0].user

    for person in (admin, ievp_central, olaine_coordinator, outsider_juror):
        with pytest.raises(Http404):
            services.sheet_save(actor=person, nomination=nominations[0], scores=builders.scores(cycle))
        with pytest.raises(Http404):
            services.conflict_declare(actor=person, nomination=nominations[0], note="Konflikts")
    _nothing_saved()


def test_member_gets_404_when_the_nomination_is_not_eligible(scoring):
    _cycle, nominations, members = scoring
    Nomination.objects.filter(pk=nominations[1].pk).update(status=Nomination.Status.INELIGIBLE)

    with pytest.raises(Http404):
        builders.submit(members[0], nominations[1])
    _nothing_saved()


@pytest.mark.parametrize("value", [0, "top+1", "abc", -1])
def test_scores_are_refused_when_out_of_range(scoring, value):
    cycle, nominations, members = scoring
    criteria = list(cycle.criteria.all())
    scores = builders.scores(cycle)
    scores[criteria[-1].pk] = criteria[-1].max_score + 1 if value == "top+1" else value

    for submit in (False, True):
        with pytest.raises(ValidationError) as refused:
            services.sheet_save(
                actor=members[0].user, nomination=nominations[0], scores=scores, submit=submit
            )
        assert f"criterion_{criteria[-1].pk}" in refused.value.message_dict
    _nothing_saved()


def test_scores_are_refused_when_a_criterion_is_of_another_cycle(scoring, admin):
    cycle, nominations, members = scoring
    stranger = builders.draft(admin).criteria.first()
    scores = {**builders.scores(cycle), stranger.pk: 2}

    with pytest.raises(ValidationError):
        services.sheet_save(actor=members[0].user, nomination=nominations[0], scores=scores, submit=True)
    _nothing_saved()


def test_sheet_is_a_draft_until_submitted_when_saved_first(scoring):
    cycle, nominations, members = scoring
    first, *rest = cycle.criteria.all()

    draft = services.sheet_save(
        actor=members[0].user, nomination=nominations[0], scores={first.pk: 4}, comment=" Labs darbs. "
    )
    assert draft.submitted_at is None and draft.comment == "Labs darbs."
    assert {s.criterion_id: s.value for s in draft.scores.all()} == {first.pk: 4}

    sheet = services.sheet_save(
        actor=members[0].user,
        nomination=nominations[0],
        scores={first.pk: 5, **{c.pk: 2 for c in rest}},
        submit=True,
    )
    assert sheet.pk == draft.pk and sheet.submitted_at is not None
    assert {s.criterion_id: s.value for s in sheet.scores.all()} == {first.pk: 5, **{c.pk: 2 for c in rest}}


def test_submission_is_refused_when_a_criterion_has_no_score(scoring):
    cycle, nominations, members = scoring
    _first, second, *_rest = cycle.criteria.all()
    scores = builders.scores(cycle)
    scores[second.pk] = ""

    with pytest.raises(ValidationError) as refused:
        services.sheet_save(actor=members[0].user, nomination=nominations[0], scores=scores, submit=True)
    assert list(refused.value.message_dict) == [f"criterion_{second.pk}"]
    _nothing_saved()
    del scores[second.pk]
    with pytest.raises(ValidationError):
        services.sheet_save(actor=members[0].user, nomination=nominations[0], scores=scores, submit=True)
    _nothing_saved()


def test_second_submission_is_refused_when_a_sheet_is_in(scoring):
    """A second score by the same member: the first sheet is final."""
    _cycle, nominations, members = scoring
    sheet = builders.submit(members[0], nominations[0], value=4)

    with pytest.raises(ValidationError):
        builders.submit(members[0], nominations[0], value=1)
    with pytest.raises(ValidationError):
        services.sheet_save(actor=members[0].user, nomination=nominations[0], scores={})
    assert ScoreSheet.objects.filter(member=members[0]).count() == 1
    assert set(Score.objects.filter(sheet=sheet).values_list("value", flat=True)) == {4}


def test_scoring_is_refused_when_the_member_declared_a_conflict(scoring):
    _cycle, nominations, members = scoring
    sheet = services.conflict_declare(
        actor=members[1].user, nomination=nominations[0], note=" Mans brālēns. "
    )
    assert sheet.conflict and sheet.conflict_note == "Mans brālēns." and sheet.submitted_at is not None

    with pytest.raises(ValidationError):
        builders.submit(members[1], nominations[0])
    with pytest.raises(ValidationError):
        services.conflict_declare(actor=members[1].user, nomination=nominations[0], note="Vēlreiz")
    assert not Score.objects.filter(sheet=sheet).exists()


def test_conflict_is_refused_when_the_member_has_submitted(scoring):
    _cycle, nominations, members = scoring
    sheet = builders.submit(members[1], nominations[0], value=3)

    with pytest.raises(ValidationError):
        services.conflict_declare(actor=members[1].user, nomination=nominations[0], note="Mans brālēns.")
    sheet.refresh_from_db()
    assert not sheet.conflict and sheet.scores.count() == 4


def test_conflict_is_refused_when_no_note_describes_it(scoring):
    _cycle, nominations, members = scoring

    with pytest.raises(ValidationError):
        services.conflict_declare(actor=members[1].user, nomination=nominations[0], note=" ")
    _nothing_saved()


def test_conflict_replaces_a_draft_when_declared(scoring):
    cycle, nominations, members = scoring
    services.sheet_save(
        actor=members[1].user, nomination=nominations[0], scores={cycle.criteria.first().pk: 3}
    )

    sheet = services.conflict_declare(actor=members[1].user, nomination=nominations[0], note="Mans brālēns.")

    assert sheet.conflict and not sheet.scores.exists()


# --- Secrecy


def test_others_scores_are_visible_to_a_member_only_when_their_own_sheet_is_in(scoring):
    _cycle, nominations, members = scoring
    nomination = nominations[0]
    builders.submit(members[1], nomination, value=2)
    member = members[0]

    assert not selectors.others_visible(member, selectors.sheet_of(member, nomination))
    services.sheet_save(actor=member.user, nomination=nomination, scores={})  # a draft
    assert not selectors.others_visible(member, selectors.sheet_of(member, nomination))

    builders.submit(member, nomination, value=3)

    assert selectors.others_visible(member, selectors.sheet_of(member, nomination))
    others = selectors.other_sheets(nomination, member)
    assert [sheet.member for sheet in others] == [members[1]]


def test_others_scores_stay_hidden_when_the_member_declared_a_conflict(scoring):
    _cycle, nominations, members = scoring
    builders.submit(members[1], nominations[0])
    services.conflict_declare(actor=members[0].user, nomination=nominations[0], note="Kaimiņš")

    assert not selectors.others_visible(members[0], selectors.sheet_of(members[0], nominations[0]))


# --- Progress and ranking


def test_scoring_progress_counts_the_sheets_in_when_members_submit(scoring):
    cycle, nominations, members = scoring

    progress = selectors.scoring_progress(cycle)
    assert (progress.eligible, progress.missing, progress.complete) == (2, 6, False)

    builders.submit(members[0], nominations[0])
    services.sheet_save(actor=members[1].user, nomination=nominations[0], scores={})  # a draft: not counted
    services.conflict_declare(actor=members[2].user, nomination=nominations[1], note="Kaimiņš")
    progress = selectors.scoring_progress(cycle)
    assert {pk: n for pk, n in progress.done.items() if n} == {members[0].pk: 1, members[2].pk: 1}
    assert (progress.missing, progress.complete) == (4, False)

    for member in members:
        for nomination in nominations:
            if not ScoreSheet.objects.filter(
                member=member, nomination=nomination, submitted_at__isnull=False
            ):
                builders.submit(member, nomination)
    progress = selectors.scoring_progress(cycle)
    assert progress.done == {m.pk: 2 for m in members}
    assert (progress.missing, progress.complete) == (0, True)


def test_ranking_leaves_a_conflicted_sheet_out_of_the_mean_when_a_member_declared_one(scoring):
    cycle, nominations, members = scoring
    builders.submit(members[0], nominations[0], value=5)  # 4 criteria: 20
    builders.submit(members[1], nominations[0], value=2)  # 8
    services.conflict_declare(actor=members[2].user, nomination=nominations[0], note="Kaimiņš")

    row = next(r for r in selectors.ranking(cycle) if r.nomination == nominations[0])

    assert row.average == Decimal("14.00")
    assert (row.sheets, row.conflicts) == (2, 1)
    assert set(row.by_criterion.values()) == {Decimal("3.50")}


def test_ranking_orders_by_the_mean_and_ties_share_a_place_when_scores_are_equal(
    admin, ievp, olaine, ievp_central
):
    cycle, nominations, members = builders.scoring(
        admin,
        ievp_central,
        [
            _public(ievp, olaine, "Zane Zeltiņa"),
            _public(ievp, olaine, "Laura Vītola"),
            _public(ievp, olaine, "Anna Lapa"),
            _public(ievp, olaine, "Pēteris Zariņš"),
        ],
    )
    values = {0: 3, 1: 3, 2: 1, 3: 4}
    for member in members:
        for index, nomination in enumerate(nominations):
            builders.submit(member, nomination, value=values[index])
    zeltina, vitola, lapa, zarins = nominations

    rows = selectors.ranking(cycle)

    assert [(r.nomination, r.place, r.average) for r in rows] == [
        (zarins, 1, Decimal("16.00")),
        (vitola, 2, Decimal("12.00")),  # tied: by name
        (zeltina, 2, Decimal("12.00")),
        (lapa, 4, Decimal("4.00")),
    ]


def test_ranking_has_no_place_when_a_nomination_has_no_scores(scoring):
    cycle, nominations, members = scoring
    builders.submit(members[0], nominations[1])

    rows = selectors.ranking(cycle)

    assert [(r.nomination, r.place) for r in rows] == [(nominations[1], 1), (nominations[0], None)]


def test_ranking_is_visible_only_when_every_sheet_is_in_and_never_to_the_central_office(
    scoring, admin, ievp_central, olaine_coordinator
):
    cycle, nominations, members = scoring
    for member in members:
        builders.submit(member, nominations[0])
    builders.submit(members[0], nominations[1])
    builders.submit(members[1], nominations[1])

    for person in (admin, members[0].user, members[2].user, ievp_central, olaine_coordinator):
        assert not selectors.ranking_visible(person, cycle)

    services.conflict_declare(actor=members[2].user, nomination=nominations[1], note="Kaimiņš")

    for person in (admin, members[0].user, members[2].user):
        assert selectors.ranking_visible(person, cycle)
    for person in (ievp_central, olaine_coordinator):
        assert not selectors.ranking_visible(person, cycle)

    services.laureates_confirm(
        actor=members[0].user, cycle=cycle, citations={nominations[0].pk: builders.CITATION}
    )
    cycle.refresh_from_db()
    assert selectors.ranking_visible(admin, cycle) and selectors.ranking_visible(members[1].user, cycle)
    assert not selectors.ranking_visible(ievp_central, cycle)

"""The award's cycle pages: the list, creating and changing a cycle, the cycle's page (and
its exact query count), criteria, the jury, the cycle's steps, the ranking and the chair's
decision — as the award administrator, the jury, coordinators, the ministry and a volunteer
meet them. Another person's page answers 404, every step is POST only (405 to a GET)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import AwardCycle, Criterion, JuryMember, Nomination, Score, ScoreSheet
from institutions import permissions
from tests.factories import UserFactory, VolunteerFactory

Status = AwardCycle.Status
NStatus = Nomination.Status
TODAY = date.today()


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- Fixtures (local: the other award tests have their own builders)


@pytest.fixture
def award_admin(db):
    user = UserFactory(email="anna.admin@example.lv", first_name="Anna", last_name="Balva")
    permissions.grant_award_administrator(user)
    return user


def _details(year=2026, **changes) -> services.CycleDetails:
    values = {
        "year": year,
        "nominations_open": TODAY - timedelta(days=30),
        "nominations_close": TODAY + timedelta(days=30),
        "conference_date": TODAY + timedelta(days=60),
        "conference_place": "Rīga",
    }
    values.update(changes)
    return services.CycleDetails(**values)


@pytest.fixture
def cycle(award_admin):
    return services.cycle_create(actor=award_admin, details=_details())


def _nominate(cycle, unit, number, *, status=NStatus.SUBMITTED, nominated_by=None, **fields) -> Nomination:
    return Nomination.objects.create(
        cycle=cycle,
        number=number,
        source=Nomination.Source.COORDINATOR if nominated_by else Nomination.Source.PUBLIC,
        status=status,
        institution=unit.institution,
        unit=unit,
        nominee_name=fields.pop("nominee_name", f"Nominee {number}"),
        nominator_name="Nominator",
        nominator_email="nominator@example.lv",
        nominated_by=nominated_by,
        justification="x" * 120,
        **fields,
    )


def _set_status(cycle, status) -> AwardCycle:
    AwardCycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()
    return cycle


def _member(cycle, actor, email, *, chair=False, first_name="Jānis", last_name="Žūrija") -> JuryMember:
    return services.jury_member_add(
        actor=actor, cycle=cycle, email=email, first_name=first_name, last_name=last_name, is_chair=chair
    )


@pytest.fixture
def jury(cycle, award_admin):
    """A chair and one other member."""
    chair = _member(cycle, award_admin, "chair@example.lv", chair=True, first_name="Inese")
    other = _member(cycle, award_admin, "member@example.lv", first_name="Pēteris")
    return chair, other


def _submit(member, nomination, values=None, *, conflict=False) -> ScoreSheet:
    sheet = ScoreSheet.objects.create(
        nomination=nomination, member=member, conflict=conflict, submitted_at=timezone.now()
    )
    if not conflict:
        for criterion in nomination.cycle.criteria.all():
            Score.objects.create(sheet=sheet, criterion=criterion, value=(values or {}).get(criterion.pk, 2))
    return sheet


@pytest.fixture
def scoring(cycle, jury, olaine):
    """Scoring, two eligible nominations, no sheet yet."""
    first = _nominate(cycle, olaine, 1, status=NStatus.ELIGIBLE, nominee_name="Ausma Pirmā")
    second = _nominate(cycle, olaine, 2, status=NStatus.ELIGIBLE, nominee_name="Baiba Otrā")
    _set_status(cycle, Status.SCORING)
    return cycle, first, second


def _all_scored(scoring, jury):
    cycle, first, second = scoring
    for member in jury:
        _submit(member, first, {c.pk: 4 for c in cycle.criteria.all()})
        _submit(member, second)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Who sees the pages


def test_anonymous_goes_to_sign_in(client, cycle):
    for url in (reverse("awards:cycles"), reverse("awards:cycle", args=[cycle.year])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_volunteer_gets_404(client, cycle, volunteer):
    VolunteerFactory(user=volunteer)
    client.force_login(volunteer)
    assert client.get(reverse("awards:cycles")).status_code == 404
    _set_status(cycle, Status.OPEN)
    assert client.get(reverse("awards:cycle", args=[cycle.year])).status_code == 404


@pytest.mark.parametrize("who", ["olaine_coordinator", "ievp_central", "ministry", "juror", "volunteer"])
def test_admin_pages_are_404_for_others(client, request, who, cycle, jury, award_admin):
    criterion = cycle.criteria.first()
    person = jury[0].user if who == "juror" else request.getfixturevalue(who)
    client.force_login(person)
    year = cycle.year
    for url in (
        reverse("awards:cycle_new"),
        reverse("awards:cycle_edit", args=[year]),
        reverse("awards:criterion_new", args=[year]),
        reverse("awards:criterion_edit", args=[criterion.pk]),
        reverse("awards:jury_add", args=[year]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("awards:cycle_new"),
        reverse("awards:criterion_delete", args=[criterion.pk]),
        reverse("awards:jury_remove", args=[jury[1].pk]),
        reverse("awards:jury_chair", args=[jury[1].pk]),
        reverse("awards:cycle_open", args=[year]),
        reverse("awards:scoring_start", args=[year]),
        reverse("awards:diplomas_issue", args=[year]),
        reverse("awards:announce", args=[year]),
    ):
        assert client.post(url, {"year": 2030}).status_code == 404, url
    cycle.refresh_from_db()
    assert cycle.status == Status.DRAFT
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert JuryMember.objects.filter(cycle=cycle).count() == 2


def test_steps_answer_405_to_get(client, award_admin, cycle, jury):
    client.force_login(award_admin)
    criterion = cycle.criteria.first()
    for url in (
        reverse("awards:criterion_delete", args=[criterion.pk]),
        reverse("awards:jury_remove", args=[jury[1].pk]),
        reverse("awards:jury_chair", args=[jury[1].pk]),
        reverse("awards:cycle_open", args=[cycle.year]),
        reverse("awards:scoring_start", args=[cycle.year]),
        reverse("awards:diplomas_issue", args=[cycle.year]),
        reverse("awards:announce", args=[cycle.year]),
    ):
        assert client.get(url).status_code == 405, url
    cycle.refresh_from_db()
    assert cycle.status == Status.DRAFT


# --- The list


def test_list_for_the_administrator(client, award_admin, cycle, olaine):
    _nominate(cycle, olaine, 1)
    _nominate(cycle, olaine, 2, status=NStatus.ELIGIBLE)
    _nominate(cycle, olaine, 3, status=NStatus.WITHDRAWN)
    client.force_login(award_admin)
    response = client.get(reverse("awards:cycles"))
    assert response.status_code == 200
    assert reverse("awards:cycle_new") in response.content.decode()
    (row,) = response.context["cycles"]
    assert (row.nominations_count, row.eligible_count) == (2, 1)


def test_list_counts_in_one_query(client, award_admin, olaine):
    for year in (2024, 2025, 2026):
        cycle = services.cycle_create(actor=award_admin, details=_details(year))
        for number in range(1, 4):
            _nominate(cycle, olaine, number)
    client.force_login(award_admin)
    client.get(reverse("awards:cycles"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("awards:cycles"))
    assert len(response.context["cycles"]) == 3
    assert sum("awards_awardcycle" in q["sql"] for q in captured.captured_queries) == 1


def test_coordinator_sees_the_open_cycle_and_may_nominate(client, olaine_coordinator, cycle, award_admin):
    client.force_login(olaine_coordinator)
    assert client.get(reverse("awards:cycles")).context["cycles"] == []  # a draft is the admin's
    services.cycle_open(actor=award_admin, cycle=cycle)
    response = client.get(reverse("awards:cycles"))
    page = response.content.decode()
    assert "Nominations are open until" in page
    assert reverse("awards:nominate", args=[cycle.year]) in page
    assert reverse("awards:cycle_new") not in page


def test_ministry_sees_cycles_not_nominations(client, ministry, cycle, olaine):
    _set_status(cycle, Status.OPEN)
    _nominate(cycle, olaine, 1, nominee_name="Slepena Persona")
    client.force_login(ministry)
    assert client.get(reverse("awards:cycles")).status_code == 200
    response = client.get(reverse("awards:cycle", args=[cycle.year]))
    assert response.status_code == 200
    assert "Slepena Persona" not in response.content.decode()
    assert response.context["overall"]["all"] == 1
    assert "Nominate a volunteer" not in response.content.decode()


# --- Creating and changing a cycle


def test_create_cycle(client, award_admin):
    client.force_login(award_admin)
    assert client.get(reverse("awards:cycle_new")).status_code == 200
    response = client.post(
        reverse("awards:cycle_new"),
        {
            "year": "2027",
            "nominations_open": "01.03.2027",
            "nominations_close": "30.04.2027",
            "conference_date": "20.05.2027",
            "conference_place": "Rīga, Tieslietu ministrija",
            "introduction": "Izvirziet!",
            "signatory_name": "Ministre",
            "signatory_title": "Tieslietu ministre",
        },
    )
    assert response.status_code == 302
    cycle = AwardCycle.objects.get(year=2027)
    assert response["Location"] == reverse("awards:cycle", args=[2027])
    assert cycle.status == Status.DRAFT
    assert cycle.nominations_open == date(2027, 3, 1)
    assert cycle.conference_place == "Rīga, Tieslietu ministrija"
    assert cycle.criteria.count() == len(services.DEFAULT_CRITERIA)


def test_create_errors_keep_what_was_typed(client, award_admin, cycle):
    client.force_login(award_admin)
    typed = {
        "year": str(cycle.year),  # taken: the service says so
        "nominations_open": "01.03.2026",
        "nominations_close": "1.2.2026",  # before the opening: the service says so
        "conference_date": "",
        "conference_place": "Jelgavas pils",
        "introduction": "Mūsu aicinājums",
        "signatory_name": "Kāds Parakstītājs",
        "signatory_title": "Valsts sekretārs",
    }
    response = client.post(reverse("awards:cycle_new"), typed)
    assert response.status_code == 400
    form = response.context["form"]
    assert "year" in form.errors and "nominations_close" in form.errors
    page = response.content.decode()
    for value in ("1.2.2026", "01.03.2026", "Jelgavas pils", "Mūsu aicinājums", "Kāds Parakstītājs"):
        assert value in page
    assert AwardCycle.objects.count() == 1


def test_create_form_errors_keep_what_was_typed(client, award_admin):
    client.force_login(award_admin)
    response = client.post(
        reverse("awards:cycle_new"),
        {
            "year": "2027",
            "nominations_open": "31.02.2027",
            "nominations_close": "",
            "conference_place": "Cēsis",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "31.02.2027" in page and "Cēsis" in page
    assert not AwardCycle.objects.exists()


def test_edit_cycle(client, award_admin, cycle):
    client.force_login(award_admin)
    response = client.get(reverse("awards:cycle_edit", args=[cycle.year]))
    assert response.status_code == 200
    assert cycle.nominations_open.strftime("%d.%m.%Y") in response.content.decode()
    data = {
        "year": cycle.year,
        "nominations_open": cycle.nominations_open.strftime("%d.%m.%Y"),
        "nominations_close": cycle.nominations_close.strftime("%d.%m.%Y"),
        "conference_date": (cycle.nominations_close - timedelta(days=1)).strftime("%d.%m.%Y"),
        "conference_place": "Liepāja",
        "signatory_name": "Jauns Vārds",
    }
    response = client.post(reverse("awards:cycle_edit", args=[cycle.year]), data)
    assert response.status_code == 400
    assert "conference_date" in response.context["form"].errors
    assert "Liepāja" in response.content.decode() and "Jauns Vārds" in response.content.decode()
    data["conference_date"] = ""
    response = client.post(reverse("awards:cycle_edit", args=[cycle.year]), data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.conference_place, cycle.signatory_name, cycle.conference_date) == (
        "Liepāja",
        "Jauns Vārds",
        None,
    )


def test_year_is_fixed_once_open(client, award_admin, cycle):
    services.cycle_open(actor=award_admin, cycle=cycle)
    client.force_login(award_admin)
    data = {
        "year": 2031,
        "nominations_open": cycle.nominations_open.strftime("%d.%m.%Y"),
        "nominations_close": cycle.nominations_close.strftime("%d.%m.%Y"),
    }
    response = client.post(reverse("awards:cycle_edit", args=[cycle.year]), data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.year == 2026


# --- The cycle's page


def test_cycle_page_for_the_administrator(client, award_admin, cycle, jury, olaine):
    _nominate(cycle, olaine, 1, nominee_name="Ausma Pirmā")
    client.force_login(award_admin)
    response = client.get(reverse("awards:cycle", args=[cycle.year]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ausma Pirmā" in page and "CC-2026-001" in page
    assert reverse("awards:cycle_open", args=[cycle.year]) in page
    assert reverse("awards:jury_add", args=[cycle.year]) in page
    assert reverse("awards:criterion_new", args=[cycle.year]) in page
    assert reverse("awards:jury_chair", args=[jury[1].pk]) in page
    assert reverse("awards:scoring_start", args=[cycle.year]) not in page
    assert [step["state"] for step in response.context["steps"]] == [
        "current",
        "todo",
        "todo",
        "todo",
        "todo",
    ]


def test_status_tabs(client, award_admin, cycle, olaine):
    _nominate(cycle, olaine, 1, nominee_name="Ausma Pirmā")
    _nominate(cycle, olaine, 2, status=NStatus.ELIGIBLE, nominee_name="Baiba Otrā")
    client.force_login(award_admin)
    response = client.get(reverse("awards:cycle", args=[cycle.year]), {"status": "eligible"})
    page = response.content.decode()
    assert "Baiba Otrā" in page and "Ausma Pirmā" not in page
    assert response.context["counts"]["all"] == 2


def test_coordinator_sees_own_nominations_only(
    client, olaine_coordinator, jelgava_coordinator, cycle, olaine
):
    _set_status(cycle, Status.OPEN)
    _nominate(cycle, olaine, 1, nominee_name="Mana Nominācija", nominated_by=olaine_coordinator)
    _nominate(cycle, olaine, 2, nominee_name="Sveša Nominācija", nominated_by=jelgava_coordinator)
    client.force_login(olaine_coordinator)
    page = client.get(reverse("awards:cycle", args=[cycle.year])).content.decode()
    assert "Mana Nominācija" in page and "Sveša Nominācija" not in page
    assert reverse("awards:nominate", args=[cycle.year]) in page
    assert reverse("awards:jury_add", args=[cycle.year]) not in page


def test_juror_sees_own_progress(client, scoring, jury):
    cycle, first, second = scoring
    chair, other = jury
    _submit(other, first, conflict=True)
    client.force_login(other.user)
    response = client.get(reverse("awards:cycle", args=[cycle.year]))
    assert response.status_code == 200
    assert response.context["own"] == {"scored": 0, "conflict": 1, "draft": 0, "todo": 1}
    page = response.content.decode()
    assert reverse("awards:score", args=[second.pk]) in page
    assert response.context["ranking_visible"] is False
    assert reverse("awards:jury_chair", args=[chair.pk]) not in page


def test_juror_of_another_cycle_gets_404(client, scoring, award_admin):
    other_cycle = services.cycle_create(actor=award_admin, details=_details(2025))
    outsider = _member(other_cycle, award_admin, "outsider@example.lv")
    client.force_login(outsider.user)
    assert client.get(reverse("awards:cycle", args=[2026])).status_code == 404
    assert client.get(reverse("awards:ranking", args=[2026])).status_code == 404


def test_admin_sees_progress_not_scores(client, award_admin, scoring, jury):
    cycle, first, _second = scoring
    _submit(jury[0], first, {c.pk: 5 for c in cycle.criteria.all()})
    client.force_login(award_admin)
    response = client.get(reverse("awards:cycle", args=[cycle.year]))
    progress = response.context["progress"]
    assert (progress.done.get(jury[0].pk, 0), progress.done.get(jury[1].pk, 0)) == (1, 0)
    assert progress.missing == 3
    assert response.context["ranking_visible"] is False


@pytest.mark.parametrize("who", ["admin", "juror"])
def test_cycle_page_query_count_does_not_grow(
    client, award_admin, scoring, jury, olaine, who, django_assert_num_queries
):
    cycle, _first, _second = scoring
    person = award_admin if who == "admin" else jury[1].user
    client.force_login(person)
    url = reverse("awards:cycle", args=[cycle.year])
    client.get(url)  # warm the content-type cache and the session
    # 1 before the view (the user; the session and the roles come from the cache); then the
    # cycle, criteria, the status counts, the nominations, the progress (jury, eligible,
    # sheets) and the menu's volunteer profile; the juror also their membership (twice: the
    # page and the ranking's rule) and their own sheets with their scores.
    expected = {"admin": 9, "juror": 12}[who]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.context["nominations"]) == 2
    for number in range(3, 8):
        nomination = _nominate(cycle, olaine, number, status=NStatus.ELIGIBLE)
        _submit(jury[0], nomination)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.context["nominations"]) == 7


# --- Criteria


def test_criteria(client, award_admin, cycle):
    client.force_login(award_admin)
    url = reverse("awards:criterion_new", args=[cycle.year])
    assert client.get(url).status_code == 200
    existing = cycle.criteria.first()
    response = client.post(url, {"name": existing.name, "description": "Ko vērtē", "max_score": 5})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert "Ko vērtē" in response.content.decode()
    response = client.post(url, {"name": "Sadarbība", "description": "", "max_score": 7})
    assert response.status_code == 302
    added = cycle.criteria.get(name="Sadarbība")
    assert added.max_score == 7 and added.position == len(services.DEFAULT_CRITERIA) + 1
    edit = reverse("awards:criterion_edit", args=[added.pk])
    assert "Sadarbība" in client.get(edit).content.decode()
    assert client.post(edit, {"name": "Komandas darbs", "max_score": 3, "position": 1}).status_code == 302
    added.refresh_from_db()
    assert (added.name, added.max_score, added.position) == ("Komandas darbs", 3, 1)
    assert client.post(reverse("awards:criterion_delete", args=[added.pk])).status_code == 302
    assert not Criterion.objects.filter(pk=added.pk).exists()


def test_criteria_are_fixed_once_scoring(client, award_admin, scoring):
    cycle = scoring[0]
    criterion = cycle.criteria.first()
    client.force_login(award_admin)
    assert client.get(reverse("awards:criterion_new", args=[cycle.year])).status_code == 404
    assert client.get(reverse("awards:criterion_edit", args=[criterion.pk])).status_code == 404
    response = client.post(reverse("awards:criterion_delete", args=[criterion.pk]))
    assert response.status_code == 302
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert any("cannot be changed" in text for text in _messages(response))


# --- The jury


def test_jury_add(client, award_admin, cycle):
    client.force_login(award_admin)
    url = reverse("awards:jury_add", args=[cycle.year])
    assert client.get(url).status_code == 200
    response = client.post(url, {"email": "jauns@example.lv", "first_name": "Rita", "last_name": ""})
    assert response.status_code == 400
    assert "last_name" in response.context["form"].errors
    page = response.content.decode()
    assert "jauns@example.lv" in page and "Rita" in page
    response = client.post(
        url, {"email": "jauns@example.lv", "first_name": "Rita", "last_name": "Ozola", "is_chair": "on"}
    )
    assert response.status_code == 302
    member = JuryMember.objects.get(cycle=cycle)
    assert member.is_chair and member.user.email == "jauns@example.lv"
    assert permissions.roles_for(member.user).juror
    response = client.post(url, {"email": "JAUNS@example.lv"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_jury_chair_and_remove(client, award_admin, cycle, jury):
    chair, other = jury
    client.force_login(award_admin)
    assert client.post(reverse("awards:jury_chair", args=[other.pk])).status_code == 302
    chair.refresh_from_db()
    other.refresh_from_db()
    assert other.is_chair and not chair.is_chair
    response = client.post(reverse("awards:jury_remove", args=[chair.pk]))
    assert response.status_code == 302
    assert not JuryMember.objects.filter(pk=chair.pk).exists()


# --- The cycle's steps


def test_open_nominations(client, award_admin, cycle):
    client.force_login(award_admin)
    response = client.post(reverse("awards:cycle_open", args=[cycle.year]))
    assert response["Location"] == reverse("awards:cycle", args=[cycle.year])
    cycle.refresh_from_db()
    assert cycle.status == Status.OPEN
    assert any("Nominations are open" in text for text in _messages(response))


def test_scoring_start_lists_its_problems(client, award_admin, cycle, olaine):
    services.cycle_open(actor=award_admin, cycle=cycle)
    _nominate(cycle, olaine, 1)
    client.force_login(award_admin)
    response = client.post(reverse("awards:scoring_start", args=[cycle.year]), follow=True)
    cycle.refresh_from_db()
    assert cycle.status == Status.OPEN
    page = response.content.decode()
    assert "Scoring cannot start yet" in page
    assert "waiting for the eligibility check" in page
    assert "The jury has no chair." in page
    assert "<li>" in page  # the problems as a list, not escaped


def test_scoring_start(client, award_admin, cycle, jury, olaine):
    services.cycle_open(actor=award_admin, cycle=cycle)
    _nominate(cycle, olaine, 1, status=NStatus.ELIGIBLE)
    AwardCycle.objects.filter(pk=cycle.pk).update(nominations_close=TODAY - timedelta(days=1))
    client.force_login(award_admin)
    response = client.post(reverse("awards:scoring_start", args=[cycle.year]))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING


def test_announce_needs_a_decision(client, award_admin, scoring):
    cycle = scoring[0]
    client.force_login(award_admin)
    response = client.post(reverse("awards:announce", args=[cycle.year]))
    assert response.status_code == 302
    assert any("Only a decided cycle" in text for text in _messages(response))
    response = client.post(reverse("awards:diplomas_issue", args=[cycle.year]))
    assert any("once the laureates are decided" in text for text in _messages(response))


def test_diplomas_and_announce(client, award_admin, scoring, jury):
    cycle, first, _second = scoring
    _all_scored(scoring, jury)
    services.laureates_confirm(actor=jury[0].user, cycle=cycle, citations={first.pk: "Par ieguldījumu."})
    client.force_login(award_admin)
    response = client.post(reverse("awards:diplomas_issue", args=[cycle.year]))
    assert any("1 diploma is being made" in text for text in _messages(response))
    response = client.post(reverse("awards:announce", args=[cycle.year]))
    cycle.refresh_from_db()
    assert cycle.status == Status.ANNOUNCED
    page = client.get(reverse("awards:cycle", args=[cycle.year])).content.decode()
    assert reverse("awards:consent", args=[first.pk]) in page
    assert "Par ieguldījumu." in page


# --- The ranking and the decision


def test_ranking_hidden_until_every_sheet_is_in(client, award_admin, scoring, jury):
    cycle, first, second = scoring
    url = reverse("awards:ranking", args=[cycle.year])
    client.force_login(award_admin)
    assert client.get(url).status_code == 404
    chair, other = jury
    _submit(chair, first)
    _submit(chair, second)
    _submit(other, first)
    assert client.get(url).status_code == 404
    client.force_login(chair.user)
    assert client.get(url).status_code == 404
    _submit(other, second, conflict=True)
    assert client.get(url).status_code == 200
    client.force_login(award_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"] is None


def test_ranking_is_hidden_from_others(client, scoring, jury, ievp_central, olaine_coordinator, ministry):
    _all_scored(scoring, jury)
    url = reverse("awards:ranking", args=[scoring[0].year])
    for person in (ievp_central, olaine_coordinator, ministry):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_ranking_table(client, award_admin, scoring, jury):
    cycle, first, second = scoring
    _all_scored(scoring, jury)
    client.force_login(award_admin)
    response = client.get(reverse("awards:ranking", args=[cycle.year]))
    rows = response.context["rows"]
    assert [row.nomination.pk for row in rows] == [first.pk, second.pk]
    assert rows[0].place == 1 and rows[0].sheets == 2
    assert len(rows[0].means) == cycle.criteria.count()
    assert "Ausma Pirmā" in response.content.decode()


def test_chair_confirms_the_laureates(client, scoring, jury):
    cycle, first, second = scoring
    _all_scored(scoring, jury)
    url = reverse("awards:ranking", args=[cycle.year])
    client.force_login(jury[1].user)
    assert client.get(url).context["form"] is None
    assert client.post(url, {f"laureate-{first.pk}": "on", f"citation-{first.pk}": "X"}).status_code == 404
    client.force_login(jury[0].user)
    assert client.get(url).context["form"] is not None
    response = client.post(
        url,
        {
            f"laureate-{first.pk}": "on",
            f"citation-{first.pk}": "Par nesavtīgu darbu Olainē.",
            f"laureate-{second.pk}": "on",
            f"citation-{second.pk}": "",
        },
    )
    assert response.status_code == 400
    assert f"citation-{second.pk}" in response.context["form"].errors
    assert "Par nesavtīgu darbu Olainē." in response.content.decode()
    response = client.post(url, {f"citation-{first.pk}": "Ievadīts, bet neizvēlēts"})
    assert response.status_code == 400
    assert "Ievadīts, bet neizvēlēts" in response.content.decode()
    too_long = "x" * (services.CITATION_MAX + 1)
    response = client.post(url, {f"laureate-{first.pk}": "on", f"citation-{first.pk}": too_long})
    assert response.status_code == 400
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING
    response = client.post(
        url, {f"laureate-{first.pk}": "on", f"citation-{first.pk}": "Par nesavtīgu darbu Olainē."}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    first.refresh_from_db()
    assert cycle.status == Status.DECIDED
    assert first.is_laureate and first.citation == "Par nesavtīgu darbu Olainē."
    response = client.get(url)
    assert response.context["form"] is None
    assert [row.nomination.pk for row in response.context["laureates"]] == [first.pk]
    assert "Par nesavtīgu darbu Olainē." in response.content.decode()


# --- The menu and the home page


def test_menu_and_home_for_the_award_only(client, award_admin, cycle):
    client.force_login(award_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:cycles")
    page = client.get(reverse("awards:cycles")).content.decode()
    assert 'class="nav-link active"' in page and ">Award</a>" in page


def test_menu_for_staff_is_in_the_account_menu(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("home")).content.decode()
    assert f'class="dropdown-item" href="{reverse("awards:cycles")}"' in " ".join(page.split())


def test_volunteer_has_no_award_menu(client, volunteer):
    VolunteerFactory(user=volunteer)
    client.force_login(volunteer)
    response = client.get(reverse("home"), follow=True)
    assert reverse("awards:cycles") not in response.content.decode()

"""The award's URLs for the award-only roles that the standard matrix lacks (test_matrix.py):

  admin        an award administrator (``grant_award_administrator`` on a plain user)
  chair        the chair of this year's jury
  juror        a member of this year's jury
  other_juror  a member of last year's jury only

The world is the matrix's (cases_awards.py) with this year's cycle taken on to the jury's
scoring: Olaine's and IeVP's nominations are eligible, VPD's is not; the chair and the juror
have submitted their sheets for Olaine's nomination, not yet for IeVP's. The administrator
reads and changes everything that is the administrator's (the eligibility check and the link
to a volunteer's record are the institutions' central offices'); jurors read only the
eligible nominations of their own cycle once scoring has started — never the contacts — and
open no administrator's page; the chair alone confirms the laureates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import AwardCycle, Nomination, NominationFile
from institutions import permissions
from tests.factories import UserFactory
from tests.isolation.registry import LOGIN  # first: it imports cases_awards

from . import cases_awards as aw
from .test_matrix import world  # noqa: F401 (the fixture)

ROLES = ["admin", "chair", "juror", "other_juror"]
NOMINEE_EMAIL = "rasma.nominet@example.lv"


def _expect(default, **overrides) -> dict:
    return {**dict.fromkeys(ROLES, default), **overrides}


ADMIN_PAGE = _expect(404, admin=200)
ADMIN_ACTION = _expect(404, admin=302)
ALL_404 = _expect(404)
# A nomination of this year's cycle the jury scores (eligible).
JURY_READ = _expect(404, admin=200, chair=200, juror=200)


# --- The world, with this year's cycle in the jury's scoring


def _scoring(w) -> AwardCycle:
    cycle = aw._current(w)
    if cycle.status == AwardCycle.Status.SCORING:
        return cycle
    aw._with_all(w)
    central_ievp = w.users["ievp_central"]
    central_vpd = w.users["vpd_central"]
    services.nomination_check(actor=central_ievp, nomination=aw._olaine_nomination(w), eligible=True)
    services.nomination_check(actor=central_ievp, nomination=aw._ievp_nomination(w), eligible=True)
    services.nomination_check(
        actor=central_vpd, nomination=aw._vpd_nomination(w), eligible=False, note="Nav brīvprātīgais."
    )
    AwardCycle.objects.filter(pk=cycle.pk).update(nominations_close=timezone.localdate() - timedelta(days=1))
    cycle.refresh_from_db()
    services.scoring_start(actor=w.users["superuser"], cycle=cycle)
    criteria = list(cycle.criteria.all())
    for member in cycle.jury.all():
        services.sheet_save(
            actor=member.user,
            nomination=aw._olaine_nomination(w),
            scores={criterion.pk: 2 for criterion in criteria},
            comment="Spēcīgs pamatojums.",
            submit=True,
        )
    cycle.refresh_from_db()
    return cycle


def _complete(w) -> AwardCycle:
    """Every sheet is in (the ranking may be shown)."""
    cycle = _scoring(w)
    criteria = list(cycle.criteria.all())
    for member in cycle.jury.all():
        services.sheet_save(
            actor=member.user,
            nomination=aw._ievp_nomination(w),
            scores={criterion.pk: criterion.max_score for criterion in criteria},
            submit=True,
        )
    return cycle


@pytest.fixture
def roles(world):  # noqa: F811
    cycle = _scoring(world)
    admin = UserFactory(email="balvas.administratore@example.lv", first_name="Agnese", last_name="Balvaine")
    permissions.grant_award_administrator(admin)
    past = aw._past(world)
    world.users.update(
        {
            "admin": admin,
            "chair": cycle.jury.get(is_chair=True).user,
            "juror": cycle.jury.get(is_chair=False).user,
            "other_juror": past.jury.get(is_chair=False).user,
        }
    )
    return world


# --- URL kwargs and POST data


def _year(w):
    return {"year": _scoring(w).year}


def _past_year(w):
    return {"year": aw._past(w).year}


def _draft_year(w):
    return {"year": aw._draft(w).year}


def _draft_criterion(w):
    return {"pk": aw._draft(w).criteria.order_by("position").last().pk}


def _juror_member(w):
    return {"pk": _scoring(w).jury.get(is_chair=False).pk}


def _pk(getter):
    def kwargs(w):
        _scoring(w)
        return {"pk": getter(w).pk}

    return kwargs


_olaine = _pk(aw._olaine_nomination)
_ievp = _pk(aw._ievp_nomination)
_vpd = _pk(aw._vpd_nomination)
_laureate = _pk(aw._past_laureate)


def _file(w):
    return {"pk": NominationFile.objects.get(nomination=aw._olaine_nomination(w)).pk}


def _scores(w, action="save"):
    return {
        **{f"criterion_{c.pk}": 3 for c in _scoring(w).criteria.all()},
        "comment": "Melnraksts.",
        "action": action,
    }


def _draft_cycle_form(w):
    cycle = aw._draft(w)
    return aw._cycle_form(cycle.year, cycle.nominations_open, cycle.nominations_close)


def _current_cycle_form(w):
    cycle = _scoring(w)
    return aw._cycle_form(cycle.year, cycle.nominations_open, cycle.nominations_close)


def _new_cycle_form(w):
    year = timezone.localdate().year + 2
    return aw._cycle_form(year, date(year, 2, 1), date(year, 3, 31))


def _none(w):
    return {}


# (label, URL name, method, kwargs, data, expected per role)
CASES = [
    ("cycles", "awards:cycles", "get", _none, _none, _expect(200)),
    ("cycle this year", "awards:cycle", "get", _year, _none, _expect(200, other_juror=404)),
    ("cycle last year", "awards:cycle", "get", _past_year, _none, _expect(404, admin=200, other_juror=200)),
    ("cycle draft", "awards:cycle", "get", _draft_year, _none, ADMIN_PAGE),
    ("cycle_new", "awards:cycle_new", "get", _none, _none, ADMIN_PAGE),
    ("cycle_new POST", "awards:cycle_new", "post", _none, _new_cycle_form, ADMIN_ACTION),
    ("cycle_edit", "awards:cycle_edit", "get", _year, _none, ADMIN_PAGE),
    ("cycle_edit POST", "awards:cycle_edit", "post", _year, _current_cycle_form, ADMIN_ACTION),
    ("criterion_new", "awards:criterion_new", "get", _draft_year, _none, ADMIN_PAGE),
    ("criterion_new POST", "awards:criterion_new", "post", _draft_year, aw._criterion_form, ADMIN_ACTION),
    # The criteria are fixed once the jury scores: 404 for the administrator too.
    ("criterion_new while scoring", "awards:criterion_new", "get", _year, _none, ALL_404),
    ("criterion_edit", "awards:criterion_edit", "get", _draft_criterion, _none, ADMIN_PAGE),
    (
        "criterion_edit POST",
        "awards:criterion_edit",
        "post",
        _draft_criterion,
        aw._criterion_form,
        ADMIN_ACTION,
    ),
    ("criterion_delete", "awards:criterion_delete", "post", _draft_criterion, _none, ADMIN_ACTION),
    ("jury_add", "awards:jury_add", "get", _year, _none, ADMIN_PAGE),
    (
        "jury_add POST",
        "awards:jury_add",
        "post",
        _year,
        lambda w: {"email": "jauna.zurija@example.lv", "first_name": "Jauna", "last_name": "Žūrija"},
        ADMIN_ACTION,
    ),
    ("jury_remove", "awards:jury_remove", "post", _juror_member, _none, ADMIN_ACTION),
    ("jury_chair", "awards:jury_chair", "post", _juror_member, _none, ADMIN_ACTION),
    ("cycle_open", "awards:cycle_open", "post", _draft_year, _none, ADMIN_ACTION),
    ("scoring_start", "awards:scoring_start", "post", _year, _none, ADMIN_ACTION),
    ("diplomas_issue", "awards:diplomas_issue", "post", _past_year, _none, ADMIN_ACTION),
    ("announce", "awards:announce", "post", _past_year, _none, ADMIN_ACTION),
    # Not every sheet is in: nobody sees the ranking yet.
    ("ranking while scoring", "awards:ranking", "get", _year, _none, ALL_404),
    (
        "ranking last year",
        "awards:ranking",
        "get",
        _past_year,
        _none,
        _expect(404, admin=200, other_juror=200),
    ),
    ("nominate", "awards:nominate", "get", _year, _none, ALL_404),
    ("nomination of Olaine", "awards:nomination", "get", _olaine, _none, JURY_READ),
    ("nomination of IeVP", "awards:nomination", "get", _ievp, _none, JURY_READ),
    ("nomination not eligible", "awards:nomination", "get", _vpd, _none, _expect(404, admin=200)),
    (
        "nomination of last year",
        "awards:nomination",
        "get",
        _laureate,
        _none,
        _expect(404, admin=200, other_juror=200),
    ),
    # The eligibility check and the link are the central offices' (closed once the jury scores).
    (
        "nomination_check",
        "awards:nomination_check",
        "post",
        _ievp,
        lambda w: {"check-decision": "ineligible", "check-eligibility_note": "Nē."},
        ALL_404,
    ),
    ("nomination_link", "awards:nomination_link", "get", _ievp, _none, ALL_404),
    (
        "nomination_link POST",
        "awards:nomination_link",
        "post",
        _ievp,
        lambda w: {"volunteer": w.olaine_application.volunteer.pk},
        ALL_404,
    ),
    (
        "nomination_withdraw",
        "awards:nomination_withdraw",
        "post",
        _olaine,
        lambda w: {"withdraw-reason": "Pārdomāja."},
        ADMIN_ACTION,
    ),
    ("score submitted", "awards:score", "get", _olaine, _none, _expect(404, chair=200, juror=200)),
    ("score to do", "awards:score", "get", _ievp, _none, _expect(404, chair=200, juror=200)),
    ("score POST", "awards:score", "post", _ievp, _scores, _expect(404, chair=302, juror=302)),
    ("score not eligible", "awards:score", "get", _vpd, _none, ALL_404),
    ("score of last year", "awards:score", "get", _laureate, _none, ALL_404),
    (
        "conflict",
        "awards:conflict",
        "post",
        _ievp,
        lambda w: {"conflict-conflict_note": "Bijusī kolēģe."},
        _expect(404, chair=302, juror=302),
    ),
    ("consent", "awards:consent", "post", _laureate, lambda w: {"consent-consent": "no"}, ADMIN_ACTION),
    ("diploma", "awards:diploma", "get", _laureate, _none, _expect(404, admin=200, other_juror=200)),
    ("file", "awards:file", "get", _file, _none, JURY_READ),
    ("public index", "award:index", "get", _none, _none, _expect(200)),
    ("public year", "award:year", "get", _past_year, _none, _expect(200)),
]


def _request(client, w, role, name, method, kwargs, data):
    user = w.users[role]
    client.force_login(user)
    response = getattr(client, method)(reverse(name, kwargs=kwargs(w)), data=data(w))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode(errors="replace")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("label", "name", "method", "kwargs", "data", "expect"), CASES, ids=[c[0] for c in CASES]
)
def test_award_role_answers_as_expected_when_it_requests_the_url(
    client, roles, role, label, name, method, kwargs, data, expect
):
    response, body = _request(client, roles, role, name, method, kwargs, data)
    expected = expect[role]
    assert expected != LOGIN
    assert response.status_code == expected, f"{label} as {role}: {response.status_code}"
    if role != "admin":
        # The jury never gets the contacts: the nominators' and the nominees' addresses.
        for email in (roles.olaine_coordinator.email, aw.IEVP_NOMINATOR_EMAIL, NOMINEE_EMAIL):
            assert email not in body, f"{label} as {role} shows {email}"
    if role in ("chair", "juror"):
        # Nothing of VPD's nomination (not eligible) reaches this year's jury.
        assert aw.VPD_SECRET not in body, f"{label} as {role} shows the ineligible nomination"
    if role == "other_juror":
        assert aw.OLAINE_SECRET not in body and aw.IEVP_SECRET not in body, f"{label} as {role}"


def test_jury_reads_the_eligible_nominations_when_scoring_has_started(client, roles):
    cycle = _scoring(roles)
    client.force_login(roles.users["juror"])
    page = client.get(reverse("awards:cycle", kwargs={"year": cycle.year})).content.decode()
    assert aw.IEVP_NOMINEE in page and f"{aw.NOMINEE_FIRST} {aw.NOMINEE_LAST}" in page
    assert aw.VPD_NOMINEE not in page
    detail = client.get(reverse("awards:nomination", kwargs=_olaine(roles))).content.decode()
    assert aw.OLAINE_SECRET in detail
    assert roles.olaine_coordinator.email not in detail and NOMINEE_EMAIL not in detail


def test_admin_sees_the_contacts_when_reading_a_nomination(client, roles):
    client.force_login(roles.users["admin"])
    detail = client.get(reverse("awards:nomination", kwargs=_ievp(roles))).content.decode()
    assert aw.IEVP_SECRET in detail and aw.IEVP_NOMINATOR_EMAIL in detail


def test_jury_gets_404_when_the_cycle_still_takes_nominations(client, world):  # noqa: F811
    """Before scoring even an eligible nomination is not the jury's (and an unchecked one never)."""
    cycle = aw._current(world)
    aw._with_all(world)
    services.nomination_check(
        actor=world.users["ievp_central"], nomination=aw._ievp_nomination(world), eligible=True
    )
    for member in cycle.jury.all():
        client.force_login(member.user)
        for nomination in (aw._ievp_nomination(world), aw._olaine_nomination(world)):
            assert nomination.status in (Nomination.Status.ELIGIBLE, Nomination.Status.SUBMITTED)
            for name in ("awards:nomination", "awards:score"):
                response = client.get(reverse(name, kwargs={"pk": nomination.pk}))
                assert response.status_code == 404, (name, nomination.status, member)
        page = client.get(reverse("awards:cycle", kwargs={"year": cycle.year})).content.decode()
        assert aw.IEVP_NOMINEE not in page and aw.OLAINE_SECRET not in page


def test_only_the_chair_confirms_the_laureates_when_every_sheet_is_in(client, roles):
    cycle = _complete(roles)
    url = reverse("awards:ranking", kwargs={"year": cycle.year})
    laureate = aw._ievp_nomination(roles)
    data = {f"laureate-{laureate.pk}": "on", f"citation-{laureate.pk}": "Par šaha turnīriem."}
    seen = {}
    for role in ROLES:
        client.force_login(roles.users[role])
        seen[role] = client.get(url).status_code
    assert seen == _expect(200, other_juror=404)
    for role in ("admin", "juror", "other_juror"):
        client.force_login(roles.users[role])
        assert client.post(url, data).status_code == 404, role
        cycle.refresh_from_db()
        assert cycle.status == AwardCycle.Status.SCORING
    client.force_login(roles.users["chair"])
    response = client.post(url, data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    laureate.refresh_from_db()
    assert cycle.status == AwardCycle.Status.DECIDED and laureate.is_laureate
    assert laureate.citation == "Par šaha turnīriem."
    # Decided: the jury still reads the ranking; nobody decides twice.
    client.force_login(roles.users["juror"])
    page = client.get(url)
    assert page.status_code == 200
    assert aw.IEVP_NOMINATOR_EMAIL not in page.content.decode()
    client.force_login(roles.users["chair"])
    assert client.post(url, data).status_code == 404


def test_public_year_names_only_the_laureates_who_agreed_when_anybody_reads_it(client, world):  # noqa: F811
    aw._with_all(world)
    page = client.get(reverse("award:year", kwargs=_past_year(world))).content.decode()
    assert aw.PUBLIC_LAUREATE in page and aw.CITATION in page
    assert aw.HIDDEN_LAUREATE not in page
    assert "pagajusi.ieteiceja@example.lv" not in page

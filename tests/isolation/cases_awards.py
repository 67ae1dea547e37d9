"""Isolation cases of the award "Cilvēks – cilvēkam" (awards/views/*; see registry.py for
roles and shapes).

The hooks below give the world (through the services, as the people who would do it):

* last year's cycle, announced: two public nominations for IeVP, both laureates — one who
  agreed to be named on the public page, one who did not (whose name is a secret for
  everybody) — with a rendered diploma (the secret bytes) for the first, scored by a jury of
  two (none of the standard roles sits on it);
* this year's cycle, open, with a jury of two: a nomination that Olaine's coordinator made
  for a volunteer with an agreement at Olaine (its justification is Olaine's secret; it has a
  supporting PDF), a public nomination for IeVP, and one for VPD;
* next year's cycle, a draft (seen by the administrator only).

Who reads what follows ``awards.selectors``: the staff pages need a sign-in; volunteers get
404 on every one of them; a coordinator reads the cycles and their own nominations; the
institution's centre reads (and checks) the institution's nominations; the ministry's viewers
read the cycles and their counts, never a nomination; the administrator's pages and steps
answer 404 to anyone but the award administrator (the superuser here); score sheets and the
conflict declaration are the jury's alone (the superuser sits on no jury: 404); the ranking
is for the administrator and the jury once it may be shown. The award-only roles (an
administrator who is not a superuser, jurors, the chair) are in test_awards_roles.py.
Every hook is idempotent (kwargs and data both call it)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from awards import services
from awards.models import AwardCycle, JuryMember, Nomination, NominationFile
from documents.models import Document
from institutions.models import Institution, Unit
from tests.events import builders
from tests.factories import InstitutionFactory, UnitFactory
from volunteers.models import Volunteer

from .registry import LOGIN, PUBLIC_GET, ROLES, Case

OLAINE_SECRET = (
    "Olaines slepenais pamatojums: Rasma trīs gadus katru otrdienu vada lasīšanas pulciņu "
    "notiesātajām sievietēm un palīdzēja divām no tām pabeigt vidusskolu."
)
IEVP_SECRET = (
    "IeVP publiskais pamatojums: Ilmārs piecus gadus organizē šaha turnīrus Jelgavas cietumā "
    "un māca ieslodzītajiem sarunu prasmes pirms atbrīvošanas."
)
VPD_SECRET = (
    "VPD publiskais pamatojums: Vaida kā mentore atbalsta probācijas klientus Jelgavā, "
    "palīdz atrast darbu un mājokli un ir pieejama jebkurā laikā."
)
PAST_JUSTIFICATION = (
    "Pagājušā gada pamatojums: cilvēks daudzus gadus nesavtīgi palīdz ieslodzītajiem atgriezties "
    "sabiedrībā, vada nodarbības un iedrošina citus brīvprātīgos."
)
NOMINEE_FIRST, NOMINEE_LAST = "Rasma", "Nominētā"
SPARE_FIRST, SPARE_LAST = "Roberts", "Vēlnominētais"
IEVP_NOMINEE = "Ilmārs Publiskais"
VPD_NOMINEE = "Vaida Probācijniece"
IEVP_NOMINATOR_EMAIL = "ieteiceja.ievp@example.lv"
PUBLIC_LAUREATE = "Laimdota Publiskā"
HIDDEN_LAUREATE = "Slēpta Laureāte-Nenosaucama"
CITATION = "Par nesavtīgu darbu ar ieslodzītajiem"
DIPLOMA_SECRET = "DIPLOMA-SLEPENIE-BAITI-4711"
PAST_CHAIR_EMAIL = "pagajusais.priekssedetajs@example.lv"
PAST_JUROR_EMAIL = "pagajusi.zurija@example.lv"
CHAIR_EMAIL = "zurijas.priekssedetaja@example.lv"
JUROR_EMAIL = "zurijas.loceklis@example.lv"


def _all_roles(status) -> dict:
    return dict.fromkeys(ROLES, status)


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# The award's staff pages: every staff role (volunteers 404).
STAFF_READ = _expect(200, applicant=404, stranger=404)
# The administrator's pages and steps: the superuser (the award administrator here) only.
ADMIN_PAGE = _expect(404, superuser=200)
ADMIN_ACTION = _expect(404, superuser=302)
# The jury's pages: nobody of the standard roles sits on a jury.
JURY_ONLY = _expect(404)
# Olaine's nomination: its coordinator (who made it), IeVP's centre, the administrator.
OLAINE_READERS = {"olaine", "ievp_central", "superuser"}
OLAINE_NOMINATION_READ = _expect(404, olaine=200, ievp_central=200, superuser=200)
OLAINE_NOMINATION_WRITE = _expect(404, olaine=302, ievp_central=302, superuser=302)
# IeVP's public nomination: IeVP's centre and the administrator.
IEVP_READERS = {"ievp_central", "superuser"}
IEVP_NOMINATION_READ = _expect(404, ievp_central=200, superuser=200)
IEVP_NOMINATION_WRITE = _expect(404, ievp_central=302, superuser=302)
# A coordinator nominating: anyone who coordinates a unit (the ministry does not).
NOMINATE_PAGE = _expect(200, ministry=404, applicant=404, stranger=404)
# Nominating Olaine's volunteer: those who coordinate Olaine; Olaine is nobody else's (404).
OLAINE_NOMINATE = _expect(404, olaine=302, ievp_central=302, superuser=302)


# --- The world's award


def _today() -> date:
    return timezone.localdate()


def _admin(w):
    return w.users["superuser"]


def _institution(code: str) -> Institution:
    return Institution.objects.get(code=code)


def ensure_ministry() -> Unit:
    """The ministry's unit owns the award's audit entries and documents (the migration makes
    it; a transactional test before this one may have flushed it)."""
    ministry = InstitutionFactory(code=Institution.Code.TM, name="Tieslietu ministrija", short_name="TM")
    return UnitFactory(
        institution=ministry,
        slug="tieslietu-ministrija",
        name="Tieslietu ministrija",
        kind=Unit.Kind.CENTRAL_OFFICE,
    )


def pdf_upload(name: str = "atsauksme.pdf", text: str = "Atsauksme") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n", content_type="application/pdf"
    )


def _details(year: int, opens: date, closes: date, **extra) -> services.CycleDetails:
    return services.CycleDetails(
        year=year,
        nominations_open=opens,
        nominations_close=closes,
        conference_date=extra.pop("conference_date", closes + timedelta(days=30)),
        conference_place="Rīga, Tieslietu ministrija",
        signatory_name="Inese Lībiņa-Egnere",
        signatory_title="Tieslietu ministre",
        **extra,
    )


def _public(cycle, *, name, institution, unit, place, justification, email, today=None) -> Nomination:
    return services.nomination_submit_public(
        cycle=cycle,
        data=services.PublicNomination(
            nominator_name="Publiskā Ieteicēja",
            nominator_email=email,
            nominator_organisation="Biedrība „Otrā iespēja”",
            nominee_name=name,
            nominee_email="",
            institution=institution,
            unit=unit,
            nominee_place=place,
            justification=justification,
        ),
        today=today,
    )


def _jury(cycle, chair_email: str, member_email: str, *, admin) -> tuple[JuryMember, JuryMember]:
    chair = services.jury_member_add(
        actor=admin,
        cycle=cycle,
        email=chair_email,
        first_name="Žanete",
        last_name="Priekšsēdētāja",
        is_chair=True,
    )
    member = services.jury_member_add(
        actor=admin, cycle=cycle, email=member_email, first_name="Kārlis", last_name="Vērtētājs"
    )
    return chair, member


def _past(w) -> AwardCycle:
    """Last year's cycle, announced, with two laureates (one named publicly) and a diploma."""
    year = _today().year - 1
    found = AwardCycle.objects.filter(year=year).first()
    if found:
        return found
    ensure_ministry()
    admin = _admin(w)
    opens, closes = date(year, 2, 1), date(year, 3, 31)
    cycle = services.cycle_create(actor=admin, details=_details(year, opens, closes))
    services.cycle_open(actor=admin, cycle=cycle)
    nominations = [
        _public(
            cycle,
            name=name,
            institution=w.olaine.institution,
            unit=w.olaine,
            place="",
            justification=PAST_JUSTIFICATION,
            email="pagajusi.ieteiceja@example.lv",
            today=date(year, 3, 1),
        )
        for name in (PUBLIC_LAUREATE, HIDDEN_LAUREATE)
    ]
    for nomination in nominations:
        services.nomination_check(actor=admin, nomination=nomination, eligible=True)
    chair, member = _jury(cycle, PAST_CHAIR_EMAIL, PAST_JUROR_EMAIL, admin=admin)
    services.scoring_start(actor=admin, cycle=cycle, today=date(year, 4, 10))
    criteria = list(cycle.criteria.all())
    for juror in (chair, member):
        for nomination in nominations:
            services.sheet_save(
                actor=juror.user,
                nomination=nomination,
                scores={criterion.pk: criterion.max_score for criterion in criteria},
                submit=True,
            )
    services.laureates_confirm(
        actor=chair.user, cycle=cycle, citations={nomination.pk: CITATION for nomination in nominations}
    )
    services.cycle_announce(actor=admin, cycle=cycle)
    services.laureate_consent_set(actor=admin, nomination=nominations[0], consent=True)
    _render_diploma(nominations[0])
    cycle.refresh_from_db()
    return cycle


def _render_diploma(nomination: Nomination) -> Document:
    """The diploma's first version, rendered (the secret bytes) — no WeasyPrint here."""
    content = b"%PDF-1.4\n% " + DIPLOMA_SECRET.encode() + b"\n%%EOF\n"
    document = (
        Document.objects.filter(
            content_type=ContentType.objects.get_for_model(Nomination),
            object_id=nomination.pk,
            kind=services.DIPLOMA,
        )
        .order_by("version")
        .first()
    )
    document.state = Document.State.DONE
    document.sha256 = hashlib.sha256(content).hexdigest()
    document.size = len(content)
    document.finished_at = timezone.now()
    document.file.save(f"{nomination.reference}-v1.pdf", ContentFile(content), save=False)
    document.save()
    return document


def _past_laureate(w) -> Nomination:
    return _past(w).nominations.get(nominee_name=PUBLIC_LAUREATE)


def _current(w) -> AwardCycle:
    """This year's cycle, open for nominations (a month each way), with a jury of two."""
    year = _today().year
    found = AwardCycle.objects.filter(year=year).first()
    if found:
        return found
    _past(w)  # announced first: only one cycle may be open
    admin = _admin(w)
    cycle = services.cycle_create(
        actor=admin, details=_details(year, _today() - timedelta(days=30), _today() + timedelta(days=30))
    )
    _jury(cycle, CHAIR_EMAIL, JUROR_EMAIL, admin=admin)
    services.cycle_open(actor=admin, cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def _draft(w) -> AwardCycle:
    """Next year's cycle, a draft."""
    year = _today().year + 1
    found = AwardCycle.objects.filter(year=year).first()
    if found:
        return found
    _current(w)
    return services.cycle_create(actor=_admin(w), details=_details(year, date(year, 2, 1), date(year, 3, 31)))


def _olaine_volunteer(w, first=NOMINEE_FIRST, last=NOMINEE_LAST) -> Volunteer:
    found = Volunteer.objects.filter(user__last_name=last).first()
    if found:
        return found
    email = f"{first.lower()}.{last.lower()}@example.lv".replace("ē", "e").replace("ā", "a")
    return builders.volunteer_at(w.olaine, first_name=first, last_name=last, email=email)


def _olaine_nomination(w) -> Nomination:
    """Made by Olaine's coordinator for a volunteer with an agreement at Olaine, with a PDF."""
    cycle = _current(w)
    found = cycle.nominations.filter(justification=OLAINE_SECRET).first()
    if found:
        return found
    return services.nomination_create(
        actor=w.olaine_coordinator,
        cycle=cycle,
        volunteer=_olaine_volunteer(w),
        unit=w.olaine,
        justification=OLAINE_SECRET,
        files=[pdf_upload(text="Olaines atsauksme")],
    )


def _ievp_nomination(w) -> Nomination:
    cycle = _current(w)
    found = cycle.nominations.filter(justification=IEVP_SECRET).first()
    if found:
        return found
    return _public(
        cycle,
        name=IEVP_NOMINEE,
        institution=w.olaine.institution,
        unit=None,
        place="Jelgavas cietums",
        justification=IEVP_SECRET,
        email=IEVP_NOMINATOR_EMAIL,
    )


def _vpd_nomination(w) -> Nomination:
    cycle = _current(w)
    found = cycle.nominations.filter(justification=VPD_SECRET).first()
    if found:
        return found
    return _public(
        cycle,
        name=VPD_NOMINEE,
        institution=_institution(Institution.Code.VPD),
        unit=Unit.objects.get(slug="vpd-jelgavas-1-nodala"),
        place="",
        justification=VPD_SECRET,
        email="ieteiceja.vpd@example.lv",
    )


def _with_all(w) -> dict:
    """Every cycle and nomination exists; no URL kwargs."""
    _olaine_nomination(w)
    _ievp_nomination(w)
    _vpd_nomination(w)
    _olaine_volunteer(w, SPARE_FIRST, SPARE_LAST)
    _draft(w)
    return {}


# --- URL kwargs and POST data


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _year(w) -> dict:
    _with_all(w)
    return {"year": _today().year}


def _past_year(w) -> dict:
    _with_all(w)
    return {"year": _today().year - 1}


def _draft_year(w) -> dict:
    _with_all(w)
    return {"year": _today().year + 1}


def _criterion_pk(w) -> dict:
    return {"pk": _current(w).criteria.order_by("position").last().pk}


def _juror_pk(w) -> dict:
    return {"pk": _current(w).jury.get(is_chair=False).pk}


def _olaine_pk(w) -> dict:
    _with_all(w)
    return {"pk": _olaine_nomination(w).pk}


def _ievp_pk(w) -> dict:
    _with_all(w)
    return {"pk": _ievp_nomination(w).pk}


def _laureate_pk(w) -> dict:
    _with_all(w)
    return {"pk": _past_laureate(w).pk}


def _file_pk(w) -> dict:
    return {"pk": NominationFile.objects.get(nomination=_olaine_nomination(w)).pk}


def _cycle_form(year: int, opens: date, closes: date) -> dict:
    return {
        "year": year,
        "conference_name": "",
        "conference_date": _day(closes + timedelta(days=30)),
        "conference_place": "Rīga",
        "nominations_open": _day(opens),
        "nominations_close": _day(closes),
        "introduction": "Ieteiciet brīvprātīgos, kuru darbs maina cilvēku dzīves.",
        "signatory_name": "Inese Lībiņa-Egnere",
        "signatory_title": "Tieslietu ministre",
    }


def _new_cycle_form(w) -> dict:
    _with_all(w)
    year = _today().year + 2
    return _cycle_form(year, date(year, 2, 1), date(year, 3, 31))


def _edit_cycle_form(w) -> dict:
    cycle = _current(w)
    return _cycle_form(cycle.year, cycle.nominations_open, cycle.nominations_close)


def _criterion_form(w) -> dict:
    _current(w)
    return {"name": "Sadarbība ar personālu", "description": "", "max_score": 5, "position": ""}


def _nominate_form(w) -> dict:
    _with_all(w)
    return {
        "unit": w.olaine.slug,
        "volunteer": _olaine_volunteer(w, SPARE_FIRST, SPARE_LAST).pk,
        "justification": OLAINE_SECRET.replace("Rasma", "Roberts"),
    }


def _secret_olaine(w) -> str:
    return OLAINE_SECRET


def _olaine_nominee(w) -> str:
    _olaine_nomination(w)
    return f"{NOMINEE_FIRST} {NOMINEE_LAST}"


CASES: dict[str, Case] = {
    # --- The cycles
    "awards:cycles": Case(
        expect=STAFF_READ,
        kwargs=_with_all,
        secret=_secret_olaine,
        entitled=set(),
        notes="the cycles and their counts; no nomination's text for anyone",
    ),
    "awards:cycle": Case(
        expect=STAFF_READ,
        kwargs=_year,
        secret=_olaine_nominee,
        entitled=OLAINE_READERS,
        notes="each sees the nominations selectors let them: the ministry only the counts",
    ),
    "awards:cycle_new": Case(expect=ADMIN_PAGE, kwargs=_with_all),
    "awards:cycle_edit": Case(expect=ADMIN_PAGE, kwargs=_year),
    "awards:criterion_new": Case(expect=ADMIN_PAGE, kwargs=_year),
    "awards:criterion_edit": Case(expect=ADMIN_PAGE, kwargs=_criterion_pk),
    "awards:criterion_delete": Case(method="post", expect=ADMIN_ACTION, kwargs=_criterion_pk),
    "awards:jury_add": Case(expect=ADMIN_PAGE, kwargs=_year),
    "awards:jury_remove": Case(method="post", expect=ADMIN_ACTION, kwargs=_juror_pk),
    "awards:jury_chair": Case(method="post", expect=ADMIN_ACTION, kwargs=_juror_pk),
    "awards:cycle_open": Case(
        method="post", expect=ADMIN_ACTION, kwargs=_draft_year, notes="refused: another cycle is open"
    ),
    "awards:scoring_start": Case(
        method="post", expect=ADMIN_ACTION, kwargs=_year, notes="refused: the window is still open"
    ),
    "awards:ranking": Case(
        expect=_expect(404, superuser=200),
        kwargs=_past_year,
        secret=lambda w: HIDDEN_LAUREATE,
        entitled={"superuser"},
        notes="the administrator and the cycle's jury, once every sheet is in",
    ),
    "awards:diplomas_issue": Case(method="post", expect=ADMIN_ACTION, kwargs=_past_year),
    "awards:announce": Case(
        method="post", expect=ADMIN_ACTION, kwargs=_past_year, notes="refused: already announced"
    ),
    # --- Nominations
    "awards:nominate": Case(
        expect=NOMINATE_PAGE,
        kwargs=_year,
        secret=_olaine_nominee,
        entitled=OLAINE_READERS,
        notes="each coordinator chooses among their own units' volunteers",
    ),
    "awards:nomination": Case(
        expect=OLAINE_NOMINATION_READ, kwargs=_olaine_pk, secret=_secret_olaine, entitled=OLAINE_READERS
    ),
    "awards:nomination_check": Case(
        method="post",
        expect=IEVP_NOMINATION_WRITE,
        kwargs=_ievp_pk,
        data=lambda w: {"check-decision": "eligible", "check-eligibility_note": ""},
        secret=lambda w: IEVP_SECRET,
        entitled=IEVP_READERS,
    ),
    "awards:nomination_link": Case(
        expect=IEVP_NOMINATION_READ,
        kwargs=_ievp_pk,
        data=lambda w: {"q": "Olainietis"},
        secret=lambda w: w.applicant.get_full_name(),
        entitled=IEVP_READERS | {"applicant"},  # signed in, the applicant's own name is in the menu
        notes="the search finds people with a record at the nomination's institution",
    ),
    "awards:nomination_withdraw": Case(
        method="post",
        expect=OLAINE_NOMINATION_WRITE,
        kwargs=_olaine_pk,
        data=lambda w: {"withdraw-reason": "Brīvprātīgā lūdza nominēt nākamgad."},
        secret=_secret_olaine,
        entitled=OLAINE_READERS,
    ),
    "awards:score": Case(
        expect=JURY_ONLY,
        kwargs=_laureate_pk,
        secret=lambda w: PAST_JUSTIFICATION,
        entitled=set(),
        notes="the cycle's jury, an eligible nomination, while the jury scores",
    ),
    "awards:conflict": Case(
        method="post",
        expect=JURY_ONLY,
        kwargs=_laureate_pk,
        data=lambda w: {"conflict-conflict_note": "Radiniece."},
    ),
    "awards:consent": Case(
        method="post", expect=ADMIN_ACTION, kwargs=_laureate_pk, data=lambda w: {"consent-consent": "yes"}
    ),
    "awards:diploma": Case(
        expect=_expect(404, superuser=200),
        kwargs=_laureate_pk,
        secret=lambda w: DIPLOMA_SECRET,
        entitled={"superuser"},
        notes="the administrator, the cycle's jury, the laureate of a linked record once announced",
    ),
    "awards:file": Case(
        expect=OLAINE_NOMINATION_READ,
        kwargs=_file_pk,
        secret=lambda w: "Olaines atsauksme",
        entitled=OLAINE_READERS,
        notes="whoever may read the nomination; every download audited",
    ),
    # --- The public pages
    "award:index": Case(
        expect=PUBLIC_GET,
        kwargs=_with_all,
        secret=lambda w: HIDDEN_LAUREATE,
        entitled=set(),
        notes="public by design: laureates who agreed to be named",
    ),
    "award:year": Case(
        expect=PUBLIC_GET,
        kwargs=_past_year,
        secret=lambda w: HIDDEN_LAUREATE,
        entitled=set(),
        notes="public by design: laureates who agreed to be named",
    ),
    "award:nominate": Case(
        expect=PUBLIC_GET, kwargs=_with_all, secret=_secret_olaine, entitled=set(), notes="public form"
    ),
    # The receipt is for the browser that sent the nomination (its session): a reference
    # typed by anybody else — whoever they are — answers 404.
    "award:nominate_done": Case(
        expect=_all_roles(404),
        kwargs=lambda w: {"reference": _ievp_nomination(w).reference} | _with_all(w),
        secret=lambda w: IEVP_NOMINEE,
        entitled=set(),
        notes="public by design, but only to the session that sent the nomination",
    ),
}


def _score_data(w) -> dict:
    cycle = _past(w)
    return {
        **{f"criterion_{c.pk}": 1 for c in cycle.criteria.all()},
        "comment": "",
        "action": "submit",
    }


def _public_form(w) -> dict:
    _with_all(w)
    return {
        "nominator_name": "Māra Ieteicēja",
        "nominator_email": "mara.ieteiceja@example.lv",
        "nominator_organisation": "",
        "nominee_name": "Edgars Jaunnominētais",
        "nominee_email": "",
        "institution": Institution.Code.IEVP,
        "unit": w.olaine.pk,
        "nominee_place": "",
        "justification": IEVP_SECRET.replace("Ilmārs", "Edgars"),
        "consent": "on",
        "website": "",
    }


def _ranking_data(w) -> dict:
    laureate = _past_laureate(w)
    return {f"laureate-{laureate.pk}": "on", f"citation-{laureate.pk}": "Par visu."}


EXTRA: dict[str, tuple[str, Case]] = {
    "awards:cycle_new POST": (
        "awards:cycle_new",
        Case(method="post", expect=ADMIN_ACTION, data=_new_cycle_form),
    ),
    "awards:cycle_edit POST": (
        "awards:cycle_edit",
        Case(method="post", expect=ADMIN_ACTION, kwargs=_year, data=_edit_cycle_form),
    ),
    "awards:criterion_new POST": (
        "awards:criterion_new",
        Case(method="post", expect=ADMIN_ACTION, kwargs=_year, data=_criterion_form),
    ),
    "awards:criterion_edit POST": (
        "awards:criterion_edit",
        Case(method="post", expect=ADMIN_ACTION, kwargs=_criterion_pk, data=_criterion_form),
    ),
    "awards:jury_add POST": (
        "awards:jury_add",
        Case(
            method="post",
            expect=ADMIN_ACTION,
            kwargs=_year,
            data=lambda w: {
                "email": "jauna.zurija@example.lv",
                "first_name": "Jauna",
                "last_name": "Žūrija",
                "is_chair": "",
                "language": "lv",
            },
        ),
    ),
    # Only the chair confirms the laureates (and only while the jury scores): nobody here.
    "awards:ranking POST": (
        "awards:ranking",
        Case(
            method="post",
            expect=JURY_ONLY,
            kwargs=_past_year,
            data=_ranking_data,
            secret=lambda w: HIDDEN_LAUREATE,
            entitled=set(),
        ),
    ),
    # Olaine's volunteers are listed to those who coordinate Olaine; another coordinator
    # asking for Olaine gets 404.
    "awards:nominate at Olaine": (
        "awards:nominate",
        Case(
            expect=_expect(404, olaine=200, ievp_central=200, superuser=200),
            kwargs=_year,
            data=lambda w: {"unit": w.olaine.slug},
            secret=lambda w: f"{SPARE_FIRST} {SPARE_LAST}",
            entitled=OLAINE_READERS,
        ),
    ),
    "awards:nominate POST": (
        "awards:nominate",
        Case(
            method="post",
            expect=OLAINE_NOMINATE,
            kwargs=_year,
            data=_nominate_form,
            secret=lambda w: f"{SPARE_FIRST} {SPARE_LAST}",
            entitled=OLAINE_READERS,
            notes="?unit= a unit the person does not coordinate answers 404",
        ),
    ),
    "awards:nomination_link POST": (
        "awards:nomination_link",
        Case(
            method="post",
            expect=IEVP_NOMINATION_WRITE,
            kwargs=_ievp_pk,
            data=lambda w: {"volunteer": w.olaine_application.volunteer.pk},
            secret=lambda w: IEVP_SECRET,
            entitled=IEVP_READERS,
        ),
    ),
    # Anybody may nominate through the public form, signed in or not.
    "award:nominate POST": (
        "award:nominate",
        Case(
            method="post",
            expect=_all_roles(302),
            kwargs=_with_all,
            data=_public_form,
            secret=_secret_olaine,
            entitled=set(),
            notes="public by design: the receipt is kept in the sender's session",
        ),
    ),
    "awards:score POST": (
        "awards:score",
        Case(method="post", expect=JURY_ONLY, kwargs=_laureate_pk, data=_score_data),
    ),
    # Cross-object checks.
    "awards:cycle of a draft": (
        "awards:cycle",
        Case(expect=_expect(404, superuser=200, applicant=404, stranger=404), kwargs=_draft_year),
    ),
    "awards:cycle of last year": (
        "awards:cycle",
        Case(
            expect=STAFF_READ,
            kwargs=_past_year,
            secret=lambda w: HIDDEN_LAUREATE,
            entitled={"ievp_central", "superuser"},
            notes="last year's nominations are IeVP's",
        ),
    ),
    "awards:nomination of IeVP": (
        "awards:nomination",
        Case(
            expect=IEVP_NOMINATION_READ,
            kwargs=_ievp_pk,
            secret=lambda w: IEVP_NOMINATOR_EMAIL,
            entitled=IEVP_READERS,
        ),
    ),
    "awards:nomination of VPD": (
        "awards:nomination",
        Case(
            expect=_expect(404, vpd_central=200, superuser=200),
            kwargs=lambda w: {"pk": _vpd_nomination(w).pk} | _with_all(w),
            secret=lambda w: VPD_SECRET,
            entitled={"vpd_central", "superuser"},
        ),
    ),
    "awards:nomination_check of VPD": (
        "awards:nomination_check",
        Case(
            method="post",
            expect=_expect(404, vpd_central=302, superuser=302),
            kwargs=lambda w: {"pk": _vpd_nomination(w).pk} | _with_all(w),
            data=lambda w: {"check-decision": "eligible", "check-eligibility_note": ""},
        ),
    ),
}

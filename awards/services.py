"""Every write of the award: cycles, criteria, jury, nominations, eligibility, scoring, the
decision, diplomas and the laureates' emails. Each runs in one transaction with its history
(simple-history) and audit entry; emails and PDFs are queued on commit.

Who may do what is checked here (views only show the refusals):

* the award administrator (``permissions.is_award_admin``) runs cycles, criteria and jury,
  starts scoring, issues diplomas, announces and records the laureates' consent;
* a unit coordinator nominates a volunteer of their units while nominations are open;
* anyone nominates through the public form while nominations are open;
* the central office of the nominee's institution checks eligibility and links the record;
* a jury member scores the cycle's eligible nominations (or declares a conflict); the chair
  confirms the laureates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from core.uploads import file_kind
from institutions import permissions
from institutions.models import Institution, Unit
from institutions.services import audit_record

from . import selectors
from .models import (
    FILE_MAX_BYTES,
    FILES_MAX,
    AwardCycle,
    Criterion,
    JuryMember,
    Nomination,
    NominationFile,
    Score,
    ScoreSheet,
)

if TYPE_CHECKING:
    from accounts.models import User
    from volunteers.models import Volunteer

Status = AwardCycle.Status
NStatus = Nomination.Status

DIPLOMA = "award_diploma"
CITATION_MAX = 600

DEFAULT_CRITERIA = [
    (
        "Personisks un pašaizliedzīgs ieguldījums",
        "Laiks, enerģija un neatlaidība, ko cilvēks nesavtīgi ziedojis brīvprātīgajam darbam.",
        10,
    ),
    (
        "Ietekme uz ieslodzītajiem vai probācijas klientiem",
        "Kas mainījās cilvēku dzīvē viņu atgriešanās ceļā sabiedrībā.",
        10,
    ),
    ("Ilgtspēja un pieredze", "Cik ilgi un cik regulāri cilvēks darbojas kriminālsodu izpildes jomā.", 5),
    ("Iedvesma citiem", "Kā cilvēka piemērs iedrošina citus iesaistīties brīvprātīgajā darbā.", 5),
]

NOTICE = Outbox(
    model=Nomination,
    sent="notice_sent_at",
    claimed="notice_claimed_at",
    attempts="notice_attempts",
    error="notice_error",
    created="notice_queued_at",
    pending=lambda now: Q(notice_queued_at__isnull=False, is_laureate=True),
)


INVITE = Outbox(
    model=JuryMember,
    sent="invite_sent_at",
    claimed="invite_claimed_at",
    attempts="invite_attempts",
    error="invite_error",
    created="added_at",
)


def _ministry_unit() -> Unit:
    """The unit that owns the award's documents and audit entries."""
    return (
        Unit.objects.select_related("institution")
        .filter(institution__code=Institution.Code.TM)
        .order_by("pk")[0]
    )


def _audit(actor, action: str, target, *, data: dict | None = None) -> None:
    """Every award entry is the Ministry's: a nominee's name never shows in a unit's audit list."""
    audit_record(actor=actor, action=action, target=target, unit=_ministry_unit(), data=data)


def _require_admin(actor: User) -> None:
    if not permissions.is_award_admin(actor):
        raise PermissionDenied(_("Only the award administrator may do this."))


def _text(value: str | None) -> str:
    return (value or "").strip()


def _locked_cycle(cycle: AwardCycle) -> AwardCycle:
    return AwardCycle.objects.select_for_update().get(pk=cycle.pk)


def _set_status(cycle: AwardCycle, status: str) -> None:
    cycle.status = status
    cycle.status_changed_at = timezone.now()


# --- Cycles


@dataclass(frozen=True)
class CycleDetails:
    year: int
    nominations_open: object
    nominations_close: object
    conference_name: str = ""
    conference_date: object = None
    conference_place: str = ""
    introduction: str = ""
    signatory_name: str = ""
    signatory_title: str = ""


def _check_details(details: CycleDetails, *, cycle: AwardCycle | None = None) -> None:
    errors = {}
    if (
        details.nominations_close
        and details.nominations_open
        and details.nominations_close < details.nominations_open
    ):
        errors["nominations_close"] = _("Nominations cannot close before they open.")
    if (
        details.conference_date
        and details.nominations_close
        and details.conference_date < details.nominations_close
    ):
        errors["conference_date"] = _("The conference cannot be before nominations close.")
    same_year = AwardCycle.objects.filter(year=details.year)
    if cycle is not None:
        same_year = same_year.exclude(pk=cycle.pk)
    if same_year.exists():
        errors["year"] = _("There already is a cycle for %(year)s.") % {"year": details.year}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cycle_create(
    *, actor: User, details: CycleDetails, criteria: Iterable[tuple[str, str, int]] | None = None
) -> AwardCycle:
    """A new cycle (draft). Its criteria are the previous cycle's, or the award's defaults."""
    _require_admin(actor)
    _check_details(details)
    cycle = AwardCycle.objects.create(
        year=details.year,
        conference_name=_text(details.conference_name)
        or AwardCycle._meta.get_field("conference_name").default,
        conference_date=details.conference_date,
        conference_place=_text(details.conference_place),
        nominations_open=details.nominations_open,
        nominations_close=details.nominations_close,
        introduction=_text(details.introduction),
        signatory_name=_text(details.signatory_name),
        signatory_title=_text(details.signatory_title),
        created_by=actor,
        status_changed_at=timezone.now(),
    )
    if criteria is None:
        previous = AwardCycle.objects.filter(year__lt=cycle.year).order_by("-year").first()
        if previous is not None and previous.criteria.exists():
            criteria = [(c.name, c.description, c.max_score) for c in previous.criteria.all()]
        else:
            criteria = DEFAULT_CRITERIA
    Criterion.objects.bulk_create(
        Criterion(cycle=cycle, position=index, name=name, description=description, max_score=max_score)
        for index, (name, description, max_score) in enumerate(criteria, start=1)
    )
    _audit(actor, "awards.cycle.create", cycle)
    return cycle


@transaction.atomic
def cycle_update(*, actor: User, cycle: AwardCycle, details: CycleDetails) -> AwardCycle:
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    if cycle.status == Status.ANNOUNCED:
        raise ValidationError(_("An announced cycle cannot be changed."))
    if details.year != cycle.year and cycle.status != Status.DRAFT:
        raise ValidationError({"year": _("The year can be changed only while the cycle is a draft.")})
    _check_details(details, cycle=cycle)
    for name in CycleDetails.__dataclass_fields__:
        value = getattr(details, name)
        setattr(cycle, name, _text(value) if isinstance(value, str) else value)
    if not cycle.conference_name:
        cycle.conference_name = AwardCycle._meta.get_field("conference_name").default
    cycle.save()
    _audit(actor, "awards.cycle.update", cycle)
    return cycle


@transaction.atomic
def cycle_open(*, actor: User, cycle: AwardCycle) -> AwardCycle:
    """Draft → nominations open (the public form takes nominations within the window)."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    if cycle.status != Status.DRAFT:
        raise ValidationError(_("Only a draft cycle can be opened for nominations."))
    if not cycle.criteria.exists():
        raise ValidationError(_("Add the criteria the jury will score before opening nominations."))
    if AwardCycle.objects.filter(status=Status.OPEN).exclude(pk=cycle.pk).exists():
        raise ValidationError(_("Another cycle is open for nominations; start its scoring first."))
    _set_status(cycle, Status.OPEN)
    cycle.save(update_fields=["status", "status_changed_at", "updated_at"])
    _audit(actor, "awards.cycle.open", cycle)
    return cycle


@transaction.atomic
def scoring_start(*, actor: User, cycle: AwardCycle, today=None) -> AwardCycle:
    """Nominations open → jury scoring: the window has closed, every nomination was checked,
    at least one is eligible and the jury has a chair and at least one other member."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    today = today or timezone.localdate()
    if cycle.status != Status.OPEN:
        raise ValidationError(_("Scoring starts after the nominations are open."))
    problems = []
    if today <= cycle.nominations_close:
        problems.append(
            _("Nominations are open until %(day)s.") % {"day": cycle.nominations_close.strftime("%d.%m.%Y")}
        )
    unchecked = cycle.nominations.filter(status=NStatus.SUBMITTED).count()
    if unchecked:
        problems.append(
            ngettext(
                "%(count)d nomination is still waiting for the eligibility check.",
                "%(count)d nominations are still waiting for the eligibility check.",
                unchecked,
            )
            % {"count": unchecked}
        )
    if not cycle.nominations.filter(status=NStatus.ELIGIBLE).exists():
        problems.append(_("No nomination is eligible."))
    jury = list(cycle.jury.all())
    if not any(member.is_chair for member in jury):
        problems.append(_("The jury has no chair."))
    if len(jury) < 2:
        problems.append(_("The jury needs at least two members."))
    if problems:
        raise ValidationError(problems)
    _set_status(cycle, Status.SCORING)
    cycle.save(update_fields=["status", "status_changed_at", "updated_at"])
    _audit(actor, "awards.cycle.scoring", cycle)
    return cycle


# --- Criteria (until scoring starts)


def _require_criteria_editable(cycle: AwardCycle) -> None:
    if cycle.status not in (Status.DRAFT, Status.OPEN):
        raise ValidationError(_("The criteria cannot be changed once the jury has started scoring."))


@transaction.atomic
def criterion_save(
    *,
    actor: User,
    cycle: AwardCycle,
    name: str,
    description: str = "",
    max_score: int = 5,
    position: int | None = None,
    criterion: Criterion | None = None,
) -> Criterion:
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    _require_criteria_editable(cycle)
    name = _text(name)
    if not name:
        raise ValidationError({"name": _("Name the criterion.")})
    if not 2 <= int(max_score) <= 10:
        raise ValidationError({"max_score": _("The highest score must be from 2 to 10.")})
    others = cycle.criteria.filter(name__iexact=name)
    if criterion is not None:
        others = others.exclude(pk=criterion.pk)
    if others.exists():
        raise ValidationError({"name": _("The cycle already has a criterion with this name.")})
    if criterion is None:
        criterion = Criterion(cycle=cycle)
        if position is None:
            position = (cycle.criteria.aggregate(last=Max("position"))["last"] or 0) + 1
    elif criterion.cycle_id != cycle.pk:
        raise Http404
    criterion.name = name
    criterion.description = _text(description)
    criterion.max_score = int(max_score)
    if position is not None:
        criterion.position = position
    criterion.save()
    _audit(actor, "awards.criterion.save", cycle, data={"criterion": name})
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    _require_admin(actor)
    cycle = _locked_cycle(criterion.cycle)
    _require_criteria_editable(cycle)
    if cycle.criteria.count() <= 1 and cycle.status == Status.OPEN:
        raise ValidationError(_("An open cycle needs at least one criterion."))
    name = criterion.name
    criterion.delete()
    _audit(actor, "awards.criterion.delete", cycle, data={"criterion": name})


# --- Jury


@transaction.atomic
def jury_member_add(
    *,
    actor: User,
    cycle: AwardCycle,
    email: str,
    first_name: str = "",
    last_name: str = "",
    is_chair: bool = False,
    language: str = "lv",
) -> JuryMember:
    """Adds a person to the jury (an account is made for a new address; the person sets a
    password through the link in the invitation email)."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    if cycle.status in (Status.DECIDED, Status.ANNOUNCED):
        raise ValidationError(_("The jury of a decided cycle cannot be changed."))
    email = _text(email).lower()
    if not email:
        raise ValidationError({"email": _("Enter the person's email address.")})
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is None:
        if not _text(first_name) or not _text(last_name):
            raise ValidationError(
                {"first_name": _("A new jury member needs a name and surname."), "last_name": ""}
                if not _text(first_name)
                else {"last_name": _("A new jury member needs a name and surname.")}
            )
        user = User.objects.create_user(
            email=email, first_name=_text(first_name), last_name=_text(last_name), language=language
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        created = True
    if not user.is_active:
        raise ValidationError({"email": _("This account is closed.")})
    if cycle.jury.filter(user=user).exists():
        raise ValidationError({"email": _("This person is already on the jury.")})
    if is_chair and cycle.jury.filter(is_chair=True).exists():
        raise ValidationError({"is_chair": _("The jury already has a chair.")})
    member = JuryMember.objects.create(
        cycle=cycle, user=user, is_chair=is_chair, added_by=actor, new_account=created
    )
    permissions.grant_award_juror(user)
    _audit(
        actor,
        "awards.jury.add",
        cycle,
        data={"member": user.email, "chair": is_chair, "new_account": created},
    )
    from .tasks import jury_invite

    enqueue_on_commit(jury_invite, member.pk)
    return member


@transaction.atomic
def jury_member_remove(*, actor: User, member: JuryMember) -> None:
    _require_admin(actor)
    cycle = _locked_cycle(member.cycle)
    if cycle.status in (Status.DECIDED, Status.ANNOUNCED):
        raise ValidationError(_("The jury of a decided cycle cannot be changed."))
    if member.sheets.filter(submitted_at__isnull=False).exists():
        raise ValidationError(_("This member has already submitted scores; they stay on the jury."))
    user = member.user
    member.sheets.all().delete()
    member.delete()
    if not JuryMember.objects.filter(user=user).exists():
        permissions.revoke_award_juror(user)
    _audit(actor, "awards.jury.remove", cycle, data={"member": user.email})


@transaction.atomic
def jury_chair_set(*, actor: User, member: JuryMember) -> JuryMember:
    _require_admin(actor)
    cycle = _locked_cycle(member.cycle)
    if cycle.status in (Status.DECIDED, Status.ANNOUNCED):
        raise ValidationError(_("The jury of a decided cycle cannot be changed."))
    cycle.jury.filter(is_chair=True).exclude(pk=member.pk).update(is_chair=False)
    member.is_chair = True
    member.save(update_fields=["is_chair"])
    _audit(actor, "awards.jury.chair", cycle, data={"member": member.user.email})
    return member


def jury_invite_send(*, member_id: int) -> bool:
    """The invitation email, once (a link to set a password for a new account)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.registry import absolute_url

    claimed = INVITE.claim(member_id)
    if claimed is None:
        return False
    member = JuryMember.objects.select_related("user", "cycle").get(pk=member_id)
    user = member.user
    if not user.is_active or not user.email:
        INVITE.sent_now(member_id, invite_error="no recipient")
        return False
    new_account = member.new_account or not user.has_usable_password()
    context = {"member": member, "cycle": member.cycle, "person": user, "new_account": new_account}
    if new_account:
        context["url"] = absolute_url(("account_reset_password", []))
    else:
        context["url"] = absolute_url(("awards:cycle", [member.cycle.year]))
    try:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = render_to_string("awards/email/jury_invite_subject.txt", context).strip()
            body = render_to_string("awards/email/jury_invite_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception as error:
        INVITE.failed(member_id, claimed=claimed, error=error)
        raise
    INVITE.sent_now(member_id)
    return True


# --- Nominations


def _next_number(cycle: AwardCycle) -> int:
    return (cycle.nominations.aggregate(last=Max("number"))["last"] or 0) + 1


def _require_window(cycle: AwardCycle, today) -> None:
    if cycle.status != Status.OPEN:
        raise ValidationError(_("This cycle is not taking nominations."), code="closed")
    if today < cycle.nominations_open:
        raise ValidationError(
            _("Nominations open on %(day)s.") % {"day": cycle.nominations_open.strftime("%d.%m.%Y")},
            code="closed",
        )
    if today > cycle.nominations_close:
        raise ValidationError(
            _("Nominations closed on %(day)s.") % {"day": cycle.nominations_close.strftime("%d.%m.%Y")},
            code="closed",
        )


def _check_justification(justification: str) -> str:
    justification = _text(justification)
    if len(justification) < 100:
        raise ValidationError(
            {
                "justification": _(
                    "Tell the jury more: at least 100 characters on why this person deserves the award."
                )
            }
        )
    return justification


def check_files(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Supporting files by their content (PDF, JPEG, PNG), at most FILES_MAX of 5 MB each."""
    files = [f for f in files if f]
    if len(files) > FILES_MAX:
        raise ValidationError({"files": _("Attach at most %(count)d files.") % {"count": FILES_MAX}})
    checked = []
    for upload in files:
        try:
            kind = file_kind(upload, max_bytes=FILE_MAX_BYTES)
        except ValidationError as error:  # too large: shown at the files field like the rest
            raise ValidationError({"files": error.messages}) from error
        if kind is None:
            raise ValidationError(
                {"files": _("“%(name)s” is not a PDF, JPEG or PNG file.") % {"name": upload.name[:80]}}
            )
        checked.append((upload, kind))
    return checked


def _save_files(nomination: Nomination, files: list[tuple[UploadedFile, str]]) -> list[str]:
    saved = []
    for index, (upload, kind) in enumerate(files, start=1):
        row = NominationFile(nomination=nomination, name=upload.name[:200], kind=kind, size=upload.size)
        row.file.save(f"{nomination.reference}-{index}.{kind}", upload, save=False)
        row.save()
        saved.append(row.file.name)
    return saved


@dataclass(frozen=True)
class PublicNomination:
    nominator_name: str
    nominator_email: str
    nominator_organisation: str
    nominee_name: str
    nominee_email: str
    institution: Institution
    unit: Unit | None
    nominee_place: str
    justification: str


@transaction.atomic
def nomination_submit_public(
    *,
    cycle: AwardCycle,
    data: PublicNomination,
    files: Iterable[UploadedFile] = (),
    language: str = "lv",
    today=None,
) -> Nomination:
    cycle = _locked_cycle(cycle)
    _require_window(cycle, today or timezone.localdate())
    errors = {}
    for field in ("nominator_name", "nominee_name"):
        if not _text(getattr(data, field)):
            errors[field] = _("This field is required.")
    if not _text(data.nominator_email):
        errors["nominator_email"] = _("This field is required.")
    if data.institution.code == Institution.Code.TM:
        errors["institution"] = _("Choose the Probation Service or the Prison Administration.")
    if data.unit is not None and data.unit.institution_id != data.institution.pk:
        errors["unit"] = _("This place belongs to the other institution.")
    if data.unit is None and not _text(data.nominee_place):
        errors["nominee_place"] = _("Say where the person volunteers.")
    if errors:
        raise ValidationError(errors)
    justification = _check_justification(data.justification)
    checked = check_files(files)
    nomination = Nomination.objects.create(
        cycle=cycle,
        number=_next_number(cycle),
        source=Nomination.Source.PUBLIC,
        institution=data.institution,
        unit=data.unit,
        nominee_name=_text(data.nominee_name),
        nominee_email=_text(data.nominee_email).lower(),
        nominee_place=_text(data.nominee_place),
        nominator_name=_text(data.nominator_name),
        nominator_email=_text(data.nominator_email).lower(),
        nominator_organisation=_text(data.nominator_organisation),
        justification=justification,
        language=language if language in ("lv", "en") else "lv",
    )
    _save_files(nomination, checked)
    _audit(None, "awards.nomination.public", nomination, data={"reference": nomination.reference})
    return nomination


@transaction.atomic
def nomination_create(
    *,
    actor: User,
    cycle: AwardCycle,
    volunteer: Volunteer,
    unit: Unit,
    justification: str,
    files: Iterable[UploadedFile] = (),
    today=None,
) -> Nomination:
    """A coordinator nominates a volunteer of their unit; the summary of the volunteer's
    record (units, roles, years, approved hours) is kept with the nomination."""
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, unit):
        raise Http404
    if volunteer.pk not in selectors.nominable_volunteer_ids(actor, unit=unit, ids=[volunteer.pk]):
        raise ValidationError({"volunteer": _("Choose a volunteer who works or worked at this unit.")})
    cycle = _locked_cycle(cycle)
    _require_window(cycle, today or timezone.localdate())
    if cycle.nominations.filter(volunteer=volunteer).exclude(status=NStatus.WITHDRAWN).exists():
        raise ValidationError({"volunteer": _("This volunteer is already nominated in this cycle.")})
    justification = _check_justification(justification)
    checked = check_files(files)
    user = volunteer.user
    nomination = Nomination.objects.create(
        cycle=cycle,
        number=_next_number(cycle),
        source=Nomination.Source.COORDINATOR,
        institution=unit.institution,
        unit=unit,
        nominee_name=user.get_full_name(),
        nominee_email=user.email,
        nominee_place=unit.name,
        volunteer=volunteer,
        summary=selectors.volunteer_summary(volunteer, institution_id=unit.institution_id),
        nominator_name=actor.get_full_name() or actor.email,
        nominator_email=actor.email,
        nominator_organisation=unit.name,
        nominated_by=actor,
        justification=justification,
        language=user.language or "lv",
    )
    _save_files(nomination, checked)
    _audit(actor, "awards.nomination.create", nomination, data={"reference": nomination.reference})
    return nomination


def _require_checker(actor: User, nomination: Nomination) -> None:
    roles = permissions.roles_for(actor)
    if not (roles.superuser or nomination.institution_id in roles.central_of):
        raise Http404


@transaction.atomic
def nomination_check(*, actor: User, nomination: Nomination, eligible: bool, note: str = "") -> Nomination:
    """The central office's eligibility check (may be changed until scoring starts)."""
    _require_checker(actor, nomination)
    nomination = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination.pk)
    if nomination.cycle.status not in (Status.OPEN,):
        raise ValidationError(_("Eligibility is checked while the cycle takes nominations."))
    if nomination.status == NStatus.WITHDRAWN:
        raise ValidationError(_("This nomination was withdrawn."))
    note = _text(note)
    if not eligible and not note:
        raise ValidationError({"eligibility_note": _("Say why the nomination is not eligible.")})
    nomination.status = NStatus.ELIGIBLE if eligible else NStatus.INELIGIBLE
    nomination.eligibility_note = note
    nomination.checked_by = actor
    nomination.checked_at = timezone.now()
    nomination.save()
    _audit(actor, "awards.nomination.check", nomination, data={"eligible": eligible})
    return nomination


@transaction.atomic
def nomination_link(*, actor: User, nomination: Nomination, volunteer: Volunteer | None) -> Nomination:
    """Links a (public) nomination to the volunteer's record — or unlinks it (``None``)."""
    _require_checker(actor, nomination)
    nomination = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination.pk)
    if nomination.cycle.status != Status.OPEN:
        # The jury reads the summary: it does not change under them once scoring started.
        raise ValidationError(_("The record can be linked while the cycle takes nominations."))
    if volunteer is not None:
        if volunteer.pk not in selectors.institution_volunteer_ids(
            nomination.institution_id, ids=[volunteer.pk]
        ):
            raise ValidationError({"volunteer": _("This person has no record at the institution.")})
        duplicate = (
            nomination.cycle.nominations.filter(volunteer=volunteer)
            .exclude(pk=nomination.pk)
            .exclude(status=NStatus.WITHDRAWN)
            .first()
        )
        if duplicate is not None:
            raise ValidationError(
                {
                    "volunteer": _("This volunteer is already nominated as %(reference)s.")
                    % {"reference": duplicate.reference}
                }
            )
        nomination.summary = selectors.volunteer_summary(volunteer, institution_id=nomination.institution_id)
        if not nomination.nominee_email:
            nomination.nominee_email = volunteer.user.email
        nomination.language = volunteer.user.language or nomination.language
    else:
        nomination.summary = {}
    nomination.volunteer = volunteer
    nomination.save()
    _audit(
        actor,
        "awards.nomination.link",
        nomination,
        data={"linked": volunteer is not None},
    )
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: User, nomination: Nomination, reason: str) -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination.pk)
    roles = permissions.roles_for(actor)
    allowed = (
        roles.superuser
        or roles.award_admin
        or nomination.nominated_by_id == actor.pk
        or nomination.institution_id in roles.central_of
    )
    if not allowed:
        raise Http404
    if nomination.cycle.status != Status.OPEN:
        raise ValidationError(_("A nomination can be withdrawn only while nominations are open."))
    if nomination.status == NStatus.WITHDRAWN:
        raise ValidationError(_("This nomination was already withdrawn."))
    if not _text(reason):
        raise ValidationError({"reason": _("Say why the nomination is withdrawn.")})
    nomination.status = NStatus.WITHDRAWN
    nomination.eligibility_note = _text(reason)
    nomination.save()
    _audit(actor, "awards.nomination.withdraw", nomination, data={"reason": _text(reason)})
    return nomination


# --- Scoring


def _member_for(actor: User, nomination: Nomination) -> JuryMember:
    member = JuryMember.objects.filter(cycle_id=nomination.cycle_id, user=actor).first()
    if member is None or nomination.status != NStatus.ELIGIBLE:
        raise Http404
    return member


def own_interest(actor: User, nomination: Nomination) -> bool:
    """The jury member made the nomination or is its nominee: a conflict of interest by itself."""
    if nomination.nominated_by_id is not None and nomination.nominated_by_id == actor.pk:
        return True
    if nomination.volunteer_id is not None and nomination.volunteer.user_id == actor.pk:
        return True
    email = (actor.email or "").lower()
    return bool(email) and email in {nomination.nominator_email.lower(), nomination.nominee_email.lower()}


def _scoring_sheet(actor: User, nomination: Nomination) -> tuple[Nomination, JuryMember, ScoreSheet]:
    nomination = Nomination.objects.select_related("cycle").get(pk=nomination.pk)
    member = _member_for(actor, nomination)
    if nomination.cycle.status != Status.SCORING:
        raise ValidationError(_("The jury scores while the cycle is in jury scoring."))
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
        nomination=nomination, member=member
    )
    return nomination, member, sheet


@transaction.atomic
def sheet_save(
    *,
    actor: User,
    nomination: Nomination,
    scores: Mapping[int, int | None],
    comment: str = "",
    submit: bool = False,
) -> ScoreSheet:
    """Saves a jury member's scores (a draft), or submits them — final: the member then sees
    the others' scores of this nomination. Every criterion's score is 1 … its highest."""
    nomination, _member, sheet = _scoring_sheet(actor, nomination)
    if own_interest(actor, nomination):
        raise ValidationError(
            _(
                "You nominated this person or are the nominee: declare the conflict of interest "
                "instead of scoring."
            )
        )
    if sheet.conflict:
        raise ValidationError(
            _("You declared a conflict of interest for this nomination; you do not score it.")
        )
    if sheet.submitted_at is not None:
        raise ValidationError(_("You have already submitted your scores for this nomination."))
    criteria = list(nomination.cycle.criteria.all())
    errors = {}
    values: dict[int, int] = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk)
        if raw in (None, ""):
            if submit:
                errors[f"criterion_{criterion.pk}"] = _("Score every criterion before submitting.")
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= criterion.max_score:
            errors[f"criterion_{criterion.pk}"] = _("The score must be from 1 to %(max)d.") % {
                "max": criterion.max_score
            }
            continue
        values[criterion.pk] = value
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        raise ValidationError(_("The scores do not match this cycle's criteria."))
    if errors:
        raise ValidationError(errors)
    sheet.scores.exclude(criterion_id__in=values).delete()
    for criterion_id, value in values.items():
        Score.objects.update_or_create(sheet=sheet, criterion_id=criterion_id, defaults={"value": value})
    sheet.comment = _text(comment)
    if submit:
        sheet.submitted_at = timezone.now()
    sheet.save()
    if submit:
        _audit(actor, "awards.sheet.submit", nomination, data={"reference": nomination.reference})
    return sheet


@transaction.atomic
def conflict_declare(*, actor: User, nomination: Nomination, note: str) -> ScoreSheet:
    """A declared conflict of interest leaves the member out of this nomination's score."""
    nomination, _member, sheet = _scoring_sheet(actor, nomination)
    if sheet.submitted_at is not None and not sheet.conflict:
        raise ValidationError(_("You have already submitted your scores for this nomination."))
    if sheet.conflict:
        raise ValidationError(_("You have already declared a conflict of interest for this nomination."))
    if not _text(note):
        raise ValidationError({"conflict_note": _("Describe the conflict of interest in a few words.")})
    sheet.scores.all().delete()
    sheet.conflict = True
    sheet.conflict_note = _text(note)
    sheet.comment = ""
    sheet.submitted_at = timezone.now()
    sheet.save()
    _audit(actor, "awards.sheet.conflict", nomination, data={"reference": nomination.reference})
    return sheet


# --- The decision


@transaction.atomic
def laureates_confirm(*, actor: User, cycle: AwardCycle, citations: Mapping[int, str]) -> list[Nomination]:
    """The chair confirms the laureates (nomination id → citation): the cycle is decided.
    Every jury member must have submitted (or declared a conflict on) every eligible nomination."""
    cycle = _locked_cycle(cycle)
    chair = cycle.jury.filter(user=actor, is_chair=True).first()
    if chair is None:  # the chair alone confirms (not the administrator, not a superuser)
        raise Http404
    if cycle.status != Status.SCORING:
        raise ValidationError(_("Laureates are confirmed at the end of the jury scoring."))
    progress = selectors.scoring_progress(cycle)
    if not progress.complete:
        raise ValidationError(
            ngettext(
                "%(count)d score sheet is still missing.",
                "%(count)d score sheets are still missing.",
                progress.missing,
            )
            % {"count": progress.missing}
        )
    chosen = {int(pk): _text(text) for pk, text in citations.items()}
    if not chosen:
        raise ValidationError(_("Choose at least one laureate."))
    nominations = {n.pk: n for n in cycle.nominations.select_for_update().filter(pk__in=chosen)}
    conflicted = set(
        ScoreSheet.objects.filter(member=chair, nomination_id__in=chosen, conflict=True).values_list(
            "nomination_id", flat=True
        )
    )
    errors = []
    for pk, text in chosen.items():
        nomination = nominations.get(pk)
        if nomination is None or nomination.status != NStatus.ELIGIBLE:
            errors.append(_("Only eligible nominations of this cycle can be laureates."))
        elif conflicted and pk in conflicted:
            errors.append(
                _(
                    "You declared a conflict of interest for %(name)s: the administrator makes another "
                    "member the chair for the decision."
                )
                % {"name": nomination.nominee_name}
            )
        elif not text:
            errors.append(_("Write a citation for %(name)s.") % {"name": nomination.nominee_name})
        elif len(text) > CITATION_MAX:
            errors.append(
                _("The citation for %(name)s is longer than %(max)d characters.")
                % {"name": nomination.nominee_name, "max": CITATION_MAX}
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for pk, nomination in nominations.items():
        nomination.is_laureate = True
        nomination.citation = chosen[pk]
        nomination.confirmed_by = actor
        nomination.confirmed_at = now
        nomination.save()
    cycle.decided_by = actor
    cycle.decided_at = now
    _set_status(cycle, Status.DECIDED)
    cycle.save()
    _audit(
        actor, "awards.cycle.decide", cycle, data={"laureates": [n.reference for n in nominations.values()]}
    )
    return list(nominations.values())


@transaction.atomic
def diplomas_issue(*, actor: User, cycle: AwardCycle) -> int:
    """A diploma PDF for every laureate that has none yet (queued through the documents app)."""
    from documents import services as documents

    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    if cycle.status not in (Status.DECIDED, Status.ANNOUNCED):
        raise ValidationError(_("Diplomas are made once the laureates are decided."))
    issued = 0
    for nomination in selectors.laureates(cycle).select_for_update(of=("self",)):
        if not nomination.documents.filter(kind=DIPLOMA, revoked_at__isnull=True).exists():
            documents.document_issue(subject=nomination, kind=DIPLOMA)
            issued += 1
    if issued:
        _audit(actor, "awards.diplomas.issue", cycle, data={"count": issued})
    return issued


@transaction.atomic
def cycle_announce(*, actor: User, cycle: AwardCycle) -> AwardCycle:
    """Decided → announced: every laureate is emailed (in their language) and the public
    page lists those who consented."""
    _require_admin(actor)
    cycle = _locked_cycle(cycle)
    if cycle.status != Status.DECIDED:
        raise ValidationError(_("Only a decided cycle can be announced."))
    diplomas_issue(actor=actor, cycle=cycle)
    now = timezone.now()
    ids = list(selectors.laureates(cycle).values_list("pk", flat=True))
    Nomination.objects.filter(pk__in=ids).update(notice_queued_at=now)
    cycle.announced_at = now
    _set_status(cycle, Status.ANNOUNCED)
    cycle.save()
    _audit(actor, "awards.cycle.announce", cycle)
    from .tasks import laureate_notice_send

    for pk in ids:
        enqueue_on_commit(laureate_notice_send, pk)
    return cycle


@transaction.atomic
def laureate_consent_set(*, actor: User, nomination: Nomination, consent: bool) -> Nomination:
    """Records whether the laureate agreed to be named on the public page."""
    _require_admin(actor)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not nomination.is_laureate:
        raise ValidationError(_("Only a laureate is named on the public page."))
    nomination.public_consent = consent
    nomination.consent_recorded_by = actor
    nomination.consent_recorded_at = timezone.now()
    nomination.save()
    _audit(actor, "awards.laureate.consent", nomination, data={"consent": consent})
    return nomination


DIPLOMA_WAIT = timedelta(hours=2)


def _diploma_on_its_way(nomination: Nomination, *, now) -> bool:
    """A diploma queued or rendering (not failed) for a notice younger than DIPLOMA_WAIT."""
    from documents.models import Document

    if nomination.notice_queued_at is None or now - nomination.notice_queued_at > DIPLOMA_WAIT:
        return False
    return (
        nomination.documents.filter(kind=DIPLOMA, revoked_at__isnull=True)
        .exclude(state__in=[Document.State.DONE, Document.State.FAILED])
        .exists()
    )


def laureate_notice_send(*, nomination_id: int) -> bool:
    """Emails a laureate (once), in their language, with the diploma when it is ready."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from documents.selectors import latest_done

    claimed = NOTICE.claim(nomination_id)
    if claimed is None:
        return False
    nomination = Nomination.objects.select_related("cycle", "volunteer__user").get(pk=nomination_id)
    email = nomination.contact_email
    if not email:
        NOTICE.sent_now(nomination_id, notice_error="no email address")
        return False
    if _diploma_on_its_way(nomination, now=claimed):
        # The diploma is still being rendered: the sweeper brings the email back in ten minutes
        # (for up to DIPLOMA_WAIT), so that it goes with the diploma attached.
        NOTICE.model.objects.filter(pk=nomination_id, notice_claimed_at=claimed).update(
            notice_claimed_at=None
        )
        return False
    try:
        diploma = latest_done(nomination, DIPLOMA)
        context = {
            "nomination": nomination,
            "cycle": nomination.cycle,
            "name": nomination.name_for_diploma,
            "diploma_attached": diploma is not None and bool(diploma.file),
        }
        language = nomination.language if nomination.language in ("lv", "en") else settings.LANGUAGE_CODE
        with translation.override(language):
            subject = render_to_string("awards/email/laureate_subject.txt", context).strip()
            body = render_to_string("awards/email/laureate_body.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        if context["diploma_attached"]:
            with diploma.file.open("rb") as handle:
                message.attach(f"diploms-{nomination.cycle.year}.pdf", handle.read(), "application/pdf")
        message.send()
    except Exception as error:
        NOTICE.failed(nomination_id, claimed=claimed, error=error)
        raise
    NOTICE.sent_now(nomination_id)
    return True


def notices_requeue_unsent(*, now=None) -> list[int]:
    """Laureates' emails not sent for a while, queued again (the sweeper)."""
    from .tasks import laureate_notice_send as task

    ids = NOTICE.due(now=now)
    for pk in ids:
        enqueue_on_commit(task, pk)
    return ids


def invites_requeue_unsent(*, now=None) -> list[int]:
    """Jury invitations not sent for a while, queued again (the sweeper)."""
    from .tasks import jury_invite as task

    ids = INVITE.due(now=now)
    for pk in ids:
        enqueue_on_commit(task, pk)
    return ids


def file_download_logged(*, actor: User, file: NominationFile) -> None:
    _audit(actor, "awards.file.download", file.nomination, data={"file": file.name})

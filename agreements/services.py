"""Every write of the agreements app: keyword-only, atomic, audited in the same
transaction, PDF rendering enqueued on commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import CharField, F, IntegerField, Max, Value
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.history import history_copy
from core.uploads import file_kind
from documents.models import Document
from documents.services import document_issue, documents_revoke
from institutions import permissions
from institutions.models import AuditEvent, Institution
from institutions.services import audit_event, audit_record
from reports import cache as reports_cache
from volunteers import services as volunteer_services
from volunteers.models import Application, Role
from volunteers.models import Status as ApplicationStatus

from . import terms as agreement_terms
from .models import MIN_NOTICE_DAYS, Agreement, AgreementTemplate, NumberSequence, Status
from .printing import AGREEMENT
from .signals import agreement_ended


def _word(institution_id: int | None, message: str) -> str:
    """``message`` (one of agreements.terms.MESSAGES) in the institution's word."""
    return agreement_terms.for_institution_id(institution_id).gettext(message)


if TYPE_CHECKING:
    from accounts.models import User

SCAN_MAX_BYTES = 10 * 1024 * 1024

EDITABLE_FIELDS = [
    "role",
    "place",
    "start_date",
    "end_date",
    "hours_per_week",
    "duties",
    "expenses_reimbursed",
    "expenses_terms",
    "insurance_required",
    "insurance_policy",
    "own_policy",
    "notice_days",
    "requested_in_writing",
    "guardian_name",
    "guardian_consent",
]


def _require_coordinator(actor: User, agreement_or_application) -> None:
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, agreement_or_application.unit):
        raise PermissionDenied


# --- Templates


def template_current(*, institution: Institution, role: Role | None) -> AgreementTemplate | None:
    """The newest version for the role, else the newest for every role of the institution."""
    templates = AgreementTemplate.objects.filter(institution=institution)
    if role is not None:
        specific = templates.filter(role=role).order_by("-version").first()
        if specific is not None:
            return specific
    return templates.filter(role__isnull=True).order_by("-version").first()


@transaction.atomic
def template_new_version(
    *, actor: User, institution: Institution, role: Role | None, title: str, body: str
) -> AgreementTemplate:
    """Save a new version; agreements made from older versions keep theirs."""
    if not permissions.can_manage_coordinators(actor, institution.pk):
        raise PermissionDenied
    if role is not None and role.institution_id != institution.pk:
        raise ValidationError(_("The role belongs to another institution."))
    # New versions of an institution's templates are numbered one at a time: its row is the
    # lock (a FOR UPDATE on the aggregate below would lock nothing — Django drops it there).
    # NO KEY: rows that merely point at the institution (audit entries, applications) are
    # still inserted meanwhile.
    Institution.objects.select_for_update(no_key=True).get(pk=institution.pk)
    last = AgreementTemplate.objects.filter(institution=institution, role=role).aggregate(
        last=Max("version")
    )["last"]
    template = AgreementTemplate.objects.create(
        institution=institution, role=role, version=(last or 0) + 1, title=title, body=body, created_by=actor
    )
    audit_record(
        actor=actor,
        action="agreement.template",
        target=template,
        institution=institution,
        data={"version": template.version},
    )
    return template


# --- Drafting


def _validate_terms(agreement: Agreement) -> None:
    errors: dict[str, str] = {}
    if agreement.end_date < agreement.start_date:
        errors["end_date"] = _word(agreement.institution_id, "The agreement cannot end before it starts.")
    if agreement.notice_days < MIN_NOTICE_DAYS:
        errors["notice_days"] = _("The notice period is at least %(days)d days.") % {"days": MIN_NOTICE_DAYS}
    if agreement.hours_per_week <= Decimal(0):
        errors["hours_per_week"] = _("Enter the hours per week.")
    if agreement.expenses_reimbursed and not agreement.expenses_terms.strip():
        errors["expenses_terms"] = _("Describe which expenses are reimbursed and how.")
    if agreement.insurance_required and not (agreement.insurance_policy.strip() or agreement.own_policy):
        errors["insurance_policy"] = _("Enter the policy number, or mark that the volunteer has their own.")
    if agreement.role.institution_id != agreement.institution_id:
        errors["role"] = _("The role belongs to another institution.")
    if agreement.is_minor and not (agreement.guardian_name.strip() and agreement.guardian_consent):
        errors["guardian_consent"] = _("A minor needs the legal representative's written consent.")
    if errors:
        raise ValidationError(errors)


def _require_training(volunteer, role: Role) -> None:
    """Every course the role needs has a completion valid today (recurring ones expire)."""
    from trainings.selectors import missing_courses

    missing = missing_courses(volunteer=volunteer, roles=[role])
    if missing:
        raise ValidationError(
            {
                "role": _("“%(role)s” needs a valid completion of: %(courses)s.")
                % {"role": role, "courses": ", ".join(str(course) for course in missing)}
            }
        )


def _is_minor(application: Application, on: date) -> bool:
    return application.volunteer.age_on(on) < 18


@transaction.atomic
def agreement_create(*, actor: User, application: Application, **terms) -> Agreement:
    """Draft an agreement for an application in the "agreement" step, or a renewal for an
    active volunteer (``renewal_of``). A role that needs training needs a completed one."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("volunteer__user", "unit")
        .get(pk=application.pk)
    )
    _require_coordinator(actor, application)
    renewal_of = terms.pop("renewal_of", None)
    # An active volunteer may get a first written agreement later (asked for, or expenses
    # start to be reimbursed) as well as a renewal.
    allowed = [ApplicationStatus.AGREEMENT, ApplicationStatus.ACTIVE]
    if application.status not in allowed:
        raise ValidationError(
            _("An agreement is drafted when the application reaches the “%(step)s” step.")
            % {"step": ApplicationStatus.AGREEMENT.label}
        )
    _require_training(application.volunteer, terms["role"])
    template = template_current(institution=application.institution, role=terms["role"])
    if template is None:
        raise ValidationError(
            _word(application.institution_id, "The institution has no agreement template yet.")
        )
    agreement = Agreement(
        institution=application.institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        template=template,
        renewal_of=renewal_of,
        created_by=actor,
        **{name: value for name, value in terms.items() if name in EDITABLE_FIELDS},
    )
    agreement.is_minor = _is_minor(application, agreement.start_date)
    _validate_terms(agreement)
    agreement.save()
    audit_record(actor=actor, action="agreement.create", target=agreement, unit=agreement.unit)
    return agreement


@transaction.atomic
def agreement_update(*, actor: User, agreement: Agreement, **terms) -> Agreement:
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("application__volunteer")
        .get(pk=agreement.pk)
    )
    _require_coordinator(actor, agreement)
    if agreement.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    changed = []
    for name, value in terms.items():
        if name in EDITABLE_FIELDS and getattr(agreement, name) != value:
            setattr(agreement, name, value)
            changed.append(name)
    agreement.is_minor = _is_minor(agreement.application, agreement.start_date)
    if "role" in changed:
        _require_training(agreement.application.volunteer, agreement.role)
        template = template_current(institution=agreement.institution, role=agreement.role)
        if template is None:
            raise ValidationError(
                _word(agreement.institution_id, "The institution has no agreement template yet.")
            )
        agreement.template = template
    _validate_terms(agreement)
    agreement.save()
    audit_record(
        actor=actor,
        action="agreement.update",
        target=agreement,
        unit=agreement.unit,
        data={"fields": changed},
    )
    return agreement


# --- Numbering and documents


def number_next(*, institution: Institution, year: int) -> str:
    """The next number ``<INSTITUTION>-<YEAR>-<NNNN>``; call inside the transaction that
    stores it. The sequence row stays locked until that transaction ends, so parallel
    callers queue, and a rollback gives the number back: no gaps, no duplicates."""
    NumberSequence.objects.bulk_create(
        [NumberSequence(institution=institution, year=year)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(institution=institution, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{institution.code}-{year}-{sequence.last:04d}"


@transaction.atomic
def agreement_generate(*, actor: User, agreement: Agreement) -> Document:
    """Give the draft its number (first time only) and queue its PDF."""
    agreement = (
        Agreement.objects.select_for_update(of=("self",)).select_related("institution").get(pk=agreement.pk)
    )
    _require_coordinator(actor, agreement)
    if agreement.status != Status.DRAFT:
        raise ValidationError(_word(agreement.institution_id, "This agreement has already been generated."))
    now = timezone.now()
    if not agreement.number:
        agreement.number = number_next(institution=agreement.institution, year=timezone.localdate().year)
    agreement.status = Status.GENERATED
    agreement.status_changed_at = now
    agreement.generated_at = now
    agreement.save(update_fields=["number", "status", "status_changed_at", "generated_at", "updated_at"])
    document = document_issue(subject=agreement, kind=AGREEMENT)
    audit_record(
        actor=actor,
        action="agreement.generate",
        target=agreement,
        unit=agreement.unit,
        data={"number": agreement.number, "version": document.version},
    )
    return document


# --- Sending, signing, lifecycle


@transaction.atomic
def agreement_mark_sent(*, actor: User, agreement: Agreement) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_coordinator(actor, agreement)
    if agreement.status != Status.GENERATED:
        raise ValidationError(_word(agreement.institution_id, "Only a generated agreement can be sent."))
    agreement.status = Status.SENT
    agreement.sent_at = agreement.status_changed_at = timezone.now()
    agreement.save(update_fields=["status", "sent_at", "status_changed_at", "updated_at"])
    audit_record(actor=actor, action="agreement.send", target=agreement, unit=agreement.unit)
    return agreement


def scan_kind(upload: UploadedFile, *, words: agreement_terms.AgreementTerms | None = None) -> str:
    """The file's real type by its first bytes (PDF, JPEG or PNG); ValidationError otherwise."""
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)}
        )
    kind = file_kind(upload, max_bytes=SCAN_MAX_BYTES)
    if kind is not None:
        return kind
    raise ValidationError(
        (words or agreement_terms.for_institution_id(None)).gettext(
            "Upload the signed agreement as PDF, JPEG or PNG."
        )
    )


@transaction.atomic
def agreement_sign(*, actor: User, agreement: Agreement, scan: UploadedFile, signed_on: date) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_coordinator(actor, agreement)
    if agreement.status not in (Status.GENERATED, Status.SENT):
        raise ValidationError(
            _word(agreement.institution_id, "Only a generated or sent agreement can be signed.")
        )
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    if agreement.generated_at and signed_on < timezone.localdate(agreement.generated_at):
        raise ValidationError(
            {
                "signed_on": _word(
                    agreement.institution_id, "The agreement cannot be signed before it was generated."
                )
            }
        )
    kind = scan_kind(scan, words=agreement_terms.for_institution_id(agreement.institution_id))
    agreement.signed_scan.save(f"{agreement.number}-signed.{kind}", scan, save=False)
    agreement.signed_on = signed_on
    agreement.status = Status.SIGNED
    agreement.status_changed_at = timezone.now()
    agreement.save()
    audit_record(actor=actor, action="agreement.sign", target=agreement, unit=agreement.unit)
    if agreement.start_date <= timezone.localdate():
        _activate(agreement, actor=actor)
    return agreement


def _activate(agreement: Agreement, *, actor: User | None = None) -> None:
    """The agreement is in force; an application still at the agreement step becomes active
    through the pipeline's state machine (a renewal, or a first written agreement of an
    active volunteer, leaves the application as it is). ``actor`` None: the daily job."""
    agreement.status = Status.ACTIVE
    agreement.status_changed_at = timezone.now()
    agreement.save(update_fields=["status", "status_changed_at", "updated_at"])
    volunteer_services.application_transition_system(
        application_id=agreement.application_id,
        to=ApplicationStatus.ACTIVE,
        only_from=[ApplicationStatus.AGREEMENT],
        reason=_word(agreement.institution_id, "Agreement %(number)s in force.")
        % {"number": agreement.number},
        actor=actor,
    )
    audit_record(actor=None, action="agreement.activate", target=agreement, unit=agreement.unit)


# The daily jobs take the due agreements this many at a time, a few queries per chunk (a
# chunk holds only the few columns below: a few MiB of memory).
DAILY_CHUNK = 5000
# What a chunk's agreements are read with: what the status, audit and application rows need
# (the audit label is the number, which every signed agreement has).
DAILY_FIELDS = ("application", "institution", "number", "end_date", "unit__institution")


def _daily_chunks(due, apply) -> int:
    """Apply ``apply`` to the due agreements a chunk at a time, each chunk in its own
    transaction with its rows locked (only the agreements' rows: their unit is read with
    them); how many there were. A row changed by someone else meanwhile is re-checked by
    the lock (PostgreSQL) and left out when no longer due."""
    count, last = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(
                due.filter(pk__gt=last)
                .select_for_update(of=("self",))
                .select_related("unit")
                .only(*DAILY_FIELDS)
                .order_by("pk")[:DAILY_CHUNK]
            )
            if chunk:
                apply(chunk, now=timezone.now())
        count += len(chunk)
        if len(chunk) < DAILY_CHUNK:
            return count
        last = chunk[-1].pk


def _audit_many(agreements: list[Agreement], *, action: str, now, data: dict | None = None) -> None:
    """The rows ``audit_record(actor=None, …)`` writes for each agreement (the fields of
    ``audit_event``: by "system", the unit's institution, the agreement's number as its
    label), in one ``INSERT … SELECT`` from the agreements' rows: nothing is built or sent
    per row. (An agreement without a number — none is due — gets its row the usual way.)"""
    unnumbered = [agreement for agreement in agreements if not agreement.number]
    if unnumbered:
        AuditEvent.objects.bulk_create(
            audit_event(
                actor=None, action=action, target=agreement, unit=agreement.unit, data=data, created_at=now
            )
            for agreement in unnumbered
        )
    pks = [agreement.pk for agreement in agreements if agreement.number]
    if not pks:
        return
    field = AuditEvent._meta.get_field
    values = {
        "created_at": Value(now, output_field=field("created_at")),
        "actor_label": Value("system", output_field=field("actor_label")),
        "institution": F("unit__institution_id"),
        "unit": F("unit_id"),
        "action": Value(action, output_field=field("action")),
        "target_type": Value(ContentType.objects.get_for_model(Agreement).pk, output_field=IntegerField()),
        "target_id": Cast("pk", output_field=CharField()),
        "target_label": Substr("number", 1, field("target_label").max_length),
        "data": Value(data or {}, output_field=field("data")),
    }
    aliases = {f"audit_{index}": expression for index, expression in enumerate(values.values())}
    select = Agreement._base_manager.filter(pk__in=pks).order_by("pk").annotate(**aliases)
    sql, params = select.values_list(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field(name).column) for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) {sql}", params)


def _activate_many(agreements: list[Agreement], *, now) -> None:
    """``_activate`` for a chunk of signed agreements (the daily job): in force, with their
    history and audit rows, and an application still at the agreement step made active
    through the volunteers' state machine — in a few queries whatever their number."""
    Agreement.objects.filter(pk__in=[a.pk for a in agreements]).update(
        status=Status.ACTIVE, status_changed_at=now, updated_at=now
    )
    reports_cache.bump()  # the figures read agreements (no signal for update())
    reasons: dict[int, str] = {}
    for agreement in agreements:
        agreement.status, agreement.status_changed_at, agreement.updated_at = Status.ACTIVE, now, now
        reasons.setdefault(
            agreement.application_id,
            _word(agreement.institution_id, "Agreement %(number)s in force.") % {"number": agreement.number},
        )
    history_copy(Agreement, [a.pk for a in agreements], when=now)
    volunteer_services.applications_transition_system(
        reasons=reasons, to=ApplicationStatus.ACTIVE, only_from=[ApplicationStatus.AGREEMENT]
    )
    _audit_many(agreements, action="agreement.activate", now=now)


def agreements_activate_due(*, today: date | None = None) -> int:
    """Daily: signed agreements whose start date has come are in force (see ``_activate``;
    a chunk of agreements at a time, in a few queries). Running it again changes nothing."""
    today = today or timezone.localdate()
    return _daily_chunks(
        Agreement.objects.filter(status=Status.SIGNED, start_date__lte=today), _activate_many
    )


def _expire_many(agreements: list[Agreement], *, now) -> None:
    """A chunk of agreements in force whose end date has passed have expired: ended on
    their end date, with their history and audit rows. (Nothing else follows: the
    ``agreement_ended`` signal is for agreements stopped before their end date.)"""
    Agreement.objects.filter(pk__in=[a.pk for a in agreements]).update(
        status=Status.ENDED,
        end_kind=Agreement.EndKind.EXPIRED,
        ended_on=F("end_date"),
        status_changed_at=now,
        updated_at=now,
    )
    reports_cache.bump()  # the figures read agreements (no signal for update())
    for agreement in agreements:
        agreement.status, agreement.end_kind = Status.ENDED, Agreement.EndKind.EXPIRED
        agreement.ended_on, agreement.status_changed_at, agreement.updated_at = agreement.end_date, now, now
    history_copy(Agreement, [a.pk for a in agreements], when=now)
    _audit_many(agreements, action="agreement.end", now=now, data={"kind": "expired"})


def agreements_expire_due(*, today: date | None = None) -> int:
    """Daily: agreements in force whose end date has passed have expired (a chunk at a time,
    in a few queries). Running it again changes nothing."""
    today = today or timezone.localdate()
    return _daily_chunks(
        Agreement.objects.filter(status__in=[Status.ACTIVE, Status.SIGNED], end_date__lt=today), _expire_many
    )


@transaction.atomic
def agreement_terminate(
    *,
    actor: User,
    agreement: Agreement,
    terminated_by: str,
    notice_date: date,
    ended_on: date,
    reason: str,
    short_notice_agreed: bool = False,
) -> Agreement:
    """End an agreement early, in writing, with at least the agreed notice (>= 3 days)
    unless both parties agreed to a shorter one — which is recorded."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_coordinator(actor, agreement)
    if agreement.status not in (Status.SIGNED, Status.ACTIVE):
        raise ValidationError(
            _word(agreement.institution_id, "Only an agreement in force can be terminated.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if ended_on < notice_date:
        raise ValidationError(
            {
                "ended_on": _word(
                    agreement.institution_id, "The agreement cannot end before the notice was given."
                )
            }
        )
    if (ended_on - notice_date).days < agreement.notice_days and not short_notice_agreed:
        raise ValidationError(
            {
                "ended_on": _(
                    "The notice period is %(days)d days, unless both parties agree to a shorter one."
                )
                % {"days": agreement.notice_days}
            }
        )
    agreement.status = Status.ENDED
    agreement.end_kind = Agreement.EndKind.TERMINATED
    agreement.terminated_by = terminated_by
    agreement.notice_date = notice_date
    agreement.ended_on = ended_on
    agreement.termination_reason = reason.strip()
    agreement.short_notice_agreed = short_notice_agreed
    agreement.status_changed_at = timezone.now()
    agreement.save()
    # The verification page says at once that its PDFs no longer stand.
    documents_revoke(
        subject=agreement,
        actor=actor,
        reason=_word(agreement.institution_id, "The agreement was terminated on %(date)s.")
        % {"date": date_format(ended_on, "j.m.Y")},
    )
    audit_record(
        actor=actor,
        action="agreement.end",
        target=agreement,
        unit=agreement.unit,
        data={"kind": "terminated", "by": terminated_by, "short_notice_agreed": short_notice_agreed},
    )
    agreement_ended.send(sender=Agreement, agreement=agreement, actor=actor)
    return agreement


def agreement_download_logged(*, actor: User, agreement: Agreement, what: str) -> None:
    """A download of the signed scan (PDFs are logged by the documents app, the same way)."""
    audit_record(
        actor=actor, action="agreement.download", target=agreement, unit=agreement.unit, data={"file": what}
    )

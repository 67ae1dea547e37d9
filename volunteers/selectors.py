"""Every read of the volunteers app for coordinators, scoped through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from core.filters import ALL_FEMININE, StaffListFilter
from core.widgets import DateInput
from institutions import permissions
from institutions.models import Institution, Unit
from institutions.tenancy import get_visible_or_404

from . import transitions
from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Assessment,
    BulkEmail,
    ErasureRequest,
    ProfileChangeRequest,
    Role,
    Status,
    VettingRecord,
    Volunteer,
)

if TYPE_CHECKING:
    from accounts.models import User

OPEN = "open"  # a pseudo-status of the inbox filter: every open status


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _RoleChoiceField(django_filters.fields.ModelChoiceField):
    with_institution = False

    def label_from_instance(self, obj: Role) -> str:
        if self.with_institution:
            return f"{obj} ({obj.institution.short_name})"
        return str(obj)


class _RoleFilter(django_filters.ModelChoiceFilter):
    field_class = _RoleChoiceField


class ApplicationFilter(StaffListFilter):
    """The inbox filters (see ``core.filters``). Choices are limited to what the person may
    see, so a unit or institution of someone else is simply not a valid choice (and is ignored)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open")), *Status.choices],
        method="filter_status",
        empty_label=_("All"),
    )
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Institution.objects.none(), empty_label=ALL_FEMININE
    )
    role = _RoleFilter(
        label=_("Role or field"), field_name="roles", queryset=Role.objects.none(), empty_label=ALL_FEMININE
    )
    submitted_from = django_filters.DateFilter(
        label=_("Submitted from"),
        method="filter_submitted_from",
        widget=DateInput(),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted to"),
        method="filter_submitted_to",
        widget=DateInput(),
    )
    # The reports' drill-down (shown only when set): applications that ever reached a step —
    # moved into it (their history), whatever their status now; "submitted": every submitted one.
    reached = django_filters.ChoiceFilter(
        label=_("Reached the step"),
        choices=Status.choices,
        method="filter_reached",
        empty_label=_("All"),
    )

    # The reference, names and email, folded in one column of the application (no join; a
    # trigram index on PostgreSQL): "Berzins" finds "Bērziņš".
    folded_search_fields = ("search_text",)
    # The visible label says what is searched; the placeholder only shows a reference's form.
    search_label = _("Search by name, email or reference")
    ordering = ("-submitted_at", "-pk")

    class Meta:
        model = Application
        fields = ["q", "status", "institution", "unit", "role", "submitted_from", "submitted_to", "reached"]

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        institution_ids = {unit.institution_id for unit in self.units}
        if self.several_institutions:
            self.filters["institution"].queryset = Institution.objects.filter(pk__in=institution_ids)
        else:
            del self.filters["institution"]
        self.filters["role"].queryset = (
            Role.objects.filter(institution_id__in=institution_ids)
            .select_related("institution")
            .order_by("institution__code", "order")
        )

    def prepare_form(self, form: forms.Form) -> None:
        super().prepare_form(form)
        form.fields["role"].with_institution = self.several_institutions
        form.fields["q"].label = self.search_label
        form.fields["q"].widget.attrs["placeholder"] = gettext("e.g. %(reference)s") % {
            "reference": f"T{timezone.localdate().year}-00123"
        }

    # --- Filter methods

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_submitted_from(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(submitted_at__gte=_day_start(value))

    def filter_submitted_to(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))

    def filter_reached(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """As the reports' funnel counts a step (``reports.selectors._funnel``)."""
        if value == Status.SUBMITTED:
            return queryset.filter(submitted_at__isnull=False)
        return queryset.filter(
            Exists(
                ApplicationEvent.objects.filter(
                    application=OuterRef("pk"), kind=ApplicationEvent.Kind.TRANSITION, to_status=value
                )
            )
        )


class Inbox(NamedTuple):
    applications: QuerySet[Application]  # filtered and ordered, ready to paginate
    counts: dict[str, int]  # per status (and "open", "all") for the other filters
    form: forms.Form
    filterset: ApplicationFilter

    @property
    def row_count(self) -> int:
        """How many ``applications`` there are: the chosen tab's count (no query)."""
        return self.counts[self.filterset.tab_value or "all"]


# What a row of the inbox shows (and the page's training check reads): only these columns
# are read — not the motivation, CV, personal code or address of 25 people per page.
INBOX_ROW_FIELDS = (
    "reference",
    "status",
    "status_changed_at",
    "submitted_at",
    "volunteer__user__first_name",
    "volunteer__user__last_name",
    "volunteer__user__email",
    "unit__name",
    "institution__short_name",
)


def _inbox_rows(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return (
        queryset.select_related("volunteer__user", "unit", "institution")
        .only(*INBOX_ROW_FIELDS)
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("order")))
    )


def application_inbox(*, user: User, params: Any) -> Inbox:
    """The applications a person may see, filtered by ``params`` (a QueryDict), newest first,
    with the number per status under the other filters (one aggregate query, which gives the
    page its count too: see ``Inbox.row_count``)."""
    base = Application.objects.visible_to(user, permissions.VIEW)
    filterset = ApplicationFilter(params or None, queryset=base, user=user)
    without_status = filterset.filter_without(base, "status")
    totals = without_status.aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    counts = {status: totals[status] or 0 for status in Status.values}
    counts[OPEN] = sum(counts[status] for status in OPEN_STATUSES)
    counts["all"] = totals["all"] or 0
    applications = filterset.order(_inbox_rows(filterset.filter_tab(without_status)))
    return Inbox(applications=applications, counts=counts, form=filterset.form, filterset=filterset)


def application_for(user: User, pk: int, perm: str = permissions.VIEW) -> Application:
    """One application a person may see (``VIEW``) or handle (``COORDINATE``); 404 otherwise."""
    queryset = Application.objects.select_related(
        "volunteer__user", "unit__institution", "institution"
    ).prefetch_related(
        Prefetch("roles", queryset=Role.objects.order_by("order")),
        Prefetch("preferred_units", queryset=Unit.objects.order_by("name")),
    )
    return get_visible_or_404(queryset, user, perm, pk=pk)


@dataclass
class ApplicationDetail:
    application: Application
    can_coordinate: bool
    events: list[ApplicationEvent]
    allowed: list[Status]
    # Interview notes and vetting are for the unit's coordinators only (None for readers).
    assessments: list[Assessment] | None = None
    vetting_records: list[VettingRecord] | None = None
    reassign_units: QuerySet[Unit] | None = None
    roles: list[Role] = field(default_factory=list)
    preferred_units: list[Unit] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # What each allowed next status still needs (coordinators only; see transition_requirements).
    requirements: dict[str, list[str]] = field(default_factory=dict)


def reassign_units(application: Application) -> QuerySet[Unit]:
    """Where an application may go: the other units of its institution that are open today."""
    return (
        Unit.objects.valid_today()
        .filter(institution_id=application.institution_id)
        .exclude(pk=application.unit_id)
        .order_by("kind", "name")
    )


def application_detail(*, user: User, application: Application) -> ApplicationDetail:
    """Everything the detail page shows. Vetting records come without their results'
    display being logged: whoever shows a result calls ``services.vetting_view_logged``."""
    can_coordinate = permissions.has_unit_perm(user, permissions.COORDINATE, application.unit)
    events = list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    detail = ApplicationDetail(
        application=application,
        can_coordinate=can_coordinate,
        events=events,
        allowed=transitions.allowed_transitions(application) if can_coordinate else [],
        roles=list(application.roles.all()),
        preferred_units=list(application.preferred_units.all()),
    )
    # The events are loaded already: the timeline reads those the volunteer sees, oldest first.
    application.visible_events = [e for e in reversed(events) if e.visible_to_volunteer]
    detail.steps = timeline(application)
    if can_coordinate:
        detail.assessments = list(application.assessments.select_related("author").order_by("-created_at"))
        detail.vetting_records = application_vetting_records(application)
        detail.reassign_units = reassign_units(application)
        detail.requirements = transition_requirements(
            application, statuses=detail.allowed, vetting_records=detail.vetting_records
        )
    return detail


# --- What a step needs before an application may move to it


def missing_training(application: Application) -> list:
    """The courses the application's roles still need (see trainings.selectors)."""
    from trainings.selectors import missing_courses

    return missing_courses(volunteer=application.volunteer, roles=application.roles.all())


def _vetting_requirements(records: list[VettingRecord]) -> list[str]:
    """Training needs a cleared criminal-record check valid today; else why not, from the
    most recent check."""
    if any(record.is_valid_today for record in records):
        return []
    if not records:
        return [gettext("No criminal-record check recorded.")]
    latest = max(records, key=lambda record: (record.requested_on, record.pk))
    if latest.result == VettingRecord.Result.PENDING:
        return [gettext("Criminal-record check result not recorded yet.")]
    if latest.result == VettingRecord.Result.NOT_CLEARED:
        return [gettext("The criminal-record check did not clear the applicant.")]
    return [
        gettext("The criminal-record check expired on %(date)s.")
        % {"date": date_format(latest.valid_until, "SHORT_DATE_FORMAT")}
    ]


def transition_requirements(
    application: Application,
    *,
    statuses: Iterable[str] | None = None,
    vetting_records: list[VettingRecord] | None = None,
) -> dict[str, list[str]]:
    """What each next status (``statuses``; by default every one the table allows from the
    application's status) still needs, as sentences to show: empty lists when nothing stands
    in the way. The detail page shows them before anyone submits; ``services.
    application_transition`` refuses with the same sentences — one source of truth. Queries
    only for the steps that have a rule: the vetting records (unless given) when moving to
    training, the courses when moving to the agreement step."""
    if statuses is None:
        statuses = transitions.allowed_transitions(application)
    requirements: dict[str, list[str]] = {}
    for status in statuses:
        needs: list[str] = []
        if status == Status.TRAINING:
            if vetting_records is None:
                vetting_records = list(application.vetting_records.all())
            needs = _vetting_requirements(vetting_records)
        elif status == Status.AGREEMENT:
            missing = missing_training(application)
            if missing:
                needs = [
                    gettext("Training not completed: %(courses)s.")
                    % {"courses": ", ".join(str(course) for course in missing)}
                ]
        requirements[Status(status)] = needs
    return requirements


def application_vetting_records(application: Application) -> list[VettingRecord]:
    return list(application.vetting_records.select_related("checked_by").order_by("-requested_on", "-pk"))


def application_vetting_queryset(application: Application) -> QuerySet[VettingRecord]:
    """The application's vetting records, for the form's record choice (the caller has
    already resolved the application through ``application_for``)."""
    return VettingRecord.objects.filter(application=application)


# --- The volunteer's own applications (self-service)


def own_application(*, volunteer, pk: int) -> Application:
    """One of the volunteer's own applications; anyone else's is a 404."""
    return get_object_or_404(
        Application.objects.filter(volunteer=volunteer).select_related("unit", "institution"), pk=pk
    )


def receipt_applications(references: Iterable[str]) -> list[Application]:
    """The applications of one submission, for its receipt. The caller checks that the
    references are this browser session's own (the receipt is a capability of the session)."""
    return list(
        Application.objects.filter(reference__in=list(references))
        .select_related("institution", "unit", "volunteer__user")
        .prefetch_related("roles")
        .order_by("institution__code")
    )


# --- Bulk email


def bulk_email_recipients(*, unit: Unit, statuses: list[str]) -> QuerySet[Application]:
    """The applications of a unit in the given statuses whose person can be written to."""
    return (
        Application.objects.filter(unit=unit, status__in=statuses)
        .filter(volunteer__anonymised_at__isnull=True, volunteer__user__is_active=True)
        .select_related("volunteer__user")
        .order_by("pk")
    )


def bulk_email_recipient_count(*, unit: Unit, statuses: list[str]) -> int:
    """Distinct addresses: a person with two applications at the unit gets one email."""
    return (
        bulk_email_recipients(unit=unit, statuses=statuses)
        .values("volunteer__user__email")
        .distinct()
        .count()
    )


def application_counts_by_unit(unit_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Open applications and active volunteers per unit, in one query (for the home page)."""
    rows = (
        Application.objects.filter(unit_id__in=list(unit_ids))
        .values("unit_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            active=Count("pk", filter=Q(status=Status.ACTIVE)),
        )
    )
    return {row["unit_id"]: {"open": row["open"], "active": row["active"]} for row in rows}


def unit_status_counts(*, unit: Unit) -> dict[str, int]:
    totals = Application.objects.filter(unit=unit).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    return {status: totals[status] or 0 for status in Status.values}


def bulk_emails_for(*, user: User, unit: Unit) -> QuerySet[BulkEmail]:
    return (
        BulkEmail.objects.visible_to(user, permissions.VIEW)
        .filter(unit=unit)
        .select_related("author")
        .annotate(
            recipient_count=Count("recipients"),
            sent_count=Count("recipients", filter=Q(recipients__sent_at__isnull=False)),
            failed_count=Count(
                "recipients", filter=Q(recipients__sent_at__isnull=True) & ~Q(recipients__error="")
            ),
        )
        .order_by("-created_at", "-pk")
    )


def bulk_email_for(*, user: User, unit: Unit, pk: int) -> BulkEmail:
    return get_visible_or_404(bulk_emails_for(user=user, unit=unit), user, permissions.VIEW, pk=pk)


# --- The volunteer's own pages and requests

# What the volunteer reads under each application: the next step from their side.
NEXT_STEPS: dict[str, Any] = {
    Status.SUBMITTED: gettext_lazy(
        "The coordinator will review your application and contact you for an interview."
    ),
    Status.SCREENING: gettext_lazy(
        "The coordinator is getting to know you: they will agree with you on an interview "
        "if they have not done so yet."
    ),
    Status.VETTING: gettext_lazy(
        "With your consent the criminal record check has been requested. It usually takes "
        "a few weeks; the coordinator will tell you when it is done."
    ),
    Status.TRAINING: gettext_lazy(
        "The next step is the preparatory training. The coordinator will send you the dates."
    ),
    Status.AGREEMENT: gettext_lazy(
        "Your volunteer agreement is being prepared. You will be invited to sign it."
    ),
    Status.ACTIVE: gettext_lazy(
        "You are an active volunteer. Your coordinator is your contact for any questions."
    ),
    Status.PAUSED: gettext_lazy(
        "Your volunteer work is paused. Contact your coordinator when you would like to resume."
    ),
    Status.ENDED: gettext_lazy("Your volunteer work has ended. Thank you! You are welcome to apply again."),
    Status.REJECTED: gettext_lazy(
        "We cannot continue with this application. You are welcome to apply again later."
    ),
    Status.WITHDRAWN: gettext_lazy("This application has been withdrawn. You can apply again at any time."),
}

# The steps of the pipeline a volunteer goes through, in order (DESIGN.md section 3).
PIPELINE: list[Status] = [
    Status.SUBMITTED,
    Status.SCREENING,
    Status.VETTING,
    Status.TRAINING,
    Status.AGREEMENT,
    Status.ACTIVE,
]

# Fields the volunteer edits themselves; identity fields go through a change request.
PROFILE_FIELDS = (
    "phone",
    "address",
    "municipality",
    "languages",
    "education",
    "occupation",
    "availability",
)


def volunteer_for(user: User) -> Volunteer | None:
    """The signed-in person's volunteer profile, unless there is none (or it was anonymised)."""
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user, anonymised_at__isnull=True).select_related("user").first()


def my_applications(user: User) -> QuerySet[Application]:
    """The person's own applications, newest first per institution, with the events they
    may see (``visible_events``), unit, institution and roles. Nobody else's."""
    return (
        Application.objects.filter(volunteer__user=user, volunteer__anonymised_at__isnull=True)
        .select_related("unit", "institution")
        .prefetch_related(
            "roles",
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_volunteer=True).order_by(
                    "created_at", "pk"
                ),
                to_attr="visible_events",
            ),
        )
        .order_by("institution__code", "-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # "done", "current", "todo" or "stopped" (rejected / withdrawn)

    @property
    def is_current(self) -> bool:
        return self.state in ("current", "stopped")


def timeline(application: Application) -> list[Step]:
    """The pipeline as the volunteer sees it, with the current step marked. A rejected or
    withdrawn application shows the steps it reached and then where it stopped."""
    status = Status(application.status)
    labels = {s: str(s.label) for s in Status}
    if status in PIPELINE:
        index = PIPELINE.index(status)
        return [
            Step(s, labels[s], "done" if i < index else "current" if i == index else "todo")
            for i, s in enumerate(PIPELINE)
        ]
    if status == Status.PAUSED:
        return [Step(s, labels[s], "done") for s in PIPELINE[:-1]] + [
            Step(Status.PAUSED, labels[Status.PAUSED], "current")
        ]
    if status == Status.ENDED:
        return [Step(s, labels[s], "done") for s in PIPELINE] + [
            Step(Status.ENDED, labels[Status.ENDED], "current")
        ]
    # Rejected or withdrawn: the step it was at is the "from" of the last transition here.
    events = getattr(application, "visible_events", None)
    if events is None:
        events = list(application.events.filter(visible_to_volunteer=True).order_by("created_at", "pk"))
    reached = Status.SUBMITTED
    for event in reversed(events):
        if event.to_status == status and event.from_status:
            reached = Status(event.from_status)
            break
    index = PIPELINE.index(reached) if reached in PIPELINE else 0
    return [Step(s, labels[s], "done") for s in PIPELINE[: index + 1]] + [
        Step(status, labels[status], "stopped")
    ]


def next_step(application: Application) -> str:
    if application.status == Status.AGREEMENT:  # "līgums" at IeVP, "vienošanās" at VPD
        from agreements import terms

        return terms.for_institution_id(application.institution_id).gettext(
            "Your volunteer agreement is being prepared. You will be invited to sign it."
        )
    return str(NEXT_STEPS[application.status])


def pending_change_requests(volunteer: Volunteer) -> QuerySet[ProfileChangeRequest]:
    return volunteer.change_requests.filter(state=ProfileChangeRequest.State.PENDING)


def pending_erasure_request(volunteer: Volunteer) -> ErasureRequest | None:
    return volunteer.erasure_requests.filter(state=ErasureRequest.State.PENDING).first()


def _coordinated_volunteers(user: User) -> QuerySet[Volunteer]:
    """Volunteers with an application in one of the person's COORDINATE units."""
    return Volunteer.objects.filter(
        applications__in=Application.objects.visible_to(user, permissions.COORDINATE)
    ).distinct()


def _with_coordinated_applications(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.select_related("volunteer__user").prefetch_related(
        Prefetch(
            "volunteer__applications",
            queryset=Application.objects.visible_to(user, permissions.COORDINATE)
            .select_related("unit")
            .order_by("-submitted_at"),
            to_attr="coordinated_applications",
        )
    )


def change_requests_for_coordinator(user: User) -> QuerySet[ProfileChangeRequest]:
    """Change requests of the volunteers the person coordinates (any state: the decide view
    looks requests up here, so another unit's request answers 404)."""
    queryset = ProfileChangeRequest.objects.filter(volunteer__in=_coordinated_volunteers(user))
    return _with_coordinated_applications(queryset, user).order_by("created_at", "pk")


def erasure_requests_for_coordinator(user: User) -> QuerySet[ErasureRequest]:
    queryset = ErasureRequest.objects.filter(volunteer__in=_coordinated_volunteers(user))
    return _with_coordinated_applications(queryset, user).order_by("created_at", "pk")


def identity_value(volunteer: Volunteer, field: str) -> str:
    if field in (ProfileChangeRequest.Field.FIRST_NAME, ProfileChangeRequest.Field.LAST_NAME):
        return getattr(volunteer.user, field)
    value = getattr(volunteer, field)
    return value.isoformat() if isinstance(value, date) else value


def change_request_display(request: ProfileChangeRequest) -> tuple[str, str]:
    """The stored and the requested value, for the coordinator's list: the stored personal
    code masked, dates in the local format."""
    from django.utils.formats import date_format

    Field = ProfileChangeRequest.Field
    volunteer = request.volunteer
    if request.field == Field.DATE_OF_BIRTH:
        try:
            new = date_format(date.fromisoformat(request.new_value), "SHORT_DATE_FORMAT")
        except ValueError:
            new = request.new_value
        return date_format(volunteer.date_of_birth, "SHORT_DATE_FORMAT"), new
    if request.field == Field.PERSONAL_CODE:
        return volunteer.masked_personal_code, request.new_value
    return identity_value(volunteer, request.field), request.new_value

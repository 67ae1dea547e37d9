"""Every read of the volunteers app for coordinators, scoped through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from institutions import permissions
from institutions.filters import UnitFilter
from institutions.models import Institution, Unit
from institutions.tenancy import get_visible_or_404

from . import services
from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Assessment,
    BulkEmail,
    Role,
    Status,
    VettingRecord,
)

if TYPE_CHECKING:
    from accounts.models import User

# Latvian "all" agrees with the noun: institutions, units and roles are feminine.
ALL_FEMININE = pgettext_lazy("all institutions / units / roles (feminine)", "All")
OPEN = "open"  # a pseudo-status of the inbox filter: every open status


def _applicant_units(user: User) -> QuerySet[Unit]:
    """Units whose applications a person may see (the ministry's own unit takes none)."""
    return (
        permissions.units_for(user, permissions.VIEW)
        .exclude(institution__code=Institution.Code.TM)
        .select_related("institution")
        .order_by("institution__code", "name")
    )


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


class ApplicationFilter(django_filters.FilterSet):
    """The inbox filters. Choices are limited to what the person may see, so a unit or
    institution of someone else is simply not a valid choice (and is ignored)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or reference")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open")), *Status.choices],
        method="filter_status",
        empty_label=_("All"),
    )
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Institution.objects.none(), empty_label=ALL_FEMININE
    )
    unit = UnitFilter(
        label=_("Unit"), queryset=Unit.objects.none(), to_field_name="slug", empty_label=ALL_FEMININE
    )
    role = _RoleFilter(
        label=_("Role or field"), field_name="roles", queryset=Role.objects.none(), empty_label=ALL_FEMININE
    )
    submitted_from = django_filters.DateFilter(
        label=_("Submitted from"),
        method="filter_submitted_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted to"),
        method="filter_submitted_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        units = _applicant_units(user)
        unit_list = list(units)
        self.units = unit_list
        institution_ids = {unit.institution_id for unit in unit_list}
        several_institutions = len(institution_ids) > 1
        if several_institutions:
            self.filters["institution"].queryset = Institution.objects.filter(pk__in=institution_ids)
        else:
            del self.filters["institution"]
        if len(unit_list) > 1:
            self.filters["unit"].queryset = units
        else:
            del self.filters["unit"]
        self.filters["role"].queryset = (
            Role.objects.filter(institution_id__in=institution_ids)
            .select_related("institution")
            .order_by("institution__code", "order")
        )
        form = self.form
        if "unit" in form.fields:
            form.fields["unit"].with_institution = several_institutions
        form.fields["role"].with_institution = several_institutions
        for name, form_field in form.fields.items():
            is_select = isinstance(form_field.widget, forms.Select)
            form_field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
            form_field.widget.attrs.setdefault("id", f"filter-{name}")

    # --- Filter methods

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for term in value.split()[:6]:
            queryset = queryset.filter(
                Q(reference__icontains=term)
                | Q(volunteer__user__first_name__icontains=term)
                | Q(volunteer__user__last_name__icontains=term)
                | Q(volunteer__user__email__icontains=term)
            )
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_submitted_from(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(submitted_at__gte=_day_start(value))

    def filter_submitted_to(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))

    @property
    def values(self) -> dict[str, Any]:
        """The valid filter values (invalid ones are ignored; none when nothing was asked)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.form.cleaned_data

    def filter_without(self, queryset: QuerySet, *skip: str) -> QuerySet:
        """Apply every valid filter except ``skip``."""
        for name, value in self.values.items():
            if name not in skip and name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


class Inbox(NamedTuple):
    applications: QuerySet[Application]  # filtered and ordered, ready to paginate
    counts: dict[str, int]  # per status (and "open", "all") for the other filters
    form: forms.Form
    filterset: ApplicationFilter


def _inbox_rows(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.select_related("volunteer__user", "unit", "institution").prefetch_related(
        Prefetch("roles", queryset=Role.objects.order_by("order"))
    )


def application_inbox(*, user: User, params: Any) -> Inbox:
    """The applications a person may see, filtered by ``params`` (a QueryDict), newest first,
    with the number per status under the other filters (one aggregate query)."""
    base = Application.objects.visible_to(user, permissions.VIEW)
    filterset = ApplicationFilter(params or None, queryset=base, user=user)
    without_status = filterset.filter_without(base, "status")
    totals = without_status.aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    counts = {status: totals[status] or 0 for status in Status.values}
    counts[OPEN] = sum(counts[status] for status in OPEN_STATUSES)
    counts["all"] = totals["all"] or 0
    status = filterset.values.get("status")
    applications = filterset.filters["status"].filter(without_status, status) if status else without_status
    applications = _inbox_rows(applications).order_by("-submitted_at", "-pk")
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
        allowed=services.allowed_transitions(application) if can_coordinate else [],
        roles=list(application.roles.all()),
        preferred_units=list(application.preferred_units.all()),
    )
    if can_coordinate:
        detail.assessments = list(application.assessments.select_related("author").order_by("-created_at"))
        detail.vetting_records = application_vetting_records(application)
        detail.reassign_units = reassign_units(application)
    return detail


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

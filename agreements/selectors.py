"""Every read of the agreements app, scoped through ``visible_to``: coordinators and the
ministry see the agreements of the units they may see; a volunteer sees their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.template import Context
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import add_years, local_today
from core.filters import ALL_FEMININE, StaffListFilter, YearFilter
from documents import selectors as document_selectors
from documents.models import Document
from institutions import permissions
from institutions.models import AuditEvent, Institution
from institutions.tenancy import get_visible_or_404
from volunteers.models import Application, Role, Volunteer
from volunteers.models import Status as ApplicationStatus

from . import services
from .models import IN_FORCE, Agreement, AgreementTemplate, Status
from .printing import AGREEMENT
from .rendering import body_template

if TYPE_CHECKING:
    from accounts.models import User

ENDING_SOON_DAYS = 30


def ending_soon(today: date) -> Q:
    """Agreements in force that end within ``ENDING_SOON_DAYS`` of ``today`` (the list's
    "ending" filter and the coordinators' to-do)."""
    return Q(status__in=IN_FORCE, end_date__gte=today, end_date__lte=today + timedelta(days=ENDING_SOON_DAYS))


IN_FORCE_NOW = "in_force"  # a pseudo-status of the list filter: signed or in force
# Applications that may get an agreement: the agreement step, or a renewal for an active volunteer.
DRAFTING_STATUSES = {ApplicationStatus.AGREEMENT, ApplicationStatus.ACTIVE}


# --- The list


class AgreementFilter(StaffListFilter):
    """The list filters (see ``core.filters``). Only units the person may see are offered
    (anything else is ignored)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        # IN_FORCE_NOW: signed or in force (the reports' "in force today", their drill-down).
        choices=[*Status.choices, (IN_FORCE_NOW, _("Signed or in force"))],
        empty_label=pgettext_lazy("all agreements", "All"),
        method="filter_status",
    )
    ending = django_filters.BooleanFilter(
        label=_("Ending within 30 days"),
        method="filter_ending",
        widget=forms.CheckboxInput,
    )
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Institution.objects.none(), empty_label=ALL_FEMININE
    )
    role = django_filters.ModelChoiceFilter(
        label=_("Role or field"), queryset=Role.objects.none(), empty_label=ALL_FEMININE
    )
    signed_year = YearFilter(label=_("Signed in"), field_name="signed_on")

    search_fields = ("number",)
    # The application's reference, the person's names (and email), folded: "Berzins" finds
    # "Bērziņš" (see volunteers.models.Application.search_text).
    folded_search_fields = ("application__search_text",)
    search_placeholder = _("Number or name")

    class Meta:
        model = Agreement
        fields = ["q", "status", "institution", "unit", "role", "signed_year", "ending"]

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        institution_ids = {unit.institution_id for unit in self.units}
        if self.several_institutions:
            self.filters["institution"].queryset = Institution.objects.filter(pk__in=institution_ids)
        else:
            del self.filters["institution"]
        self.filters["role"].queryset = Role.objects.filter(institution_id__in=institution_ids).order_by(
            "institution__code", "order"
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == IN_FORCE_NOW:
            return queryset.filter(status__in=IN_FORCE)
        return queryset.filter(status=value)

    def filter_ending(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(ending_soon(timezone.localdate()))


class AgreementList(NamedTuple):
    agreements: QuerySet[Agreement]  # filtered, ordered, ready to paginate
    counts: dict[str, int]  # per status (and "all") under the other filters
    form: forms.Form
    filterset: AgreementFilter

    @property
    def row_count(self) -> int:
        """How many ``agreements`` there are: the chosen tab's count (no query)."""
        return self.counts[self.filterset.tab_value or "all"]


def _list_rows(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.select_related(
        "volunteer__user", "unit__institution", "institution", "role", "application"
    ).prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("-version")))


def agreement_list(*, user: User, params: Any) -> AgreementList:
    """The agreements a person may see, filtered by ``params``, newest first, with the
    number per status under the other filters (one aggregate query)."""
    base = Agreement.objects.visible_to(user, permissions.VIEW)
    filterset = AgreementFilter(params or None, queryset=base, user=user)
    without_status = filterset.filter_without(base, "status")
    totals = without_status.aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    counts = {status: totals[status] or 0 for status in Status.values}
    counts[IN_FORCE_NOW] = sum(counts[status] for status in IN_FORCE)
    counts["all"] = totals["all"] or 0
    agreements = filterset.order(_list_rows(filterset.filter_tab(without_status)))
    return AgreementList(agreements=agreements, counts=counts, form=filterset.form, filterset=filterset)


def ending_in_days(agreement: Agreement, today: date | None = None) -> int | None:
    """Days until an agreement in force ends, when that is within the warning window."""
    if agreement.status not in IN_FORCE:
        return None
    days = (agreement.end_date - (today or timezone.localdate())).days
    return days if 0 <= days <= ENDING_SOON_DAYS else None


# --- One agreement


def agreement_for(user: User, pk: int, perm: str = permissions.VIEW) -> Agreement:
    """One agreement a person may see (``VIEW``) or handle (``COORDINATE``); 404 otherwise."""
    queryset = Agreement.objects.select_related(
        "volunteer__user",
        "unit__institution",
        "institution",
        "role",
        "template__role",
        "application",
        "renewal_of",
        "created_by",
    )
    return get_visible_or_404(queryset, user, perm, pk=pk)


def documents_of(agreement: Agreement) -> list[Document]:
    return document_selectors.documents_of(agreement, AGREEMENT)


@dataclass
class Step:
    status: str
    label: str
    state: str  # done / current / upcoming
    when: Any = None


@dataclass
class Trigger:
    label: str
    applies: bool
    detail: str = ""


@dataclass
class AgreementDetail:
    agreement: Agreement
    can_coordinate: bool
    documents: list[Document]
    steps: list[Step]
    history: list[AuditEvent]
    triggers: list[Trigger]
    newer_template: AgreementTemplate | None
    renewals: list[Agreement] = field(default_factory=list)
    can_renew: bool = False
    ending_in: int | None = None


_STEP_DATES = {
    Status.DRAFT: "created_at",
    Status.GENERATED: "generated_at",
    Status.SENT: "sent_at",
    Status.SIGNED: "signed_on",
    Status.ENDED: "ended_on",
}
TIMELINE_ACTIONS = [
    "agreement.create",
    "agreement.update",
    "agreement.generate",
    "agreement.send",
    "agreement.sign",
    "agreement.activate",
    "agreement.end",
    "document.retry",
]


def _steps(agreement: Agreement, history: list[AuditEvent]) -> list[Step]:
    order = list(Status.values)
    current = order.index(agreement.status)
    activated = next((event.created_at for event in history if event.action == "agreement.activate"), None)
    steps = []
    for index, value in enumerate(order):
        state = "done" if index < current else "current" if index == current else "upcoming"
        if agreement.status == Status.ENDED and value == Status.ENDED:
            state = "done"
        when = getattr(agreement, _STEP_DATES[value]) if value in _STEP_DATES else None
        if value == Status.ACTIVE:
            when = activated
        steps.append(
            Step(
                status=value,
                label=agreement.terms.status_label(value),
                state=state,
                when=when if state != "upcoming" else None,
            )
        )
    return steps


def _triggers(agreement: Agreement) -> list[Trigger]:
    """Why the agreement is in writing (Volunteer Work Law): asked for, expenses, a minor."""
    minor_detail = ""
    if agreement.is_minor:
        consent = _("written consent given") if agreement.guardian_consent else _("no written consent yet")
        minor_detail = f"{agreement.guardian_name or '—'} · {consent}"
    return [
        Trigger(
            label=agreement.terms.gettext("A party asked for a written agreement"),
            applies=agreement.requested_in_writing,
        ),
        Trigger(
            label=str(_("Expenses are reimbursed")),
            applies=agreement.expenses_reimbursed,
            detail=agreement.expenses_terms if agreement.expenses_reimbursed else "",
        ),
        Trigger(label=str(_("The volunteer is a minor")), applies=agreement.is_minor, detail=minor_detail),
    ]


def agreement_history(*, user: User, agreement: Agreement) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.visible_to(user, permissions.VIEW)
        .filter(
            target_type=ContentType.objects.get_for_model(Agreement),
            target_id=str(agreement.pk),
            action__in=TIMELINE_ACTIONS,
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def agreement_detail(*, user: User, agreement: Agreement) -> AgreementDetail:
    can_coordinate = permissions.has_unit_perm(user, permissions.COORDINATE, agreement.unit)
    documents = documents_of(agreement)
    history = agreement_history(user=user, agreement=agreement)
    current = services.template_current(institution=agreement.institution, role=agreement.role)
    renewals = list(
        Agreement.objects.visible_to(user, permissions.VIEW)
        .filter(renewal_of=agreement)
        .select_related("institution")  # its label follows the institution's word
        .order_by("-created_at")
    )
    return AgreementDetail(
        agreement=agreement,
        can_coordinate=can_coordinate,
        documents=documents,
        steps=_steps(agreement, history),
        history=history,
        triggers=_triggers(agreement),
        newer_template=current if current is not None and current.pk != agreement.template_id else None,
        renewals=renewals,
        can_renew=can_coordinate
        and agreement.status in (Status.SIGNED, Status.ACTIVE, Status.ENDED)
        and agreement.application.status == ApplicationStatus.ACTIVE
        and not any(renewal.status != Status.ENDED for renewal in renewals),
        ending_in=ending_in_days(agreement),
    )


# --- Drafting


def application_for_drafting(user: User, pk: int) -> Application:
    """The application an agreement is drafted for: its unit's coordinators only (404 otherwise)."""
    queryset = Application.objects.select_related("volunteer__user", "unit__institution", "institution")
    return get_visible_or_404(queryset, user, permissions.COORDINATE, pk=pk)


def renewal_base(user: User, application: Application, pk: int) -> Agreement:
    """The agreement a renewal continues: one of the same application (404 otherwise)."""
    return get_visible_or_404(
        Agreement.objects.select_related("role"), user, permissions.COORDINATE, pk=pk, application=application
    )


def renewable_agreement(*, user: User, application: Application) -> Agreement | None:
    """For an active volunteer: the latest signed (in force or ended) agreement to continue."""
    return (
        Agreement.objects.visible_to(user, permissions.COORDINATE)
        .filter(application=application, status__in=[Status.SIGNED, Status.ACTIVE, Status.ENDED])
        .select_related("role")
        .order_by("-end_date", "-pk")
        .first()
    )


def drafting_roles(application: Application, also: Role | None = None) -> QuerySet[Role]:
    """The roles an agreement may name: the application's roles of its institution (plus
    the role of the agreement being renewed or changed); all of the institution's if none."""
    roles = Role.objects.filter(institution_id=application.institution_id)
    chosen = set(
        application.roles.filter(institution_id=application.institution_id).values_list("pk", flat=True)
    )
    if also is not None:
        chosen.add(also.pk)
    if chosen:
        roles = roles.filter(pk__in=chosen)
    return roles.order_by("order")


def application_agreements(*, user: User, application: Application) -> list[Agreement]:
    return list(
        Agreement.objects.visible_to(user, permissions.VIEW)
        .filter(application=application)
        .select_related("role", "institution")
        .order_by("-created_at", "-pk")
    )


def is_minor_on(volunteer: Volunteer, day: date | None) -> bool:
    """Whether the volunteer is under 18 on ``day`` (a written consent is then needed)."""
    return day is not None and volunteer.age_on(day) < 18


def drafting_allowed(application: Application, renewal_of: Agreement | None) -> bool:
    """For the page's warning only: the service decides (the agreement step, or an active
    volunteer's first agreement or renewal)."""
    return application.status in DRAFTING_STATUSES


# --- The volunteer's own agreements


def my_agreements(volunteer: Volunteer) -> QuerySet[Agreement]:
    """A volunteer's own agreements once generated (drafts are the coordinators' work)."""
    return (
        Agreement.objects.filter(volunteer=volunteer)
        .exclude(status=Status.DRAFT)
        .select_related("institution", "unit", "role")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.filter(state=Document.State.DONE).order_by("-version"),
                to_attr="done_documents",
            )
        )
        .order_by("-start_date", "-pk")
    )


def my_agreement(volunteer: Volunteer, pk: int) -> Agreement:
    return get_object_or_404(my_agreements(volunteer), pk=pk)


def latest_done_document(agreement: Agreement) -> Document | None:
    return document_selectors.latest_done(agreement, AGREEMENT)


# --- Templates (central coordinators)


@dataclass
class TemplateGroup:
    institution: Institution
    role: Role | None
    versions: list[AgreementTemplate]  # newest first; the first is current

    @property
    def current(self) -> AgreementTemplate:
        return self.versions[0]


def template_institutions(user: User) -> QuerySet[Institution]:
    """Institutions whose agreement texts the person manages (central coordinators)."""
    return permissions.institutions_for(user, permissions.COORDINATE).exclude(code=Institution.Code.TM)


def templates_overview(user: User) -> list[TemplateGroup]:
    """Every version per institution and role, with how many agreements each one made."""
    templates = list(
        AgreementTemplate.objects.filter(institution__in=template_institutions(user))
        .select_related("institution", "role", "created_by")
        .order_by("institution__code", "role__order", "-version")
    )
    usage = dict(
        Agreement.objects.visible_to(user, permissions.VIEW)
        .filter(template__in=[t.pk for t in templates])
        .values_list("template")
        .annotate(count=Count("pk"))
    )
    groups: dict[tuple[int, int | None], TemplateGroup] = {}
    for template in templates:
        template.usage = usage.get(template.pk, 0)
        key = (template.institution_id, template.role_id)
        if key not in groups:
            groups[key] = TemplateGroup(institution=template.institution, role=template.role, versions=[])
        groups[key].versions.append(template)
    return sorted(
        groups.values(),
        key=lambda g: (g.institution.code, g.role is not None, g.role.order if g.role else 0),
    )


def template_for(user: User, pk: int) -> AgreementTemplate:
    return get_object_or_404(
        AgreementTemplate.objects.filter(institution__in=template_institutions(user)).select_related(
            "institution", "role", "created_by"
        ),
        pk=pk,
    )


def template_is_current(template: AgreementTemplate) -> bool:
    return not AgreementTemplate.objects.filter(
        institution_id=template.institution_id, role_id=template.role_id, version__gt=template.version
    ).exists()


def template_roles(institutions: QuerySet[Institution]) -> QuerySet[Role]:
    return (
        Role.objects.filter(institution__in=institutions)
        .select_related("institution")
        .order_by("institution__code", "order")
    )


def template_sample_context(institution: Institution | None) -> dict[str, Any]:
    """Example values for a template preview: a made-up volunteer, never real data."""
    today = local_today()
    return {
        "number": f"{institution.code if institution else 'IEVP'}-{today.year}-0001",
        "institution": institution.name if institution else "",
        "unit": "Olaines cietums" if institution is None or institution.code == "IEVP" else "Rīgas reģions",
        "volunteer_name": "Anna Paraugs",
        "personal_code": "010190-12345",
        "address": "Brīvības iela 1, Rīga",
        "role": "Sports",
        "place": "Olaines cietums, sporta zāle",
        "start_date": date_format(today, "j.m.Y"),
        "end_date": date_format(add_years(today, 1) - timedelta(days=1), "j.m.Y"),
        "hours_per_week": 4,
        "duties": "vadīt sporta nodarbības divreiz nedēļā",
        "expenses": "",
        "insurance": "",
        "notice_days": 3,
        "guardian": "",
    }


def template_preview(*, body: str, institution: Institution | None) -> list[str]:
    """The body rendered with example values, as paragraphs (raises TemplateSyntaxError)."""
    text = body_template(body).render(Context(template_sample_context(institution), autoescape=False))
    return [paragraph.strip() for paragraph in text.split("\n\n") if paragraph.strip()]

"""Reads of the data-protection app: a person's data download (every registered section),
the retention policies, and the retention plan — what the next run would anonymise and
destroy (the dry run the central coordinator reads, and the list the run works through)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from core import personal_data
from core.dates import add_years, local_date, local_today
from documents.models import Document
from institutions import permissions
from institutions.models import Institution
from trainings.models import Registration
from trainings.selectors import ACTIVE_REGISTRATION
from volunteers.models import CURRENT_STATUSES, Application, Volunteer
from volunteers.models import Status as ApplicationStatus
from volunteers.personal_data import ANONYMISED_NAME

from .models import DEFAULTS, Periods, RetentionPolicy, RetentionRun

if TYPE_CHECKING:
    from accounts.models import User


# --- The data download


def volunteer_data(volunteer: Volunteer) -> dict[str, Any]:
    """Everything stored about the person, section by section (``core.personal_data``)."""
    volunteer = Volunteer.objects.select_related("user").get(pk=volunteer.pk)
    data: dict[str, Any] = {"generated_at": timezone.now()}
    for section in personal_data.sections():
        data[section.key] = section.export(volunteer)
    return data


def printable_sections(data: dict[str, Any], *, reader) -> list[tuple[personal_data.Section, str, Any]]:
    """(section, its heading for ``reader``, its exported value) in the page's order."""
    return [
        (
            section,
            section.title(reader) if callable(section.title) else str(section.title),
            data.get(section.key),
        )
        for section in personal_data.sections()
    ]


# --- Erasure


def erasure_for(volunteer: Volunteer, user, *, actor, today: date, notice_date: date, reason: str):
    return personal_data.Erasure(
        volunteer=volunteer,
        user=user,
        actor=actor,
        label=f"{ANONYMISED_NAME} {ANONYMISED_NAME}",
        old_email=user.email,
        new_email=f"anonymised-{user.pk}@tilts.invalid",
        emails=[user.email],  # the others are added by the anonymisation (one query)
        today=today,
        notice_date=notice_date,
        reason=reason,
    )


def blockers_of(erasures: list[personal_data.Erasure]) -> dict[int, list[str]]:
    """Volunteer id → why the person cannot be anonymised yet (each app's reasons, one
    query per app for the whole list)."""
    found: dict[int, list[str]] = {e.volunteer.pk: [] for e in erasures}
    for section in personal_data.sections():
        if section.blockers is None:
            continue
        for volunteer_id, reasons in section.blockers(erasures).items():
            found[volunteer_id].extend(reasons)
    return found


def erasure_request_blockers(requests, *, viewer, today: date | None = None) -> dict[int, list[str]]:
    """Request id → why its erasure cannot be confirmed today. Each request is the
    volunteer's written notice from the day it was made. ``requests`` come with
    ``volunteer__user``. Another institution's agreements are described to ``viewer`` by
    date only."""
    today = today or local_today()
    erasures = {
        r.pk: erasure_for(
            r.volunteer,
            r.volunteer.user,
            actor=viewer,
            today=today,
            notice_date=local_date(r.created_at),
            reason="erasure",
        )
        for r in requests
    }
    by_volunteer = blockers_of(list(erasures.values()))
    return {pk: by_volunteer[e.volunteer.pk] for pk, e in erasures.items()}


# --- Retention


def periods_by_institution() -> dict[int, Periods]:
    """Every institution's periods (the defaults where no policy was saved)."""
    saved = {p.institution_id: p.periods for p in RetentionPolicy.objects.all()}
    return {pk: saved.get(pk, DEFAULTS) for pk in Institution.objects.values_list("pk", flat=True)}


@dataclass
class ExpiredPerson:
    volunteer_id: int
    name: str
    due_on: date  # the day the last of their institutions' periods ended
    institution_ids: set[int] = field(default_factory=set)
    # (institution id, application reference): a report shows only its own institutions'.
    all_references: list[tuple[int, str]] = field(default_factory=list)

    @property
    def references(self) -> list[str]:
        return [reference for _institution, reference in self.all_references]

    def seen_from(self, ids: set[int] | frozenset[int]) -> ExpiredPerson:
        return replace(self, all_references=[(i, r) for i, r in self.all_references if i in ids])


@dataclass
class ExpiredAgreement:
    agreement_id: int
    number: str
    institution_id: int
    unit: str
    ended_on: date
    due_on: date


@dataclass
class Plan:
    today: date
    people: list[ExpiredPerson]
    agreements: list[ExpiredAgreement]

    def for_institutions(self, ids: set[int] | frozenset[int]) -> Plan:
        return Plan(
            today=self.today,
            people=[p.seen_from(ids) for p in self.people if p.institution_ids & ids],
            agreements=[a for a in self.agreements if a.institution_id in ids],
        )


def expired_people(
    *, today: date, periods: dict[int, Periods], volunteer_ids: list[int] | None = None
) -> list[ExpiredPerson]:
    """People with nothing current anywhere — no application open or running, no agreement
    not ended — whose retention period has ended at every institution they were with:
    ``unsuccessful_years`` where they never volunteered, ``former_volunteer_years`` after
    the volunteer work ended. A place in a training not yet over keeps the person too.
    Set-based: three queries for the whole country (or for ``volunteer_ids``: the check the
    run repeats under the person's lock), and two for the names."""
    only = {} if volunteer_ids is None else {"volunteer_id__in": volunteer_ids}
    latest: dict[int, dict[int, date]] = {}  # volunteer → institution → last end
    worked: set[tuple[int, int]] = set()
    current: set[int] = set()
    rows = (
        Application.objects.filter(volunteer__anonymised_at__isnull=True, **only)
        .values("volunteer_id", "institution_id")
        .annotate(
            last=Max("status_changed_at"),
            current=Count("pk", filter=Q(status__in=CURRENT_STATUSES)),
            ended=Count("pk", filter=Q(status=ApplicationStatus.ENDED)),
        )
    )
    for row in rows:
        if row["current"]:
            current.add(row["volunteer_id"])
        latest.setdefault(row["volunteer_id"], {})[row["institution_id"]] = timezone.localdate(row["last"])
        if row["ended"]:
            worked.add((row["volunteer_id"], row["institution_id"]))
    agreement_rows = (
        Agreement.objects.filter(volunteer__anonymised_at__isnull=True, **only)
        .values("volunteer_id", "institution_id")
        .annotate(
            last=Max("ended_on"),
            open=Count("pk", filter=~Q(status=AgreementStatus.ENDED)),
        )
    )
    for row in agreement_rows:
        if row["open"]:
            current.add(row["volunteer_id"])
        worked.add((row["volunteer_id"], row["institution_id"]))
        ends = latest.setdefault(row["volunteer_id"], {})
        if row["last"] and row["last"] > ends.get(row["institution_id"], date.min):
            ends[row["institution_id"]] = row["last"]
    # A place in a training not yet over is current too.
    current.update(
        Registration.objects.filter(
            state__in=ACTIVE_REGISTRATION,
            session__last_day__gte=today,
            volunteer__anonymised_at__isnull=True,
            **only,
        ).values_list("volunteer_id", flat=True)
    )
    due: dict[int, tuple[date, set[int]]] = {}
    for volunteer_id, ends in latest.items():
        if volunteer_id in current:
            continue
        due_on = date.min
        for institution_id, last in ends.items():
            p = periods.get(institution_id, DEFAULTS)
            years = (
                p.former_volunteer_years if (volunteer_id, institution_id) in worked else p.unsuccessful_years
            )
            due_on = max(due_on, add_years(last, years))
        if due_on <= today:
            due[volunteer_id] = (due_on, set(ends))
    if not due:
        return []
    people = []
    references: dict[int, list[tuple[int, str]]] = {}
    for volunteer_id, institution_id, reference in (
        Application.objects.filter(volunteer_id__in=due)
        .order_by("submitted_at")
        .values_list("volunteer_id", "institution_id", "reference")
    ):
        references.setdefault(volunteer_id, []).append((institution_id, reference))
    for volunteer in Volunteer.objects.filter(pk__in=due).select_related("user").order_by("pk"):
        due_on, institution_ids = due[volunteer.pk]
        people.append(
            ExpiredPerson(
                volunteer_id=volunteer.pk,
                name=volunteer.user.get_full_name(),
                due_on=due_on,
                institution_ids=institution_ids,
                all_references=references.get(volunteer.pk, []),
            )
        )
    return people


def expired_agreements(*, today: date, periods: dict[int, Periods]) -> list[ExpiredAgreement]:
    """Ended agreements past ``agreement_document_years`` that still have a PDF or a scan."""
    has_files = Exists(
        Document.objects.filter(
            content_type__app_label="agreements",
            content_type__model="agreement",
            object_id=OuterRef("pk"),
            destroyed_at__isnull=True,
        )
    )
    due = Q(pk__in=[])
    for institution_id, p in periods.items():
        due |= Q(institution_id=institution_id, ended_on__lte=add_years(today, -p.agreement_document_years))
    queryset = (
        Agreement.objects.filter(due, status=AgreementStatus.ENDED)
        .filter(has_files | ~Q(signed_scan=""))
        .select_related("unit")
        .order_by("ended_on", "pk")
    )
    return [
        ExpiredAgreement(
            agreement_id=a.pk,
            number=a.number or "",
            institution_id=a.institution_id,
            unit=a.unit.name,
            ended_on=a.ended_on,
            due_on=add_years(a.ended_on, periods[a.institution_id].agreement_document_years),
        )
        for a in queryset
    ]


def retention_plan(*, today: date | None = None, periods: dict[int, Periods] | None = None) -> Plan:
    today = today or local_today()
    periods = periods if periods is not None else periods_by_institution()
    return Plan(
        today=today,
        people=expired_people(today=today, periods=periods),
        agreements=expired_agreements(today=today, periods=periods),
    )


def report_institutions(user: User):
    """The institutions whose retention report the person may read: central coordinators
    their own, the ministry both (read-only), superusers all."""
    return permissions.institutions_for(user, permissions.VIEW).order_by("code")


def recent_runs(*, institution_ids: set[int], limit: int = 14) -> list[RetentionRun]:
    """The latest runs; what each could not do (``skipped_here``) only for the given
    institutions (a run is national, its people are not)."""
    runs = list(RetentionRun.objects.order_by("-run_on")[:limit])
    for run in runs:
        run.skipped_here = [i for i in run.skipped if set(i.get("institutions", [])) & institution_ids]
    return runs

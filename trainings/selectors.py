"""Every read of training data for a page, a feed or another app. Staff read through
``visible_to`` (another unit's session is a 404); volunteers read their own rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ALL_FEMININE, StaffListFilter, YearFilter
from institutions import permissions
from institutions.models import Institution
from institutions.tenancy import get_visible_or_404
from volunteers.models import CURRENT_STATUSES, Application, Role, Volunteer

from .models import (
    Attendance,
    CalendarFeed,
    Completion,
    Course,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)

if TYPE_CHECKING:
    from accounts.models import User

ACTIVE_REGISTRATION = [RegistrationState.REGISTERED, RegistrationState.WAITLISTED]


# --- Qualification: which courses a volunteer still needs for a role


def required_courses(roles: Iterable[Role]) -> list[Course]:
    role_ids = [role.pk for role in roles]
    if not role_ids:
        return []
    return list(Course.objects.filter(is_active=True, roles__in=role_ids).distinct().order_by("title"))


def missing_courses(*, volunteer: Volunteer, roles: Iterable[Role], on: date | None = None) -> list[Course]:
    """The active courses required for any of ``roles`` without a completion valid on ``on``
    (today by default). Empty: the volunteer is qualified. Two queries."""
    on = on or timezone.localdate()
    required = required_courses(roles)
    if not required:
        return []
    done = set(
        Completion.objects.valid_on(on)
        .filter(volunteer=volunteer, course__in=required)
        .values_list("course_id", flat=True)
    )
    return [course for course in required if course.pk not in done]


def unqualified_role_ids(*, volunteer: Volunteer, roles: Iterable[Role], on: date | None = None) -> set[int]:
    """Of ``roles``, those the volunteer is not (yet, or no longer) trained for."""
    on = on or timezone.localdate()
    roles = list(roles)
    if not roles:
        return set()
    needs = {
        (role_id, course_id)
        for role_id, course_id in Course.roles.through.objects.filter(
            role__in=roles, course__is_active=True
        ).values_list("role_id", "course_id")
    }
    if not needs:
        return set()
    done = set(
        Completion.objects.valid_on(on)
        .filter(volunteer=volunteer, course_id__in={c for _, c in needs})
        .values_list("course_id", flat=True)
    )
    return {role_id for role_id, course_id in needs if course_id not in done}


def expired_trainings(pairs: Iterable[tuple[int, int]], *, on: date | None = None) -> set[tuple[int, int]]:
    """Of these (volunteer, institution) pairs, those where the volunteer's completion of an
    active recurring course of that institution, required for a role, has expired with no
    valid one since (they must renew before a new agreement). One query."""
    on = on or timezone.localdate()
    pairs = set(pairs)
    if not pairs:
        return set()
    renewed = Completion.objects.valid_on(on).filter(
        volunteer=OuterRef("volunteer"), course=OuterRef("course")
    )
    found = (
        Completion.objects.filter(
            volunteer__in={volunteer for volunteer, _ in pairs},
            course__institution__in={institution for _, institution in pairs},
            course__is_active=True,
            course__kind=Course.Kind.RECURRING,
            course__roles__isnull=False,
            revoked_at__isnull=True,
            valid_until__lt=on,
        )
        .filter(~Exists(renewed))
        .values_list("volunteer_id", "course__institution_id")
        .distinct()
    )
    return set(found) & pairs


# --- Staff: sessions


def courses_for(user: User, perm: str = permissions.VIEW) -> QuerySet[Course]:
    """Courses of the institutions whose units the person may see (or coordinate)."""
    unit_ids = permissions.unit_ids_for(user, perm)
    return (
        Course.objects.filter(institution__units__in=unit_ids).distinct().select_related("institution")
        if unit_ids
        else Course.objects.none()
    )


def _session_base() -> QuerySet[Session]:
    return Session.objects.select_related("course__institution", "unit__institution").annotate(
        registered_count=Count("registrations", filter=Q(registrations__state=RegistrationState.REGISTERED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__state=RegistrationState.WAITLISTED)),
    )


UPCOMING, PAST = "upcoming", "past"


class _CourseChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        return f"{obj.display_title} ({obj.institution.short_name})"


class _CourseFilter(django_filters.ModelChoiceFilter):
    field_class = _CourseChoiceField


class SessionFilter(StaffListFilter):
    """The sessions list filters (see ``core.filters``): upcoming or past as the tab; course
    (of the person's institutions), unit, state and year; a search in course and place."""

    when = django_filters.ChoiceFilter(
        label=_("When"), choices=[(UPCOMING, _("Upcoming")), (PAST, _("Past"))], method="filter_when"
    )
    course = _CourseFilter(label=_("Course"), queryset=Course.objects.none(), empty_label=_("All courses"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=SessionState.choices, empty_label=_("Any"))
    year = YearFilter(label=_("Year"), field_name="first_day")
    # The reports' drill-down (shown only when set): the institution, a field of the course.
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"),
        field_name="unit__institution",
        queryset=Institution.objects.none(),
        empty_label=ALL_FEMININE,
    )
    role = django_filters.ModelChoiceFilter(
        label=_("Role or field"),
        field_name="course__roles",
        queryset=Role.objects.none(),
        empty_label=ALL_FEMININE,
    )
    # The coordinators' to-do "sessions over, attendance to complete" (shown only when set).
    to_complete = django_filters.BooleanFilter(
        label=_("Attendance to complete"), method="filter_to_complete", widget=forms.CheckboxInput
    )

    search_fields = ("course__title", "course__title_en", "place", "trainers")
    search_placeholder = _("Course, place or trainers")
    tab = "when"
    tab_default = UPCOMING

    class Meta:
        model = Session
        fields = ["when", "q", "course", "institution", "unit", "role", "state", "year", "to_complete"]

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        institution_ids = {unit.institution_id for unit in self.units}
        if self.several_institutions:
            self.filters["institution"].queryset = Institution.objects.filter(pk__in=institution_ids)
        else:
            del self.filters["institution"]
        self.filters["role"].queryset = Role.objects.filter(institution_id__in=institution_ids)
        self.filters["course"].queryset = courses_for(user).order_by("institution__code", "title")

    def filter_to_complete(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return to_complete(queryset, timezone.localdate()) if value else queryset

    def filter_when(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        return queryset.filter(last_day__lt=today) if value == PAST else queryset.filter(last_day__gte=today)

    @property
    def ordering(self) -> tuple[str, ...]:
        """The next session first; of the past ones, the latest first."""
        return ("-first_day", "-pk") if self.tab_value == PAST else ("first_day", "pk")


def to_complete(sessions: QuerySet[Session], today: date) -> QuerySet[Session]:
    """Sessions over but neither completed (held) nor cancelled: their attendance and
    completions are still to be recorded."""
    return sessions.filter(last_day__lt=today).exclude(state__in=[SessionState.HELD, SessionState.CANCELLED])


@dataclass
class SessionList:
    sessions: QuerySet[Session]
    when: str
    counts: dict[str, int]
    filterset: SessionFilter


def session_list(*, user: User, params) -> SessionList:
    """The sessions of the person's units, filtered by ``params``: upcoming (default) or
    past, with the number of each under the other filters (one aggregate query)."""
    today = timezone.localdate()
    base = Session.objects.visible_to(user)
    filterset = SessionFilter(params or None, queryset=base, user=user)
    scoped = filterset.filter_without(base, "when")
    counts = scoped.aggregate(
        upcoming=Count("pk", filter=Q(last_day__gte=today)),
        past=Count("pk", filter=Q(last_day__lt=today)),
    )
    ids = filterset.filter_tab(scoped)
    sessions = filterset.order(_session_base().filter(pk__in=ids.values("pk")))
    return SessionList(
        sessions=sessions.prefetch_related("days"),
        when=filterset.tab_value,
        counts=counts,
        filterset=filterset,
    )


def session_for(user: User, pk: int, perm: str = permissions.VIEW) -> Session:
    return get_visible_or_404(_session_base().prefetch_related("days"), user, perm, pk=pk)


def session_day_for(session: Session, day_pk: int) -> SessionDay:
    return get_object_or_404(SessionDay.objects.filter(session=session), pk=day_pk)


def participants(session: Session) -> list[Registration]:
    """Every registration of the session (registered, then waiting in order, then
    cancelled), with the person, their attendance and completion. A fixed number of queries."""
    registrations = list(
        Registration.objects.filter(session=session)
        .select_related("volunteer__user", "application")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.only("registration_id", "day_id", "present"))
        )
    )
    completed = dict(
        Completion.objects.filter(session=session, revoked_at__isnull=True).values_list("volunteer_id", "pk")
    )
    order = {RegistrationState.REGISTERED: 0, RegistrationState.WAITLISTED: 1, RegistrationState.CANCELLED: 2}
    for registration in registrations:
        registration.present_day_ids = {a.day_id for a in registration.attendance.all() if a.present}
        registration.marked_day_ids = {a.day_id for a in registration.attendance.all()}
        registration.completion_id = completed.get(registration.volunteer_id)
    registrations.sort(key=lambda r: (order[r.state], r.created_at, r.pk))
    waiting = 0
    for registration in registrations:
        if registration.state == RegistrationState.WAITLISTED:
            waiting += 1
            registration.queue_position = waiting
    return registrations


def attendance_sheet(session: Session, day: SessionDay) -> list[Registration]:
    """The registered participants in name order with their mark for the day (None: not yet)."""
    registrations = list(
        Registration.objects.filter(session=session, state=RegistrationState.REGISTERED)
        .select_related("volunteer__user")
        .annotate(
            day_present=Exists(Attendance.objects.filter(registration=OuterRef("pk"), day=day, present=True)),
            day_marked=Exists(Attendance.objects.filter(registration=OuterRef("pk"), day=day)),
        )
        .order_by("volunteer__user__last_name", "volunteer__user__first_name", "pk")
    )
    for registration in registrations:
        registration.mark = registration.day_present if registration.day_marked else None
    return registrations


def registration_for_marking(session: Session, registration_pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(session=session).select_related("volunteer__user"), pk=registration_pk
    )


def enrollable_applications(*, user: User, session: Session) -> QuerySet[Application]:
    """Applications in the training step that the person coordinates, of the session's
    institution, whose volunteer is not already (actively) registered."""
    taken = Registration.objects.filter(
        session=session, volunteer=OuterRef("volunteer"), state__in=ACTIVE_REGISTRATION
    )
    return (
        Application.objects.visible_to(user, permissions.COORDINATE)
        .filter(institution_id=session.course.institution_id, status="training")
        .filter(~Exists(taken))
        .select_related("volunteer__user", "unit")
        .order_by("volunteer__user__last_name", "volunteer__user__first_name", "pk")
    )


def open_sessions_for_applications(*, user: User, institution_ids: Iterable[int]) -> QuerySet[Session]:
    """Sessions a coordinator may enrol their applicants into: any not over, of the
    applications' institutions — at their unit, another unit or the central office."""
    if not permissions.unit_ids_for(user, permissions.COORDINATE):
        return Session.objects.none()
    return (
        _session_base()
        .filter(
            course__institution__in=list(institution_ids),
            state__in=[SessionState.PLANNED, SessionState.OPEN, SessionState.CLOSED],
            last_day__gte=timezone.localdate(),
        )
        .order_by("first_day", "pk")
    )


def coordinated_applications(*, user: User, status: str) -> QuerySet[Application]:
    return Application.objects.visible_to(user, permissions.COORDINATE).filter(status=status)


def mark_of(registration: Registration, day: SessionDay) -> bool | None:
    """The stored mark of one participant for one day (None: not marked)."""
    return (
        Attendance.objects.filter(registration=registration, day=day)
        .values_list("present", flat=True)
        .first()
    )


def sessions_attended(*, user: User, application: Application) -> QuerySet[Session]:
    """Sessions the person coordinates that the applicant was registered for (a completion
    may be recorded for one of them when the attendance rule left them out)."""
    return (
        Session.objects.visible_to(user, permissions.COORDINATE)
        .filter(
            course__institution_id=application.institution_id,
            registrations__volunteer_id=application.volunteer_id,
            registrations__state=RegistrationState.REGISTERED,
        )
        .exclude(state=SessionState.CANCELLED)
        .select_related("course")
        .order_by("-first_day")
    )


@dataclass
class ApplicationTraining:
    completions: list[Completion]
    missing: list[Course]
    registrations: list[Registration]
    expired: list[Completion]


def application_training(application: Application, *, today: date | None = None) -> ApplicationTraining:
    """The training panel of an application's page: the volunteer's completions in the
    institution, the courses its roles still need, and their current registrations."""
    today = today or timezone.localdate()
    completions = list(
        Completion.objects.filter(
            volunteer_id=application.volunteer_id, course__institution_id=application.institution_id
        )
        .select_related("course")
        .order_by("-completed_on", "-pk")
    )
    roles = list(application.roles.all())
    required = required_courses(roles)
    valid = {c.course_id for c in completions if c.is_valid_on(today)}
    registrations = list(
        Registration.objects.filter(
            volunteer_id=application.volunteer_id,
            session__course__institution_id=application.institution_id,
            state__in=ACTIVE_REGISTRATION,
            session__last_day__gte=today,
        )
        .exclude(session__state=SessionState.CANCELLED)
        .select_related("session__course", "session__unit")
        .order_by("session__first_day")
    )
    expired = [
        c
        for c in completions
        if c.valid_until and c.valid_until < today and not c.is_revoked and c.course_id not in valid
    ]
    return ApplicationTraining(
        completions=completions,
        missing=[course for course in required if course.pk not in valid],
        registrations=registrations,
        expired=expired,
    )


def completion_for(user: User, pk: int, perm: str = permissions.VIEW) -> Completion:
    return get_visible_or_404(
        Completion.objects.select_related("course__institution", "unit", "volunteer__user", "session"),
        user,
        perm,
        pk=pk,
    )


def volunteer_completions_for_staff(*, user: User, application: Application) -> list[Completion]:
    """An applicant's completions in the application's institution, for its page."""
    return list(
        Completion.objects.filter(
            volunteer=application.volunteer, course__institution=application.institution_id
        )
        .select_related("course", "unit")
        .order_by("-completed_on", "-pk")
    )


def counts_by_institution_year() -> list[dict]:
    """Held sessions and distinct people completing, per institution and year (for reports)."""
    sessions = {
        (row["course__institution__code"], row["year"]): row["sessions"]
        for row in Session.objects.filter(state=SessionState.HELD)
        .annotate(year=ExtractYear("first_day"))
        .values("course__institution__code", "year")
        .annotate(sessions=Count("pk"))
    }
    people = (
        Completion.objects.filter(revoked_at__isnull=True, source=Completion.Source.ATTENDANCE)
        .annotate(year=ExtractYear("completed_on"))
        .values("course__institution__code", "year")
        .annotate(participants=Count("volunteer", distinct=True), completions=Count("pk"))
        .order_by("course__institution__code", "year")
    )
    trained = {(row["course__institution__code"], row["year"]): row for row in people}
    return [
        {
            "institution": key[0],
            "year": key[1],
            "sessions": sessions.get(key, 0),
            "participants": trained[key]["participants"] if key in trained else 0,
            "completions": trained[key]["completions"] if key in trained else 0,
        }
        for key in sorted(set(sessions) | set(trained), key=lambda k: (k[0], k[1] or 0))
    ]


def counts_by_institution_year_for(user: User) -> list[dict]:
    """The yearly counts of the institutions the person sees as a whole (central office,
    ministry); unit coordinators get none."""
    roles = permissions.roles_for(user)
    if not (roles.superuser or roles.central_of or roles.viewer_of):
        return []
    if roles.superuser:
        return counts_by_institution_year()
    codes = (
        set(permissions.institutions_for(user).values_list("code", flat=True))
        if (roles.central_of or roles.viewer_of)
        else set()
    )
    return [row for row in counts_by_institution_year() if row["institution"] in codes]


# --- Volunteers' own pages


def volunteer_institution_ids(volunteer: Volunteer) -> set[int]:
    """Institutions where the volunteer has a current application or an agreement in force."""
    from agreements.models import IN_FORCE, Agreement

    ids = set(
        Application.objects.filter(volunteer=volunteer, status__in=CURRENT_STATUSES).values_list(
            "institution_id", flat=True
        )
    )
    ids |= set(
        Agreement.objects.filter(volunteer=volunteer, status__in=IN_FORCE).values_list(
            "institution_id", flat=True
        )
    )
    return ids


def sessions_open_to(volunteer: Volunteer, *, today: date | None = None) -> list[Session]:
    today = today or timezone.localdate()
    institution_ids = volunteer_institution_ids(volunteer)
    if not institution_ids:
        return []
    mine = Registration.objects.filter(
        volunteer=volunteer, session=OuterRef("pk"), state__in=ACTIVE_REGISTRATION
    )
    sessions = (
        _session_base()
        .filter(course__institution__in=institution_ids, state=SessionState.OPEN, first_day__gt=today)
        .filter(Q(registration_deadline__isnull=True) | Q(registration_deadline__gte=today))
        .filter(~Exists(mine))
        .prefetch_related("days")
        .order_by("first_day", "pk")
    )
    sessions = list(sessions)
    for session in sessions:
        session.free_places = max(session.capacity - session.registered_count, 0)
    return sessions


def my_registrations(volunteer: Volunteer) -> list[Registration]:
    registrations = list(
        Registration.objects.filter(volunteer=volunteer)
        .exclude(state=RegistrationState.CANCELLED, session__last_day__lt=timezone.localdate())
        .select_related("session__course", "session__unit")
        .prefetch_related("session__days")
        .order_by("-session__first_day", "-pk")
    )
    waiting = [r for r in registrations if r.state == RegistrationState.WAITLISTED]
    if waiting:
        # Every queue the volunteer waits in, in one query (not one per session).
        positions: dict[int, int] = {}
        lengths: dict[int, int] = {}
        for pk, session_id in (
            Registration.objects.filter(
                session__in={r.session_id for r in waiting}, state=RegistrationState.WAITLISTED
            )
            .order_by("session_id", "created_at", "pk")
            .values_list("pk", "session_id")
        ):
            lengths[session_id] = lengths.get(session_id, 0) + 1
            positions[pk] = lengths[session_id]
        for registration in waiting:
            registration.queue_position = positions.get(registration.pk)
    return registrations


def my_registration(volunteer: Volunteer, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(volunteer=volunteer).select_related("session__course", "session__unit"),
        pk=pk,
    )


def my_completions(volunteer: Volunteer) -> list[Completion]:
    return list(
        Completion.objects.filter(volunteer=volunteer, revoked_at__isnull=True)
        .select_related("course", "unit")
        .prefetch_related("documents")
        .order_by("-completed_on", "-pk")
    )


def my_completion(volunteer: Volunteer, pk: int) -> Completion:
    return get_object_or_404(
        Completion.objects.filter(volunteer=volunteer, revoked_at__isnull=True).select_related(
            "course__institution", "unit", "volunteer__user"
        ),
        pk=pk,
    )


def session_for_volunteer(volunteer: Volunteer, pk: int) -> Session:
    """A session the volunteer may see: of an institution of theirs, or one they registered for."""
    institution_ids = volunteer_institution_ids(volunteer)
    return get_object_or_404(
        Session.objects.filter(
            Q(course__institution__in=institution_ids) | Q(registrations__volunteer=volunteer)
        )
        .distinct()
        .select_related("course", "unit"),
        pk=pk,
    )


# --- Calendar feeds


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user", "unit").filter(token=token).first()


def feed_sessions(feed: CalendarFeed) -> list[Session]:
    """What a feed shows: the volunteer's registered sessions, or the unit's sessions (the
    coordinator must still see the unit; else nothing), from a year ago on; nothing for a
    deactivated account. Cancelled ones stay, marked so."""
    if not feed.user.is_active:
        return []
    since = timezone.localdate() - timedelta(days=365)
    if feed.unit_id is None:
        sessions = Session.objects.filter(
            registrations__volunteer__user=feed.user, registrations__state=RegistrationState.REGISTERED
        )
    else:
        if not permissions.has_unit_perm(feed.user, permissions.VIEW, feed.unit):
            return []
        sessions = Session.objects.filter(unit=feed.unit)
    return list(
        sessions.filter(last_day__gte=since)
        .select_related("course", "unit")
        .prefetch_related("days")
        .distinct()
        .order_by("first_day")
    )


def feed_events(feed: CalendarFeed) -> list:
    """The events a feed carries besides the sessions: the volunteer's own events (not
    rejected), or the unit's events while the coordinator may still see the unit; from a
    year ago on; nothing for a deactivated account. Cancelled ones stay, marked so."""
    from events.models import Event, EventState

    if not feed.user.is_active:
        return []
    since = timezone.now() - timedelta(days=365)
    if feed.unit_id is None:
        events = Event.objects.filter(
            people__volunteer__user=feed.user, people__volunteer__anonymised_at__isnull=True
        )
    else:
        if not permissions.has_unit_perm(feed.user, permissions.VIEW, feed.unit):
            return []
        events = Event.objects.filter(unit=feed.unit)
    return list(
        events.filter(ends_at__gte=since)
        .exclude(state=EventState.REJECTED)
        .select_related("unit", "activity_type")
        .order_by("starts_at", "pk")
    )


def feeds_of(user: User) -> dict[int | None, CalendarFeed]:
    return {feed.unit_id: feed for feed in CalendarFeed.objects.filter(user=user)}


# --- The coordinators' to-dos (reports.selectors.todos)


def expiring_completions(*, unit_ids: Iterable[int], today: date | None = None) -> QuerySet[Completion]:
    """Completions recorded at ``unit_ids`` that the expiry reminders are about: a recurring
    course's, expiring within ``reminders.EXPIRING_DAYS``, not renewed, of people still with
    the institution."""
    from .reminders import due_for_reminder

    return due_for_reminder(today or timezone.localdate()).filter(unit_id__in=list(unit_ids))

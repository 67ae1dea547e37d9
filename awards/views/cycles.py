"""The award's cycle pages (/awards/…): the list of cycles, a cycle's page (its steps,
criteria, jury, nominations, scoring progress and the actions valid now), the administrator's
forms and steps, and the ranking with the chair's decision. Thin: reads in selectors,
writes (and every rule) in services.

Who: the award administrator runs everything; the jury reads its cycles (a member their own
scoring, the chair confirms the laureates); coordinators and the ministry's viewers read the
cycles that are not drafts (and the nominations selectors let them). Anyone else signed in —
a volunteer, say — gets 404, as does every administrator's page for anyone but the
administrator. GET never writes; the steps are POST only (405 to a GET)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from core.filters import counted_tabs
from core.forms import add_service_errors
from institutions import permissions

from .. import selectors, services
from ..forms.cycles import CriterionForm, CycleForm, JuryMemberForm, LaureatesForm
from ..models import AwardCycle, Criterion, JuryMember, Nomination

Status = AwardCycle.Status
NStatus = Nomination.Status
ALL = ""

STEPS = [Status.DRAFT, Status.OPEN, Status.SCORING, Status.DECIDED, Status.ANNOUNCED]


def _error_text(error: ValidationError) -> str:
    return " ".join(message for message in error.messages if message)


def has_award_part(user) -> bool:
    """Who may open the award's staff pages at all."""
    roles = permissions.roles_for(user)
    return roles.is_staff_role or roles.award_admin or roles.juror


# --- Access


@method_decorator(never_cache, name="dispatch")
class AwardMixin(AccessMixin):
    """Anonymous visitors go to sign-in; a person with no part in the award gets 404 (and,
    with ``admin_only``, anyone but the award administrator)."""

    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.admin_only:
            if not selectors.is_admin(request.user):
                raise Http404
        elif not has_award_part(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def cycle(self, year: int) -> AwardCycle:
        return selectors.cycle_for(self.request.user, year)


class AdminMixin(AwardMixin):
    admin_only = True


# --- The list


class CycleListView(AwardMixin, View):
    def get(self, request):
        user = request.user
        cycles = list(
            selectors.cycles_for(user)
            .annotate(
                nominations_count=Count(
                    "nominations", filter=~Q(nominations__status=NStatus.WITHDRAWN), distinct=True
                ),
                eligible_count=Count(
                    "nominations", filter=Q(nominations__status=NStatus.ELIGIBLE), distinct=True
                ),
            )
            .order_by("-year")
        )
        today = timezone.localdate()
        open_cycle = next((cycle for cycle in cycles if cycle.status == Status.OPEN), None)
        return render(
            request,
            "awards/staff/cycle_list.html",
            {
                "cycles": cycles,
                "is_admin": selectors.is_admin(user),
                "open_cycle": open_cycle,
                "can_nominate": open_cycle is not None
                and selectors.can_nominate(user)
                and open_cycle.accepts_nominations_on(today),
                "today": today,
            },
        )


# --- Creating and changing a cycle


class _CycleFormView(AdminMixin, View):
    template_name = "awards/staff/cycle_form.html"

    def _render(self, form, cycle=None, status=200):
        return render(self.request, self.template_name, {"form": form, "cycle": cycle}, status=status)


class CycleCreateView(_CycleFormView):
    def get(self, request):
        return self._render(CycleForm())

    def post(self, request):
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = services.cycle_create(actor=request.user, details=form.details())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The %(year)s cycle was created as a draft with its criteria.") % {"year": cycle.year},
                )
                return redirect("awards:cycle", year=cycle.year)
        return self._render(form, status=400)


class CycleEditView(_CycleFormView):
    def _cycle(self, year):
        cycle = self.cycle(year)
        if cycle.status == Status.ANNOUNCED:
            raise Http404
        return cycle

    def get(self, request, year: int):
        cycle = self._cycle(year)
        return self._render(CycleForm(cycle=cycle), cycle)

    def post(self, request, year: int):
        cycle = self._cycle(year)
        form = CycleForm(request.POST, cycle=cycle)
        if form.is_valid():
            try:
                cycle = services.cycle_update(actor=request.user, cycle=cycle, details=form.details())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The cycle was saved."))
                return redirect("awards:cycle", year=cycle.year)
        return self._render(form, cycle, status=400)


# --- A cycle's page


def _stepper(cycle: AwardCycle) -> list[dict]:
    current = STEPS.index(cycle.status)
    steps = []
    for index, status in enumerate(STEPS):
        state = "done" if index < current else "current" if index == current else "todo"
        steps.append(
            {
                "label": Status(status).label,
                "state": state,
                "when": cycle.status_changed_at if state == "current" else None,
            }
        )
    return steps


def _sheet_state(sheet) -> str:
    if sheet is None:
        return "todo"
    if sheet.conflict:
        return "conflict"
    if sheet.submitted_at is not None:
        return "scored"
    return "draft"


STATUS_TABS = [
    (ALL, gettext_lazy("All")),
    (NStatus.SUBMITTED, NStatus.SUBMITTED.label),
    (NStatus.ELIGIBLE, NStatus.ELIGIBLE.label),
    (NStatus.INELIGIBLE, NStatus.INELIGIBLE.label),
    (NStatus.WITHDRAWN, NStatus.WITHDRAWN.label),
]


class CycleDetailView(AwardMixin, View):
    def get(self, request, year: int):
        user = request.user
        cycle = self.cycle(year)
        roles = permissions.roles_for(user)
        is_admin = selectors.is_admin(user)
        member = selectors.member_of(user, cycle)
        jury_phase = cycle.status in selectors.JURY_STATUSES
        visible = selectors.nominations_for(user, cycle)
        counts = selectors.status_counts(cycle, visible)
        status = request.GET.get("status", ALL)
        if status not in NStatus.values:
            status = ALL
        nominations = list(visible.filter(status=status) if status else visible)
        progress = selectors.scoring_progress(cycle) if jury_phase and (is_admin or member) else None
        if member is not None and jury_phase:
            sheets = selectors.own_sheets(member)
            for nomination in nominations:
                nomination.sheet_state = _sheet_state(sheets.get(nomination.pk))
            own = {
                state: sum(1 for n in nominations if n.sheet_state == state)
                for state in ("scored", "conflict", "draft", "todo")
            }
        else:
            own = None
        laureates = []
        diplomas = {}
        if cycle.status in (Status.DECIDED, Status.ANNOUNCED) and (is_admin or member is not None):
            laureates = list(selectors.laureates(cycle))
            if is_admin:
                diplomas = selectors.diplomas_of(laureates)
                for laureate in laureates:
                    laureate.diploma = diplomas.get(laureate.pk)
        context = {
            "cycle": cycle,
            "steps": _stepper(cycle),
            "is_admin": is_admin,
            "member": member,
            "criteria": list(cycle.criteria.all()),
            "criteria_editable": is_admin and cycle.status in (Status.DRAFT, Status.OPEN),
            "nominations": nominations,
            "counts": counts,
            "tabs": counted_tabs(
                request.GET, name="status", options=STATUS_TABS, counts=counts, current=status
            ),
            "show_tabs": counts["all"] > 0 and (is_admin or roles.is_staff_role),
            # The ministry's viewers read the counts, not the nominations.
            "overall": (
                selectors.status_counts(cycle, cycle.nominations.all())
                if not is_admin and member is None and roles.is_read_only
                else None
            ),
            "own": own,
            # Who submitted how many sheets: the administrator's (never the scores).
            "progress": progress if is_admin else None,
            "jury_editable": is_admin and cycle.status not in (Status.DECIDED, Status.ANNOUNCED),
            "laureates": laureates,
            "can_nominate": selectors.can_nominate(user)
            and cycle.accepts_nominations_on(timezone.localdate()),
            "can_edit": is_admin and cycle.status != Status.ANNOUNCED,
            "can_open": is_admin and cycle.status == Status.DRAFT,
            "can_start_scoring": is_admin and cycle.status == Status.OPEN,
            "can_issue_diplomas": is_admin and cycle.status in (Status.DECIDED, Status.ANNOUNCED),
            "can_announce": is_admin and cycle.status == Status.DECIDED,
            "ranking_visible": jury_phase
            and (is_admin or member is not None)
            and selectors.ranking_visible(user, cycle, progress),
        }
        if is_admin or member is not None:
            context["jury"] = progress.members if progress is not None else selectors.jury(cycle)
            if is_admin and progress is not None:
                for juror in context["jury"]:
                    juror.done = progress.done.get(juror.pk, 0)
        return render(request, "awards/staff/cycle_detail.html", context)


# --- Criteria


class _CriterionView(AdminMixin, View):
    template_name = "awards/staff/criterion_form.html"

    def _render(self, form, cycle, criterion=None, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "cycle": cycle, "criterion": criterion},
            status=status,
        )

    def _save(self, cycle, criterion=None):
        form = CriterionForm(self.request.POST)
        if form.is_valid():
            try:
                services.criterion_save(
                    actor=self.request.user,
                    cycle=cycle,
                    criterion=criterion,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    max_score=form.cleaned_data["max_score"],
                    position=form.cleaned_data["position"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("The criterion was saved."))
                return redirect("awards:cycle", year=cycle.year)
        return self._render(form, cycle, criterion, status=400)


def _editable_cycle(cycle: AwardCycle) -> AwardCycle:
    """The criteria's forms are there while the criteria may change (draft, open)."""
    if cycle.status not in (Status.DRAFT, Status.OPEN):
        raise Http404
    return cycle


def _criterion(pk: int) -> Criterion:
    return get_object_or_404(Criterion.objects.select_related("cycle"), pk=pk)


class CriterionCreateView(_CriterionView):
    def get(self, request, year: int):
        cycle = _editable_cycle(self.cycle(year))
        return self._render(CriterionForm(), cycle)

    def post(self, request, year: int):
        return self._save(_editable_cycle(self.cycle(year)))


class CriterionEditView(_CriterionView):
    def get(self, request, pk: int):
        criterion = _criterion(pk)
        cycle = _editable_cycle(criterion.cycle)
        return self._render(CriterionForm(initial=CriterionForm.initial_for(criterion)), cycle, criterion)

    def post(self, request, pk: int):
        criterion = _criterion(pk)
        return self._save(_editable_cycle(criterion.cycle), criterion)


class CriterionDeleteView(AdminMixin, View):
    def post(self, request, pk: int):
        criterion = _criterion(pk)
        cycle = criterion.cycle
        name = criterion.name
        try:
            services.criterion_delete(actor=request.user, criterion=criterion)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The criterion “%(name)s” was deleted.") % {"name": name})
        return redirect("awards:cycle", year=cycle.year)


# --- The jury


class JuryAddView(AdminMixin, View):
    template_name = "awards/staff/jury_form.html"

    def _cycle(self, year):
        cycle = self.cycle(year)
        if cycle.status in (Status.DECIDED, Status.ANNOUNCED):
            raise Http404
        return cycle

    def _render(self, form, cycle, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "cycle": cycle, "has_chair": cycle.jury.filter(is_chair=True).exists()},
            status=status,
        )

    def get(self, request, year: int):
        return self._render(JuryMemberForm(initial={"language": request.LANGUAGE_CODE}), self._cycle(year))

    def post(self, request, year: int):
        cycle = self._cycle(year)
        form = JuryMemberForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                member = services.jury_member_add(
                    actor=request.user,
                    cycle=cycle,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    is_chair=data["is_chair"],
                    language=data["language"] or "lv",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(person)s was added to the jury and will get an invitation by email.")
                    % {"person": member.user.get_full_name() or member.user.email},
                )
                return redirect("awards:cycle", year=cycle.year)
        return self._render(form, cycle, status=400)


def _member(pk: int) -> JuryMember:
    return get_object_or_404(JuryMember.objects.select_related("cycle", "user"), pk=pk)


class JuryRemoveView(AdminMixin, View):
    def post(self, request, pk: int):
        member = _member(pk)
        person = str(member)
        try:
            services.jury_member_remove(actor=request.user, member=member)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("%(person)s is no longer on the jury.") % {"person": person})
        return redirect("awards:cycle", year=member.cycle.year)


class JuryChairView(AdminMixin, View):
    def post(self, request, pk: int):
        member = _member(pk)
        try:
            services.jury_chair_set(actor=request.user, member=member)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("%(person)s chairs the jury.") % {"person": str(member)})
        return redirect("awards:cycle", year=member.cycle.year)


# --- The cycle's steps


class _StepView(AdminMixin, View):
    """POST only: one step of the cycle, back to its page with the outcome."""

    def step(self, cycle: AwardCycle) -> str:
        raise NotImplementedError

    def post(self, request, year: int):
        cycle = self.cycle(year)
        try:
            text = self.step(cycle)
        except ValidationError as error:
            messages.error(request, self.problems(error))
        else:
            messages.success(request, text)
        return redirect("awards:cycle", year=cycle.year)

    def problems(self, error: ValidationError):
        return _error_text(error)


class CycleOpenView(_StepView):
    def step(self, cycle):
        services.cycle_open(actor=self.request.user, cycle=cycle)
        return _("Nominations are open: the public form takes them from %(open)s to %(close)s.") % {
            "open": cycle.nominations_open.strftime("%d.%m.%Y"),
            "close": cycle.nominations_close.strftime("%d.%m.%Y"),
        }


class ScoringStartView(_StepView):
    def step(self, cycle):
        services.scoring_start(actor=self.request.user, cycle=cycle)
        return _("The jury's scoring has started.")

    def problems(self, error):
        found = [message for message in error.messages if message]
        if len(found) == 1:
            return found[0]
        return format_html(
            "{}<ul class='mb-0'>{}</ul>",
            _("Scoring cannot start yet:"),
            format_html_join("", "<li>{}</li>", ((message,) for message in found)),
        )


class DiplomasIssueView(_StepView):
    def step(self, cycle):
        issued = services.diplomas_issue(actor=self.request.user, cycle=cycle)
        if not issued:
            return _("Every laureate already has a diploma.")
        return ngettext("%(count)d diploma is being made.", "%(count)d diplomas are being made.", issued) % {
            "count": issued
        }


class AnnounceView(_StepView):
    def step(self, cycle):
        services.cycle_announce(actor=self.request.user, cycle=cycle)
        return _("The laureates are announced and will be told by email.")


# --- The ranking and the decision


class RankingView(AwardMixin, View):
    template_name = "awards/staff/ranking.html"

    def _setup(self, year: int):
        user = self.request.user
        cycle = self.cycle(year)
        if cycle.status not in selectors.JURY_STATUSES:
            raise Http404
        is_admin = selectors.is_admin(user)
        member = selectors.member_of(user, cycle)
        progress = selectors.scoring_progress(cycle)
        if not selectors.ranking_visible(user, cycle, progress):
            raise Http404
        self.cycle_obj = cycle
        self.is_admin = is_admin
        self.member = member
        self.criteria = list(cycle.criteria.all())
        self.rows = selectors.ranking(cycle)
        for row in self.rows:
            row.means = [row.by_criterion.get(criterion.pk) for criterion in self.criteria]
        self.may_decide = member is not None and member.is_chair and cycle.status == Status.SCORING
        return cycle

    def _render(self, form=None, status=200):
        cycle = self.cycle_obj
        return render(
            self.request,
            self.template_name,
            {
                "cycle": cycle,
                "criteria": self.criteria,
                "rows": self.rows,
                "is_admin": self.is_admin,
                "member": self.member,
                "may_decide": self.may_decide,
                "form": form,
                "laureates": [row for row in self.rows if row.nomination.is_laureate],
                "citation_max": services.CITATION_MAX,
            },
            status=status,
        )

    def get(self, request, year: int):
        self._setup(year)
        form = LaureatesForm(rows=self.rows) if self.may_decide else None
        return self._render(form)

    def post(self, request, year: int):
        cycle = self._setup(year)
        if not self.may_decide:
            raise Http404
        form = LaureatesForm(request.POST, rows=self.rows)
        if form.is_valid():
            try:
                chosen = services.laureates_confirm(
                    actor=request.user, cycle=cycle, citations=form.cleaned_data["chosen"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d laureate is confirmed; the cycle is decided.",
                        "%(count)d laureates are confirmed; the cycle is decided.",
                        len(chosen),
                    )
                    % {"count": len(chosen)},
                )
                return redirect("awards:ranking", year=cycle.year)
        return self._render(form, status=400)

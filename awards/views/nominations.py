"""The award's nomination and scoring pages for staff: a coordinator nominates a volunteer of
their unit; the nomination's page (eligibility check, linking the volunteer's record,
withdrawal, the laureate's consent and diploma); a jury member's score sheet; the supporting
files. Thin: reads in ``awards.selectors``, writes (and every rule) in ``awards.services``.

A nomination the person may not read answers 404, never 403 (``selectors.nomination_for``);
so does every action the person may not take on it. Email addresses are shown only to those
who need them to act (``selectors.sees_contacts``) — never to the jury. A jury member sees
the others' scores of a nomination only after submitting their own sheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.forms import add_service_errors
from documents.selectors import latest_done
from documents.views import document_file_response, file_response
from institutions import permissions
from institutions.models import Institution

from .. import selectors, services
from ..forms.nominations import (
    CheckForm,
    ConflictForm,
    ConsentForm,
    LinkSearchForm,
    NominationForm,
    ScoreForm,
    UnitChoiceForm,
    VolunteerChoiceForm,
    WithdrawForm,
)
from ..models import AwardCycle, Nomination

FILE_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
Status = AwardCycle.Status
NStatus = Nomination.Status


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class _StaffView(LoginRequiredMixin, View):
    """Signed-in people only (anonymous visitors go to sign-in); nothing is cached."""

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


# --- Nominating (a coordinator)


class NominateView(_StaffView):
    """Step 1: the unit (for a coordinator of several) and the volunteer; step 2: the summary of
    the volunteer's record and the justification, with supporting files. Only coordinators,
    only while the cycle is open (anyone else: 404)."""

    template_name = "awards/staff/nominate.html"

    def _setup(self, request, year: int):
        if not selectors.can_nominate(request.user):
            raise Http404
        cycle = selectors.cycle_for(request.user, year)
        if cycle.status != Status.OPEN:
            raise Http404
        units = list(
            permissions.units_for(request.user, permissions.COORDINATE)
            .valid_today()
            .exclude(institution__code=Institution.Code.TM)
            .select_related("institution")
            .order_by("institution__code", "name")
        )
        if not units:
            raise Http404
        slug = request.POST.get("unit") or request.GET.get("unit") or ""
        if slug:
            unit = next((unit for unit in units if unit.slug == slug), None)
            if unit is None:
                raise Http404
        else:
            unit = units[0] if len(units) == 1 else None
        return cycle, units, unit

    def _render(self, request, cycle, units, unit, *, status=200, **context):
        today = timezone.localdate()
        step = 2 if context.get("form") is not None else 1
        return render(
            request,
            self.template_name,
            {
                "cycle": cycle,
                "units": units,
                "unit": unit,
                "several_units": len(units) > 1,
                "in_window": cycle.accepts_nominations_on(today),
                "step": step,
                "steps": [
                    {
                        "label": _("Choose the volunteer"),
                        "state": "done" if step > 1 else "current",
                    },
                    {"label": _("Why they deserve the award"), "state": "current" if step == 2 else "todo"},
                    {"label": _("Submitted"), "state": "todo"},
                ],
                **context,
            },
            status=status,
        )

    def _volunteer(self, request, unit, raw):
        if not str(raw or "").isdigit():
            return None
        return selectors.nominable_volunteers(request.user, unit).filter(pk=int(raw)).first()

    def get(self, request, year: int):
        cycle, units, unit = self._setup(request, year)
        if unit is None:
            form = UnitChoiceForm(units=units)
            return self._render(request, cycle, units, unit, unit_form=form)
        volunteer = self._volunteer(request, unit, request.GET.get("volunteer"))
        if volunteer is None:
            volunteers = selectors.nominable_volunteers(request.user, unit)
            choice = VolunteerChoiceForm(
                request.GET if "volunteer" in request.GET else None, volunteers=volunteers, unit=unit
            )
            if "volunteer" in request.GET:
                choice.is_valid()  # shows "choose a valid volunteer" on the select
            return self._render(
                request, cycle, units, unit, choice_form=choice, has_volunteers=volunteers.exists()
            )
        form = NominationForm(initial={"volunteer": volunteer.pk})
        return self._step_two(request, cycle, units, unit, volunteer, form)

    def _step_two(self, request, cycle, units, unit, volunteer, form, *, status=200, files_lost=False):
        summary = selectors.volunteer_summary(volunteer, institution_id=unit.institution_id)
        return self._render(
            request,
            cycle,
            units,
            unit,
            status=status,
            form=form,
            volunteer=volunteer,
            summary=summary,
            files_lost=files_lost,
        )

    def post(self, request, year: int):
        cycle, units, unit = self._setup(request, year)
        if unit is None:
            raise Http404
        form = NominationForm(request.POST, request.FILES)
        volunteer = self._volunteer(request, unit, request.POST.get("volunteer"))
        if volunteer is None:
            messages.error(request, _("Choose a volunteer who works or worked at this unit."))
            return redirect(f"{request.path}?unit={unit.slug}")
        chosen_files = bool(request.FILES.getlist("files"))
        if form.is_valid():
            try:
                nomination = services.nomination_create(
                    actor=request.user,
                    cycle=cycle,
                    volunteer=volunteer,
                    unit=unit,
                    justification=form.cleaned_data["justification"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The nomination %(reference)s of %(name)s was submitted.")
                    % {"reference": nomination.reference, "name": nomination.nominee_name},
                )
                return redirect("awards:nomination", pk=nomination.pk)
        return self._step_two(
            request, cycle, units, unit, volunteer, form, status=400, files_lost=chosen_files
        )


# --- The nomination's page


def _detail_context(request, nomination: Nomination, **forms) -> dict:
    user = request.user
    cycle = nomination.cycle
    contacts = selectors.sees_contacts(user, nomination)
    admin = selectors.is_admin(user)
    member = selectors.member_of(user, cycle)
    sheet = selectors.sheet_of(member, nomination) if member is not None else None
    others = selectors.other_sheets(nomination, member) if selectors.others_visible(member, sheet) else []
    can_check = selectors.can_check(user, nomination) and nomination.status != NStatus.WITHDRAWN
    can_link = selectors.can_link(user, nomination) and nomination.status != NStatus.WITHDRAWN
    can_withdraw = contacts and cycle.status == Status.OPEN and nomination.status != NStatus.WITHDRAWN
    decided = cycle.status in (Status.DECIDED, Status.ANNOUNCED)
    diploma = None
    if nomination.is_laureate and decided and (admin or member is not None):
        diploma = latest_done(nomination, services.DIPLOMA)
    check_initial = {}
    if nomination.status in (NStatus.ELIGIBLE, NStatus.INELIGIBLE):
        check_initial = {"decision": nomination.status, "eligibility_note": nomination.eligibility_note}
    return {
        "nomination": nomination,
        "cycle": cycle,
        "files": list(nomination.files.all()),
        "sees_contacts": contacts,
        "is_admin": admin,
        "member": member,
        "sheet": sheet,
        "others": others,
        "can_score": member is not None
        and cycle.status == Status.SCORING
        and nomination.status == NStatus.ELIGIBLE,
        "can_check": can_check,
        "can_link": can_link,
        "can_withdraw": can_withdraw,
        "check_form": forms.get("check_form") or CheckForm(prefix="check", initial=check_initial),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
        "consent_form": ConsentForm(
            prefix="consent", initial={"consent": "yes" if nomination.public_consent else "no"}
        ),
        "can_consent": admin and nomination.is_laureate and decided,
        "diploma": diploma,
    }


class NominationDetailView(_StaffView):
    template_name = "awards/staff/nomination_detail.html"

    def get(self, request, pk: int):
        nomination = selectors.nomination_for(request.user, pk)
        return render(request, self.template_name, _detail_context(request, nomination))


class _ActionView(_StaffView):
    """A POST-only action on a nomination the person may read; redirects back with a message."""

    http_method_names = ["post"]

    def back(self, nomination: Nomination):
        return redirect("awards:nomination", pk=nomination.pk)

    def refused(self, nomination: Nomination, error: ValidationError):
        messages.error(self.request, _error_text(error))
        return self.back(nomination)


class CheckView(_ActionView):
    """The central office's eligibility check."""

    def post(self, request, pk: int):
        nomination = selectors.nomination_for(request.user, pk)
        if not selectors.can_check(request.user, nomination):
            raise Http404
        form = CheckForm(request.POST, prefix="check")
        if not form.is_valid():
            messages.error(request, _("Choose whether the nomination is eligible."))
            return self.back(nomination)
        eligible = form.cleaned_data["decision"] == "eligible"
        try:
            services.nomination_check(
                actor=request.user,
                nomination=nomination,
                eligible=eligible,
                note=form.cleaned_data["eligibility_note"],
            )
        except ValidationError as error:
            return self.refused(nomination, error)
        if eligible:
            messages.success(
                request, _("The nomination %(reference)s is eligible.") % {"reference": nomination.reference}
            )
        else:
            messages.success(
                request,
                _("The nomination %(reference)s is not eligible.") % {"reference": nomination.reference},
            )
        return self.back(nomination)


class WithdrawView(_ActionView):
    def post(self, request, pk: int):
        nomination = selectors.nomination_for(request.user, pk)
        if not selectors.sees_contacts(request.user, nomination):
            raise Http404
        form = WithdrawForm(request.POST, prefix="withdraw")
        if not form.is_valid():
            messages.error(request, _("Say why the nomination is withdrawn."))
            return self.back(nomination)
        try:
            services.nomination_withdraw(
                actor=request.user, nomination=nomination, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            return self.refused(nomination, error)
        messages.success(
            request, _("The nomination %(reference)s was withdrawn.") % {"reference": nomination.reference}
        )
        return self.back(nomination)


class ConsentView(_ActionView):
    """The administrator records whether the laureate may be named on the public page."""

    def post(self, request, pk: int):
        nomination = selectors.nomination_for(request.user, pk)
        if not selectors.is_admin(request.user):
            raise Http404
        form = ConsentForm(request.POST, prefix="consent")
        if not form.is_valid():
            messages.error(request, _("Choose whether the laureate agreed."))
            return self.back(nomination)
        consent = form.cleaned_data["consent"]
        try:
            services.laureate_consent_set(actor=request.user, nomination=nomination, consent=consent)
        except ValidationError as error:
            return self.refused(nomination, error)
        if consent:
            messages.success(request, _("The laureate will be named on the public page."))
        else:
            messages.success(request, _("The laureate will not be named on the public page."))
        return self.back(nomination)


class ConflictView(_ActionView):
    """A jury member declares a conflict of interest: they do not score this nomination."""

    def post(self, request, pk: int):
        nomination, _member = _scoring(request, pk)
        form = ConflictForm(request.POST, prefix="conflict")
        if not form.is_valid():
            messages.error(request, _("Describe the conflict of interest in a few words."))
            return redirect("awards:score", pk=nomination.pk)
        try:
            services.conflict_declare(
                actor=request.user, nomination=nomination, note=form.cleaned_data["conflict_note"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("awards:score", pk=nomination.pk)
        messages.success(
            request,
            _("Your conflict of interest is recorded; you do not score %(reference)s.")
            % {"reference": nomination.reference},
        )
        return redirect("awards:nomination", pk=nomination.pk)


# --- Linking the volunteer's record (the central office)


class LinkView(_StaffView):
    template_name = "awards/staff/nomination_link.html"

    def _nomination(self, request, pk: int) -> Nomination:
        nomination = selectors.nomination_for(request.user, pk)
        if not selectors.can_link(request.user, nomination) or nomination.status == NStatus.WITHDRAWN:
            raise Http404
        return nomination

    def get(self, request, pk: int):
        nomination = self._nomination(request, pk)
        form = LinkSearchForm(request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        results = selectors.volunteer_search(nomination.institution_id, query) if query else []
        return render(
            request,
            self.template_name,
            {
                "nomination": nomination,
                "cycle": nomination.cycle,
                "form": form,
                "query": query,
                "results": results,
            },
        )

    def post(self, request, pk: int):
        nomination = self._nomination(request, pk)
        if "unlink" in request.POST:
            volunteer = None
        else:
            raw = request.POST.get("volunteer", "")
            volunteer = (
                selectors.institution_volunteers(nomination.institution_id).filter(pk=int(raw)).first()
                if raw.isdigit()
                else None
            )
            if volunteer is None:
                messages.error(request, _("This person has no record at the institution."))
                return redirect("awards:nomination_link", pk=nomination.pk)
        try:
            services.nomination_link(actor=request.user, nomination=nomination, volunteer=volunteer)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("awards:nomination_link", pk=nomination.pk)
        if volunteer is None:
            messages.success(request, _("The nomination is no longer linked to a volunteer's record."))
        else:
            messages.success(
                request,
                _("The nomination is linked to the record of %(name)s.")
                % {"name": volunteer.user.get_full_name() or volunteer.user.email},
            )
        return redirect("awards:nomination", pk=nomination.pk)


# --- Scoring (a jury member)


def _scoring(request, pk: int):
    """The nomination and the person's jury membership: only the cycle's jury, only an eligible
    nomination, only while the jury scores (anyone and anything else: 404)."""
    nomination = selectors.nomination_for(request.user, pk)
    member = selectors.member_of(request.user, nomination.cycle)
    if member is None or nomination.status != NStatus.ELIGIBLE or nomination.cycle.status != Status.SCORING:
        raise Http404
    return nomination, member


class ScoreView(_StaffView):
    template_name = "awards/staff/score.html"

    def _render(self, request, nomination, member, *, form=None, status=200):
        sheet = selectors.sheet_of(member, nomination)
        criteria = list(nomination.cycle.criteria.all())
        final = sheet is not None and sheet.submitted_at is not None
        if form is None:
            initial = {}
            if sheet is not None:
                values = {score.criterion_id: score.value for score in sheet.scores.all()}
                initial = {
                    ScoreForm.field_name(criterion): values.get(criterion.pk) for criterion in criteria
                }
                initial["comment"] = sheet.comment
            form = ScoreForm(criteria=criteria, initial=initial, disabled=final)
        others = selectors.other_sheets(nomination, member) if selectors.others_visible(member, sheet) else []
        return render(
            request,
            self.template_name,
            {
                "nomination": nomination,
                "cycle": nomination.cycle,
                "member": member,
                "sheet": sheet,
                "final": final,
                "criteria": criteria,
                "form": form,
                "conflict_form": ConflictForm(prefix="conflict"),
                "files": list(nomination.files.all()),
                "others": others,
            },
            status=status,
        )

    def get(self, request, pk: int):
        nomination, member = _scoring(request, pk)
        return self._render(request, nomination, member)

    def post(self, request, pk: int):
        nomination, member = _scoring(request, pk)
        criteria = list(nomination.cycle.criteria.all())
        form = ScoreForm(request.POST, criteria=criteria)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                services.sheet_save(
                    actor=request.user,
                    nomination=nomination,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if submit:
                    messages.success(
                        request,
                        _("Your scores for %(reference)s are submitted.")
                        % {"reference": nomination.reference},
                    )
                else:
                    messages.success(request, _("Your draft is saved; submit it when you are ready."))
                return redirect("awards:score", pk=nomination.pk)
        return self._render(request, nomination, member, form=form, status=400)


# --- Files


class DiplomaView(_StaffView):
    """A laureate's latest diploma: the administrator, the cycle's jury and — once announced —
    the laureate themself (anyone else, or no diploma ready: 404)."""

    http_method_names = ["get"]

    def get(self, request, pk: int):
        nomination = selectors.diploma_nomination_for(request.user, pk)
        return document_file_response(request, latest_done(nomination, services.DIPLOMA), nomination)


class FileView(_StaffView):
    """A supporting file, for whoever may read its nomination; every download is audited."""

    http_method_names = ["get"]

    def get(self, request, pk: int) -> HttpResponse:
        file = selectors.nomination_file_for(request.user, pk)
        response = file_response(
            file.file,
            filename=file.name,
            content_type=FILE_CONTENT_TYPES.get(file.kind, "application/octet-stream"),
        )
        services.file_download_logged(actor=request.user, file=file)
        return response

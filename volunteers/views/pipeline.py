"""The coordinators' side of applications: inbox, detail, transitions, notes, vetting,
reassignment, CV, export and bulk email. Thin: reads in selectors, writes in services.

Reads need ``VIEW`` on the application's unit (the ministry may read); every write needs
``COORDINATE``, so the ministry — like anyone else without it — gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import TemplateView

from core.filters import counted_tabs, list_page
from documents.views import export_response
from institutions import permissions
from institutions.mixins import UnitScopedMixin, require_staff_role
from trainings.selectors import (
    application_training,
    expired_trainings,
    open_sessions_for_applications,
)

from .. import outreach, selectors, services, transitions
from ..forms.pipeline import AssessmentForm, BulkEmailForm, ReassignForm, TransitionForm, VettingForm
from ..models import Status, VettingRecord


def _scope_label(units) -> str:
    if len(units) == 1:
        return units[0].name
    institutions = sorted({unit.institution.short_name for unit in units})
    return _("All units of %(institutions)s") % {"institutions": ", ".join(institutions)}


# --- Inbox


@login_required
@require_GET
def inbox(request):
    require_staff_role(request)
    result = selectors.application_inbox(user=request.user, params=request.GET)
    listing = list_page(result.applications, request.GET, count=result.row_count)
    page = listing["page"]
    filterset = result.filterset
    current = filterset.tab_value
    expired = expired_trainings((a.volunteer_id, a.institution_id) for a in page.object_list)
    for application in page.object_list:
        application.training_expired = (application.volunteer_id, application.institution_id) in expired
    enrol_sessions = []
    if current == Status.TRAINING and page.object_list:
        enrol_sessions = list(
            open_sessions_for_applications(
                user=request.user, institution_ids={a.institution_id for a in page.object_list}
            )
        )
    return render(
        request,
        "volunteers/pipeline/inbox.html",
        {
            **listing,
            "form": result.form,
            "tabs": counted_tabs(
                request.GET,
                name="status",
                options=[("", _("All")), (selectors.OPEN, _("Open")), *Status.choices],
                counts=result.counts,
                current=current,
            ),
            "total": result.counts["all"],
            "scope": _scope_label(filterset.units),
            "show_unit": len(filterset.units) > 1,
            "roles": permissions.roles_for(request.user),
            "filtered": filterset.filtered,
            "enrol_sessions": enrol_sessions,
            "bulk_units": [
                unit
                for unit in filterset.units
                if permissions.has_unit_perm(request.user, permissions.COORDINATE, unit)
                and unit.is_valid_today
            ],
        },
    )


@login_required
@require_GET
def inbox_export(request):
    require_staff_role(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in outreach.EXPORT_FORMATS:
        return HttpResponseBadRequest(_("Unknown export format."))
    # Small exports stream; large ones become a background job (documents.exports).
    return export_response(request, kind=outreach.EXPORT_KIND, fmt=fmt)


# --- One application


def _detail_response(request, application, *, status: int = 200, **forms):
    detail = selectors.application_detail(user=request.user, application=application)
    context = {
        "application": application,
        "volunteer": application.volunteer,
        "person": application.volunteer.user,
        "detail": detail,
        "age": application.volunteer.age_on(timezone.localdate()),
    }
    if detail.can_coordinate:
        training = application_training(application)
        transition_form = forms.get("transition_form") or TransitionForm(
            allowed=detail.allowed, prefix="transition"
        )
        # Rejecting or withdrawing an open application needs only a reason: not listed.
        requirements = [
            (status, detail.requirements.get(status, []))
            for status in detail.allowed
            if status not in (Status.REJECTED, Status.WITHDRAWN)
        ]
        if requirements:
            transition_form.show_requirements(detail.requirements, described_by="transition-requirements")
        context.update(
            transition_form=transition_form,
            requirements=requirements,
            note_form=forms.get("note_form") or AssessmentForm(prefix="note"),
            reassign_form=forms.get("reassign_form")
            or ReassignForm(units=detail.reassign_units, prefix="reassign"),
            vetting_results=any(r.result != VettingRecord.Result.PENDING for r in detail.vetting_records),
            training=training,
            enrol_sessions=[
                session
                for session in open_sessions_for_applications(
                    user=request.user, institution_ids=[application.institution_id]
                )
                if session.pk not in {r.session_id for r in training.registrations}
            ]
            if application.status == Status.TRAINING
            else [],
        )
    return render(request, "volunteers/pipeline/detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request, pk: int):
    application = selectors.application_for(request.user, pk, permissions.VIEW)
    return _detail_response(request, application)


@login_required
@require_POST
def application_transition(request, pk: int):
    application = selectors.application_for(request.user, pk, permissions.COORDINATE)
    form = TransitionForm(
        request.POST, allowed=transitions.allowed_transitions(application), prefix="transition"
    )
    if form.is_valid():
        try:
            services.application_transition(
                application_id=application.pk,
                to=form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                notify=form.cleaned_data["notify"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            new = Status(form.cleaned_data["to"])
            if form.cleaned_data["notify"]:
                text = _("%(reference)s is now “%(status)s”; the applicant will get an email.")
            else:
                text = _("%(reference)s is now “%(status)s”.")
            messages.success(request, text % {"reference": application.reference, "status": new.label})
            return redirect("volunteers:application_detail", pk=application.pk)
    messages.error(request, _("The status was not changed. See the form below."))
    return _detail_response(request, application, status=400, transition_form=form)


@login_required
@require_POST
def application_note(request, pk: int):
    application = selectors.application_for(request.user, pk, permissions.COORDINATE)
    form = AssessmentForm(request.POST, prefix="note")
    if form.is_valid():
        services.assessment_add(application=application, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Interview note saved."))
        return redirect(reverse("volunteers:application_detail", args=[application.pk]) + "#notes")
    messages.error(request, _("The note was not saved. See the form below."))
    return _detail_response(request, application, status=400, note_form=form)


@login_required
@require_POST
def application_reassign(request, pk: int):
    application = selectors.application_for(request.user, pk, permissions.COORDINATE)
    form = ReassignForm(request.POST, units=selectors.reassign_units(application), prefix="reassign")
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            services.application_reassign(
                application=application, unit=unit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(reference)s was handed over to %(unit)s.")
                % {"reference": application.reference, "unit": unit.name},
            )
            if permissions.has_unit_perm(request.user, permissions.VIEW, unit):
                return redirect("volunteers:application_detail", pk=application.pk)
            return redirect("volunteers:inbox")
    messages.error(request, _("The application was not handed over. See the form below."))
    return _detail_response(request, application, status=400, reassign_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def application_vetting(request, pk: int):
    """The criminal-record check: dates, result, validity. Showing results is logged."""
    application = selectors.application_for(request.user, pk, permissions.COORDINATE)
    records_qs = selectors.application_vetting_queryset(application)
    status = 200
    if request.method == "POST":
        form = VettingForm(request.POST, records=records_qs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.vetting_record(
                    application=application,
                    actor=request.user,
                    requested_on=data["requested_on"],
                    result=data["result"],
                    result_on=data["result_on"],
                    valid_until=data["valid_until"],
                    record=data["record"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Criminal-record check saved."))
                return redirect(reverse("volunteers:application_detail", args=[application.pk]) + "#vetting")
        status = 400
    else:
        wanted = request.GET.get("record", "")
        record = records_qs.filter(pk=wanted).first() if wanted.isdigit() else None
        initial = (
            {
                "record": record,
                "requested_on": record.requested_on,
                "result": record.result,
                "result_on": record.result_on,
                "valid_until": record.valid_until,
            }
            if record
            else {"requested_on": timezone.localdate(), "result": VettingRecord.Result.PENDING}
        )
        form = VettingForm(initial=initial, records=records_qs)
    records = selectors.application_vetting_records(application)
    if records:
        services.vetting_view_logged(application=application, actor=request.user)
    editing = form["record"].value()
    return render(
        request,
        "volunteers/pipeline/vetting.html",
        {"application": application, "records": records, "form": form, "editing": editing},
        status=status,
    )


@login_required
@require_GET
def application_cv(request, pk: int):
    application = selectors.application_for(request.user, pk, permissions.VIEW)
    try:
        handle = outreach.application_cv_open(application=application, actor=request.user)
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{application.reference or application.pk}-CV.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Bulk email of a unit


class BulkEmailView(UnitScopedMixin, TemplateView):
    """Write to the unit's applicants and volunteers by status: preview, then send."""

    unit_perm = permissions.COORDINATE
    template_name = "volunteers/pipeline/bulk_email.html"

    def _form(self, data=None):
        return BulkEmailForm(data, counts=selectors.unit_status_counts(unit=self.unit))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self._form())
        context.update(
            unit=self.unit, history=selectors.bulk_emails_for(user=self.request.user, unit=self.unit)[:20]
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        if request.POST.get("action") != "send":
            count = selectors.bulk_email_recipient_count(unit=self.unit, statuses=data["statuses"])
            return self.render_to_response(self.get_context_data(form=form, preview=count))
        try:
            bulk_email = outreach.bulk_email_create(
                unit=self.unit,
                actor=request.user,
                subject=data["subject"],
                body=data["body"],
                statuses=data["statuses"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        recipients = bulk_email.recipients.count()
        messages.success(
            request,
            ngettext(
                "The message is on its way to %(count)d person.",
                "The message is on its way to %(count)d people.",
                recipients,
            )
            % {"count": recipients},
        )
        return redirect("volunteers:bulk_email_log", unit_slug=self.unit.slug, pk=bulk_email.pk)


class BulkEmailLogView(UnitScopedMixin, TemplateView):
    """Who got a bulk email, when, and who did not (with the error)."""

    template_name = "volunteers/pipeline/bulk_email_log.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bulk_email = selectors.bulk_email_for(user=self.request.user, unit=self.unit, pk=self.kwargs["pk"])
        context.update(
            unit=self.unit,
            bulk_email=bulk_email,
            recipients=bulk_email.recipients.select_related("application").order_by("email"),
            can_coordinate=permissions.has_unit_perm(self.request.user, permissions.COORDINATE, self.unit),
        )
        return context


bulk_email = BulkEmailView.as_view()
bulk_email_log = BulkEmailLogView.as_view()

"""Volunteer self-service: my applications, profile, my data, erasure; and the coordinators'
page where they decide identity-change and erasure requests."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from institutions import permissions
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services
from privacy.selectors import printable_sections

from .. import selectors, services
from ..forms.me import ChangeRequestForm, DecisionForm, ErasureRequestForm, ProfileForm, WithdrawForm
from ..models import Application, Status
from ..personal_data import REASON_SHOWN

PAGE_SIZE = 25
STATUS_BADGES = {
    Status.SUBMITTED: "text-bg-primary",
    Status.SCREENING: "text-bg-info",
    Status.VETTING: "text-bg-info",
    Status.TRAINING: "text-bg-info",
    Status.AGREEMENT: "text-bg-info",
    Status.ACTIVE: "text-bg-success",
    Status.PAUSED: "text-bg-warning",
    Status.ENDED: "text-bg-secondary",
    Status.REJECTED: "text-bg-danger",
    Status.WITHDRAWN: "text-bg-secondary",
}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class VolunteerMixin(LoginRequiredMixin):
    """Resolves ``self.volunteer``: None for a person without a volunteer profile, who sees
    an empty state — or, with ``volunteer_required``, a 404 (object and download URLs)."""

    volunteer_required = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.volunteer = selectors.volunteer_for(request.user)
        if self.volunteer is None and self.volunteer_required:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class VolunteerRequiredMixin(VolunteerMixin):
    volunteer_required = True


@method_decorator(never_cache, name="dispatch")
class MyApplicationsView(VolunteerMixin, TemplateView):
    template_name = "volunteers/me/applications.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = None
        if self.volunteer is not None:
            page = Paginator(selectors.my_applications(self.request.user), PAGE_SIZE).get_page(
                self.request.GET.get("page")
            )
            for application in page.object_list:
                application.steps = selectors.timeline(application)
                application.next_step = selectors.next_step(application)
                application.badge = STATUS_BADGES[application.status]
        context.update(
            volunteer=self.volunteer,
            page=page,
            withdraw_form=WithdrawForm(),
            reason_shown=REASON_SHOWN,
        )
        return context


@method_decorator(never_cache, name="dispatch")
class ApplicationWithdrawView(VolunteerRequiredMixin, View):
    """GET: a confirmation page (the modal on the list does the same with JavaScript);
    POST: withdraw. Only the owner's applications exist here — anyone else's is a 404."""

    template_name = "volunteers/me/withdraw.html"

    def _application(self, pk: int) -> Application:
        return selectors.own_application(volunteer=self.volunteer, pk=pk)

    def _refuse_closed(self, application: Application):
        messages.error(
            self.request,
            _("Application %(reference)s is no longer open, so it cannot be withdrawn.")
            % {"reference": application.reference},
        )
        return redirect("volunteers:my_applications")

    def get(self, request, pk: int):
        application = self._application(pk)
        if not application.is_open:
            return self._refuse_closed(application)
        return render(request, self.template_name, {"application": application, "form": WithdrawForm()})

    def post(self, request, pk: int):
        application = self._application(pk)
        if not application.is_open:
            return self._refuse_closed(application)
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"application": application, "form": form})
        try:
            services.application_transition(
                application_id=application.pk,
                to="withdrawn",
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Application %(reference)s has been withdrawn.") % {"reference": application.reference},
            )
        return redirect("volunteers:my_applications")


@method_decorator(never_cache, name="dispatch")
class ProfileView(VolunteerMixin, TemplateView):
    """Contact details (changed directly) and identity fields (changed by request)."""

    template_name = "volunteers/me/profile.html"

    def _profile_form(self, data=None) -> ProfileForm:
        v = self.volunteer
        initial = {name: getattr(v, name) for name in selectors.PROFILE_FIELDS}
        return ProfileForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["volunteer"] = self.volunteer
        if self.volunteer is not None:
            context.setdefault("form", self._profile_form())
            context.setdefault("change_form", ChangeRequestForm(prefix="change"))
            context["pending"] = list(selectors.pending_change_requests(self.volunteer))
            context["decided"] = list(
                self.volunteer.change_requests.exclude(state="pending").order_by("-decided_at")[:10]
            )
        return context

    def post(self, request, *args, **kwargs):
        if self.volunteer is None:
            raise Http404
        if request.POST.get("action") == "change_request":
            return self._change_request(request)
        form = self._profile_form(request.POST)
        if form.is_valid():
            try:
                services.profile_update(volunteer=self.volunteer, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your details have been saved."))
                return redirect("volunteers:profile")
        return self.render_to_response(self.get_context_data(form=form))

    def _change_request(self, request):
        form = ChangeRequestForm(request.POST, prefix="change")
        if form.is_valid():
            try:
                services.change_request_create(volunteer=self.volunteer, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Your request has been sent. A coordinator will check it and decide.")
                )
                return redirect("volunteers:profile")
        return self.render_to_response(self.get_context_data(change_form=form))


class MyDataView(VolunteerMixin, TemplateView):
    template_name = "volunteers/me/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(volunteer=self.volunteer, **kwargs)


@method_decorator(never_cache, name="dispatch")
class MyDataJsonView(VolunteerRequiredMixin, View):
    def get(self, request):
        data = privacy_services.volunteer_data(volunteer=self.volunteer, actor=request.user, fmt="json")
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"tilts-my-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@method_decorator(never_cache, name="dispatch")
class MyDataPrintView(VolunteerRequiredMixin, View):
    template_name = "volunteers/me/data_print.html"

    def get(self, request):
        data = privacy_services.volunteer_data(volunteer=self.volunteer, actor=request.user, fmt="html")
        context = {
            "data": data,
            "sections": printable_sections(data, reader=request.user),
            "volunteer": self.volunteer,
        }
        return render(request, self.template_name, context)


@method_decorator(never_cache, name="dispatch")
class ErasureRequestView(VolunteerMixin, TemplateView):
    template_name = "volunteers/me/erasure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["volunteer"] = self.volunteer
        if self.volunteer is not None:
            context["pending"] = selectors.pending_erasure_request(self.volunteer)
            context.setdefault("form", ErasureRequestForm())
        return context

    def post(self, request, *args, **kwargs):
        if self.volunteer is None:
            raise Http404
        form = ErasureRequestForm(request.POST)
        if form.is_valid():
            try:
                services.erasure_request_create(volunteer=self.volunteer, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request, _("Your request has been sent. A coordinator will confirm the erasure.")
                )
            return redirect("volunteers:erasure_request")
        return self.render_to_response(self.get_context_data(form=form))


# --- Coordinators


class CoordinatorMixin(AccessMixin):
    """Signed-in people who coordinate at least one unit; anyone else signed in gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.unit_ids_for(request.user, permissions.COORDINATE):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ChangeRequestsView(CoordinatorMixin, TemplateView):
    template_name = "volunteers/me/requests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        changes = selectors.change_requests_for_coordinator(user).filter(state="pending")
        erasures = selectors.erasure_requests_for_coordinator(user).filter(state="pending")
        context.update(
            changes=Paginator(changes, PAGE_SIZE).get_page(self.request.GET.get("page")),
            erasures=Paginator(erasures, PAGE_SIZE).get_page(self.request.GET.get("erasure_page")),
        )
        for request in context["changes"].object_list:
            request.current_display, request.new_display = selectors.change_request_display(request)
        blockers = privacy_selectors.erasure_request_blockers(context["erasures"].object_list, viewer=user)
        for request in context["erasures"].object_list:
            request.blockers = blockers[request.pk]
        return context


class _DecideView(CoordinatorMixin, View):
    def _decide(self, request, pk: int, *, queryset, service, done_message):
        obj = get_object_or_404(queryset, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether to approve or refuse the request."))
            return redirect("volunteers:change_requests")
        try:
            service(request=obj, actor=request.user, approve=form.approve, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, done_message(form.approve))
        return redirect("volunteers:change_requests")


class ChangeRequestDecideView(_DecideView):
    def post(self, request, pk: int):
        return self._decide(
            request,
            pk,
            queryset=selectors.change_requests_for_coordinator(request.user),
            service=services.change_request_decide,
            done_message=lambda approved: (
                _("The change has been approved and applied.") if approved else _("The change was refused.")
            ),
        )


class ErasureDecideView(_DecideView):
    def post(self, request, pk: int):
        return self._decide(
            request,
            pk,
            queryset=selectors.erasure_requests_for_coordinator(request.user),
            service=services.erasure_decide,
            done_message=lambda approved: (
                _("The person's data has been anonymised.") if approved else _("The erasure was refused.")
            ),
        )

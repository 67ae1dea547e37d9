from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from . import permissions, selectors, services
from .forms import InvitationForm, InvitedAccountForm
from .mixins import CoordinatorManagerMixin, UnitScopedMixin


class UnitDetailView(UnitScopedMixin, TemplateView):
    template_name = "institutions/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            unit=self.unit,
            coordinators=permissions.coordinators_by_unit([self.unit.pk]).get(self.unit.pk, []),
            can_manage=permissions.can_manage_coordinators(user, self.unit.institution_id),
            can_coordinate=permissions.has_unit_perm(user, permissions.COORDINATE, self.unit),
            events=selectors.unit_audit_events(user=user, unit=self.unit),
        )
        return context


class CoordinatorsView(CoordinatorManagerMixin, TemplateView):
    template_name = "institutions/coordinators.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        managed = permissions.manageable_institution_ids(user)
        blocks = [
            block
            for block in selectors.unit_overview(user=user)
            if managed is None or block.institution.pk in managed
        ]
        invitations = selectors.invitations_for(user=user)
        context.update(
            blocks=blocks,
            pending=list(invitations.pending()),
            recent=list(invitations.exclude(pk__in=invitations.pending().values("pk"))[:20]),
        )
        return context


class InviteView(CoordinatorManagerMixin, FormView):
    template_name = "institutions/invite.html"
    form_class = InvitationForm
    # FormView also answers PUT like POST; the page is a GET and a POST only.
    http_method_names = ["get", "post"]

    def get_initial(self):
        initial = {"language": self.request.LANGUAGE_CODE}
        unit_slug = self.request.GET.get("unit")
        if unit_slug:
            initial["units"] = list(selectors.managed_units(user=self.request.user).filter(slug=unit_slug))
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": selectors.managed_units(user=self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation_days=settings.TILTS_INVITATION_DAYS, **kwargs)

    def form_valid(self, form):
        try:
            invitation = services.invitation_create(
                actor=self.request.user,
                email=form.cleaned_data["email"],
                units=form.cleaned_data["units"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("institutions:coordinators")


class InvitationActionView(CoordinatorManagerMixin, View):
    """POST-only: revoke or resend a pending invitation of the person's institution."""

    action = ""

    def post(self, request, pk: int):
        invitation = get_object_or_404(selectors.invitations_for(user=request.user), pk=pk)
        try:
            if self.action == "revoke":
                services.invitation_revoke(actor=request.user, invitation=invitation)
                messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
            else:
                services.invitation_resend(actor=request.user, invitation=invitation)
                messages.success(
                    request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("institutions:coordinators")


class CoordinatorRevokeView(UnitScopedMixin, View):
    """POST-only: take the coordinator role of one unit away from one person."""

    unit_perm = permissions.COORDINATE

    def post(self, request, unit_slug: str, user_id: int):
        if not permissions.can_manage_coordinators(request.user, self.unit.institution_id):
            raise Http404
        coordinators = permissions.coordinators_by_unit([self.unit.pk]).get(self.unit.pk, [])
        person = next((c for c in coordinators if c.pk == user_id), None)
        if person is None:
            raise Http404
        services.unit_coordinator_revoke(actor=request.user, user=person, unit=self.unit)
        messages.success(
            request,
            _("%(person)s no longer coordinates %(unit)s.") % {"person": person, "unit": self.unit.name},
        )
        return HttpResponseRedirect(request.POST.get("next") or reverse("institutions:coordinators"))


class InvitationAcceptView(View):
    """The link in the invitation email. New people create their account here; people
    with an account sign in first and accept."""

    template_name = "institutions/invitation_accept.html"

    def dispatch(self, request, token: str):
        self.invitation = services.invitation_from_token(token)
        return super().dispatch(request, token)

    def _render(self, request, **context):
        return render(request, self.template_name, {"invitation": self.invitation, **context})

    def _state(self, request):
        invitation = self.invitation
        if invitation is None:
            return "invalid", None
        if not invitation.is_pending:
            return invitation.status, None
        user = request.user
        if user.is_authenticated:
            return ("confirm" if user.email.lower() == invitation.email.lower() else "other_user"), None
        if get_user_model().objects.filter(email__iexact=invitation.email).exists():
            return "sign_in", None
        return "create", InvitedAccountForm(email=invitation.email)

    def get(self, request, token: str):
        state, form = self._state(request)
        status = 404 if state == "invalid" else 200
        response = self._render(request, state=state, form=form)
        response.status_code = status
        return response

    def post(self, request, token: str):
        state, form = self._state(request)
        if state == "confirm":
            services.invitation_accept(invitation=self.invitation, user=request.user)
            messages.success(request, _("Welcome! You now coordinate the units of the invitation."))
            return redirect("home")
        if state == "create":
            form = InvitedAccountForm(request.POST, email=self.invitation.email)
            if form.is_valid():
                user = services.invited_user_create(
                    invitation=self.invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                # Counts as a fresh sign-in (allauth then does not ask for the password again
                # when the new coordinator sets up two-factor authentication).
                record_authentication(request, user, method="password", email=user.email)
                messages.success(request, _("Your account is ready. Welcome to Tilts!"))
                return redirect("home")
            return self._render(request, state=state, form=form)
        return self.get(request, token)

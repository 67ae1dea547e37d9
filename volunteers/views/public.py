"""Public pages: the application form, its receipt and the privacy notice."""

from __future__ import annotations

import logging

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.core.context import request_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from agreements import terms

from .. import selectors, services
from ..forms.public import ApplicationForm
from ..models import Volunteer

logger = logging.getLogger(__name__)

# The session remembers the references of this browser's last few submissions, so that
# the receipt page shows them — and nobody else's.
RECEIPTS_SESSION_KEY = "tilts_application_receipts"
RECEIPTS_KEPT = 5


# allauth's rate limit (settings.ACCOUNT_RATE_LIMITS): submissions per client IP address
# in the last hour, checked and counted in one step under a cache lock, with the address
# allauth takes from ALLAUTH_TRUSTED_PROXY_COUNT.
APPLY_RATE_LIMIT = "tilts_apply"


def _apply_rate_limit_reached(request: HttpRequest) -> bool:
    """Would one more submission go over the limit? Counts nothing."""
    return not ratelimit.consume(request, action=APPLY_RATE_LIMIT, dry_run=True)


def _apply_rate_limit_consume(request: HttpRequest) -> bool:
    """Count one submission; False when the limit was reached (a parallel request may have
    taken the last one since the check above)."""
    return ratelimit.consume(request, action=APPLY_RATE_LIMIT)


def _send_verification(request: HttpRequest, user_id: int) -> None:
    """allauth's confirmation email for the new account. Runs on commit — possibly after
    the response, so allauth is given the request explicitly."""
    address = EmailAddress.objects.filter(user_id=user_id, primary=True).first()
    if address is not None and not address.verified:
        with request_context(request):
            send_verification_email_to_address(request, address, signup=True)


class ApplyView(View):
    """GET shows the form; POST checks it and hands it to ``applications_submit``.
    A person who is signed in applies with their account (no account fields)."""

    template_name = "volunteers/public/apply.html"

    def _form(self, data=None, files=None) -> ApplicationForm:
        user = self.request.user if self.request.user.is_authenticated else None
        volunteer = Volunteer.objects.filter(user=user).first() if user is not None else None
        if data is None:
            return ApplicationForm(user=user, volunteer=volunteer)
        return ApplicationForm(data, files, user=user, volunteer=volunteer)

    def _render(self, form: ApplicationForm, status: int = 200, **context) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, **context}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST, request.FILES)
        if _apply_rate_limit_reached(request):
            return self._rate_limited(form)
        if not form.is_valid():
            # A form with mistakes does not count; a bot's does.
            if form.honeypot_filled:
                _apply_rate_limit_consume(request)
                logger.info("Application form honeypot filled; nothing created")
            return self._render(form, status=200)
        if not _apply_rate_limit_consume(request):
            return self._rate_limited(form)
        user = form.user
        try:
            applications = services.applications_submit(
                person=form.person_details(),
                details=form.application_details(),
                institutions=form.institutions,
                cv=form.cleaned_data.get("cv"),
                user=user,
                password=None if user else form.cleaned_data["password1"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            return self._refused(form, error)
        if user is None:
            new_user_id = applications[0].volunteer.user_id

            def send_verification() -> None:
                _send_verification(request, new_user_id)

            transaction.on_commit(send_verification, robust=True)
        receipts = request.session.get(RECEIPTS_SESSION_KEY, [])
        receipts = [[a.reference for a in applications], *receipts][:RECEIPTS_KEPT]
        request.session[RECEIPTS_SESSION_KEY] = receipts
        return redirect("volunteers:apply_done", reference=applications[0].reference)

    def _rate_limited(self, form: ApplicationForm) -> HttpResponse:
        # Everything typed comes back (but the password and the file); nothing is created.
        return self._render(form, status=429, rate_limited=True)

    def _refused(self, form: ApplicationForm, error: ValidationError) -> HttpResponse:
        """Tell the person what to do; nothing was created. Another person's application is
        never named: a reference is shown only for the signed-in person's own application."""
        code = getattr(error, "code", None)
        if code == "duplicate":
            person = form.person_details()
            duplicates, others = [], []
            for institution in form.institutions:
                found = services.open_application_for(
                    institution=institution, email=person.email, personal_code=person.personal_code
                )
                if found is None:
                    others.append(institution)
                    continue
                own = form.user is not None and found.volunteer.user_id == form.user.pk
                duplicates.append({"institution": institution, "application": found if own else None})
            return self._render(form, refusal="duplicate", duplicates=duplicates, others=others)
        if code == "account_exists":
            return self._render(form, refusal="account_exists")
        if hasattr(error, "error_dict"):
            # The service's rules by field; a field this form lacks (a signed-in volunteer's
            # date of birth) shows its error above the form.
            for name, items in error.error_dict.items():
                for item in items:
                    form.add_error(name if name in form.fields else None, item)
        else:
            form.add_error(None, error)
        return self._render(form)


class ApplyDoneView(TemplateView):
    """The receipt: only for the browser that submitted the application."""

    template_name = "volunteers/public/done.html"

    def get_context_data(self, **kwargs):
        reference = self.kwargs["reference"]
        receipts = self.request.session.get(RECEIPTS_SESSION_KEY, [])
        references = next((group for group in receipts if reference in group), None)
        if references is None:
            raise Http404
        applications = selectors.receipt_applications(references)
        if not applications:
            raise Http404
        volunteer = applications[0].volunteer
        return super().get_context_data(
            applications=applications,
            volunteer=volunteer,
            email=volunteer.user.email,
            verified=EmailAddress.objects.filter(user_id=volunteer.user_id, verified=True).exists(),
            # The word of the institutions applied to (the person may not be signed in).
            collection_terms=terms.for_terms(a.institution.agreement_term for a in applications),
            **kwargs,
        )


class PrivacyView(TemplateView):
    template_name = "volunteers/public/privacy.html"

    def get_context_data(self, **kwargs):
        # The notice covers both institutions: "vienošanās vai līgums".
        return super().get_context_data(
            cv_max_bytes=settings.TILTS_CV_MAX_BYTES,
            collection_terms=terms.AgreementTerms(terms.BOTH),
            **kwargs,
        )

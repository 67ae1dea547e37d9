"""Agreement pages: the coordinators' list, drafting, detail with its documents and
lifecycle buttons, downloads; the volunteer's own agreements; the central coordinators'
template versions. Thin: reads in selectors, writes (and every rule) in services.

Reads need ``VIEW`` on the agreement's unit (the ministry may read); every write needs
``COORDINATE`` — anyone else, the ministry included, gets 404. Another unit's agreement
is a 404, never a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.filters import PAGE_SIZE, counted_tabs, list_page
from documents.views import document_file_response, file_response
from institutions import permissions
from institutions.mixins import require_staff_role
from trainings import selectors as training_selectors
from volunteers.models import Status as ApplicationStatus
from volunteers.selectors import volunteer_for

from . import selectors, services, terms
from .forms import AgreementForm, SignForm, TemplateVersionForm, TerminateForm, add_service_errors
from .models import Agreement, Status
from .printing import AGREEMENT
from .rendering import PLACEHOLDERS

SCAN_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def _require_central(request) -> None:
    """Template texts are managed by central coordinators (and superusers); others get 404."""
    if not permissions.roles_for(request.user).is_central:
        raise Http404


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _scan_response(request, agreement: Agreement) -> FileResponse:
    suffix = agreement.signed_scan.name.rsplit(".", 1)[-1].lower() if agreement.signed_scan else ""
    response = file_response(
        agreement.signed_scan,
        filename=f"{agreement.number or agreement.pk}-signed.{suffix or 'pdf'}",
        content_type=SCAN_CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
    services.agreement_download_logged(actor=request.user, agreement=agreement, what="signed")
    return response


# --- The list


@login_required
@require_GET
def agreement_list(request):
    require_staff_role(request)
    result = selectors.agreement_list(user=request.user, params=request.GET)
    listing = list_page(result.agreements, request.GET, count=result.row_count)
    page = listing["page"]
    expired = training_selectors.expired_trainings(
        (a.volunteer_id, a.institution_id) for a in page.object_list
    )
    for agreement in page.object_list:
        documents = list(agreement.documents.all())
        agreement.latest = documents[0] if documents else None
        agreement.ending_in = selectors.ending_in_days(agreement)
        agreement.training_expired = (agreement.volunteer_id, agreement.institution_id) in expired
    filterset = result.filterset
    collection_terms = terms.for_user(request.user)
    return render(
        request,
        "agreements/list.html",
        {
            **listing,
            "form": result.form,
            "tabs": counted_tabs(
                request.GET,
                name="status",
                options=[
                    ("", pgettext("all agreements", "All")),
                    *((value, collection_terms.status_label(value)) for value in Status.values),
                ],
                counts=result.counts,
                current=filterset.tab_value,
            ),
            "show_unit": len(filterset.units) > 1,
            "roles": permissions.roles_for(request.user),
            "filtered": filterset.filtered,
            "agreement_step": ApplicationStatus.AGREEMENT.label,
        },
    )


# --- Drafting and changing a draft


def _form_response(request, *, application, form, agreement=None, renewal_of=None, status=200):
    volunteer = application.volunteer
    start = form.start_date_value
    return render(
        request,
        "agreements/form.html",
        {
            "application": application,
            "volunteer": volunteer,
            "person": volunteer.user,
            "agreement": agreement,
            "renewal_of": renewal_of,
            "form": form,
            "terms": application.institution.agreement_terms,
            "agreement_step": ApplicationStatus.AGREEMENT.label,
            "existing": selectors.application_agreements(user=request.user, application=application)
            if agreement is None
            else [],
            "allowed": agreement is not None or selectors.drafting_allowed(application, renewal_of),
            "minor": form.minor,
            "age_on_start": volunteer.age_on(start) if start and volunteer.date_of_birth else None,
            **_training_status(request, application=application, form=form),
        },
        status=status,
    )


def _training_status(request, *, application, form) -> dict:
    """The applicant's completions in the application's institution (each marked valid
    today or not), and the courses the offered roles still need — the roles the form marks.
    A fixed number of queries, however many completions or courses."""
    today = timezone.localdate()
    field = form.fields["role"]
    untrained_roles = [role for role in field.queryset if role.pk in field.untrained]
    completions = training_selectors.volunteer_completions_for_staff(
        user=request.user, application=application
    )
    for completion in completions:
        completion.is_valid_today = completion.is_valid_on(today)
    missing = (
        training_selectors.missing_courses(volunteer=application.volunteer, roles=untrained_roles, on=today)
        if untrained_roles
        else []
    )
    return {"completions": completions, "untrained_roles": untrained_roles, "missing_courses": missing}


def _role_choices(application, *, also=None) -> dict:
    """The roles the form offers, marking those the volunteer still needs a training for."""
    roles = selectors.drafting_roles(application, also=also)
    return {
        "roles": roles,
        "volunteer": application.volunteer,
        "words": terms.for_institution(application.institution),
        "untrained": frozenset(
            training_selectors.unqualified_role_ids(volunteer=application.volunteer, roles=roles)
        ),
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def agreement_create(request, application_pk: int):
    """Draft an agreement for an application in the agreement step, or (``?renew=<pk>``, or
    by default for an active volunteer) a renewal prefilled from the agreement it continues."""
    application = selectors.application_for_drafting(request.user, application_pk)
    renew = request.GET.get("renew", "")
    if renew:
        if not renew.isdigit():
            raise Http404
        renewal_of = selectors.renewal_base(request.user, application, int(renew))
    elif application.status == ApplicationStatus.ACTIVE:
        renewal_of = selectors.renewable_agreement(user=request.user, application=application)
    else:
        renewal_of = None
    form_kwargs = _role_choices(application, also=renewal_of.role if renewal_of else None)
    if request.method == "POST":
        form = AgreementForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                agreement = services.agreement_create(
                    actor=request.user, application=application, renewal_of=renewal_of, **form.terms()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    agreement.terms.gettext(
                        "The draft agreement was saved. Check it, then generate the PDF."
                    ),
                )
                return redirect("agreements:detail", pk=agreement.pk)
        return _form_response(request, application=application, form=form, renewal_of=renewal_of, status=400)
    form = AgreementForm(
        initial=AgreementForm.initial_for_new(application, renewal_of=renewal_of), **form_kwargs
    )
    return _form_response(request, application=application, form=form, renewal_of=renewal_of)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.COORDINATE)
    if agreement.status != Status.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("agreements:detail", pk=agreement.pk)
    application = selectors.application_for_drafting(request.user, agreement.application_id)
    form_kwargs = _role_choices(application, also=agreement.role)
    if request.method == "POST":
        form = AgreementForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.agreement_update(actor=request.user, agreement=agreement, **form.terms())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("agreements:detail", pk=agreement.pk)
        return _form_response(request, application=application, form=form, agreement=agreement, status=400)
    form = AgreementForm(initial=AgreementForm.initial_for(agreement), **form_kwargs)
    return _form_response(request, application=application, form=form, agreement=agreement)


# --- One agreement


def _detail_response(request, agreement: Agreement, *, status: int = 200, **forms):
    detail = selectors.agreement_detail(user=request.user, agreement=agreement)
    context = {"agreement": agreement, "detail": detail, "person": agreement.volunteer.user}
    if detail.can_coordinate:
        context.update(
            sign_form=forms.get("sign_form")
            or SignForm(initial={"signed_on": timezone.localdate()}, words=agreement.terms),
            terminate_form=forms.get("terminate_form")
            or TerminateForm(initial=TerminateForm.initial_for(agreement), words=agreement.terms),
        )
    return render(request, "agreements/detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def agreement_detail(request, pk: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.VIEW)
    return _detail_response(request, agreement)


def _lifecycle_action(request, pk: int, action, success: str):
    agreement = selectors.agreement_for(request.user, pk, permissions.COORDINATE)
    try:
        action(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        agreement.refresh_from_db(fields=["number"])
        messages.success(request, agreement.terms.gettext(success) % {"number": agreement.number})
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_generate(request, pk: int):
    return _lifecycle_action(
        request,
        pk,
        services.agreement_generate,
        # Translated in the institution's word (agreements.terms.MESSAGES).
        "Agreement %(number)s was generated; its PDF is being prepared.",
    )


@login_required
@require_POST
def agreement_send(request, pk: int):
    return _lifecycle_action(
        request, pk, services.agreement_mark_sent, "Agreement %(number)s is marked as sent."
    )


@login_required
@require_POST
def agreement_sign(request, pk: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.COORDINATE)
    form = SignForm(request.POST, request.FILES, words=agreement.terms)
    if form.is_valid():
        try:
            agreement = services.agreement_sign(
                actor=request.user,
                agreement=agreement,
                scan=form.cleaned_data["scan"],
                signed_on=form.cleaned_data["signed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if agreement.status == Status.ACTIVE:
                text = agreement.terms.gettext(
                    "The signed agreement %(number)s was uploaded; it is in force."
                )
            else:
                text = agreement.terms.gettext(
                    "The signed agreement %(number)s was uploaded; it comes into force on %(start)s."
                )
            messages.success(
                request,
                text
                % {
                    "number": agreement.number,
                    "start": date_format(agreement.start_date, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("agreements:detail", pk=agreement.pk)
    messages.error(request, agreement.terms.gettext("The signed scan was not saved. See the form below."))
    return _detail_response(request, agreement, status=400, sign_form=form)


@login_required
@require_POST
def agreement_terminate(request, pk: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.COORDINATE)
    form = TerminateForm(request.POST, words=agreement.terms)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_terminate(
                actor=request.user,
                agreement=agreement,
                terminated_by=data["terminated_by"],
                notice_date=data["notice_date"],
                ended_on=data["ended_on"],
                reason=data["reason"],
                short_notice_agreed=data["short_notice_agreed"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                agreement.terms.gettext("Agreement %(number)s was terminated.")
                % {"number": agreement.number},
            )
            return redirect("agreements:detail", pk=agreement.pk)
    messages.error(request, agreement.terms.gettext("The agreement was not terminated. See the form below."))
    return _detail_response(request, agreement, status=400, terminate_form=form)


@login_required
@require_GET
def document_download(request, pk: int, version: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.VIEW)
    document = agreement.documents.filter(kind=AGREEMENT, version=version).first()
    return document_file_response(request, document, agreement)


@login_required
@require_GET
def scan_download(request, pk: int):
    agreement = selectors.agreement_for(request.user, pk, permissions.VIEW)
    return _scan_response(request, agreement)


# --- The volunteer's own agreements


@login_required
@never_cache
@require_GET
def my_agreements(request):
    volunteer = volunteer_for(request.user)
    page = None
    if volunteer is not None:
        page = Paginator(selectors.my_agreements(volunteer), PAGE_SIZE).get_page(request.GET.get("page"))
        for agreement in page.object_list:
            agreement.pdf = agreement.done_documents[0] if agreement.done_documents else None
    return render(request, "agreements/me/agreements.html", {"volunteer": volunteer, "page": page})


def _own_agreement(request, pk: int) -> Agreement:
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return selectors.my_agreement(volunteer, pk)


@login_required
@require_GET
def my_agreement_pdf(request, pk: int):
    agreement = _own_agreement(request, pk)
    return document_file_response(request, selectors.latest_done_document(agreement), agreement)


@login_required
@require_GET
def my_agreement_signed(request, pk: int):
    agreement = _own_agreement(request, pk)
    return _scan_response(request, agreement)


# --- Template versions (central coordinators)


@login_required
@require_GET
def template_list(request):
    _require_central(request)
    return render(
        request, "agreements/templates/list.html", {"groups": selectors.templates_overview(request.user)}
    )


@login_required
@require_GET
def template_detail(request, pk: int):
    _require_central(request)
    template = selectors.template_for(request.user, pk)
    return render(
        request,
        "agreements/templates/detail.html",
        {
            "template": template,
            "is_current": selectors.template_is_current(template),
            "paragraphs": [p for p in template.body.split("\n\n") if p.strip()],
        },
    )


def _placeholders(words: terms.AgreementTerms) -> dict:
    """The placeholders with their meaning, the agreement's number in the reader's word."""
    return {**PLACEHOLDERS, "number": words.gettext("agreement number")}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def template_new(request):
    """A new version of an institution's (or one role's) agreement text. Older versions stay
    as they are, and so do the agreements made from them."""
    _require_central(request)
    institutions = selectors.template_institutions(request.user)
    form_kwargs = {"institutions": institutions, "roles": selectors.template_roles(institutions)}
    preview = None
    status = 200
    if request.method == "POST":
        form = TemplateVersionForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "preview":
                try:
                    preview = selectors.template_preview(body=data["body"], institution=data["institution"])
                except TemplateSyntaxError as error:  # compiled in the form; rendering may still fail
                    form.add_error("body", str(error))
            else:
                try:
                    template = services.template_new_version(
                        actor=request.user,
                        institution=data["institution"],
                        role=data["role"],
                        title=data["title"],
                        body=data["body"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error, default_field="role")
                else:
                    messages.success(
                        request,
                        terms.for_institution(template.institution).gettext(
                            "Version %(version)d of “%(title)s” is now used for new agreements."
                        )
                        % {"version": template.version, "title": template.title},
                    )
                    return redirect("agreements:template_detail", pk=template.pk)
        if not form.is_valid() or form.errors:
            status = 400
    else:
        base = None
        source = request.GET.get("from", "")
        if source.isdigit():
            base = selectors.template_for(request.user, int(source))
        elif institutions:
            base = services.template_current(institution=institutions.first(), role=None)
        initial = (
            {"institution": base.institution, "role": base.role, "title": base.title, "body": base.body}
            if base
            else {}
        )
        form = TemplateVersionForm(initial=initial, **form_kwargs)
    return render(
        request,
        "agreements/templates/new.html",
        {"form": form, "placeholders": _placeholders(terms.for_user(request.user)), "preview": preview},
        status=status,
    )

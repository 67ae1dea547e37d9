"""Isolation cases of the volunteers app's pipeline views (see registry.py for roles and shapes).

The object of every case is Olaine's application (w.olaine_application). Reads need VIEW on
its unit (the ministry may read), writes need COORDINATE (the ministry gets 404)."""

from django.core.files.base import ContentFile

from .registry import LOGIN, UNIT_READ, Case

# Anyone with a role in some unit has an inbox (each sees only their own units' rows).
STAFF_LIST = {
    "anonymous": LOGIN,
    "olaine": 200,
    "jelgava": 200,
    "vpd": 200,
    "ievp_central": 200,
    "vpd_central": 200,
    "ministry": 200,
    "superuser": 200,
    "applicant": 404,
    "stranger": 404,
}

# A change to Olaine's application: its coordinators, IeVP's centre, a superuser.
UNIT_WRITE = {
    "anonymous": LOGIN,
    "olaine": 302,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 302,
    "vpd_central": 404,
    "ministry": 404,
    "superuser": 302,
    "applicant": 404,
    "stranger": 404,
}

# A form page of Olaine's coordinators (read-only people have no forms).
UNIT_FORM = {**UNIT_WRITE, "olaine": 200, "ievp_central": 200, "superuser": 200}

APPLICANT_PHONE = "+371 29999111"
CV_SECRET = "olaine-cv-secret-bytes"


def _application(w) -> dict:
    return {"pk": w.olaine_application.pk}


def _application_with_cv(w) -> dict:
    w.olaine_application.cv.save(
        f"{w.olaine_application.reference}.pdf",
        ContentFile(b"%PDF-1.4\n% " + CV_SECRET.encode() + b"\n%%EOF\n"),
        save=True,
    )
    return _application(w)


def _application_with_vetting(w) -> dict:
    from datetime import date

    from volunteers.models import VettingRecord

    VettingRecord.objects.create(
        application=w.olaine_application,
        requested_on=date(2026, 3, 2),
        result_on=date(2026, 3, 20),
        result=VettingRecord.Result.CLEARED,
        checked_by=w.olaine_coordinator,
    )
    return _application(w)


def _bulk_email(w) -> dict:
    from volunteers.models import BulkEmail, BulkEmailRecipient

    bulk_email = BulkEmail.objects.create(
        unit=w.olaine,
        author=w.olaine_coordinator,
        subject="Tikšanās 12. maijā",
        body="Aicinām uz tikšanos.",
        statuses=["submitted"],
    )
    BulkEmailRecipient.objects.create(
        bulk_email=bulk_email, application=w.olaine_application, email=w.applicant.email
    )
    return {"unit_slug": w.olaine.slug, "pk": bulk_email.pk}


CASES: dict[str, Case] = {
    "volunteers:inbox": Case(expect=STAFF_LIST, secret=lambda w: w.applicant.email),
    "volunteers:inbox_export": Case(
        expect=STAFF_LIST,
        data=lambda w: {"format": "csv"},
        secret=lambda w: APPLICANT_PHONE,
        notes="every staff member may export their own rows; Olaine's rows only reach its readers",
    ),
    "volunteers:application_detail": Case(
        expect=UNIT_READ, kwargs=_application, secret=lambda w: APPLICANT_PHONE
    ),
    "volunteers:application_transition": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_application,
        data=lambda w: {"transition-to": "screening", "transition-notify": "on"},
        secret=lambda w: APPLICANT_PHONE,
    ),
    "volunteers:application_note": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_application,
        data=lambda w: {"note-notes": "Pārliecinoša motivācija."},
        secret=lambda w: APPLICANT_PHONE,
    ),
    "volunteers:application_vetting": Case(
        expect=UNIT_FORM,
        kwargs=_application_with_vetting,
        secret=lambda w: w.olaine_application.reference,
        entitled={"olaine", "ievp_central", "superuser"},
        notes="the record-check form is for the unit's coordinators; the ministry does not see results",
    ),
    "volunteers:application_reassign": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_application,
        data=lambda w: {"reassign-unit": w.jelgava.pk, "reassign-reason": "Tuvāk dzīvesvietai."},
        secret=lambda w: APPLICANT_PHONE,
    ),
    "volunteers:application_cv": Case(
        expect=UNIT_READ, kwargs=_application_with_cv, secret=lambda w: CV_SECRET
    ),
    "volunteers:bulk_email": Case(
        expect=UNIT_FORM,
        kwargs=lambda w: {"unit_slug": w.olaine.slug},
        secret=lambda w: w.olaine.name,
        entitled={"olaine", "ievp_central", "superuser"},
    ),
    "volunteers:bulk_email_log": Case(
        expect=UNIT_READ, kwargs=_bulk_email, secret=lambda w: w.applicant.email
    ),
}


EXTRA: dict[str, tuple[str, Case]] = {
    "volunteers:application_vetting POST": (
        "volunteers:application_vetting",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_application,
            data=lambda w: {"requested_on": "2026-03-02", "result": "pending"},
            secret=lambda w: w.olaine_application.reference,
            entitled={"olaine", "ievp_central", "superuser"},
        ),
    ),
    # A preview (no "send"): the count of the unit's recipients, for its coordinators only.
    "volunteers:bulk_email POST": (
        "volunteers:bulk_email",
        Case(
            method="post",
            expect=UNIT_FORM,
            kwargs=lambda w: {"unit_slug": w.olaine.slug},
            data=lambda w: {"statuses": ["submitted"], "subject": "Tikšanās", "body": "Aicinām."},
            secret=lambda w: w.olaine.name,
            entitled={"olaine", "ievp_central", "superuser"},
        ),
    ),
}

"""Isolation cases of the shared documents app, on Olaine's generated agreement (see
cases_agreements): version 1 rendered (the secret bytes), version 2 failed.

The progress fragment and the download follow the kind's rules: the unit's staff (the
ministry included) and the volunteer whose agreement it is; retry needs COORDINATE. The
verification page is public, and shows no personal data beyond the holder's initials: the
applicant's full name never appears there, for anybody."""

from agreements.models import Agreement

from .cases_agreements import PDF_SECRET, SHA_SECRET, UNIT_WRITE, _generated
from .registry import PUBLIC_GET, SEES_OLAINE, UNIT_READ, Case

HOLDER_READ = {**UNIT_READ, "applicant": 200}
HOLDER_ENTITLED = SEES_OLAINE | {"applicant"}


def _version(number: int):
    def kwargs(w) -> dict:
        agreement: Agreement = _generated(w)
        return {"pk": agreement.documents.get(version=number).pk}

    return kwargs


def _code(w) -> dict:
    return {"code": _generated(w).documents.get(version=1).verification_code}


CASES = {
    "documents:fragment": Case(
        expect=HOLDER_READ, kwargs=_version(1), secret=lambda w: SHA_SECRET, entitled=HOLDER_ENTITLED
    ),
    "documents:download": Case(
        expect=HOLDER_READ, kwargs=_version(1), secret=lambda w: PDF_SECRET, entitled=HOLDER_ENTITLED
    ),
    "documents:retry": Case(
        method="post", expect=UNIT_WRITE, kwargs=_version(2), secret=lambda w: "fonts missing"
    ),
    "documents:verify": Case(
        expect=PUBLIC_GET,
        kwargs=_code,
        secret=lambda w: w.applicant.get_full_name(),
        entitled={"applicant"},  # signed in, the applicant sees their own name in the menu
        notes="public by design: says what the document is, not whose beyond the initials",
    ),
    "documents:verify_form": Case(expect=PUBLIC_GET),
}

"""The volunteers app's list exports (see ``documents.exports``): the coordinators' inbox."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.exports import ExportKind, register

from . import outreach


def _inbox_url(params) -> str:
    query = params.urlencode()
    return reverse("volunteers:inbox") + (f"?{query}" if query else "")


register(
    ExportKind(
        key=outreach.EXPORT_KIND,
        label=_("Applications"),
        prepare=lambda user, params: outreach.applications_export_prepare(actor=user, params=params),
        page_url=_inbox_url,
    )
)

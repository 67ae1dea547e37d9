"""Isolation cases of background list exports (documents.exports): an export of Olaine's
inbox made for Olaine's coordinator, done, its file holding the secret bytes.

An export file holds what its owner was allowed to see when it was made, so it is the
owner's alone: the status page and the download answer 404 to everybody else — the
institution's centre, the ministry and superusers included."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import ExportFile

from .registry import LOGIN, ROLES, Case

EXPORT_SECRET = "Eksporta-noslēpums-7Q"  # in the file
FILTER_SECRET = "Meklējums-Olainē-3K"  # in the stored filters (the status page's way back)
OWNER_ONLY = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "olaine": 200}


def _export(w) -> dict:
    export = ExportFile.objects.filter(owner=w.olaine_coordinator, kind="applications").first()
    if export is None:
        now = timezone.now()
        export = ExportFile(
            owner=w.olaine_coordinator,
            kind="applications",
            params={"q": [FILTER_SECRET]},
            format="csv",
            state=ExportFile.State.DONE,
            rows_total=1,
            rows_done=1,
            filename="tilts-applications.csv",
            finished_at=now,
            expires_at=now + timedelta(hours=24),
        )
        content = f"\ufeffReference\r\n{EXPORT_SECRET}\r\n".encode()
        export.size = len(content)
        export.file.save("tilts-applications.csv", ContentFile(content), save=False)
        export.save()
    return {"pk": export.pk}


CASES = {
    "documents:export": Case(
        expect=OWNER_ONLY, kwargs=_export, secret=lambda w: FILTER_SECRET, entitled={"olaine"}
    ),
    "documents:export_download": Case(
        expect=OWNER_ONLY, kwargs=_export, secret=lambda w: EXPORT_SECRET, entitled={"olaine"}
    ),
}

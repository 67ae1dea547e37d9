"""Private files (CVs, signed scans, PDFs): outside MEDIA_ROOT and MEDIA_URL, with no URL
at all — no URL pattern serves PRIVATE_MEDIA_ROOT, and a file is read only through an
authorised view that logs the download (``documents.views.file_response``)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """The location is read from settings when first used, so that migrations do not record
    one machine's path. There is no base URL: ``url()`` raises rather than build a public
    address (``FieldFile.url`` too), so a template or admin widget cannot leak a link."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no URL: serve it through an authorised, logged view.")


private_storage = PrivateStorage()

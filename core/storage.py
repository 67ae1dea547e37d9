"""Private files (CVs, signed scans, PDFs): outside MEDIA_URL, served only through an
authorised, logged view."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """The location is read from settings when first used, so that migrations do not record
    one machine's path."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)


private_storage = PrivateStorage()

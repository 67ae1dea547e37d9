"""What an uploaded file really is, by its first bytes — never by its name or the browser's
word for it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def file_kind(
    upload: UploadedFile, *, max_bytes: int, kinds: tuple[str, ...] = ("pdf", "jpg", "png")
) -> str | None:
    """``pdf``, ``jpg`` or ``png`` by the file's content (None for anything else, so that the
    caller words its own message); a ValidationError when the file is larger than ``max_bytes``."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.")
            % {"name": upload.name[:80], "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature) and kind in kinds:
            return kind
    return None

"""Complaint attachments: at most three JPEG, PNG or PDF files of 5 MB, recognised by their first bytes.

The file name and the browser's content type are not trusted; the stored name is the SHA-256 of the
content, so the same photo sent twice is kept once.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .models import Complaint, ComplaintAttachment, complaint_file_path

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
# Room for three full files plus the form fields; larger requests are refused before the body is read.
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 256 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff_type(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def check_upload(upload: UploadedFile) -> str:
    """The content type of an acceptable attachment; ValidationError naming the file and the fix otherwise."""
    name = upload.name or _("attachment")
    size = upload.size or 0
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            _(
                "“%(name)s” is %(size).1f MB; each attachment may be at most 5 MB. Send a smaller photo or scan."
            )
            % {"name": name, "size": size / 1024 / 1024},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty; choose the file again.") % {"name": name}, code="empty")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a JPEG, PNG or PDF file; only photos (JPEG, PNG) and PDF documents are accepted."
            )
            % {"name": name},
            code="bad_type",
        )
    return content_type


def store_upload(*, complaint: Complaint, upload: UploadedFile) -> ComplaintAttachment:
    """Hash chunk by chunk and store the content once under its SHA-256."""
    content_type = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = ComplaintAttachment(
        complaint=complaint,
        original_name=(upload.name or "attachment")[-255:],
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    path = complaint_file_path(attachment, attachment.original_name)
    if default_storage.exists(path):
        attachment.file.name = path
    else:
        attachment.file.save(attachment.original_name, upload, save=False)
    attachment.save()
    return attachment

"""Which evidence files a PLAR request accepts, checked by name, size and
content (the first bytes, read by the ``filetype`` library), so a renamed
executable is not taken for a PDF.
"""

from __future__ import annotations

import os
import secrets

import filetype
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

MB = 1024 * 1024
MAX_FILE_MB = 20

# Extension → the content types its first bytes may show. Office documents
# are ZIP containers; plain text has no signature and must decode as UTF-8.
ACCEPTED: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".png": frozenset({"image/png"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".docx": frozenset(
        {
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    ),
    ".xlsx": frozenset(
        {
            "application/zip",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    ),
    ".pptx": frozenset(
        {
            "application/zip",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        }
    ),
    ".odt": frozenset({"application/zip", "application/vnd.oasis.opendocument.text"}),
    ".txt": frozenset(),
}


def accepted_extensions() -> list[str]:
    return sorted(ACCEPTED)


def content_problem(extension: str, head: bytes) -> str | None:
    """Whether the file's first bytes match what its extension claims (pure)."""
    if extension == ".txt":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine.
            if error.start < len(head) - 3:
                return _("This .txt file is not plain text (UTF-8).")
        if b"\x00" in head:
            return _("This .txt file is not plain text (UTF-8).")
        return None
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED[extension]:
        return _(
            "The content of this file is not a %(type)s file; upload the document "
            "itself, not a renamed file."
        ) % {"type": extension}
    return None


def problem(upload: UploadedFile) -> str | None:
    """Why this upload cannot be evidence (None: it can)."""
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in ACCEPTED:
        return _(
            "Files of type “%(type)s” are not accepted as evidence; upload one of: "
            "%(types)s."
        ) % {"type": extension or "?", "types": ", ".join(accepted_extensions())}
    if not upload.size:
        return _("The file is empty.")
    if upload.size > MAX_FILE_MB * MB:
        return _("The file is too large: the limit is %(limit)s MB.") % {
            "limit": MAX_FILE_MB
        }
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return content_problem(extension, head)


def stored_name(original: str) -> str:
    """A safe stored name that cannot collide or be guessed from the original.

    The original's base, cleaned (never a hidden file, never empty), a random
    suffix, and its extension, lowercased, when it is an accepted one.
    """
    base, extension = os.path.splitext(os.path.basename(original or ""))
    extension = extension.lower() if extension.lower() in ACCEPTED else ""
    try:
        safe = get_valid_filename(base)
    except SuspiciousFileOperation:
        safe = ""
    safe = safe.lstrip(".")[:80] or "evidence"
    return f"{safe}-{secrets.token_hex(6)}{extension}"

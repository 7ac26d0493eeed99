"""Private files served by a view that has checked who may have them, with
byte ranges: a large download that broke off (a job's ZIP of thousands of
certificates) resumes where it stopped instead of starting again.

One range per request (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``), which is
what browsers and download tools ask for when they resume; ``If-Range`` with
the file's ETag makes sure a resumed download is of the same file. Anything
else is answered with the whole file, as HTTP allows. Django's
``FileResponse`` streams the file in blocks and never reads it whole.
"""

from __future__ import annotations

import re

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _etag(file: FieldFile, size: int) -> str:
    storage: Storage = file.storage
    try:
        modified = storage.get_modified_time(file.name).timestamp()
    except (NotImplementedError, OSError):
        modified = 0
    return f'"{size:x}-{int(modified * 1000):x}"'


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte a ``Range`` header asks for, or None when it
    asks for something we answer with the whole file; ValueError when the
    range cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError("range outside the file")
    return start, end


class _Slice:
    """A file object that reads only ``length`` bytes from ``start``."""

    def __init__(self, handle, start: int, length: int) -> None:
        handle.seek(start)
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def private_file(
    request: HttpRequest, file: FieldFile, *, filename: str, content_type: str
) -> HttpResponse:
    """The file as an attachment, never cached by anyone else, ranges allowed.

    A file the storage no longer holds is a 404 (Http404, which DRF answers
    as JSON), not a 500.
    """
    try:
        size = file.size
    except FileNotFoundError:
        raise Http404(_("This file is no longer available.")) from None
    etag = _etag(file, size)
    wanted = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    part = None
    if wanted and (if_range is None or if_range == etag):
        try:
            part = byte_range(wanted, size)
        except ValueError:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is no longer available.")) from None
    if part is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = part
        response = FileResponse(
            _Slice(handle, start, end - start + 1),
            status=206,
            content_type=content_type,
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    return response

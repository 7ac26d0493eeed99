"""The registrar's upload form. It checks shapes only (a file was chosen and is
not empty, the notify choice); the size limit and every rule of the file and
its rows are the service's and the dry run's to apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from . import services, tables

# What the file chooser offers first; any file may still be chosen, and the
# dry run names what it is when it is not a table.
ACCEPT = ",".join(
    (
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        error_messages={
            "required": _("Choose a CSV or XLSX file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received; choose the file again."),
            "missing": _("No file was received; choose the file again."),
        },
    )
    notify_recipients = forms.BooleanField(
        label=_("E-mail the recipients"),
        required=False,
        initial=True,
        help_text=_(
            "When the credentials are issued, each recipient gets an e-mail. "
            "Recipients without an account get an invitation to create one and "
            "claim their credential. Untick to issue silently, for example for "
            "historical records."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV file (UTF-8; commas or semicolons) or an Excel workbook "
            "(.xlsx), up to %(size)s MB and %(rows)s rows. Its first line names "
            "the columns described below."
        ) % {
            "size": services.MAX_UPLOAD_MB,
            "rows": number_format(tables.MAX_ROWS, force_grouping=True),
        }


class CohortForm(forms.Form):
    offering = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose an offering."),
            "invalid": _("Choose an offering."),
        },
    )
    notify_recipients = forms.BooleanField(
        label=_("E-mail the recipients"), required=False, initial=True
    )

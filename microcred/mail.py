"""E-mail backend of the embedded default: the console and one file a message.

Both start each message with a readable copy (headers, the plain text decoded,
attachment names), so a link can be copied straight out of the console or out
of ``var/mail/``; the raw MIME message follows.
"""

from email import policy
from email.parser import BytesParser

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


def readable_copy(message) -> str:
    parsed = BytesParser(policy=policy.default).parsebytes(message.message().as_bytes())
    lines = [f"{name}: {parsed[name]}" for name in ("Subject", "From", "To", "Date")]
    body = parsed.get_body(preferencelist=("plain",))
    lines += ["", body.get_content() if body else "(no plain-text part)"]
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    if attachments:
        lines.append("Attachments: " + ", ".join(filter(None, attachments)))
    return "\n".join(lines) + "\n" + "=" * 79 + " raw message follows\n"


class _ReadableFileBackend(FileBackend):
    def write_message(self, message):
        self.stream.write(readable_copy(message).encode("utf-8"))
        super().write_message(message)


class ConsoleAndFileEmailBackend(ConsoleBackend):
    def __init__(self, *args, file_path: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._files = _ReadableFileBackend(*args, file_path=file_path, **kwargs)

    def write_message(self, message):
        self.stream.write(readable_copy(message))
        super().write_message(message)

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        self._files.send_messages(email_messages)
        return sent

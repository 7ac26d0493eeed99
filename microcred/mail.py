"""E-mail backend of the embedded default: the console and one file a message."""

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(ConsoleBackend):
    def __init__(self, *args, file_path: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._files = FileBackend(*args, file_path=file_path, **kwargs)

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        self._files.send_messages(email_messages)
        return sent

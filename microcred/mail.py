"""E-mail backend of the embedded default: the console and one file a message."""

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(ConsoleBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._files = FileBackend(file_path=str(settings.EMAIL_FILE_PATH))

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        self._files.send_messages(email_messages)
        return sent

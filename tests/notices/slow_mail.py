"""The e-mail backend of the Celery worker that ``test_exactly_once`` starts.

Each message is written to a file of its own in ``file_path`` (named
``<uuid>.eml``, renamed into place once complete, so the test never reads half
a message), and the test counts what the worker sent by reading that folder.

``delay`` seconds pass before each message is written, so two worker
processes delivering at once really interleave. With ``block_at`` = N, the
N-th message a worker process sends is never written: the process leaves a
``<pid>.blocked`` file in ``file_path`` and waits there, before writing, for
the test to kill it. The test so kills the worker at a known point (messages
1 to N-1 written and marked sent, message N neither), never in the few
microseconds between writing a message and marking its notice sent.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

BLOCK_SECONDS = 120  # far longer than a test waits: the test kills the worker

_sent_in_this_process = 0


class OneFilePerMessageBackend(BaseEmailBackend):
    def __init__(
        self, *args, file_path: str, delay: float = 0.0, block_at: int = 0, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.delay = float(delay)
        self.block_at = int(block_at)

    def send_messages(self, email_messages) -> int:
        global _sent_in_this_process
        sent = 0
        for message in email_messages:
            _sent_in_this_process += 1
            if self.block_at and _sent_in_this_process == self.block_at:
                (self.folder / f"{os.getpid()}.blocked").touch()
                time.sleep(BLOCK_SECONDS)
            if self.delay:
                time.sleep(self.delay)
            name = uuid.uuid4().hex
            partial = self.folder / f"{name}.partial"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(self.folder / f"{name}.eml")
            sent += 1
        return sent

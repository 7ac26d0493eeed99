"""The embedded default's mail backend: a readable copy a newcomer can use."""

import io

from django.core.mail import EmailMultiAlternatives

from microcred.mail import ConsoleAndFileEmailBackend

LINK = "http://127.0.0.1:8000/accounts/confirm-email/" + "x" * 90 + "/"


def test_messages_go_to_the_console_and_a_file_with_unbroken_links(tmp_path):
    message = EmailMultiAlternatives(
        subject="Please confirm", body=f"Go to {LINK} now.", to=["a@example.org"]
    )
    message.attach(
        "dates.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"
    )
    console = io.StringIO()
    backend = ConsoleAndFileEmailBackend(stream=console, file_path=str(tmp_path))
    assert backend.send_messages([message]) == 1
    [saved] = list(tmp_path.iterdir())
    for text in (console.getvalue(), saved.read_text()):
        assert LINK in text
        assert "Subject: Please confirm" in text
        assert "Attachments: dates.ics" in text

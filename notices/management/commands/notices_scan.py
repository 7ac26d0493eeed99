"""Run the reminder scan (and send what it found) without a beat process:
the embedded default of ``make run`` has no worker or beat."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notices import services


class Command(BaseCommand):
    help = (
        "Find every reminder and notice due now, record each once and send it "
        "(what Celery beat runs every 10 minutes). Safe to run at any time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-send",
            action="store_true",
            help="Only record what is due; do not send.",
        )
        parser.add_argument(
            "--digests", action="store_true", help="Also send the daily digests due."
        )
        parser.add_argument(
            "--at",
            metavar="YYYY-MM-DD[THH:MM]",
            help=(
                "Pretend it is this moment (in the institution's time zone), to "
                "try the reminders in the demo: e.g. --at 2026-12-05. What it "
                "records and sends is real."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["at"]:
            try:
                moment = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    f"--at {options['at']!r}: give a date like 2026-12-05 or "
                    "2026-12-05T09:30."
                ) from None
            if moment.tzinfo is None:
                moment = timezone.make_aware(moment)
            now = moment
        found = services.notices_scan(now=now)
        self.stdout.write(
            f"Scan: {found.found} due, {found.created} new "
            + (
                "("
                + ", ".join(f"{n} {k}" for k, n in sorted(found.by_kind.items()))
                + ")"
                if found.by_kind
                else ""
            )
        )
        if not options["no_send"]:
            sent = services.notices_deliver_all(now=now)
            self.stdout.write(
                f"Delivery: {sent.sent} sent, {sent.digest} kept for a digest, "
                f"{sent.skipped} not e-mailed (turned off), {sent.cancelled} "
                f"cancelled, {sent.retried} to retry, {sent.failed} failed"
            )
        if options["digests"]:
            self.stdout.write(f"Digests: {services.digests_send(now=now)} sent")

"""``manage.py credentials_keys ensure|rotate|list``: the issuer's signing keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from credentials import identity, services
from credentials.keystore import KeyStore, KeyStoreError
from credentials.models import SigningKey


class Command(BaseCommand):
    help = (
        "Manage the issuer's Ed25519 signing keys. 'ensure' creates the first key "
        "if there is none (make run does it); 'rotate' retires the active key "
        "(it stays published, so old credentials keep verifying) and creates a "
        "new one; 'list' shows every key and whether its private half is here."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["ensure", "rotate", "list"])

    def handle(self, *args, action: str, **options):
        try:
            if action == "ensure":
                created = not SigningKey.objects.filter(status="active").exists()
                key = services.signing_key_ensure()
                verb = "Created" if created else "Active"
                self.stdout.write(f"{verb} signing key {key.key_id}")
            elif action == "rotate":
                key = services.signing_key_rotate()
                self.stdout.write(f"Rotated: {key.key_id} now signs new credentials")
            else:
                self._list()
        except KeyStoreError as error:
            raise CommandError(str(error)) from error

    def _list(self) -> None:
        store = KeyStore()
        for key in SigningKey.objects.order_by("created_at"):
            here = "private key here" if store.exists(key.key_id) else "no private key"
            method = identity.signer_identity(key).verification_method["id"]
            self.stdout.write(f"  {key.key_id:20} {key.status:8} {here:16} {method}")

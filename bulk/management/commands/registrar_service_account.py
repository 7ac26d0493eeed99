"""``manage.py registrar_service_account <email> [--name NAME] [--rotate]``:
an account for a student-information system to call the bulk jobs' API.

Makes the account (or finds it): no usable password, so it never signs in on
the web; staff, in the Registrar group. Prints its API token alone on standard
output (for a script to capture), making one if it has none; ``--rotate``
replaces the token, and the old one stops working at once. Safe to run again:
a second run changes nothing and prints the same token. A person's account
(one with a password) is refused: service accounts are separate, so that
rotating or removing one never locks a person out. Each change is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from microcred.audit import audit_record
from microcred.roles import Role, ensure_role_groups


class Command(BaseCommand):
    help = (
        "Create (or find) a registrar service account for the bulk jobs' API "
        "and print its API token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address (its id).")
        parser.add_argument(
            "--name", default="", help="Its name, e.g. the system's: 'Banner SIS'."
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace its token (the old one stops working).",
        )

    def handle(self, *args: Any, email: str, name: str, rotate: bool, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.") from None
        token, changes = service_account_token(email=email, name=name, rotate=rotate)
        for change in changes:
            self.stderr.write(change)
        self.stdout.write(token)


@transaction.atomic
def service_account_token(
    *, email: str, name: str = "", rotate: bool = False
) -> tuple[str, list[str]]:
    """The account's token, and what was changed to get it."""
    user_model = get_user_model()
    user = user_model.objects.select_for_update().filter(email=email).first()
    changes: list[str] = []
    if user is None:
        user = user_model(email=email, is_active=True)
        user.set_unusable_password()
        changes.append(f"Created the service account {email}.")
    elif user.has_usable_password():
        raise CommandError(
            f"{email} is a person's account (it has a password); a service "
            "account needs an address of its own."
        )
    if not user.is_staff:
        user.is_staff = True
        if user.pk:
            changes.append(f"{email} is now staff.")
    if name and user.display_name != name:
        user.display_name = name
        if user.pk:
            changes.append(f"{email} is now named “{name}”.")
    user.save()
    group = Group.objects.filter(name=Role.REGISTRAR.value).first()
    if group is None:
        ensure_role_groups()
        group = Group.objects.get(name=Role.REGISTRAR.value)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changes.append(f"{email} is in the {group.name} group.")
    token = Token.objects.filter(user=user).first()
    if token is not None and rotate:
        token.delete()
        token = Token.objects.create(user=user)
        changes.append(f"Replaced the API token of {email}; the old one is void.")
    elif token is None:
        token = Token.objects.create(user=user)
        changes.append(f"Made an API token for {email}.")
    if changes:
        audit_record(
            actor=None,
            action="bulk.service_account",
            target=user,
            details={"changes": changes, "rotated": rotate},
        )
    return token.key, changes

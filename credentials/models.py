"""Credentials: the issuer, its keys, achievements, issued credentials, status lists.

A credential is issued once per learner, achievement and validity period (a
unique constraint backs the issuance service). What is signed is kept as it was
signed (``document``); corrections and renewals make a new credential and keep
the old one (superseded, or expired and in history). Private signing keys never
live here: ``SigningKey`` holds the public half, ``credentials/keystore.py``
finds the private half in a file or an environment variable.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STATUS_LIST_SIZE = 131_072  # the W3C minimum, 16 KiB: herd privacy for each entry


class IssuerProfile(models.Model):
    """The institution as an Open Badges issuer: one row, edited by admins."""

    name = models.CharField(max_length=200)
    url = models.URLField(help_text=_("The institution's public web site."))
    email = models.EmailField()
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="issuer/", blank=True)
    signatory_name = models.CharField(
        max_length=200, blank=True, help_text=_("Printed on certificates.")
    )
    signatory_title = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("issuer profile")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="one_issuer_profile"),
        ]

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """The public half of an Ed25519 issuer key; retired keys stay published."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active (signs new credentials)")
        RETIRED = "retired", _("Retired (still verifies old credentials)")

    key_id = models.CharField(
        max_length=63,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]{0,62}$")],
    )
    public_key_multibase = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="one_active_signing_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.get_status_display()})"


class AchievementType(models.TextChoices):
    MICROCREDENTIAL = "MicroCredential", _("Microcredential")
    CERTIFICATE = "Certificate", _("Certificate (pathway)")


class Achievement(models.Model):
    """What a credential says was achieved: one per microcredential or pathway."""

    microcredential = models.OneToOneField(
        "courses.Microcredential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="achievement",
    )
    pathway = models.OneToOneField(
        "courses.Pathway",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="achievement",
    )
    achievement_type = models.CharField(max_length=32, choices=AchievementType)
    name = models.CharField(max_length=200)
    description = models.TextField()
    criteria_narrative = models.TextField(
        help_text=_("Markdown. Built from the learning outcomes; edit to refine.")
    )
    image = models.ImageField(
        upload_to="badges/",
        blank=True,
        help_text=_("PNG. Leave empty to use the generated badge."),
    )
    language = models.CharField(max_length=8, default="en")
    tags = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    valid_for_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the credential does not expire."),
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        default=90,
        help_text=_(
            "How many days before expiry the learner may renew by passing the "
            "summative again."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(microcredential__isnull=False, pathway__isnull=True)
                    | Q(microcredential__isnull=True, pathway__isnull=False)
                ),
                name="achievement_of_course_or_pathway",
                violation_error_message=_(
                    "An achievement belongs to one microcredential or one pathway."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Alignment(models.Model):
    """An alignment of an achievement to an occupational framework."""

    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="alignments"
    )
    target_name = models.CharField(max_length=200)
    target_url = models.URLField()
    target_code = models.CharField(max_length=64, blank=True)
    target_framework = models.CharField(
        max_length=200, blank=True, help_text=_("e.g. O*NET, ESCO, NOC 2021")
    )

    class Meta:
        ordering = ["achievement", "target_framework", "target_code"]

    def __str__(self) -> str:
        return self.target_name


class StatusList(models.Model):
    """A Bitstring Status List (revocation); one bit per credential."""

    purpose = models.CharField(max_length=16, default="revocation")
    issuer_id = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "The issuer identity (did) that signs this list; verifiers require "
            "it to be the issuer of the credentials listed in it."
        ),
    )
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField(help_text=_("The raw bitstring, bit 0 left-most."))
    next_index = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    document = models.JSONField(
        null=True, blank=True, help_text=_("The signed status list credential.")
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Status list {self.pk} ({self.next_index}/{self.size} used)"


class Route(models.TextChoices):
    COURSE = "course", _("Course")
    PLAR = "plar", _("Prior learning (PLAR)")
    RECOGNISED = "recognised", _("Recognised elsewhere")


class Credential(models.Model):
    """One issued credential: the signed Open Badges 3.0 document and its state."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a corrected credential")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials"
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="credentials"
    )
    enrolment = models.ForeignKey(
        "courses.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    route = models.CharField(max_length=12, choices=Route, default=Route.COURSE)
    period = models.PositiveSmallIntegerField(
        default=1, help_text=_("1 for the first award, 2 after a renewal, …")
    )
    recipient_name = models.CharField(max_length=200)
    verification_code = models.CharField(max_length=16, unique=True)
    awarded_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text=_("Score and outcomes met, as assessed.")
    )
    status = models.CharField(
        max_length=12, choices=Status, default=Status.ACTIVE, db_index=True
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    show_name = models.BooleanField(
        default=False,
        help_text=_("Show the learner's name on the public verification page."),
    )
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="credentials"
    )
    status_index = models.PositiveIntegerField()
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="credentials"
    )
    document = models.JSONField(help_text=_("The signed OpenBadgeCredential."))
    pdf = models.FileField(upload_to="certificates/", blank=True)
    pdf_letter = models.FileField(upload_to="certificates/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "achievement", "period"],
                condition=~Q(status="superseded"),
                name="one_credential_per_learner_achievement_period",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"],
                name="one_credential_per_status_entry",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="credential_valid_until_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement} — {self.recipient_name}"


class NameCorrection(models.Model):
    """A learner asks for the name on a credential to be corrected."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a registrar")
        APPROVED = "approved", _("Approved: credential reissued")
        DECLINED = "declined", _("Declined")

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="name_corrections"
    )
    requested_name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential"],
                condition=Q(status="pending"),
                name="one_pending_name_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}: {self.requested_name}"

"""The audit log: one call records one staff action."""

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_entry(
    *,
    actor,
    action: str,
    target: models.Model,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry not saved yet: many of them go in with one ``bulk_create``."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        reason=reason,
        details=details or {},
    )


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = audit_entry(
        actor=actor, action=action, target=target, reason=reason, details=details
    )
    entry.save()
    return entry

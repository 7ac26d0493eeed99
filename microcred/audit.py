"""The audit log: one call records one staff action."""

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        reason=reason,
        details=details or {},
    )

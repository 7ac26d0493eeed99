"""Infrastructure only: keep the cached catalog fragments fresh."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import caching
from .models import (
    ContentItem,
    LearningOutcome,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    Testimonial,
)

CATALOG_MODELS = (
    Microcredential,
    LearningOutcome,
    Module,
    ContentItem,
    Offering,
    Pathway,
    PathwayMembership,
    Testimonial,
)


def _changed(**kwargs) -> None:
    caching.catalog_changed()


def connect() -> None:
    for model in CATALOG_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-d-{model}")
    m2m_changed.connect(
        _changed,
        sender=Microcredential.instructors.through,
        dispatch_uid="catalog-instructors",
    )

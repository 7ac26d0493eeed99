"""Staff roles. Each role is a Django group created by a data migration."""

from enum import StrEnum

from django.apps import apps as global_apps


class Role(StrEnum):
    INSTRUCTOR = "Instructor"
    REGISTRAR = "Registrar"
    ADMIN = "Administrator"


def user_has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return role.value in user.role_names


def is_instructor(user) -> bool:
    return user_has_role(user, Role.INSTRUCTOR)


def is_registrar(user) -> bool:
    return user_has_role(user, Role.REGISTRAR)


def is_admin(user) -> bool:
    return user_has_role(user, Role.ADMIN)


STAFF_ROLE_NAMES = frozenset(role.value for role in Role)


def is_staff_member(user) -> bool:
    """May this person use the staff dashboard at all?"""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or user.role_names & STAFF_ROLE_NAMES)


# What each role may do in the staff dashboard: app label → model → actions.
ROLE_PERMISSIONS = {
    "Instructor": {
        "assessments": {
            "assessment": ["view", "add", "change", "delete"],
            "item": ["view", "add", "change", "delete"],
            "option": ["view", "add", "change", "delete"],
            "rubric": ["view", "add", "change", "delete"],
            "criterion": ["view", "add", "change", "delete"],
            "level": ["view", "add", "change", "delete"],
            "attempt": ["view"],
            "answer": ["view"],
            "gradingevent": ["view"],
        },
        "courses": {
            "microcredential": ["view", "change", "add"],
            "learningoutcome": ["view", "change", "add", "delete"],
            "module": ["view", "change", "add", "delete"],
            "contentitem": ["view", "change", "add", "delete"],
            "scenariochoice": ["view", "change", "add", "delete"],
            "testimonial": ["view", "change", "add", "delete"],
            "offering": ["view"],
            "enrolment": ["view"],
            "extension": ["view", "add"],
            "pathway": ["view"],
        },
        "plar": {
            "plarrequest": ["view"],
            "outcomestatement": ["view"],
            "evidence": ["view"],
            "requestevent": ["view"],
            "appeal": ["view"],
        },
    },
    "Registrar": {
        "assessments": {
            "assessment": ["view"],
            "item": ["view"],
            "option": ["view"],
            "rubric": ["view"],
            "criterion": ["view"],
            "level": ["view"],
            "attempt": ["view"],
            "answer": ["view"],
            "gradingevent": ["view"],
        },
        "courses": {
            "microcredential": ["view"],
            "offering": ["view", "change", "add", "delete"],
            "enrolment": ["view", "change"],
            "extension": ["view", "add"],
            "pathway": ["view", "change", "add", "delete"],
            "pathwaymembership": ["view", "change", "add", "delete"],
            "testimonial": ["view", "change"],
        },
        "plar": {
            "plarrequest": ["view"],
            "outcomestatement": ["view"],
            "evidence": ["view"],
            "requestevent": ["view"],
            "appeal": ["view"],
        },
        "microcred": {"auditentry": ["view"]},
        "notices": {"notice": ["view"], "noticepreference": ["view"]},
    },
    "Administrator": {
        "microcred": {"user": ["view", "change", "add"], "auditentry": ["view"]},
        "auth": {"group": ["view", "change"]},
        "notices": {"notice": ["view"], "noticepreference": ["view"]},
        # The reminder schedule (django-celery-beat's database scheduler): its
        # timing may change; no new periodic task (it could run any task).
        "django_celery_beat": {
            "periodictask": ["view", "change"],
            "intervalschedule": ["view", "add", "change"],
            "crontabschedule": ["view", "add", "change"],
        },
    },
}


def ensure_role_groups(apps=global_apps) -> None:
    """Create the role groups with their permissions; safe to run any time.

    Called by the data migration (with historical models) and after a test
    database flush; adding a permission here needs a migration that calls it.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if apps is not global_apps:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if apps is not global_apps:
            app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, per_app in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        for app_label, models in per_app.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                group.permissions.add(
                    *permission_model.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )

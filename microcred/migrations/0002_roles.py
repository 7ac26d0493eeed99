"""Create the staff roles as groups, with the model permissions each needs."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Instructor": {
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
    },
    "Registrar": {
        "courses": {
            "microcredential": ["view"],
            "offering": ["view", "change", "add", "delete"],
            "enrolment": ["view", "change"],
            "extension": ["view", "add"],
            "pathway": ["view", "change", "add", "delete"],
            "pathwaymembership": ["view", "change", "add", "delete"],
            "testimonial": ["view", "change"],
        },
        "microcred": {"auditentry": ["view"]},
    },
    "Administrator": {
        "microcred": {"user": ["view", "change", "add"], "auditentry": ["view"]},
        "auth": {"group": ["view", "change"]},
    },
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, per_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, models in per_app.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("microcred", "0001_initial"),
        ("courses", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

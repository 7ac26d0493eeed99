"""Create the staff roles as groups, with the model permissions each needs."""

from django.db import migrations

from microcred.roles import ROLE_PERMISSIONS, ensure_role_groups


def create_roles(apps, schema_editor):
    ensure_role_groups(apps)


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

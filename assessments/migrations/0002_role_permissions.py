"""Give the staff roles their permissions on assessments (see microcred.roles)."""

from django.db import migrations

from microcred.roles import ensure_role_groups


def grant_role_permissions(apps, schema_editor):
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("microcred", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)
    ]

"""Give the staff roles their (read-only) permissions on PLAR (see microcred.roles)."""

from django.db import migrations

from microcred.roles import ensure_role_groups


def grant_role_permissions(apps, schema_editor):
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("plar", "0001_initial"),
        ("microcred", "0002_roles"),
        ("assessments", "0004_answer_file_storage_setting"),
    ]

    operations = [
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)
    ]

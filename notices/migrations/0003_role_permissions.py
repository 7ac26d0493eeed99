"""Give the staff roles their permissions on notices and on the reminder
schedule (django-celery-beat's periodic tasks); see microcred.roles."""

from django.db import migrations

from microcred.roles import ensure_role_groups


def grant_role_permissions(apps, schema_editor):
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0002_beat_schedule"),
        ("microcred", "0002_roles"),
        ("plar", "0002_role_permissions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)
    ]

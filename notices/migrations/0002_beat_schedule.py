"""The reminder schedule, in django-celery-beat's tables so staff can see and
change it in the staff dashboard (Periodic tasks)."""

from django.db import migrations

SCHEDULE = (
    # name, task, every (minutes)
    ("Reminder scan", "notices.tasks.scan", 10),
    ("Daily digests", "notices.tasks.digests", 60),
)


def create_schedule(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in SCHEDULE:
        interval, _created = interval_model.objects.get_or_create(
            every=minutes, period="minutes"
        )
        task_model.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "enabled": True,
                "description": (
                    "Finds the reminders and notices due and sends each once."
                    if task.endswith("scan")
                    else "Sends the daily digest e-mails from 07:00 local time."
                ),
            },
        )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, _task, _minutes in SCHEDULE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

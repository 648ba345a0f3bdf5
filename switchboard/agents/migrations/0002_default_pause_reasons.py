"""The pause reasons every installation starts with (shown translated: see
``switchboard.agents.services.DEFAULT_PAUSE_REASONS``)."""

from django.db import migrations

DEFAULTS = ("Lunch", "Break", "Training", "Back office", "Meeting")


def create(apps, schema_editor):
    PauseReason = apps.get_model("agents", "PauseReason")
    for position, name in enumerate(DEFAULTS, 1):
        PauseReason.objects.get_or_create(name=name, defaults={"position": position * 10})


def remove(apps, schema_editor):
    apps.get_model("agents", "PauseReason").objects.filter(name__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

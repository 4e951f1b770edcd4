"""django-q2 schedules: the SLA sweep every ten minutes, the audit draw monthly."""

from django.db import migrations

SCHEDULES = {
    "warga: SLA sweep (warnings and escalations)": {
        "func": "officers.tasks.sla_sweep",
        "schedule_type": "I",
        "minutes": 10,
    },
    "warga: draw the monthly audit samples": {
        "func": "officers.tasks.audit_samples_draw",
        "schedule_type": "M",
    },
}


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, spec in SCHEDULES.items():
        Schedule.objects.get_or_create(name=name, defaults={**spec, "repeats": -1})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        name__in=list(SCHEDULES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("officers", "0002_sla_audit_ikm"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]

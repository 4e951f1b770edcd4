from django.db import migrations, models


def keep_names_shown_before(apps, schema_editor):
    """Reporters who had not ticked "hide my name" chose to be named: keep that."""
    Report = apps.get_model("complaints", "Report")
    for report in (
        Report.objects.filter(is_anonymous=False)
        .exclude(reporter_name="")
        .only("id", "reporter_name")
        .iterator(chunk_size=2000)
    ):
        Report.objects.filter(pk=report.pk).update(
            public_name=report.reporter_name[:60]
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_sla_audit_ikm")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="public_name",
            field=models.CharField(
                blank=True, max_length=60, verbose_name="name shown on the public site"
            ),
        ),
        migrations.RunPython(keep_names_shown_before, migrations.RunPython.noop),
        migrations.RemoveField(model_name="report", name="is_anonymous"),
    ]

from django.db import migrations, models

# Reports filed before this field existed show no reporter name: the old "hide my
# name" box was unticked by default, so an unticked box was not a choice to be named.


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
        migrations.RemoveField(model_name="report", name="is_anonymous"),
    ]

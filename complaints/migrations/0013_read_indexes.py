from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0012_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["category", "status", "created_at"],
                name="report_category_status_created",
            ),
        ),
    ]

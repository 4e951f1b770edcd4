from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_map_export_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["area", "category", "status"],
                name="report_area_category_status",
            ),
        ),
    ]
